"""Rank search results."""

import embeddings.train
from feature_store import online

from . import query


def rank(text):
    return sorted(query.parse(text), key=online.lookup)
