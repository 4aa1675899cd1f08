"""Parsing a user's YAML: the one loader behind every YAML file the toolkit reads.

:class:`SafeLoader` is PyYAML's safe loader (no Python objects, no code)
with two refusals added:

* aliases (``*name``) may add at most :data:`DEFAULT_MAX_ALIAS_NODES` nodes
  to the document (a "billion laughs" file of 400 bytes that expands to
  10**8 items fails in milliseconds, before anything is built); the
  environment variable :data:`MAX_ALIAS_NODES_ENV` raises the limit, and the
  message says so. A document without aliases is never limited: its size is
  bounded by the file-size limit of :mod:`mlorg._files`.
* a key written twice in one mapping is an error at the second one's line
  (PyYAML would keep the last value and drop the first without a word).

Errors are PyYAML's :class:`yaml.MarkedYAMLError`, with a line, so every
caller's existing handling of YAML errors reports them.
"""

from __future__ import annotations

import os
from typing import Any

import yaml

from mlorg.errors import InputError

__all__ = ["DEFAULT_MAX_ALIAS_NODES", "MAX_ALIAS_NODES_ENV", "SafeLoader", "safe_load"]

#: How many nodes aliases may add to one YAML document, unless
#: :data:`MAX_ALIAS_NODES_ENV` says otherwise.
DEFAULT_MAX_ALIAS_NODES = 100_000
#: The environment variable that sets how many nodes aliases may add.
MAX_ALIAS_NODES_ENV = "MLORG_YAML_MAX_ALIAS_NODES"


def max_alias_nodes() -> int:
    """How many nodes aliases may add: ``$MLORG_YAML_MAX_ALIAS_NODES`` or the default.

    >>> max_alias_nodes() == DEFAULT_MAX_ALIAS_NODES or MAX_ALIAS_NODES_ENV in os.environ
    True
    """
    text = os.environ.get(MAX_ALIAS_NODES_ENV, "").strip()
    if not text:
        return DEFAULT_MAX_ALIAS_NODES
    if not text.isdigit():
        msg = f"{MAX_ALIAS_NODES_ENV}={text!r}: must be a whole number of nodes, 0 or more"
        raise InputError(msg)
    return int(text)


def expanded_size(root: yaml.Node) -> tuple[int, int]:
    r"""Return (nodes as written, nodes once every alias is expanded) of a composed document.

    Linear in the nodes as written: each node's expanded size is computed
    once, without recursion (deep nesting cannot exhaust the stack).

    Raises:
        yaml.composer.ComposerError: an alias refers to a collection that
            contains it (a recursive document).

    >>> expanded_size(yaml.compose("a: &x [1, 2, 3]\nb: [*x, *x]"))
    (8, 16)
    """
    size: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if key in size and not children_done:
            continue
        children: list[yaml.Node] = []
        if isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        elif isinstance(node, yaml.MappingNode):
            children = [part for pair in node.value for part in pair]
        if children_done:
            open_nodes.discard(key)
            size[key] = 1 + sum(size[id(child)] for child in children)
            continue
        if key in open_nodes:
            raise yaml.composer.ComposerError(
                None, None, "an alias refers to a collection that contains it", node.start_mark
            )
        open_nodes.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in children if id(child) not in size)
    return len(size), size[id(root)]


class SafeLoader(yaml.SafeLoader):
    r"""PyYAML's safe loader, with bounded alias expansion and duplicate keys refused.

    >>> yaml.load("a: 1\na: 2", Loader=SafeLoader)
    Traceback (most recent call last):
    ...
    yaml.constructor.ConstructorError: while constructing a mapping
    ...
    found duplicate key 'a'
    ...
    """

    def __init__(self, stream: str) -> None:
        """Read ``stream``, a document as text."""
        super().__init__(stream)
        # An alias is written with "*": text without one has none to expand.
        self._may_have_aliases = "*" in stream

    def get_single_node(self) -> Any:
        """Compose the document, then refuse it if its aliases expand beyond the limit."""
        node = super().get_single_node()
        if node is not None and self._may_have_aliases:
            written, expanded = expanded_size(node)
            limit = max_alias_nodes()
            if expanded - written > limit:
                problem = (
                    f"aliases expand this document to {expanded:,} nodes from {written:,} "
                    f"written, more than the {limit:,} they may add; set "
                    f"{MAX_ALIAS_NODES_ENV} to raise the limit"
                )
                raise yaml.composer.ComposerError(None, None, problem, node.start_mark)
        return node

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        """Construct a mapping; a key written twice is an error at its second line."""
        seen: set[tuple[str, str]] = set()
        for key_node, _ in node.value:
            if (
                not isinstance(key_node, yaml.ScalarNode)
                or key_node.tag == "tag:yaml.org,2002:merge"
            ):
                continue
            # The composer resolved each tag: `1` (int) and `"1"` (str) differ.
            identity = (key_node.tag, key_node.value)
            if identity in seen:
                context = "while constructing a mapping"
                raise yaml.constructor.ConstructorError(
                    context,
                    node.start_mark,
                    f"found duplicate key {key_node.value!r}",
                    key_node.start_mark,
                )
            seen.add(identity)
        return super().construct_mapping(node, deep=deep)


def safe_load(text: str) -> Any:
    r"""Parse one YAML document with :class:`SafeLoader`.

    >>> safe_load("columns: {a: {dtype: int64}}")
    {'columns': {'a': {'dtype': 'int64'}}}
    >>> bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    ...     f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n"
    ...     for i in range(8)
    ... )
    >>> safe_load(bomb)
    Traceback (most recent call last):
    ...
    yaml.composer.ComposerError: aliases expand this document to 1,234,567,909 nodes from 29 written, more than the 100,000 they may add; set MLORG_YAML_MAX_ALIAS_NODES to raise the limit
    ...
    """
    loader = SafeLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()
