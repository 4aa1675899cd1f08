"""The parts behind :mod:`mlorg.explog`: records, tracking URIs, the log, rendering (private).

Importing it without the ``experiments`` extra raises
:class:`~mlorg.errors.MissingExtraError`, one line naming
``pip install "mlorg[experiments]"``; MLflow itself is imported only when a
tracking store is used (``tracking._import_mlflow``).
"""

from mlorg._extras import require

require("experiments", "mlorg.explog")
