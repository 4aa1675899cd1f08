"""The thresholds, defaults and column names of the data check.

Private: the public names are in :mod:`mlorg.datacheck`.
"""

from __future__ import annotations

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
