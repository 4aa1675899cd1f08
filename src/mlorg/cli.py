"""The ``mlorg`` command line.

Exit status: 0 success, 1 a check failed, 2 unusable input (one-line message
on stderr, no traceback).

>>> main(["--version"])  # doctest: +ELLIPSIS
mlorg ...
0
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from mlorg import __version__
from mlorg.errors import InputError

__all__ = ["EXIT_FAILED", "EXIT_OK", "EXIT_USAGE", "build_parser", "main"]

#: Every check passed.
EXIT_OK = 0
#: The input was usable and at least one check failed.
EXIT_FAILED = 1
#: The input was unusable (also argparse's status for a bad command line).
EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``mlorg`` command.

    >>> build_parser().prog
    'mlorg'
    """
    parser = argparse.ArgumentParser(
        prog="mlorg",
        description=(
            "Tools from The ML Organization Handbook: check data, report "
            "experiment lessons, measure Conway's law in your organisation."
        ),
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    # Each command is added by an `_add_<command>(commands)` function below,
    # which sets `handler=` on its parser. Handlers import the heavy modules
    # (pandera, MLflow, ...) themselves, so `mlorg --version` stays fast.
    del commands  # until the first command arrives
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        print(f"mlorg {__version__}")
        return EXIT_OK
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        status: int = handler(args)
    except InputError as error:
        print(f"mlorg: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    return status
