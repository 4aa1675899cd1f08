"""Sphinx helpers for building The ML Organization Handbook."""
