"""Online and offline features."""
