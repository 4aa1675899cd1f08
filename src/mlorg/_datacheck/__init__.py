"""The parts behind :mod:`mlorg.datacheck`: defaults, reading, schema, drift, report, engines (private).

Importing it without the ``data`` extra raises
:class:`~mlorg.errors.MissingExtraError`, one line naming ``pip install "mlorg[data]"``,
before any of pandas, pandera or scipy is imported.
"""

import warnings

from mlorg._extras import require

require("data", "mlorg.datacheck")

from mlorg._datacheck.engines import _PANDAS_3_WARNING, pandas_on_spark_stand_in

with warnings.catch_warnings():
    # With pyspark installed (mlorg[spark]), pandera imports pyspark's pandas
    # API, which cannot import with pandas 3 and warns; see the function's notes.
    warnings.filterwarnings("ignore", _PANDAS_3_WARNING, FutureWarning)
    pandas_on_spark_stand_in()
    import pandera.pandas  # noqa: F401
