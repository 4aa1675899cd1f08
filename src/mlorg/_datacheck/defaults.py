"""The thresholds, defaults and column names of the data check.

Private: the public names are in :mod:`mlorg.datacheck`.
"""

from __future__ import annotations

#: The significance level of the drift check as a whole: the chance, at most,
#: that a batch drawn from the reference's own distribution is called drifted
#: on some feature. Each test (a PSI or a KS test per feature) runs at this
#: level divided by the number of tests (Bonferroni). A convention chosen for
#: this handbook.
DEFAULT_ALPHA = 0.01


#: A feature is judged only when each side has, on average, at least this many
#: values per PSI bin (the bins the reference fills): 50 rows with 10 bins.
#: Below that, the chi-square approximation behind PSI's p-value is poor, and
#: the feature is reported as "too small to judge". A rule of thumb for
#: chi-square approximations, not a result from a study.
DEFAULT_MIN_PER_BIN = 5


#: A feature drifts when its PSI is above this and the PSI is significant
#: (see ``DEFAULT_ALPHA``). A convention chosen for this handbook, not a
#: result from a study: tune it on your own history.
DEFAULT_PSI_THRESHOLD = 0.2
#: A numeric feature drifts when its Kolmogorov-Smirnov statistic (the largest
#: gap between the two cumulative distributions) is above this and the gap
#: is significant (see ``DEFAULT_ALPHA``). A convention chosen for this handbook.
DEFAULT_KS_THRESHOLD = 0.1
#: The former name of ``DEFAULT_ALPHA``, when only KS had a significance test.
DEFAULT_KS_ALPHA = DEFAULT_ALPHA
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
DRIFT_COLUMNS = ("column", "kind", "psi", "psi_pvalue", "ks", "ks_pvalue", "drifted", "verdict")
#: What the ``verdict`` column of a drift table says, besides ``"left out: <why>"``.
VERDICTS = ("drifted", "no drift", "too small to judge", "missing from batch")


#: The label of failures that concern whole rows (duplicates), not one column.
ROWS = "(rows)"
#: The label of failures of checks on the whole table (a schema's top-level
#: ``checks:``, column order, unique column names), not on one column.
TABLE = "(table)"

_READERS = {".csv": "CSV", ".parquet": "Parquet", ".pq": "Parquet"}
