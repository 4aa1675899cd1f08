"""Tests import across every team; they are not part of the architecture."""

import recs.model
import search.ranker
import warehouse.tables


def test_rank_reads_the_warehouse():
    assert search.ranker.rank and recs.model and warehouse.tables
