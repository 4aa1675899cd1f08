"""Build scripts the noxfile runs from the repository root (``python -m tools.<name>``); not part of the ``mlorg`` package."""
