"""Drift: the population stability index and the Kolmogorov-Smirnov statistic per feature.

Private: the public names are in :mod:`mlorg.datacheck`.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats

from mlorg._datacheck.defaults import (
    DEFAULT_ALPHA,
    DEFAULT_BINS,
    DEFAULT_KS_SAMPLE,
    DEFAULT_KS_THRESHOLD,
    DEFAULT_MIN_PER_BIN,
    DEFAULT_PSI_THRESHOLD,
    DRIFT_COLUMNS,
    PSI_FLOOR,
)
from mlorg.errors import InputError

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


def _numeric_counts(
    reference: NDArray[np.float64],
    reference_missing: int,
    current: NDArray[np.float64],
    current_missing: int,
    bins: int,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Counts per bin of sorted numeric values, ``bins`` bins cut at the reference's quantiles.

    Missing values (counted apart, see ``_sorted_values``) form a bin of their
    own, the last. Both PSI and its p-value are computed from these counts.
    """
    edges = _quantile_edges(reference, bins)
    return _binned(reference, reference_missing, edges), _binned(current, current_missing, edges)


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
    return _psi(*_counts(reference, current, bins))


def _check_thresholds(
    psi_threshold: float, ks_threshold: float, alpha: float, *, alpha_name: str = "alpha"
) -> None:
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
        (alpha_name, alpha, 1.0),  # a probability
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
    alpha: float | None = None,
    ks_alpha: float | None = None,
    min_per_bin: float = DEFAULT_MIN_PER_BIN,
    ks_sample: int | None = DEFAULT_KS_SAMPLE,
    left_out: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Measure, feature by feature, how far ``current`` has moved from ``reference``.

    Returns one row per feature of ``reference`` (or per name in
    ``columns``), with the columns in ``DRIFT_COLUMNS``:

    * ``kind``: ``"numeric"``, ``"categorical"``, ``"missing"`` when the
      feature is absent from ``current``, or ``"left out"``;
    * ``psi`` and ``psi_pvalue``: the :func:`population_stability_index` and
      its p-value (:func:`psi_pvalue`);
    * ``ks`` and ``ks_pvalue``: the two-sample Kolmogorov-Smirnov statistic
      and its p-value (:func:`scipy.stats.ks_2samp`) over the non-missing
      values of numeric features. Above ``ks_sample`` values a side, the
      test runs on that many evenly spaced order statistics (every
      fiftieth value of a million), which keeps the statistic within about
      0.0002 of the exact one and makes its p-value conservative;
    * ``drifted`` and ``verdict``: a feature is **too small to judge** when
      either side has fewer than ``min_per_bin`` values per PSI bin the
      reference fills (50 rows for 10 bins); it is then not called drifted
      either way. Otherwise it **drifted** when its PSI is above
      ``psi_threshold``, or its KS statistic above ``ks_threshold``, with
      that test's p-value below the per-test level, ``alpha`` divided by the
      number of tests in the table (see :func:`per_test_alpha`). A feature
      missing from ``current`` has drifted; one named in ``left_out`` (a
      mapping from name to the reason) is not measured.

    Both conditions are needed. The p-value keeps small batches, whose PSI
    and KS are noisy, from raising false alarms: at 100 against 78 rows, a
    PSI of 0.2 over 10 bins is what sampling alone gives about half the time.
    The threshold keeps large batches, where tiny gaps are significant, from
    doing so. The defaults are conventions chosen for this handbook, not
    findings: calibrate them on batches you know were good. Each threshold
    must be a finite number, at least 0; ``ks_threshold`` and ``alpha`` at
    most 1. ``ks_alpha`` is the former name of ``alpha``.

    Raises:
        InputError: a threshold out of those bounds, or NaN.

    >>> reference = pd.DataFrame({"mass_g": [3500.0, 3800.0, 4200.0, 4650.0] * 15})
    >>> table = drift(reference, reference + 1000, bins=4)
    >>> table[["column", "psi", "ks", "ks_pvalue", "verdict"]]
       column       psi    ks     ks_pvalue  verdict
    0  mass_g  6.905408  0.75  9.792532e-17  drifted
    >>> drift(reference.head(12), reference.head(12) + 1000, bins=4).loc[0, "verdict"]
    'too small to judge'
    """
    level, level_name = _significance(alpha, ks_alpha)
    _check_thresholds(psi_threshold, ks_threshold, level, alpha_name=level_name)
    names = list(reference.columns if columns is None else columns)
    left_out = dict(left_out or {})
    measured = [name for name in names if name not in left_out]
    pairs = [(reference[name], current.get(name)) for name in measured]
    measure = partial(_drift_row, bins=bins, min_per_bin=min_per_bin, ks_sample=ks_sample)
    # Features are independent, and the heavy steps (NumPy's sort, pyarrow's
    # counting) release the GIL, so threads use every core. Each thread gets
    # its own pair of Series; no DataFrame is shared between threads.
    with ThreadPoolExecutor(max_workers=max(1, min(len(pairs), os.cpu_count() or 1))) as pool:
        rows = dict(zip(measured, pool.map(lambda pair: measure(*pair), pairs), strict=True))
    return drift_table(
        names,
        rows,
        left_out,
        psi_threshold=psi_threshold,
        ks_threshold=ks_threshold,
        alpha=level,
    )


def drift_table(
    names: Iterable[str],
    measured: Mapping[str, dict[str, Any]],
    left_out: Mapping[str, str],
    *,
    psi_threshold: float,
    ks_threshold: float,
    alpha: float,
) -> pd.DataFrame:
    """The drift table, verdicts decided, from each feature's measurements (any engine's).

    ``measured`` maps each measured feature to its row (see
    :func:`measured_row` and :func:`missing_row`), ``left_out`` each feature
    not measured to the reason. The verdicts are decided here, once every
    test is known, because the per-test level depends on how many there are
    (see :func:`per_test_alpha`); every engine's drift ends here.
    """
    names = list(names)
    rows = dict(measured)
    for name in names:
        if name in left_out:
            rows[name] = dict.fromkeys(DRIFT_COLUMNS, math.nan) | {
                "column": name,
                "kind": "left out",
                "drifted": False,
                "verdict": f"left out: {left_out[name]}",
            }
    table = pd.DataFrame([rows[name] for name in names], columns=list(DRIFT_COLUMNS))
    test_level = per_test_alpha(table, alpha)
    judged = table["verdict"] == "no drift"
    by_psi = (table["psi"] > psi_threshold) & (table["psi_pvalue"] < test_level)
    by_ks = (table["ks"] > ks_threshold) & (table["ks_pvalue"] < test_level)
    drifted = judged & (by_psi | by_ks)
    table.loc[drifted, "verdict"] = "drifted"
    table["drifted"] = drifted | (table["verdict"] == "missing from batch")
    table["drifted"] = table["drifted"].astype(bool)
    return table


def missing_row(name: object) -> dict[str, Any]:
    """The drift row of a feature the batch does not have: drifted, by definition."""
    row = dict.fromkeys(DRIFT_COLUMNS, math.nan) | {"column": name, "drifted": False}
    return row | {"kind": "missing", "verdict": "missing from batch"}


def measured_row(
    name: object,
    *,
    numeric: bool,
    counts: tuple[NDArray[np.float64], NDArray[np.float64]],
    ks: tuple[float, float] | None,
    min_per_bin: float,
) -> dict[str, Any]:
    """The measurements of one feature from its PSI bins' counts and its KS test, if any.

    ``counts`` are the reference's and the batch's counts in the same bins
    (quantile bins then a missing bin for a numeric feature, one bin per
    category otherwise); ``ks`` the KS statistic and its p-value. The
    feature is "too small to judge" when either side has fewer than
    ``min_per_bin`` values per bin the reference fills; ``drifted`` and the
    final verdict are settled by :func:`drift_table`.
    """
    row = dict.fromkeys(DRIFT_COLUMNS, math.nan) | {"column": name, "drifted": False}
    filled = int(np.count_nonzero(counts[0]))
    enough = min(counts[0].sum(), counts[1].sum()) >= min_per_bin * max(filled, 1)
    row |= {
        "kind": "numeric" if numeric else "categorical",
        "psi": _psi(*counts),
        "psi_pvalue": psi_pvalue(*counts),
        "verdict": "no drift" if enough else "too small to judge",
    }
    if ks is not None:
        row |= {"ks": ks[0], "ks_pvalue": ks[1]}
    return row


def _drift_row(
    ref: pd.Series,
    cur: pd.Series | None,
    *,
    bins: int,
    min_per_bin: float,
    ks_sample: int | None,
) -> dict[str, Any]:
    """The measurements of one feature; ``drifted`` and the verdict are settled by ``drift``."""
    if cur is None:
        return missing_row(ref.name)
    numeric = _is_numeric(ref) and _is_numeric(cur)
    ks = None
    if numeric:
        ref_values, ref_missing = _sorted_values(ref)
        cur_values, cur_missing = _sorted_values(cur)
        counts = _numeric_counts(ref_values, ref_missing, cur_values, cur_missing, bins)
        if ref_values.size and cur_values.size:
            result = stats.ks_2samp(_thin(ref_values, ks_sample), _thin(cur_values, ks_sample))
            ks = (float(result.statistic), float(result.pvalue))
    else:
        counts = _categorical_counts(ref, cur)
    return measured_row(ref.name, numeric=numeric, counts=counts, ks=ks, min_per_bin=min_per_bin)


def _counts(
    reference: pd.Series, current: pd.Series, bins: int
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The PSI bins' counts on both sides: quantile bins if both are numeric, else categories."""
    if _is_numeric(reference) and _is_numeric(current):
        return _numeric_counts(*_sorted_values(reference), *_sorted_values(current), bins)
    return _categorical_counts(reference, current)


def psi_pvalue(reference_counts: NDArray[np.float64], current_counts: NDArray[np.float64]) -> float:
    r"""The p-value of a PSI: how often two samples of one distribution differ this much.

    The counts are those of PSI's bins (see :func:`population_stability_index`)
    on the reference and the current side. PSI is the symmetrised
    Kullback-Leibler divergence of the two binned distributions. When both
    come from one distribution with bin shares :math:`p_i`, each share
    differs from :math:`p_i` by sampling noise of variance about
    :math:`p_i(1 - p_i)/n` (``n`` values on that side), and
    :math:`(a - e)\ln(a/e) \approx (a - e)^2 / p` to second order, so

    .. math:: \mathrm{PSI} \cdot \frac{n\,m}{n + m} \approx X^2 \sim \chi^2_{k - 1},

    where :math:`X^2` is Pearson's chi-square statistic of the 2-by-``k``
    table of counts (``n`` reference and ``m`` current values in the ``k``
    bins with a value on either side). This is a derivation (a Taylor
    expansion and the central limit theorem), not a result taken from a
    source. It holds for large counts, but not for the tens of values per
    bin of a small batch: an empty bin costs PSI about
    :math:`e_i \ln(e_i / 10^{-4})` through ``PSI_FLOOR``, which gives the
    scaled PSI a heavier tail than the chi-square (simulated at 100 against
    78 normal values in 10 bins, it falls below the 1 % point about three
    times as often as it should). The p-value is therefore computed from
    Pearson's statistic on the same counts, the statistic PSI approximates,
    whose chi-square approximation is conservative at these counts (tests
    in ``tests/test_datacheck.py`` check both).

    >>> counts = np.array([25.0, 25.0, 25.0, 25.0])
    >>> psi_pvalue(counts, counts)
    1.0
    >>> round(psi_pvalue(counts, np.array([35.0, 25.0, 25.0, 15.0])), 4)
    0.244
    """
    table = np.vstack([reference_counts, current_counts])
    table = table[:, table.sum(axis=0) > 0]
    total = table.sum()
    if table.shape[1] < 2 or table[0].sum() == 0 or table[1].sum() == 0:
        return 1.0  # one bin (a constant feature), or an empty side: no share can move
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / total
    statistic = float(np.sum((table - expected) ** 2 / expected))
    return float(stats.chi2.sf(statistic, table.shape[1] - 1))


def _significance(alpha: float | None, ks_alpha: float | None) -> tuple[float, str]:
    """The significance level asked for (``ks_alpha`` is its former name), and its name."""
    if alpha is not None and ks_alpha is not None and alpha != ks_alpha:
        msg = f"alpha ({alpha!r}) and its former name ks_alpha ({ks_alpha!r}) disagree"
        raise InputError(msg)
    if alpha is None and ks_alpha is not None:
        return ks_alpha, "ks_alpha"
    return (DEFAULT_ALPHA if alpha is None else alpha), "alpha"


def per_test_alpha(table: pd.DataFrame, alpha: float = DEFAULT_ALPHA) -> float:
    """The level each test of a drift table ran at: ``alpha`` over the number of tests.

    A test is a PSI or a KS p-value of a feature that was judged (not too
    small, not left out, not missing). Dividing the level by their number
    (Bonferroni) keeps the chance that some feature of a batch from the
    reference's own distribution looks drifted at ``alpha`` or below, however
    many features there are.

    >>> table = pd.DataFrame(
    ...     {"psi_pvalue": [0.5, 0.3], "ks_pvalue": [0.4, math.nan], "verdict": ["no drift"] * 2}
    ... )
    >>> per_test_alpha(table, 0.03)  # 3 tests
    0.01
    """
    judged = table["verdict"].isin(["drifted", "no drift"])
    tests = int(table.loc[judged, ["psi_pvalue", "ks_pvalue"]].notna().to_numpy().sum())
    return alpha / max(tests, 1)
