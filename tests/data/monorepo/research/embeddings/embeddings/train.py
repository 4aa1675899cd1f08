"""Train embeddings on warehouse data."""

from warehouse.tables import read


def nearest(user):
    return read("embeddings", user)
