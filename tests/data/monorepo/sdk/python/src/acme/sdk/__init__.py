"""The public client library."""
