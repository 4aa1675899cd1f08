"""Serve features online, computed from the warehouse."""

from warehouse import tables


def lookup(key):
    return tables.read("features", key)
