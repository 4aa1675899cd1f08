"""Call the search service."""

from feature_store import online
from search import query


def search(text):
    return [online.lookup(word) for word in query.parse(text)]
