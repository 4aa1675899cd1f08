"""A runnable example, left out by default like the tests."""

import search.ranker
