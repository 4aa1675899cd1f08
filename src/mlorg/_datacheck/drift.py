"""Drift: the population stability index and the Kolmogorov-Smirnov statistic per feature.

Private: the public names are in :mod:`mlorg.datacheck`.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats

from mlorg._datacheck.defaults import (
    DEFAULT_BINS,
    DEFAULT_KS_ALPHA,
    DEFAULT_KS_SAMPLE,
    DEFAULT_KS_THRESHOLD,
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

    >>> import pandas as pd
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

    >>> import pandas as pd
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
