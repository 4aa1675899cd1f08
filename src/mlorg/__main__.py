"""Allow ``python -m mlorg``, the same as the ``mlorg`` command."""

from __future__ import annotations

import sys

from mlorg.cli import main

if __name__ == "__main__":
    sys.exit(main())
