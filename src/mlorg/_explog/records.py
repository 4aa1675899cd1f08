"""What an experiment leaves behind: its record, code version and data fingerprint.

Private: the public names are in :mod:`mlorg.explog`.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, get_args

from mlorg._explog import rows as _rows
from mlorg.errors import InputError

if TYPE_CHECKING:
    # pandas and numpy load when a function needs them: `mlorg experiments
    # report` on a SQLite store needs neither, and importing them is most of
    # its start-up time on a busy machine (see benchmarks/bench_explog.py).
    import numpy as np
    import pandas as pd

#: MLflow's tag for the git commit of a run (``mlflow.utils.mlflow_tags.MLFLOW_GIT_COMMIT``),
#: which its UI shows; written out so that this module imports MLflow only when it talks to a store.
MLFLOW_GIT_COMMIT = "mlflow.source.git.commit"


#: What a team can decide after an experiment.
Decision = Literal["adopt", "reject", "iterate"]
#: The allowed decisions, in the order the handbook discusses them.
DECISIONS: tuple[str, ...] = get_args(Decision)
#: The fields of an experiment record every run owes the team, in reading order;
#: a run lacking one is flagged. The plan fields (``PLAN_FIELDS``: decision
#: rule, overall evaluation criterion, guardrails, minimum effect) are stored
#: and reported too, never flagged; ``CHECKED_FIELDS`` are those a report
#: can filter on (``--missing``).
RECORD_FIELDS = _rows.RECORD_FIELDS
#: What a report can filter on: the record, the plan and the provenance.
CHECKED_FIELDS = _rows.CHECKED_FIELDS
#: The chapter's plan, written before the run: stored and reported, never flagged.
PLAN_FIELDS = _rows.PLAN_FIELDS

_TAG = "mlorg."
_FINGERPRINT_TAG = "mlorg.data_fingerprint"
_CODE_VERSION_TAG = "mlorg.code_version"
_GIT_DIRTY_TAG = "mlorg.git_dirty"
_SEED_PARAM = "seed"
_MISSING = "—"
_FLAG = "⚠"
#: Runs (and experiments) per search request: MLflow's own page size, which
#: its server answers in about a second for 1,000 runs on 2 cores. A larger
#: page saves one request per 1,000 runs and risks the short timeout
#: ``mlorg experiments report`` sets (3 s per request).
_PAGE = 1000


@dataclass(frozen=True)
class ExperimentRecord:
    """What one experiment set out to learn and what the team made of it.

    The hypothesis is stated before the run, with the plan the experimentation
    chapter's record asks for: the decision rule (what result leads to adopt,
    reject or iterate) and, for an online experiment, the overall evaluation
    criterion (``oec``), the guardrail metrics and the minimum effect worth
    acting on. Result, decision and lesson are filled in afterwards (see
    :func:`record_outcome`). Empty text counts as missing; a run is flagged
    only for a missing hypothesis, result, decision or lesson, since the
    online fields do not apply to every experiment.

    >>> ExperimentRecord(hypothesis="Deeper trees help.").missing
    ('result', 'decision', 'lesson')
    >>> ExperimentRecord(hypothesis="x", decision="maybe")
    Traceback (most recent call last):
    ...
    mlorg.errors.InputError: decision 'maybe' is not one of adopt, reject, iterate
    """

    hypothesis: str | None = None
    result: str | None = None
    decision: Decision | None = None
    lesson: str | None = None
    decision_rule: str | None = None
    oec: str | None = None
    guardrails: Sequence[str] | None = None
    minimum_effect: str | None = None

    def __post_init__(self) -> None:
        if self.decision is not None and self.decision not in DECISIONS:
            msg = f"decision {self.decision!r} is not one of {', '.join(DECISIONS)}"
            raise InputError(msg)
        if self.guardrails is not None:
            names = [self.guardrails] if isinstance(self.guardrails, str) else self.guardrails
            if not all(isinstance(name, str) for name in names):
                msg = f"guardrails must be names of metrics (text), got {self.guardrails!r}"
                raise InputError(msg)
            # frozen: the one place the value is normalised, to a tuple of names
            object.__setattr__(self, "guardrails", tuple(n.strip() for n in names if n.strip()))

    @property
    def missing(self) -> tuple[str, ...]:
        """The record's fields that are still empty, in reading order."""
        return tuple(name for name in RECORD_FIELDS if not (getattr(self, name) or "").strip())

    def tags(self) -> dict[str, str]:
        """The record as MLflow tags (``mlorg.<field>``), leaving out empty fields.

        Guardrails are stored as a JSON list of names.

        >>> ExperimentRecord(hypothesis="Deeper trees help.", decision="reject").tags()
        {'mlorg.hypothesis': 'Deeper trees help.', 'mlorg.decision': 'reject'}
        >>> ExperimentRecord(oec="sessions per user", guardrails=["p95 latency"]).tags()
        {'mlorg.oec': 'sessions per user', 'mlorg.guardrails': '["p95 latency"]'}
        """
        tags = {}
        for name in (*RECORD_FIELDS, *PLAN_FIELDS):
            value = getattr(self, name)
            if name == "guardrails":
                if value:
                    tags[_TAG + name] = json.dumps(list(value), ensure_ascii=False)
            elif (value or "").strip():
                tags[_TAG + name] = str(value).strip()
        return tags


@dataclass(frozen=True)
class CodeVersion:
    """Which code produced a run: a package version and, if known, a git commit.

    >>> str(CodeVersion("mlorg", "0.1.0", "0123456789abcdef", dirty=True))
    'mlorg 0.1.0 @ 0123456789ab (uncommitted changes)'
    """

    package: str
    version: str | None
    git_commit: str | None = None
    dirty: bool | None = field(default=None, kw_only=True)

    @property
    def package_version(self) -> str:
        """The package and its version, e.g. ``"mlorg 0.1.0"``."""
        return f"{self.package} {self.version or '(not installed)'}"

    def __str__(self) -> str:
        text = self.package_version
        if self.git_commit:
            text += f" @ {self.git_commit[:12]}"
        if self.dirty:
            text += " (uncommitted changes)"
        return text


def code_version(package: str = "mlorg", where: Path | None = None) -> CodeVersion:
    """Return the installed version of ``package`` and the git commit of ``where``.

    ``where`` defaults to the current folder. The commit is ``None`` outside a
    git repository or without git; ``dirty`` says whether tracked files have
    uncommitted changes, in which case the commit alone does not pin the code.
    (MLflow finds the commit too, but only for runs started through its
    global "fluent" API, which this module avoids; asking git is two commands.)

    >>> code_version().version == __import__("mlorg").__version__
    True
    """
    # here, not on import: importlib.metadata takes tenths of a second to load
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as _package_version

    try:
        installed: str | None = _package_version(package)
    except PackageNotFoundError:
        installed = None
    commit = _git(where, "rev-parse", "--verify", "HEAD")
    dirty = None
    if commit is not None:
        dirty = bool(_git(where, "status", "--porcelain", "--untracked-files=no"))
    return CodeVersion(package, installed, commit, dirty=dirty)


def _git(where: Path | None, *args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", *args],
            cwd=where,
            capture_output=True,
            text=True,
            check=False,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def data_fingerprint(data: pd.DataFrame | pd.Series[Any]) -> str:
    """Return a SHA-256 fingerprint of a table's column names, types and values.

    Built on :func:`pandas.util.hash_pandas_object`, which hashes every row.
    Changing any single value, a column name or a column's type changes the
    fingerprint; the same data loaded again, copied or re-indexed (the row
    labels are not data) gives the same one. Row order counts, since it
    decides which rows land in which cross-validation fold. (MLflow's own
    dataset digest hashes only the first 10,000 rows, so it can miss a change.)
    In a column of Python objects (dtype ``object``, or categories of that
    dtype) pandas hashes each value's text, so the number 1 and the text "1"
    would look the same; there each value's type is hashed too. A missing
    value counts as missing whatever marks it (None, NaN or ``pd.NA``).

    >>> import pandas as pd
    >>> frame = pd.DataFrame({"mass": [3750, 3800], "species": ["Adelie", "Gentoo"]})
    >>> data_fingerprint(frame) == data_fingerprint(frame.copy())
    True
    >>> changed = frame.copy()
    >>> changed.loc[1, "mass"] = 3801
    >>> data_fingerprint(frame) == data_fingerprint(changed)
    False
    >>> numbers = pd.DataFrame({"id": pd.Series([1, 2], dtype=object)})
    >>> data_fingerprint(numbers) == data_fingerprint(numbers.astype(str).astype(object))
    False
    """
    import pandas as pd

    frame = data.to_frame() if isinstance(data, pd.Series) else data
    try:
        rows = pd.util.hash_pandas_object(frame, index=False)
    except TypeError as error:  # lists, dicts: values pandas cannot hash
        msg = f"cannot fingerprint the data: {error}"
        raise InputError(msg) from error
    except UnicodeDecodeError as error:
        # pandas hashes a column of mixed types by each value's text, and
        # decodes bytes as ASCII to get it.
        msg = (
            f"cannot fingerprint the data: bytes that are not ASCII ({error.object!r}) "
            "among values of other types"
        )
        raise InputError(msg) from error
    digest = hashlib.sha256()
    for name, dtype in frame.dtypes.items():
        digest.update(f"{name!r}:{dtype}\n".encode())
    digest.update(rows.to_numpy().tobytes())
    for position, (name, column) in enumerate(frame.items()):
        types = _value_types(column)
        if types is not None:
            digest.update(f"types of column {position} {name!r}\n".encode())
            digest.update(types.tobytes())
    return digest.hexdigest()


def _value_types(column: pd.Series[Any]) -> np.ndarray[Any, np.dtype[np.uint64]] | None:
    """Hash each value's type in a column of Python objects; None for other columns.

    A column whose values are all strings, or missing, needs no per-value
    types; checking that is one fast pass in C (``infer_dtype``), so only
    columns of mixed or non-text values pay for looking at each value's type.
    """
    import numpy as np
    import pandas as pd

    # In a categorical column only the categories can mix types: a missing
    # value has no category and already hashes apart from every value.
    kept = column.dtype.categories if isinstance(column.dtype, pd.CategoricalDtype) else column
    if kept.dtype != object or pd.api.types.infer_dtype(kept, skipna=True) in {"string", "empty"}:
        return None
    values = column.to_numpy(dtype=object)
    codes, types = pd.factorize(np.frompyfunc(type, 1, 1)(values))
    names = np.array([_type_name(kind) for kind in types], dtype=object)
    hashes: np.ndarray[Any, np.dtype[np.uint64]] = pd.util.hash_array(names)[codes]
    # pandas hashes every missing value alike (None, NaN, pd.NA); so do we.
    hashes[pd.isna(values)] = 0
    return hashes


def _type_name(kind: type) -> str:
    # A str subclass (numpy.str_) holds text like str: the same value.
    return "str" if issubclass(kind, str) else f"{kind.__module__}.{kind.__qualname__}"
