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
    _add_data_check(commands)
    return parser


# The defaults of mlorg.datacheck, repeated here so that `mlorg --help` does
# not import pandas; tests/test_cli.py checks that they agree.
_PSI_THRESHOLD = 0.2
_KS_THRESHOLD = 0.1


def _add_data_check(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``mlorg data-check DATA --schema SCHEMA.yaml [--reference REF] [--json]``."""
    parser = commands.add_parser(
        "data-check",
        help="check a CSV or Parquet file against a pandera schema, and for drift",
        description=(
            "Validate DATA against a pandera YAML schema and, given a trusted "
            "reference, measure each feature's drift from it. Exit status: 0 all "
            "checks pass, 1 a check failed, 2 unusable input."
        ),
    )
    parser.add_argument("data", metavar="DATA", help="the batch to check (.csv or .parquet)")
    parser.add_argument(
        "--schema",
        metavar="SCHEMA.yaml",
        required=True,
        help="the schema, in pandera's YAML format (DataFrameSchema.to_yaml)",
    )
    parser.add_argument(
        "--reference",
        metavar="REF",
        help="trusted data to measure drift against (.csv or .parquet)",
    )
    parser.add_argument(
        "--psi-threshold",
        type=float,
        metavar="X",
        help=f"a feature drifts when its PSI is above X (default {_PSI_THRESHOLD})",
    )
    parser.add_argument(
        "--ks-threshold",
        type=float,
        metavar="X",
        help=(
            "a numeric feature drifts when its Kolmogorov-Smirnov statistic is "
            f"above X (default {_KS_THRESHOLD})"
        ),
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.set_defaults(handler=_data_check)


def _data_check(args: argparse.Namespace) -> int:
    from mlorg import datacheck  # noqa: PLC0415 (heavy: pandas, pandera, scipy)

    schema = datacheck.read_schema(args.schema)
    data = datacheck.read_table(args.data)
    reference = None if args.reference is None else datacheck.read_table(args.reference)
    thresholds = {
        name: value
        for name, value in (
            ("psi_threshold", args.psi_threshold),
            ("ks_threshold", args.ks_threshold),
        )
        if value is not None
    }
    report = datacheck.check(data, schema, reference=reference, **thresholds)
    if args.json:
        print(report.to_json())
    else:
        against = f" (drift against {args.reference})" if reference is not None else ""
        print(f"{args.data}: checked against {args.schema}{against}")
        print(report.to_text())
    return EXIT_OK if report.passed else EXIT_FAILED


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
