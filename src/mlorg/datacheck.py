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
>>> reference = pd.DataFrame({"mass_g": [3500.0, 3800.0, 4200.0, 4650.0, 5000.0] * 12})
>>> check(reference, schema, reference=reference).decision
GateDecision(go=True, reasons=())
>>> print(check(reference / 1000, schema, reference=reference).decision)
NO-GO: 60 schema failures (1 column: mass_g); drift in 1 feature (mass_g)

A batch too small to judge is said to be so, not guessed about:

>>> print(check(reference.head(4) / 1000, schema, reference=reference).to_text())
... # doctest: +ELLIPSIS
NO-GO: 4 schema failures (1 column: mass_g)
note: drift not judged for 1 feature (mass_g): too small to judge, fewer than 5 values per bin on one side
...
"""

from __future__ import annotations

from mlorg._datacheck.defaults import (
    DEFAULT_ALPHA,
    DEFAULT_BINS,
    DEFAULT_KS_ALPHA,
    DEFAULT_KS_SAMPLE,
    DEFAULT_KS_THRESHOLD,
    DEFAULT_MIN_PER_BIN,
    DEFAULT_PSI_THRESHOLD,
    DRIFT_COLUMNS,
    FAILURE_COLUMNS,
    PSI_FLOOR,
    ROWS,
    TABLE,
    VERDICTS,
)
from mlorg._datacheck.drift import (
    drift,
    per_test_alpha,
    population_stability_index,
    psi_pvalue,
)
from mlorg._datacheck.read import (
    read_schema,
    read_table,
)
from mlorg._datacheck.report import (
    DataCheckReport,
    GateDecision,
    check,
    gate,
)
from mlorg._datacheck.schema import (
    schema_failures,
)

__all__ = [
    "DEFAULT_ALPHA",
    "DEFAULT_BINS",
    "DEFAULT_KS_ALPHA",
    "DEFAULT_KS_SAMPLE",
    "DEFAULT_KS_THRESHOLD",
    "DEFAULT_MIN_PER_BIN",
    "DEFAULT_PSI_THRESHOLD",
    "DRIFT_COLUMNS",
    "FAILURE_COLUMNS",
    "PSI_FLOOR",
    "ROWS",
    "TABLE",
    "VERDICTS",
    "DataCheckReport",
    "GateDecision",
    "check",
    "drift",
    "gate",
    "per_test_alpha",
    "population_stability_index",
    "psi_pvalue",
    "read_schema",
    "read_table",
    "schema_failures",
]


# The classes and functions are defined in mlorg._datacheck; they belong to
# this module for readers, pickles and the toolkit reference.
for _name in __all__:
    _value = globals()[_name]
    if callable(_value) and getattr(_value, "__module__", "").startswith("mlorg._datacheck"):
        _value.__module__ = __name__
del _name, _value

# The examples in the docstrings of the names above run in this module's
# namespace (doctest finds them here, as their __module__ is this module), so
# the names those examples use must be here too. Imported last: importing
# mlorg._datacheck first raises MissingExtraError without the data extra.
import math  # noqa: F401

import numpy as np  # noqa: F401
import pandas as pd  # noqa: F401
import pandera.pandas as pa  # noqa: F401
