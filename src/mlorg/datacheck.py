"""Check a batch of data before it reaches a model: schema, drift and a go / no-go gate.

Three questions, one per function:

* :func:`schema_failures`: does every value keep the promises of the data's
  schema (types, ranges, allowed categories, missing values, uniqueness)?
  The schema is a pandera :class:`~pandera.api.pandas.container.DataFrameSchema`,
  usually read from pandera's own YAML format with :func:`read_schema`;
  validation is lazy, so every failure is collected, not only the first.
* :func:`drift`: has the distribution of each feature moved away from a
  trusted reference? It reports the population stability index (PSI, see
  :func:`population_stability_index`) for every feature and the
  Kolmogorov-Smirnov statistic for numeric ones.
* :func:`gate`: combine both into one decision, go or no-go, with reasons.

:func:`check` runs all three and returns a :class:`DataCheckReport`, which
renders as a table (:meth:`DataCheckReport.to_frame`), text, HTML or JSON.

>>> import pandas as pd
>>> import pandera.pandas as pa
>>> schema = pa.DataFrameSchema({"mass_g": pa.Column(float, pa.Check.in_range(2000, 7000))})
>>> reference = pd.DataFrame({"mass_g": [3500.0, 3800.0, 4200.0, 4650.0, 5000.0]})
>>> check(reference, schema, reference=reference).decision
GateDecision(go=True, reasons=())
>>> print(check(reference / 1000, schema, reference=reference).decision)
NO-GO: 5 schema failures (1 column: mass_g); drift in 1 feature (mass_g)
"""

from __future__ import annotations

import difflib
import html
import json
import math
import os
import re
import warnings
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from numpy.typing import NDArray
from scipy import stats

from mlorg import _engines
from mlorg._engines import Engine
from mlorg.errors import InputError

with warnings.catch_warnings():
    # With pyspark installed (mlorg[spark]), pandera imports pyspark's pandas
    # API, which cannot import with pandas 3 and warns; see the function's notes.
    warnings.filterwarnings("ignore", "PySpark does not yet fully support pandas", FutureWarning)
    _engines.pandas_on_spark_stand_in()
    import pandera.pandas as pa

__all__ = [
    "DEFAULT_BINS",
    "DEFAULT_KS_ALPHA",
    "DEFAULT_KS_SAMPLE",
    "DEFAULT_KS_THRESHOLD",
    "DEFAULT_PSI_THRESHOLD",
    "DRIFT_COLUMNS",
    "FAILURE_COLUMNS",
    "PSI_FLOOR",
    "ROWS",
    "TABLE",
    "DataCheckReport",
    "GateDecision",
    "check",
    "drift",
    "gate",
    "population_stability_index",
    "read_schema",
    "read_table",
    "schema_failures",
]

#: A feature whose PSI is above this counts as drifted. A convention chosen
#: for this handbook, not a result from a study: tune it on your own history.
DEFAULT_PSI_THRESHOLD = 0.2
#: A numeric feature whose Kolmogorov-Smirnov statistic (the largest gap
#: between the two cumulative distributions) is above this counts as drifted,
#: if the gap is also statistically significant (see ``DEFAULT_KS_ALPHA``).
#: A convention chosen for this handbook.
DEFAULT_KS_THRESHOLD = 0.1
#: The p-value below which a Kolmogorov-Smirnov gap counts as more than
#: sampling noise. A convention chosen for this handbook.
DEFAULT_KS_ALPHA = 0.01
#: Numeric features are cut into this many bins at the reference's quantiles.
DEFAULT_BINS = 10
#: The Kolmogorov-Smirnov test uses at most this many evenly spaced order
#: statistics per side (see ``drift``); ``None`` uses every value.
DEFAULT_KS_SAMPLE = 20_000
#: A share of zero (a category never seen on one side) is raised to this
#: before taking logarithms, so PSI stays finite.
PSI_FLOOR = 1e-4

#: The columns of the table :func:`schema_failures` returns.
FAILURE_COLUMNS = ("column", "check", "failure_case", "row")
#: The columns of the table :func:`drift` returns.
DRIFT_COLUMNS = ("column", "kind", "psi", "ks", "ks_pvalue", "drifted")
#: The label of failures that concern whole rows (duplicates), not one column.
ROWS = "(rows)"
#: The label of failures of checks on the whole table (a schema's top-level
#: ``checks:``, column order, unique column names), not on one column.
TABLE = "(table)"

_READERS = {".csv": "CSV", ".parquet": "Parquet", ".pq": "Parquet"}


# -- Reading input -------------------------------------------------------------


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return text or type(error).__name__


def read_table(path: str | Path, *, engine: Engine = "pandas") -> Any:
    """Read a CSV or Parquet file (chosen by its suffix) into a DataFrame.

    With ``engine="polars"`` or ``"spark"`` the table is a Polars or Spark
    DataFrame, and a folder of Parquet partitions is read too (see
    :mod:`mlorg._polars` and :mod:`mlorg._spark`).

    Raises:
        InputError: the file is missing, unreadable or of another type; the
            message is one line and names the file.

    >>> read_table("no-such-file.csv")
    Traceback (most recent call last):
    ...
    mlorg.errors.InputError: no-such-file.csv: no such file
    """
    if engine != "pandas":  # -- engine hook (issue 14) --
        return _engines.read_table(path, engine)
    path = Path(path)
    kind = _READERS.get(path.suffix.lower())
    if kind is None:
        known = ", ".join(sorted(_READERS))
        msg = f"{path}: unknown file type {path.suffix or '(no suffix)'!r}; use one of {known}"
        raise InputError(msg)
    if not path.is_file():
        msg = f"{path}: no such file"
        raise InputError(msg)
    try:
        if kind == "CSV":
            return pd.read_csv(path)
        return pd.read_parquet(path)
    # pandas and pyarrow report unreadable files as ValueError subclasses
    # (ParserError, EmptyDataError, UnicodeDecodeError, ArrowInvalid) or OSError.
    except (OSError, ValueError) as error:
        msg = f"{path}: cannot read as {kind}: {_one_line(error)}"
        raise InputError(msg) from error


#: What pandera raises for a schema it cannot build or apply, as opposed to
#: data that break the schema's promises (``SchemaErrors``).
_DEFINITION_ERRORS = (
    pa.errors.SchemaDefinitionError,
    TypeError,
    ValueError,
    KeyError,
    AttributeError,
    re.error,
)

#: The settings a column may carry besides its checks: the keys pandera's YAML
#: reader (``pandera.io.pandas_io``) passes on to ``Column``. Any other key is
#: read as a check if ``Check`` has one by that name, and dropped otherwise.
_COLUMN_SETTINGS = frozenset(
    {
        "checks",
        "coerce",
        "default",
        "description",
        "drop_invalid_rows",
        "dtype",
        "name",
        "nullable",
        "regex",
        "report_duplicates",
        "required",
        "title",
        "unique",
    }
)
#: The settings compared with the column pandera built: older pandera
#: versions read fewer of them (0.31 drops ``default``, ``drop_invalid_rows``
#: and ``report_duplicates``), and a setting dropped must not pass for one in force.
_COMPARED_SETTINGS = _COLUMN_SETTINGS - {"checks", "dtype", "name"}


def read_schema(path: str | Path) -> pa.DataFrameSchema:
    """Read a schema in pandera's own YAML format (``DataFrameSchema.to_yaml``).

    Beyond what pandera checks when it reads the file, a key under a column
    that is neither a column setting nor one of pandera's checks is an error
    (pandera would drop it without a word, so a misspelt check would never
    run), and so is a setting the installed pandera does not read. The
    schema is then applied once to an empty table of its columns, so that a
    definition pandera only rejects while validating (say
    ``report_duplicates: bogus``) is reported here, with the file's name,
    rather than on the first batch.

    Raises:
        InputError: the file is missing, is not YAML, is not a pandera schema,
            has an unknown key, or declares no columns; the message is one
            line and names the file.

    >>> read_schema("no-such-schema.yaml")
    Traceback (most recent call last):
    ...
    mlorg.errors.InputError: no-such-schema.yaml: no such file
    """
    path = Path(path)
    if not path.is_file():
        msg = f"{path}: no such file"
        raise InputError(msg)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        msg = f"{path}: cannot read: {_one_line(error)}"
        raise InputError(msg) from error
    try:
        raw = yaml.safe_load(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f"line {mark.line + 1}: " if mark is not None else ""
        msg = f"{path}: {where}not valid YAML: {error.problem or _one_line(error)}"
        raise InputError(msg) from error
    # RecursionError: thousands of nested brackets exhaust PyYAML's composer.
    except (yaml.YAMLError, RecursionError) as error:
        msg = f"{path}: not valid YAML: {_one_line(error)}"
        raise InputError(msg) from error
    raw = {} if raw is None else raw  # an empty file: pandera reads it as no columns
    if not isinstance(raw, Mapping):
        msg = f"{path}: not a pandera schema: the file holds a {type(raw).__name__}, not a mapping"
        raise InputError(msg)
    problem = _unknown_keys(raw)
    if problem:
        msg = f"{path}: {problem}"
        raise InputError(msg)
    try:
        schema = pa.DataFrameSchema.from_yaml(path)
    # pandera raises all of these for YAML that is not a usable schema: an
    # unknown dtype (TypeError), a check's arguments it rejects (ValueError,
    # TypeError; re.error for a bad pattern), a part of the wrong shape
    # (AttributeError, KeyError, SchemaDefinitionError).
    except (yaml.YAMLError, RecursionError, *_DEFINITION_ERRORS) as error:
        msg = f"{path}: not a pandera schema: {_culprit(raw)}{_one_line(error)}"
        raise InputError(msg) from error
    if not schema.columns:
        msg = f"{path}: the schema declares no columns"
        raise InputError(msg)
    problem = _ignored_settings(raw, schema) or _definition_problem(schema)
    if problem:
        msg = f"{path}: {problem}"
        raise InputError(msg)
    return schema


def _check_names() -> frozenset[str]:
    """The names pandera reads as a check: ``Check``'s own constructors, and registered checks.

    >>> {"in_range", "isin", "ge", "str_matches"} <= _check_names()
    True
    """
    own = {name for name, value in vars(pa.Check).items() if isinstance(value, classmethod)}
    return frozenset(own | set(pa.Check.REGISTERED_CUSTOM_CHECKS))


def _did_you_mean(word: object, candidates: Iterable[str]) -> str:
    close = difflib.get_close_matches(str(word), sorted(candidates), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _column_specs(raw: Mapping[Any, Any]) -> list[tuple[Any, Mapping[Any, Any]]]:
    """Each column's name and its mapping of settings and checks, as written in the file."""
    columns = raw.get("columns")
    if isinstance(columns, Mapping):
        pairs = list(columns.items())
    elif isinstance(columns, list):  # pandera's form for names that are not strings
        pairs = [(c.get("name"), c) for c in columns if isinstance(c, Mapping)]
    else:
        return []
    # pandera reads a name written as a list as a tuple (a MultiIndex column)
    return [
        (tuple(name) if isinstance(name, list) else name, spec)
        for name, spec in pairs
        if isinstance(spec, Mapping)
    ]


def _unknown_keys(raw: Mapping[Any, Any]) -> str | None:
    """The first key of a raw YAML schema that pandera would drop or misread, described."""
    checks = _check_names()
    for name, spec in _column_specs(raw):
        where = f"column {name!r}"
        for key in spec:
            if key not in _COLUMN_SETTINGS and key not in checks:
                hint = _did_you_mean(key, _COLUMN_SETTINGS | checks)
                return f"{where}: {key!r} is neither a column setting nor a pandera check{hint}"
            if key in checks and spec.get("checks") is not None:
                # pandera reads flat checks only when there is no `checks:` list
                return f"{where}: put {key!r} under 'checks:' too, or pandera ignores it"
        problem = _unknown_checks(spec.get("checks"), checks, f"{where}: checks")
        if problem:
            return problem
    return _unknown_checks(raw.get("checks"), checks, "top-level checks")


def _unknown_checks(checks: object, known: frozenset[str], where: str) -> str | None:
    """What is wrong with a ``checks:`` entry (a mapping or a list of checks), if anything."""
    if checks is None:
        return None
    if isinstance(checks, Mapping):
        names: list[object] = list(checks)
    elif isinstance(checks, list):
        names = []
        for number, entry in enumerate(checks, start=1):
            options = entry.get("options") if isinstance(entry, Mapping) else None
            if not isinstance(options, Mapping) or "check_name" not in options:
                return f"{where}: entry {number} names no check (options: {{check_name: ...}})"
            names.append(options["check_name"])
    else:
        return f"{where}: expected a mapping or a list of checks, got {checks!r}"
    for name in names:
        if not isinstance(name, str) or name not in known:
            return f"{where}: unknown check {name!r}{_did_you_mean(name, known)}"
    return None


def _culprit(raw: Mapping[Any, Any]) -> str:
    """``"column 'x': "`` for the first column pandera cannot read on its own, else ``""``.

    pandera's messages (say, "At least a minimum or a maximum need to be
    specified") do not say which column they are about; reading each column
    alone finds it.
    """
    for name, spec in _column_specs(raw):
        try:
            pa.DataFrameSchema.from_yaml(yaml.safe_dump({"columns": {name: dict(spec)}}))
        except (yaml.YAMLError, RecursionError, *_DEFINITION_ERRORS):
            return f"column {name!r}: "
    return ""


def _ignored_settings(raw: Mapping[Any, Any], schema: pa.DataFrameSchema) -> str | None:
    """A column setting in the file that the schema pandera built does not carry."""
    for name, spec in _column_specs(raw):
        column = schema.columns.get(name)
        if column is None:
            continue
        for key in _COMPARED_SETTINGS.intersection(spec):
            if getattr(column, key, None) != spec[key]:
                installed = version("pandera")
                return f"column {name!r}: pandera {installed} does not read {key!r} on a column"
    return None


def _empty_column(column: pa.Column) -> pd.Series:
    """An empty Series of the column's type (of objects if it has none pandas can make)."""
    native = getattr(column.dtype, "type", None)  # pandera's DataType wraps the pandas dtype
    try:
        return pd.Series(dtype=object if native is None else native)
    except (TypeError, ValueError):
        return pd.Series(dtype=object)


def _definition_problem(schema: pa.DataFrameSchema) -> str | None:
    """Apply ``schema`` to an empty table of its columns; describe what pandera rejects."""
    empty = pd.DataFrame({name: _empty_column(column) for name, column in schema.columns.items()})
    try:
        schema.validate(empty, lazy=True)
    except pa.errors.SchemaErrors:
        return None  # failures of (the absence of) data, not of the definition
    except _DEFINITION_ERRORS as error:
        return f"not a usable pandera schema: {_one_line(error)}"
    return None


# -- Schema checks -------------------------------------------------------------


def schema_failures(data: pd.DataFrame, schema: pa.DataFrameSchema) -> pd.DataFrame:
    """Validate ``data`` against ``schema`` and return every failure, one per row.

    Validation is pandera's, run lazily so that all failures are collected.
    The table has the columns in ``FAILURE_COLUMNS``: the ``column`` at fault
    (the missing column's name when a required column is absent, ``"(rows)"``
    for duplicate rows, ``"(table)"`` for checks on the whole table), pandera's
    name for the ``check``, the offending value (``failure_case``; the row
    label for a duplicate row) and the ``row`` label where there is one.
    Failures come in the schema's column order, then the table's, duplicate
    rows last.
    An empty table means the data keeps every promise of the schema.

    Raises:
        InputError: pandera cannot apply the schema (say, a top-level
            ``unique`` that is not a list of column names).

    >>> import pandera.pandas as pa
    >>> schema = pa.DataFrameSchema(
    ...     {"island": pa.Column(str, pa.Check.isin(["Biscoe", "Dream"])), "year": pa.Column(int)}
    ... )
    >>> schema_failures(pd.DataFrame({"island": ["Biscoe", "Anvers"]}), schema)
       column                      check failure_case   row
    0  island  isin(['Biscoe', 'Dream'])       Anvers     1
    1    year        column_in_dataframe         year  None
    """
    try:
        schema.validate(data, lazy=True)
    except pa.errors.SchemaErrors as errors:
        return _tidy(errors.failure_cases, schema.columns)
    except _DEFINITION_ERRORS as error:
        msg = f"pandera cannot apply the schema: {_one_line(error)}"
        raise InputError(msg) from error
    return pd.DataFrame({name: pd.Series(dtype=object) for name in FAILURE_COLUMNS})


def _tidy(cases: pd.DataFrame, order: Iterable[str]) -> pd.DataFrame:
    """Reshape pandera's failure cases into one row per failure, named by column."""
    cases = cases.rename(columns={"index": "row"}).reset_index(drop=True)
    column = cases["column"].astype(object)
    check = cases["check"].astype(object)
    # A column missing from the data (or unknown to a strict schema) is named
    # in failure_case; pandera puts the schema's name in `column`.
    about_columns = check.isin(["column_in_dataframe", "column_in_schema"])
    column = column.where(~about_columns, cases["failure_case"])
    # A duplicated row is reported once per column it spans; count it once.
    duplicate_rows = check.eq("multiple_fields_uniqueness")
    column = column.where(~duplicate_rows, ROWS)
    # Any other failure of the schema as a whole is the table's: pandera puts
    # no column there, or one named after its own field ("failure_case").
    whole_table = cases["schema_context"].eq("DataFrameSchema") & ~about_columns & ~duplicate_rows
    column = column.where(~whole_table, TABLE)
    tidy = pd.DataFrame(
        {
            "column": column,
            "check": check,
            "failure_case": cases["failure_case"].astype(object),
            "row": cases["row"].astype(object),
        }
    )
    tidy = tidy[~(duplicate_rows & tidy.duplicated(["check", "row"]))]
    tidy.loc[duplicate_rows, "failure_case"] = tidy.loc[duplicate_rows, "row"]
    # Report in the schema's column order; the table's next, duplicate rows last.
    position = {name: i for i, name in enumerate([*order, TABLE, ROWS])}
    rank = tidy["column"].map(lambda name: position.get(name, len(position)))
    return tidy.iloc[np.argsort(rank.to_numpy(), kind="stable")].reset_index(drop=True)


# -- Drift -----------------------------------------------------------------------


def _is_numeric(values: pd.Series) -> bool:
    return bool(
        (pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values))
        or pd.api.types.is_datetime64_any_dtype(values)
    )


def _sorted_values(values: pd.Series) -> tuple[NDArray[np.float64], int]:
    """The non-missing values as sorted floats, and the number of missing ones.

    Sorting once makes every later step cheap: quantiles are look-ups, bin
    counts are binary searches for the edges, and the Kolmogorov-Smirnov test
    can use evenly spaced order statistics (see ``_thin``).
    """
    if pd.api.types.is_datetime64_any_dtype(values):
        values = values.astype("int64").where(values.notna())
    floats = values.to_numpy(dtype=np.float64, na_value=np.nan)
    valid = floats[~np.isnan(floats)]
    valid.sort()
    return valid, floats.size - valid.size


def _quantile_edges(reference: NDArray[np.float64], bins: int) -> NDArray[np.float64]:
    """Inner bin edges at the reference's quantiles (``reference`` is sorted)."""
    if not reference.size:
        return np.array([], dtype=np.float64)
    # Repeated quantiles (discrete data) would make empty bins; keep each edge once.
    return np.unique(np.quantile(reference, np.linspace(0, 1, bins + 1)[1:-1]))


def _binned(
    values: NDArray[np.float64], missing: int, edges: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Counts per bin (below, between and above the edges) of sorted ``values``, then missing.

    A value equal to an edge falls in the bin above it.
    """
    below = np.searchsorted(values, edges, side="left")
    bounds = np.concatenate([[0], below, [values.size]])
    return np.append(np.diff(bounds), missing).astype(np.float64)


def _thin(values: NDArray[np.float64], size: int | None) -> NDArray[np.float64]:
    """At most ``size`` evenly spaced order statistics of sorted ``values``.

    Keeping every ``step``-th value, the empirical distribution function of
    the ``m`` values kept differs from that of all values by less than
    ``1 / m`` anywhere (``m`` is at least ``size / 2``), so a
    Kolmogorov-Smirnov statistic computed on them moves by less than
    ``2 / m``: 0.0002 or less when 10,000 or more are kept, far below any
    useful threshold, for a fraction of the cost of the test on a million
    values.
    """
    if size is None or values.size <= size:
        return values
    step = -(-values.size // size)  # ceiling division
    return values[step // 2 :: step]


def _categorical_counts(
    reference: pd.Series, current: pd.Series
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Count each category (missing values are a category of their own) on both sides."""
    both = pd.concat(
        [
            reference.value_counts(dropna=False).rename("reference"),
            current.value_counts(dropna=False).rename("current"),
        ],
        axis=1,
    ).fillna(0)
    return both["reference"].to_numpy(np.float64), both["current"].to_numpy(np.float64)


def _psi(reference_counts: NDArray[np.float64], current_counts: NDArray[np.float64]) -> float:
    expected = np.maximum(reference_counts / max(reference_counts.sum(), 1.0), PSI_FLOOR)
    actual = np.maximum(current_counts / max(current_counts.sum(), 1.0), PSI_FLOOR)
    return float(np.sum((actual - expected) * np.log(actual / expected)))


def _numeric_psi(
    reference: NDArray[np.float64],
    reference_missing: int,
    current: NDArray[np.float64],
    current_missing: int,
    bins: int,
) -> float:
    """PSI of sorted numeric values over ``bins`` bins cut at the reference's quantiles.

    Missing values (counted apart, see ``_sorted_values``) form a bin of their own.
    """
    edges = _quantile_edges(reference, bins)
    return _psi(
        _binned(reference, reference_missing, edges), _binned(current, current_missing, edges)
    )


def population_stability_index(
    reference: pd.Series, current: pd.Series, *, bins: int = DEFAULT_BINS
) -> float:
    r"""How far the distribution of ``current`` has moved from ``reference``.

    PSI compares the share of values in each bin,
    :math:`\sum_i (a_i - e_i) \ln(a_i / e_i)`, where :math:`e_i` is the
    reference's share in bin :math:`i` and :math:`a_i` the current share.
    It is zero for identical distributions and grows with every share that
    moves. Categorical features use one bin per category; numeric features
    use ``bins`` bins cut at the reference's quantiles (so each holds about
    the same share of the reference), open-ended at both extremes so that
    new extremes land in the outer bins. Missing values form a bin of their
    own, so a feature that suddenly goes missing drifts. A share of zero is
    raised to ``PSI_FLOOR`` (0.0001) to keep the logarithm finite.

    It is written here rather than taken from a drift-monitoring library
    because it is a few lines of NumPy, and those libraries bring large
    dependency trees for it.

    >>> reference = pd.Series(["Adelie", "Adelie", "Gentoo", "Gentoo"])
    >>> round(population_stability_index(reference, reference), 6)
    0.0
    >>> current = pd.Series(["Adelie", "Adelie", "Adelie", "Gentoo"])
    >>> round(population_stability_index(reference, current), 4)  # .25 ln 1.5 + .25 ln 2
    0.2747
    """
    if _is_numeric(reference) and _is_numeric(current):
        return _numeric_psi(*_sorted_values(reference), *_sorted_values(current), bins)
    return _psi(*_categorical_counts(reference, current))


def _check_thresholds(psi_threshold: float, ks_threshold: float, ks_alpha: float) -> None:
    """Refuse thresholds that make no sense, or that switch drift detection off unseen.

    Every comparison with NaN is false, so a NaN threshold would let any drift
    pass; a negative one would flag every feature; an infinite one would end
    up in the JSON report, which JSON cannot hold.

    >>> _check_thresholds(0.2, float("nan"), 0.01)
    Traceback (most recent call last):
    ...
    mlorg.errors.InputError: ks_threshold must be a number from 0 to 1, got nan
    """
    limits = (
        ("psi_threshold", psi_threshold, math.inf),
        ("ks_threshold", ks_threshold, 1.0),  # KS is a gap between two shares
        ("ks_alpha", ks_alpha, 1.0),  # a probability
    )
    for name, value, upper in limits:
        if not (math.isfinite(value) and 0 <= value <= upper):
            bound = "a finite number >= 0" if math.isinf(upper) else f"a number from 0 to {upper:g}"
            msg = f"{name} must be {bound}, got {value!r}"
            raise InputError(msg)


def drift(
    reference: pd.DataFrame,
    current: pd.DataFrame,
    *,
    columns: Iterable[str] | None = None,
    bins: int = DEFAULT_BINS,
    psi_threshold: float = DEFAULT_PSI_THRESHOLD,
    ks_threshold: float = DEFAULT_KS_THRESHOLD,
    ks_alpha: float = DEFAULT_KS_ALPHA,
    ks_sample: int | None = DEFAULT_KS_SAMPLE,
) -> pd.DataFrame:
    """Measure, feature by feature, how far ``current`` has moved from ``reference``.

    Returns one row per feature of ``reference`` (or per name in
    ``columns``), with the columns in ``DRIFT_COLUMNS``:

    * ``kind``: ``"numeric"``, ``"categorical"``, or ``"missing"`` when the
      feature is absent from ``current``;
    * ``psi``: the :func:`population_stability_index`;
    * ``ks`` and ``ks_pvalue``: the two-sample Kolmogorov-Smirnov statistic
      and its p-value (:func:`scipy.stats.ks_2samp`) over the non-missing
      values of numeric features. Above ``ks_sample`` values a side, the
      test runs on that many evenly spaced order statistics (every
      fiftieth value of a million), which keeps the statistic within about
      0.0002 of the exact one and makes its p-value conservative;
    * ``drifted``: PSI above ``psi_threshold``, or a KS statistic above
      ``ks_threshold`` with a p-value below ``ks_alpha``, or the feature is
      missing. The p-value condition keeps small batches, whose KS statistic
      is noisy, from raising false alarms; the threshold on the statistic
      keeps large batches, where tiny gaps are significant, from doing so.

    The default thresholds are conventions chosen for this handbook, not
    findings: calibrate them on batches you know were good. Each must be a
    finite number, at least 0; ``ks_threshold`` and ``ks_alpha`` at most 1.

    Raises:
        InputError: a threshold out of those bounds, or NaN.

    >>> reference = pd.DataFrame({"mass_g": [3500.0, 3800.0, 4200.0, 4650.0], "sex": list("ffmm")})
    >>> drift(reference, reference.assign(mass_g=reference.mass_g + 1000))
       column         kind       psi    ks  ks_pvalue  drifted
    0  mass_g      numeric  8.370223  0.75   0.228571     True
    1     sex  categorical  0.000000   NaN        NaN    False
    """
    _check_thresholds(psi_threshold, ks_threshold, ks_alpha)
    names = list(reference.columns if columns is None else columns)
    pairs = [(reference[name], current.get(name)) for name in names]
    measure = partial(
        _drift_row,
        bins=bins,
        psi_threshold=psi_threshold,
        ks_threshold=ks_threshold,
        ks_alpha=ks_alpha,
        ks_sample=ks_sample,
    )
    # Features are independent, and the heavy steps (NumPy's sort, pyarrow's
    # counting) release the GIL, so threads use every core. Each thread gets
    # its own pair of Series; no DataFrame is shared between threads.
    with ThreadPoolExecutor(max_workers=max(1, min(len(pairs), os.cpu_count() or 1))) as pool:
        rows = list(pool.map(lambda pair: measure(*pair), pairs))
    return pd.DataFrame(rows, columns=list(DRIFT_COLUMNS))


def _drift_row(
    ref: pd.Series,
    cur: pd.Series | None,
    *,
    bins: int,
    psi_threshold: float,
    ks_threshold: float,
    ks_alpha: float,
    ks_sample: int | None,
) -> dict[str, Any]:
    row = dict.fromkeys(DRIFT_COLUMNS, math.nan) | {"column": ref.name}
    if cur is None:
        return row | {"kind": "missing", "drifted": True}
    if not (_is_numeric(ref) and _is_numeric(cur)):
        psi = _psi(*_categorical_counts(ref, cur))
        return row | {"kind": "categorical", "psi": psi, "drifted": psi > psi_threshold}
    ref_values, ref_missing = _sorted_values(ref)
    cur_values, cur_missing = _sorted_values(cur)
    psi = _numeric_psi(ref_values, ref_missing, cur_values, cur_missing, bins)
    row |= {"kind": "numeric", "psi": psi, "drifted": psi > psi_threshold}
    if ref_values.size and cur_values.size:
        result = stats.ks_2samp(_thin(ref_values, ks_sample), _thin(cur_values, ks_sample))
        ks, pvalue = float(result.statistic), float(result.pvalue)
        row |= {"ks": ks, "ks_pvalue": pvalue}
        row["drifted"] = row["drifted"] or (ks > ks_threshold and pvalue < ks_alpha)
    return row


# -- Gate and report ---------------------------------------------------------------


@dataclass(frozen=True)
class GateDecision:
    """Whether a batch may go on to the model, and why not if it may not."""

    go: bool
    reasons: tuple[str, ...] = ()

    def __str__(self) -> str:
        return "GO" if self.go else "NO-GO: " + "; ".join(self.reasons)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def gate(
    failures: pd.DataFrame, drift_table: pd.DataFrame | None = None, *, rows: int | None = None
) -> GateDecision:
    """Decide go or no-go: go only with rows, no schema failure and no drifted feature.

    ``failures`` is a table from :func:`schema_failures`, ``drift_table``
    one from :func:`drift` (or ``None`` when there is no reference), ``rows``
    the number of rows in the batch (``None`` when unknown). A batch with no
    rows is a no-go whatever else holds: an upstream step that silently
    produced nothing must stop the pipeline, not pass it.

    >>> no_failures = pd.DataFrame(columns=list(FAILURE_COLUMNS))
    >>> gate(no_failures)
    GateDecision(go=True, reasons=())
    >>> table = pd.DataFrame([{"column": "island", "psi": 0.41, "drifted": True}])
    >>> print(gate(no_failures, table))
    NO-GO: drift in 1 feature (island)
    >>> print(gate(no_failures, rows=0))
    NO-GO: the batch has no rows
    """
    reasons = ["the batch has no rows"] if rows == 0 else []
    if len(failures):
        columns = [str(c) for c in dict.fromkeys(failures["column"]) if c not in (ROWS, TABLE)]
        duplicates = int((failures["column"] == ROWS).sum())
        table_checks = [
            str(c) for c in dict.fromkeys(failures.loc[failures["column"] == TABLE, "check"])
        ]
        where = [f"{_plural(len(columns), 'column')}: {', '.join(columns)}"] if columns else []
        if table_checks:
            where.append(f"{_plural(len(table_checks), 'table check')}: {', '.join(table_checks)}")
        where += [_plural(duplicates, "duplicate row")] if duplicates else []
        reasons.append(f"{_plural(len(failures), 'schema failure')} ({'; '.join(where)})")
    if drift_table is not None and drift_table["drifted"].any():
        drifted = list(drift_table.loc[drift_table["drifted"], "column"])
        reasons.append(
            f"drift in {_plural(len(drifted), 'feature')} ({', '.join(map(str, drifted))})"
        )
    return GateDecision(go=not reasons, reasons=tuple(reasons))


def _show(value: object) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return "(missing)"
    # 6 significant digits: 3.91 rather than 3.9099999999999997 after a unit change
    return f"{value:.6g}" if isinstance(value, float) else str(value)


def _examples(values: pd.Series, limit: int = 3) -> str:
    distinct = list(dict.fromkeys(map(_show, values)))
    more = len(distinct) - limit
    return ", ".join(distinct[:limit]) + (f", ... ({more} more)" if more > 0 else "")


@dataclass(frozen=True)
class DataCheckReport:
    """What :func:`check` found: failures, drift and the gate's decision.

    ``failures`` holds every schema failure (see :func:`schema_failures`),
    ``drift`` the drift table (see :func:`drift`; ``None`` without a
    reference), ``decision`` the :func:`gate`'s verdict. Render it per column
    with :meth:`to_frame`, or as text, HTML or JSON.
    """

    failures: pd.DataFrame
    drift: pd.DataFrame | None
    decision: GateDecision
    thresholds: dict[str, float] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        """``True`` when the gate says go."""
        return self.decision.go

    def to_frame(self) -> pd.DataFrame:
        """One row per column with a failure or a drift measurement.

        Columns: ``failures`` (number of schema failures), ``checks`` (the
        checks that failed), ``examples`` (a few offending values) and, with
        a reference, ``psi``, ``ks`` and ``drifted``.
        """
        grouped = self.failures.groupby("column", sort=False)
        table = pd.DataFrame(
            {
                "failures": grouped.size(),
                "checks": grouped["check"].agg(lambda c: "; ".join(dict.fromkeys(map(str, c)))),
                "examples": grouped["failure_case"].agg(_examples),
            }
        )
        if self.drift is not None:
            measured = self.drift.set_index("column")[["psi", "ks", "drifted"]]
            table = table.join(measured, how="outer", sort=False)
            order = list(dict.fromkeys([*self.drift["column"], *self.failures["column"]]))
            table = table.reindex(order)
        table["failures"] = table["failures"].fillna(0).astype(int)
        table[["checks", "examples"]] = table[["checks", "examples"]].fillna("")
        table.index.name = "column"
        return table

    def to_dict(self) -> dict[str, Any]:
        """The report as plain data: decision, reasons, thresholds and per-column rows."""
        frame = self.to_frame().reset_index()
        rows = json.loads(frame.to_json(orient="records"))
        return {
            "go": self.decision.go,
            "reasons": list(self.decision.reasons),
            "thresholds": dict(self.thresholds),
            "schema_failures": len(self.failures),
            "columns": rows,
        }

    def to_json(self, indent: int | None = 2) -> str:
        """The report as JSON (see :meth:`to_dict`)."""
        return json.dumps(self.to_dict(), indent=indent)

    def to_text(self) -> str:
        """The decision and the per-column table as plain text, for a terminal."""
        lines = [str(self.decision)]
        frame = self.to_frame()
        if self.drift is None:
            frame = frame[frame["failures"] > 0]
        if len(frame):
            text = frame.reset_index().to_string(
                index=False, float_format=lambda x: f"{x:.3g}", na_rep="-"
            )
            lines += ["", text]
        return "\n".join(lines)

    def to_html(self) -> str:
        """The decision, its reasons and the per-column table as an HTML fragment."""
        verdict = "GO" if self.decision.go else "NO-GO"
        reasons = "".join(f"<li>{html.escape(r)}</li>" for r in self.decision.reasons)
        table = self.to_frame().to_html(float_format=lambda x: f"{x:.3g}", na_rep="")
        parts = [f"<p><strong>Data check: {verdict}</strong></p>"]
        if reasons:
            parts.append(f"<ul>{reasons}</ul>")
        parts.append(table)
        return "\n".join(parts)

    def _repr_html_(self) -> str:
        return self.to_html()


def check(
    data: pd.DataFrame | Any,
    schema: pa.DataFrameSchema,
    reference: pd.DataFrame | Any | None = None,
    *,
    engine: Engine | None = None,
    bins: int = DEFAULT_BINS,
    psi_threshold: float = DEFAULT_PSI_THRESHOLD,
    ks_threshold: float = DEFAULT_KS_THRESHOLD,
    ks_alpha: float = DEFAULT_KS_ALPHA,
    ks_sample: int | None = DEFAULT_KS_SAMPLE,
) -> DataCheckReport:
    """Validate ``data`` against ``schema``, measure drift from ``reference``, decide.

    Drift is measured for the features the schema declares that the
    reference has (all reference columns if the schema declares none of
    them). The thresholds are passed on to :func:`drift`. A batch with no
    rows is a no-go, "the batch has no rows"; its drift is not measured, as
    there is nothing to measure (every feature would look drifted and hide
    the cause), while its schema failures (a missing column, say) are still
    reported.

    ``data`` and ``reference`` may be Polars or Spark DataFrames: the check
    then runs on that engine (``engine`` names it; by default it is the
    engine of ``data``), with the same report and gate; see
    :mod:`mlorg._polars` and :mod:`mlorg._spark` for what differs.

    Raises:
        InputError: a threshold out of bounds (see :func:`drift`), or a
            schema pandera cannot apply (see :func:`schema_failures`).

    >>> import pandera.pandas as pa
    >>> schema = pa.DataFrameSchema({"sex": pa.Column(str, pa.Check.isin(["female", "male"]))})
    >>> report = check(pd.DataFrame({"sex": ["female", "male", "unknown"]}), schema)
    >>> report.passed
    False
    >>> print(report.to_text())
    NO-GO: 1 schema failure (1 column: sex)
    <BLANKLINE>
    column  failures                   checks examples
       sex         1 isin(['female', 'male'])  unknown
    """
    engine = engine or _engines.engine_of(data)
    if engine != "pandas":  # -- engine hook (issue 14) --
        report: DataCheckReport = _engines.check(
            engine,
            data,
            schema,
            reference,
            bins=bins,
            psi_threshold=psi_threshold,
            ks_threshold=ks_threshold,
            ks_alpha=ks_alpha,
            ks_sample=ks_sample,
        )
        return report
    _check_thresholds(psi_threshold, ks_threshold, ks_alpha)
    failures = schema_failures(data, schema)
    thresholds: dict[str, float] = {}
    table = None
    if reference is not None:
        thresholds = {"psi": psi_threshold, "ks": ks_threshold, "ks_alpha": ks_alpha}
    if reference is not None and len(data):
        declared = [name for name in schema.columns if name in reference.columns]
        table = drift(
            reference,
            data,
            columns=declared or list(reference.columns),
            bins=bins,
            psi_threshold=psi_threshold,
            ks_threshold=ks_threshold,
            ks_alpha=ks_alpha,
            ks_sample=ks_sample,
        )
    return DataCheckReport(
        failures=failures,
        drift=table,
        decision=gate(failures, table, rows=len(data)),
        thresholds=thresholds,
    )
