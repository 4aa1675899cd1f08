"""The parts behind :mod:`mlorg.orggraph`: model, loading, metrics, report, graphs (private)."""
