"""Recommend items."""

from typing import TYPE_CHECKING

from embeddings import train

if TYPE_CHECKING:
    import feature_store


def recommend(user):
    return train.nearest(user)
