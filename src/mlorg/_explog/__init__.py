"""The parts behind :mod:`mlorg.explog`: records, tracking URIs, the log, rendering (private)."""
