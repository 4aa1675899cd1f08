"""The parts behind :mod:`mlorg.datacheck`: defaults, reading, schema, drift, report (private)."""
