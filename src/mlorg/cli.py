"""The ``mlorg`` command line.

Exit status: 0 success, 1 a check failed, 2 unusable input (one-line message
on stderr, no traceback).

>>> main(["--version"])  # doctest: +ELLIPSIS
mlorg ...
0
"""

from __future__ import annotations

import argparse
import os
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
    _add_experiments(commands)
    return parser


def _add_experiments(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``mlorg experiments report``: print the lessons log of an MLflow experiment."""
    experiments = commands.add_parser(
        "experiments",
        help="the experiment log: hypotheses, decisions and lessons kept in MLflow",
        description="The experiment log kept in MLflow (see the handbook's experiment-log example).",
    )
    actions = experiments.add_subparsers(dest="action", metavar="ACTION", required=True)
    report = actions.add_parser(
        "report",
        help="print hypothesis, result, decision and lesson of every run",
        description=(
            "Print the experiment log: one row per run with its hypothesis, result, "
            "decision and lesson; runs that lack any of them are flagged."
        ),
    )
    report.add_argument(
        "--tracking-uri",
        metavar="URI",
        help=(
            "MLflow tracking URI, e.g. sqlite:///mlflow.db or http://mlflow.internal:5000 "
            "(default: $MLFLOW_TRACKING_URI, else sqlite:///mlflow.db)"
        ),
    )
    report.add_argument(
        "--experiment",
        metavar="NAME",
        help="the experiment to report (default: every experiment in the store)",
    )
    report.add_argument(
        "--format",
        choices=["md", "json", "html"],
        default="md",
        help="Markdown table (default), JSON with every field, or an HTML table",
    )
    report.set_defaults(handler=_experiments_report)


def _experiments_report(args: argparse.Namespace) -> int:
    # MLflow retries an unreachable server for minutes by default (7 retries
    # with exponential backoff); a report should fail within seconds. An
    # explicit setting in the environment still wins.
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "2")
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", "20")
    from mlorg import explog  # noqa: PLC0415  (MLflow takes seconds to import)

    explog.quiet_mlflow()
    log = explog.lessons(tracking_uri=args.tracking_uri, experiment=args.experiment)
    print(explog.render_lessons(log, args.format))
    return EXIT_OK


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
