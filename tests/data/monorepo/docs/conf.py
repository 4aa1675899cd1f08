"""Sphinx configuration of the monorepo's docs: not part of the architecture."""

project = "acme"
