"""The parts behind :mod:`mlorg.datacheck`: defaults, reading, schema, drift, report (private).

Importing it without the ``data`` extra raises
:class:`~mlorg.errors.MissingExtraError`, one line naming ``pip install "mlorg[data]"``,
before any of pandas, pandera or scipy is imported.
"""

from mlorg._extras import require

require("data", "mlorg.datacheck")
