"""The ``mlorg`` command line.

Exit status: 0 success, 1 a check failed, 2 unusable input (one-line message
on stderr, no traceback), 141 the reader of the output closed the pipe early
(``mlorg ... | head``; 128 + SIGPIPE, as a shell reports it).

>>> main(["--version"])  # doctest: +ELLIPSIS
mlorg ...
0
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

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
    _add_org_graph(commands)
    _add_experiments(commands)
    _add_data_check(commands)
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
    from mlorg import explog

    explog.quiet_mlflow()
    # MLflow retries an unreachable server for minutes by default (7 retries
    # with exponential backoff); a report should fail within seconds. An
    # explicit setting in the environment still wins, and ours lasts only for
    # this call: MLflow reads these variables at each request, and `main` may
    # run inside a notebook whose later MLflow calls expect MLflow's defaults.
    limits = {"MLFLOW_HTTP_REQUEST_MAX_RETRIES": "2", "MLFLOW_HTTP_REQUEST_TIMEOUT": "20"}
    ours = [name for name in limits if name not in os.environ]
    os.environ.update({name: limits[name] for name in ours})
    try:
        log = explog.lessons(tracking_uri=args.tracking_uri, experiment=args.experiment)
    finally:
        for name in ours:
            os.environ.pop(name, None)
    print(explog.render_lessons(log, args.format))
    return EXIT_OK


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
    # Imported here, not at the top, to keep this command's code in one place.
    import math
    from collections.abc import Callable

    def threshold(upper: float) -> Callable[[str], float]:
        """An argparse type: a finite number from 0 to ``upper``.

        NaN would switch drift detection off unseen (every comparison with it
        is false) and make the JSON report invalid; so would infinity.
        """

        def parse(text: str) -> float:
            try:
                value = float(text)
            except ValueError:
                value = math.nan
            if not (math.isfinite(value) and 0 <= value <= upper):
                bound = "0 or more" if math.isinf(upper) else f"from 0 to {upper:g}"
                msg = f"must be a finite number {bound}, got {text!r}"
                raise argparse.ArgumentTypeError(msg)
            return value

        return parse

    parser.add_argument(
        "--psi-threshold",
        type=threshold(math.inf),
        metavar="X",
        help=f"a feature drifts when its PSI is above X, 0 or more (default {_PSI_THRESHOLD})",
    )
    parser.add_argument(
        "--ks-threshold",
        type=threshold(1.0),
        metavar="X",
        help=(
            "a numeric feature drifts when its Kolmogorov-Smirnov statistic is "
            f"above X, from 0 to 1 (default {_KS_THRESHOLD})"
        ),
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    # -- engine option (issue 14) --
    parser.add_argument(
        "--engine",
        choices=["pandas", "polars", "spark"],
        default="pandas",
        help=(
            "what reads and checks the data: pandas (default), polars (mlorg[polars]) or "
            "spark (mlorg[spark] and Java; a local[2] session unless SPARK_REMOTE or an "
            "active session says otherwise); polars and spark also read a folder of "
            "Parquet partitions"
        ),
    )
    parser.set_defaults(handler=_data_check)


def _data_check(args: argparse.Namespace) -> int:
    from mlorg import _engines, datacheck  # heavy: pandas, pandera, scipy

    schema = datacheck.read_schema(args.schema)
    engine = args.engine
    try:  # before any data is read: a schema the engine cannot check is refused at once
        _engines.translate_schema(engine, schema)
    except InputError as error:
        msg = f"{args.schema}: {error}"
        raise InputError(msg) from error
    data = datacheck.read_table(args.data, engine=engine)
    reference = None
    if args.reference is not None:
        reference = datacheck.read_table(args.reference, engine=engine)
        if _engines.row_count(reference) == 0:  # no edges, no shares: nothing to compare with
            msg = f"{args.reference}: the reference has no rows: there is nothing to measure drift against"
            raise InputError(msg)
    thresholds = {
        name: value
        for name, value in (
            ("psi_threshold", args.psi_threshold),
            ("ks_threshold", args.ks_threshold),
        )
        if value is not None
    }
    try:
        report = datacheck.check(data, schema, reference=reference, **thresholds)
    except InputError as error:
        # The thresholds were checked by argparse, so what check() refuses is
        # the schema: a definition pandera rejects only when applying it to data.
        msg = f"{args.schema}: {error}"
        raise InputError(msg) from error
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
        sys.stdout.flush()
    except InputError as error:
        print(f"mlorg: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        # The reader stopped reading (`mlorg ... --json | head`): no traceback.
        # Point stdout at devnull so Python's exit-time flush cannot fail again,
        # as the Python documentation on SIGPIPE recommends.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        # 128 + SIGPIPE (13), the status a shell reports for a command a
        # closed pipe stopped; not EXIT_FAILED, which would say a check failed.
        return 141
    return status


def _add_org_graph(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "org-graph",
        help="measure whether your teams talk where your architecture says they must",
        description=(
            "Print socio-technical congruence (the share of team pairs that must "
            "coordinate and do communicate), the coordination gaps with the dependencies "
            "behind them, channels no dependency explains, and each team's load. Read "
            "the org from ORG.yaml, or import it from a repository with --codeowners, "
            "--repo and --teams."
        ),
    )
    parser.add_argument(
        "org", nargs="?", type=Path, metavar="ORG.yaml", help="the organisation as YAML"
    )
    importer = parser.add_argument_group("import the org from a repository instead")
    importer.add_argument(
        "--codeowners", type=Path, metavar="PATH", help="the repository's CODEOWNERS file"
    )
    importer.add_argument("--repo", type=Path, metavar="DIR", help="the repository's folder")
    importer.add_argument(
        "--teams",
        type=Path,
        metavar="TEAMS.yaml",
        help="teams, their CODEOWNERS handles ('owners') and channels",
    )
    importer.add_argument(
        "--depth",
        type=int,
        default=1,
        metavar="N",
        help="a component is the first N parts of a package name (default: 1)",
    )
    parser.add_argument(
        "--figure",
        type=Path,
        metavar="OUT.svg|png",
        help=(
            "also draw the org graph and the system graph side by side into this file "
            "(an existing file is kept unless --force is given)"
        ),
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace the --figure file if it exists (never one of the command's inputs)",
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument(
        "--fail-under",
        type=float,
        metavar="CONGRUENCE",
        help="exit with status 1 when congruence is below this value (0 to 1)",
    )
    parser.set_defaults(handler=_org_graph)


def _org_graph(args: argparse.Namespace) -> int:
    from mlorg import orggraph

    inputs = _org_graph_inputs(args)
    if args.figure is not None:
        _check_figure_path(args.figure, inputs, force=args.force)
    if args.fail_under is not None and not 0 <= args.fail_under <= 1:
        msg = f"--fail-under must be between 0 and 1, got {args.fail_under}"
        raise InputError(msg)
    notes: tuple[str, ...] = ()
    if args.org is not None:
        org = orggraph.load_org(args.org)
    else:
        from mlorg.codeowners import import_org

        imported = import_org(args.codeowners, args.repo, args.teams, depth=args.depth)
        org, notes = imported.org, imported.notes
    result = orggraph.report(org)
    if args.figure is not None:
        from mlorg.orgfigure import draw, save

        save(draw(result), args.figure, overwrite=args.force)
    if args.json:
        data = result.to_dict() | {"notes": list(notes)}
        if args.figure is not None:
            data["figure"] = str(args.figure)
        print(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        print(result.to_text())
        if notes:
            print(f"\nnotes ({len(notes)}): what the import could not place")
            print("\n".join(f"  {note}" for note in notes))
        if args.figure is not None:
            print(f"\nfigure: {args.figure}")
    value = result.congruence.value
    if args.fail_under is None:
        return EXIT_OK
    if value is None:
        # Nothing to measure is not a pass: a scheduled check should notice.
        print(
            "mlorg: congruence could not be measured (no team depends on another team's "
            f"components), so --fail-under {args.fail_under:g} is not met",
            file=sys.stderr,
        )
        return EXIT_FAILED
    if value < args.fail_under:
        print(
            f"mlorg: congruence {value:.2f} is below --fail-under {args.fail_under:g}",
            file=sys.stderr,
        )
        return EXIT_FAILED
    return EXIT_OK


def _org_graph_inputs(args: argparse.Namespace) -> list[Path]:
    """Check that exactly one way of reading the org was given; return its input files."""
    importer = {"--codeowners": args.codeowners, "--repo": args.repo, "--teams": args.teams}
    given = [name for name, value in importer.items() if value is not None]
    if args.org is not None and given:
        msg = f"give either ORG.yaml or {', '.join(importer)}, not both ({args.org} and {given[0]})"
        raise InputError(msg)
    if args.org is not None:
        return [args.org]
    if not given:
        msg = f"give ORG.yaml, or {', '.join(importer)} to import the org from a repository"
        raise InputError(msg)
    missing = [name for name, value in importer.items() if value is None]
    if missing:
        msg = f"importing from a repository needs {', '.join(missing)} too"
        raise InputError(msg)
    return [args.codeowners, args.teams]


def _check_figure_path(figure: Path, inputs: Sequence[Path], *, force: bool) -> None:
    """Refuse, before any work, a figure path that would lose a file or cannot be written.

    The figure never replaces one of the command's own inputs, and replaces
    any other existing file only with ``--force``. (:func:`mlorg.orgfigure.save`
    enforces the second rule again when it writes.)
    """
    for path in inputs:
        same = figure.resolve() == path.resolve()
        if not same and figure.exists() and path.exists():
            same = figure.samefile(path)
        if same:
            msg = f"--figure {figure} is an input of this command; choose another file"
            raise InputError(msg)
    if figure.is_dir():
        msg = f"--figure {figure} is a folder; give a file name ending in .svg or .png"
        raise InputError(msg)
    if figure.exists() and not force:
        msg = f"--figure {figure} already exists; add --force to replace it"
        raise InputError(msg)
