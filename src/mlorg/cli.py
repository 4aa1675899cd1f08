"""The ``mlorg`` command line.

Exit status: 0 success, 1 a check failed, 2 unusable input (one-line message
on stderr, no traceback), 74 the output could not be written (``> /dev/full``,
a closed standard output), 130 interrupted by Ctrl-C, 141 the reader of the
output closed the pipe early (``mlorg ... | head``; 128 + SIGPIPE, as a shell
reports it). Every message is one line, with credentials in URIs hidden and
control characters escaped.

>>> main(["--version"])  # doctest: +ELLIPSIS
mlorg ...
0
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlorg._common import one_line
from mlorg._extras import require
from mlorg._output import MAX_MESSAGE, json_text, printable, safe_json, safe_report, shorten
from mlorg._secrets import hide_credentials
from mlorg.errors import InputError, MissingExtraError

if TYPE_CHECKING:  # heavy imports, for the types of the data check's helpers only
    import pandas as pd
    import pandera.pandas as pa

    from mlorg.datacheck import DataCheckReport

__all__ = [
    "EXIT_FAILED",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_OUTPUT",
    "EXIT_PIPE",
    "EXIT_USAGE",
    "REPORT_HTTP_LIMITS",
    "build_parser",
    "main",
]

#: Every check passed.
EXIT_OK = 0
#: The input was usable and at least one check failed.
EXIT_FAILED = 1
#: The input was unusable (also argparse's status for a bad command line).
EXIT_USAGE = 2
#: The output could not be written (a full device, a closed standard output):
#: ``EX_IOERR`` of BSD's sysexits.h.
EXIT_OUTPUT = 74
#: Interrupted by Ctrl-C (SIGINT), 128 + 2 as a shell reports it.
EXIT_INTERRUPTED = 130
#: The reader of the output closed the pipe, 128 + SIGPIPE (13).
EXIT_PIPE = 141


def _number_from_0(upper: float) -> Callable[[str], float]:
    """Return an argparse type: a finite number from 0 to ``upper``.

    NaN would switch a threshold off unseen (every comparison with it is
    false) and make a JSON report invalid; so would infinity. argparse turns
    the refusal into ``mlorg <command>: error: argument ...`` and exit status 2.

    >>> _number_from_0(1.0)("0.5")
    0.5
    >>> _number_from_0(1.0)("56")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: must be a finite number from 0 to 1, got '56'
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


def _whole_number_from_1(text: str) -> int:
    """An argparse type: a whole number, 1 or more.

    >>> _whole_number_from_1("2")
    2
    >>> _whole_number_from_1("0")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: must be a whole number, 1 or more, got '0'
    """
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        msg = f"must be a whole number, 1 or more, got {text!r}"
        raise argparse.ArgumentTypeError(msg)
    return value


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
    _add_team_api(commands)
    _add_experiments(commands)
    _add_data_check(commands)
    return parser


#: MLflow's HTTP settings during ``mlorg experiments report``, unless the
#: environment sets them: 3 s per request and one retry, so a server that
#: never answers fails in about 6 s (MLflow's defaults: 120 s and 7 retries).
REPORT_HTTP_LIMITS = {
    "MLFLOW_HTTP_REQUEST_TIMEOUT": "3",
    "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "1",
    "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR": "1",
}


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
        help="print every run with its status, key metrics and experiment record",
        description=(
            "Print the experiment log: one row per run with its id, status, start time, "
            "key parameters and metrics, hypothesis, result, decision and lesson; child "
            "runs (nested runs, autolog's searches) follow their parent; failed runs and "
            "runs that lack a record field are flagged. Works on runs mlorg never wrote. "
            "A SQLite store is opened read-only and never created or migrated."
        ),
    )
    report.add_argument(
        "--tracking-uri",
        metavar="URI",
        help=(
            "MLflow tracking URI, e.g. sqlite:///mlflow.db or http://mlflow.internal:5000 "
            "(default: $MLFLOW_TRACKING_URI, else sqlite:///mlflow.db); a server gets 3 s "
            "per request and one retry unless MLFLOW_HTTP_REQUEST_TIMEOUT or "
            "MLFLOW_HTTP_REQUEST_MAX_RETRIES say otherwise"
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
    report.add_argument(
        "--missing",
        metavar="FIELD",
        action="append",
        default=[],
        choices=_CHECKED_FIELDS,
        help=(
            "only the runs that lack this field (repeat for any of several): "
            + ", ".join(_CHECKED_FIELDS)
        ),
    )
    report.add_argument(
        "--param",
        metavar="NAME",
        action="append",
        help="a parameter to show (repeatable; default: up to 3 whose values differ between runs)",
    )
    report.add_argument(
        "--metric",
        metavar="NAME",
        action="append",
        help="a metric to show (repeatable; default: up to 3 that most runs have)",
    )
    report.set_defaults(handler=_experiments_report)


# mlorg.explog.CHECKED_FIELDS, repeated so that `mlorg --help` imports nothing
# of the experiment log; tests/test_explog.py checks that they agree.
_CHECKED_FIELDS = (
    "hypothesis",
    "result",
    "decision",
    "lesson",
    "decision_rule",
    "oec",
    "guardrails",
    "minimum_effect",
    "data_fingerprint",
    "code_version",
    "seed",
)


def _experiments_report(args: argparse.Namespace) -> int:
    require("experiments", "mlorg experiments")
    from mlorg import explog

    explog.quiet_mlflow()
    # MLflow waits 120 s per HTTP request and retries 7 times with backoff by
    # default (its MLFLOW_HTTP_REQUEST_* variables): a server that accepts
    # connections and never answers would hold a report for many minutes. A
    # report should fail within seconds. An explicit setting in the
    # environment still wins, and ours lasts only for this call: MLflow reads
    # these variables at each request, and `main` may run inside a notebook
    # whose later MLflow calls expect MLflow's defaults.
    ours = [name for name in REPORT_HTTP_LIMITS if name not in os.environ]
    os.environ.update({name: REPORT_HTTP_LIMITS[name] for name in ours})
    try:
        text = explog.report(
            args.tracking_uri,
            args.experiment,
            args.format,
            missing=args.missing,
            params=args.param,
            metrics=args.metric,
        )
    finally:
        for name in ours:
            os.environ.pop(name, None)
    print(safe_json(text) if args.format == "json" else safe_report(text))
    return EXIT_OK


# The defaults of mlorg.datacheck, repeated here so that `mlorg --help` does
# not import pandas; tests/test_cli.py checks that they agree.
_PSI_THRESHOLD = 0.2
_KS_THRESHOLD = 0.1
_ALPHA = 0.01
_MIN_PER_BIN = 5


def _add_data_check(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``mlorg data-check DATA... --schema SCHEMA.yaml [--reference REF] [--json]``."""
    parser = commands.add_parser(
        "data-check",
        help="check CSV or Parquet files against a pandera schema, and for drift",
        description=(
            "Validate each DATA file against a pandera YAML schema and, given a trusted "
            "reference, measure each feature's drift from it. A feature drifts when its "
            "PSI is above --psi-threshold, or (numeric features) its Kolmogorov-Smirnov "
            "statistic is above --ks-threshold, with that test's p-value below --alpha "
            "divided by the number of tests; a feature with fewer than --min-per-bin "
            "values per bin on either side is reported as too small to judge. Columns "
            "the schema declares unique, datetime columns and columns marked 'drift: "
            "false' are left out of drift. Exit status: 0 all checks pass, 1 a check "
            "failed, 2 unusable input; with several files, the worst of them."
        ),
    )
    parser.add_argument(
        "data", metavar="DATA", nargs="+", help="the batches to check (.csv or .parquet)"
    )
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
        default=_PSI_THRESHOLD,
        type=_number_from_0(math.inf),
        metavar="X",
        help=(
            "a feature drifts when its PSI is above X and significant (see --alpha), "
            f"0 or more (default {_PSI_THRESHOLD})"
        ),
    )
    parser.add_argument(
        "--ks-threshold",
        default=_KS_THRESHOLD,
        type=_number_from_0(1.0),
        metavar="X",
        help=(
            "a numeric feature drifts when its Kolmogorov-Smirnov statistic is "
            f"above X and significant (see --alpha), from 0 to 1 (default {_KS_THRESHOLD})"
        ),
    )
    parser.add_argument(
        "--alpha",
        default=_ALPHA,
        type=_number_from_0(1.0),
        metavar="P",
        help=(
            "significance level of the drift check as a whole: each PSI and KS test "
            "counts only with a p-value below P divided by the number of tests, from "
            f"0 to 1 (default {_ALPHA})"
        ),
    )
    parser.add_argument(
        "--min-per-bin",
        default=_MIN_PER_BIN,
        type=_number_from_0(math.inf),
        metavar="N",
        help=(
            "judge a feature's drift only with at least N values per PSI bin on each "
            f"side, on average (default {_MIN_PER_BIN}: 50 rows for 10 bins)"
        ),
    )
    parser.add_argument(
        "--no-drift",
        action="append",
        default=[],
        metavar="COL",
        help="leave column COL out of drift (an identifier, a time); repeatable",
    )
    parser.add_argument(
        "--drift",
        action="append",
        default=[],
        metavar="COL",
        help="measure COL's drift although it is unique or datetime in the schema; repeatable",
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
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
    require("data", "mlorg data-check")
    from mlorg import datacheck  # heavy: pandas, pandera, scipy
    from mlorg._common import did_you_mean
    from mlorg._datacheck import engines

    schema = datacheck.read_schema(args.schema)
    on = engines.backend(args.engine)
    try:  # before any data is read: a schema the engine cannot check is refused at once
        on.checkable(schema)
    except InputError as error:
        msg = f"{args.schema}: {error}"
        raise InputError(msg) from error
    for option, names in (("--no-drift", args.no_drift), ("--drift", args.drift)):
        for name in names:
            if name not in schema.columns:
                hint = did_you_mean(name, [str(c) for c in schema.columns])
                msg = f"{option} {name}: {args.schema} declares no such column{hint}"
                raise InputError(msg)
    reference = None
    if args.reference is not None:
        reference = on.read_table(args.reference)
        if on.row_count(reference) == 0:  # no edges, no shares: nothing to compare with
            msg = f"{args.reference}: the reference has no rows: there is nothing to measure drift against"
            raise InputError(msg)
    several = len(args.data) > 1
    status = EXIT_OK
    reports: list[dict[str, object]] = []
    for number, path in enumerate(args.data):
        try:
            data = on.read_table(path)
            report = _checked(data, schema, reference, args)
        except InputError as error:
            if not several:
                raise
            # One unreadable file of several: say so, and check the others.
            _error(str(error))
            reports.append({"file": path, "error": str(error)})
            status = EXIT_USAGE
            continue
        status = max(status, EXIT_OK if report.passed else EXIT_FAILED)
        if args.json:
            reports.append({"file": path, **report.to_dict()})
        else:
            against = f" (drift against {args.reference})" if reference is not None else ""
            if number:
                print()
            print(printable(f"{path}: checked against {args.schema}{against}"))
            print(safe_report(report.to_text()))
    if args.json:
        print(json_text(reports if several else reports[0]))
    return status


def _checked(
    data: pd.DataFrame | Any,
    schema: pa.DataFrameSchema,
    reference: pd.DataFrame | Any | None,
    args: argparse.Namespace,
) -> DataCheckReport:
    """The data check of one batch; a schema pandera cannot apply is named as the schema's fault."""
    from mlorg import datacheck

    try:
        return datacheck.check(
            data,
            schema,
            reference=reference,
            engine=args.engine,
            psi_threshold=args.psi_threshold,
            ks_threshold=args.ks_threshold,
            alpha=args.alpha,
            min_per_bin=args.min_per_bin,
            exclude_from_drift=args.no_drift,
            include_in_drift=args.drift,
        )
    except InputError as error:
        # The options were checked by argparse and above, so what check()
        # refuses is the schema: a definition pandera rejects only on data.
        msg = f"{args.schema}: {error}"
        raise InputError(msg) from error


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit status.

    The one place where every command's ending is decided (see the module
    documentation for the statuses): unusable input, a full device or a closed
    standard output, Ctrl-C, and a reader that closed the pipe each end with
    one line on stderr (none for the pipe) and no traceback; every message is
    stripped of credentials, of control characters and of excess length.
    """
    if sys.stdout is None:  # started with standard output closed (`mlorg ... >&-`)
        _error("standard output is closed; nothing can be printed")
        return EXIT_OUTPUT
    try:
        return _run(argv)
    except KeyboardInterrupt:
        _error("interrupted", prefix="mlorg: ")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader stopped reading (`mlorg ... --json | head`): no traceback.
        # Point stdout at devnull so Python's exit-time flush cannot fail again,
        # as the Python documentation on SIGPIPE recommends.
        _silence_stdout()
        # 128 + SIGPIPE (13), the status a shell reports for a command a
        # closed pipe stopped; not EXIT_FAILED, which would say a check failed.
        return EXIT_PIPE
    except OSError as error:
        # Writing the output failed (`> /dev/full`: ENOSPC; a closed or broken
        # descriptor: EBADF, EIO). Reading input never gets here: the readers
        # turn their OSErrors into InputError.
        _silence_stdout()
        _error(f"cannot write the output: {error.strerror or one_line(error)}")
        return EXIT_OUTPUT


def _run(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        from mlorg import __version__  # read on demand: see mlorg.__getattr__

        print(f"mlorg {__version__}")
        sys.stdout.flush()
        return EXIT_OK
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        status: int = handler(args)
        sys.stdout.flush()
    except (InputError, MissingExtraError) as error:
        _error(str(error))
        return EXIT_USAGE
    return status


def _error(message: str, prefix: str = "mlorg: error: ") -> None:
    """Print one line on stderr: credentials hidden, control characters escaped, cut short."""
    line = shorten(printable(hide_credentials(message)), MAX_MESSAGE)
    if sys.stderr is not None:
        # stderr may be full or closed too: then the exit status alone tells.
        with contextlib.suppress(OSError):
            print(f"{prefix}{line}", file=sys.stderr, flush=True)


def _silence_stdout() -> None:
    """Point file descriptor 1 at the null device, so Python's exit-time flush cannot fail."""
    # A stdout without a descriptor (a test's capture) has nothing to redirect.
    with contextlib.suppress(OSError, ValueError, AttributeError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


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
        type=_whole_number_from_1,
        default=1,
        metavar="N",
        help=(
            "a component is the package named by the first N parts of an import name; "
            "modules directly in a shallower package belong to it (default: 1)"
        ),
    )
    importer.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="GLOB",
        help=(
            "leave out the Python files this pattern matches (relative to --repo; a pattern "
            "without '/' matches any folder or file name); repeatable"
        ),
    )
    importer.add_argument(
        "--include",
        action="append",
        default=[],
        metavar="GLOB",
        help=(
            "read the files this pattern matches although a default exclusion matches them "
            "(by default tests, test, docs, doc, examples, example, scripts, benchmarks, "
            "conftest.py, test_*.py and *_test.py are left out); repeatable"
        ),
    )
    importer.add_argument(
        "--source-root",
        action="append",
        type=Path,
        metavar="DIR",
        help=(
            "a folder (relative to --repo) in which import names start, such as src or "
            "sdk/python; repeatable (default: the roots that pyproject.toml and setup.cfg "
            "files declare)"
        ),
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
        type=_number_from_0(1.0),
        metavar="CONGRUENCE",
        help="exit with status 1 when congruence is below this value (0 to 1)",
    )
    parser.set_defaults(handler=_org_graph)


def _add_team_api(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``mlorg team-api``: the org-design chapter's Team APIs as org-graph YAML."""
    parser = commands.add_parser(
        "team-api",
        help="turn the handbook's Team APIs into the YAML that mlorg org-graph reads",
        description=(
            "Read Team APIs (the org-design chapter's template: Markdown files with a YAML "
            "block per team and an interaction-mode map table, or YAML files) and print the "
            "org-graph YAML on stdout, e.g. mlorg team-api teams/*.md > org.yaml. No file is "
            "written."
        ),
    )
    parser.add_argument(
        "files", nargs="+", type=Path, metavar="FILE", help="Team API files (.md or .yaml)"
    )
    parser.set_defaults(handler=_team_api)


def _team_api(args: argparse.Namespace) -> int:
    from mlorg.teamapi import to_org_yaml

    sys.stdout.write(to_org_yaml(args.files))
    return EXIT_OK


def _org_graph(args: argparse.Namespace) -> int:
    from mlorg import orggraph

    inputs = _org_graph_inputs(args)
    if args.figure is not None:
        require("figure", "mlorg org-graph --figure")
        _check_figure_path(args.figure, inputs, force=args.force)
    notes: tuple[str, ...] = ()
    audit: dict[str, object] | None = None
    if args.org is not None:
        org = orggraph.load_org(args.org)
    else:
        from mlorg.codeowners import import_org

        imported = import_org(
            args.codeowners,
            args.repo,
            args.teams,
            depth=args.depth,
            include=args.include,
            exclude=args.exclude,
            roots=args.source_root,
        )
        org, notes, audit = imported.org, imported.notes, imported.to_dict()
    result = orggraph.report(org)
    if args.figure is not None:
        from mlorg.orgfigure import draw, save

        try:
            save(draw(result), args.figure, overwrite=args.force)
        except InputError as error:  # the library's wording is its argument's name
            raise InputError(str(error).replace("overwrite=True", "--force")) from None
    if args.json:
        data = result.to_dict() | {"notes": list(notes)}
        if audit is not None:
            data["import"] = audit
        if args.figure is not None:
            data["figure"] = str(args.figure)
        print(json_text(data))
    else:
        print(safe_report(result.to_text()))
        if notes:
            print(f"\nnotes ({len(notes)}): what the import could not place")
            print("\n".join(f"  {printable(note)}" for note in notes))
        if args.figure is not None:
            print(f"\nfigure: {printable(str(args.figure))}")
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
        chosen = [
            f"--{o.replace('_', '-')}"
            for o in ("include", "exclude", "source_root")
            if getattr(args, o)
        ]
        if chosen:
            msg = f"{chosen[0]} chooses the files of an import from a repository; ORG.yaml has none"
            raise InputError(msg)
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
    if os.path.lexists(figure) and not force:  # a dangling symbolic link counts
        msg = f"--figure {figure} already exists; add --force to replace it"
        raise InputError(msg)
