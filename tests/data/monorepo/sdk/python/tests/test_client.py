"""The client library's own tests."""

from acme.sdk import client


def test_search():
    assert client.search("a b")
