"""mlorg._yaml: a safe loader with bounded alias expansion and duplicate keys refused."""

from __future__ import annotations

import itertools

import pytest
import yaml

from mlorg import _yaml
from mlorg.errors import InputError


def _alias_bomb(levels: int = 9, width: int = 10) -> str:
    """The "billion laughs" document: each level lists the previous one ``width`` times."""
    names = [chr(ord("a") + i) for i in range(levels)]
    lines = [f"a: &a [{','.join(['lol'] * width)}]"]
    lines += [
        f"{name}: &{name} [{','.join([f'*{before}'] * width)}]"
        for before, name in itertools.pairwise(names)
    ]
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_is_refused_before_anything_is_built():
    bomb = _alias_bomb()
    assert len(bomb.encode()) < 450  # the 400-byte file
    with pytest.raises(yaml.composer.ComposerError) as refused:
        _yaml.safe_load(bomb)
    problem = str(refused.value.problem)
    assert "more than the 100,000 they may add" in problem
    assert "set MLORG_YAML_MAX_ALIAS_NODES to raise the limit" in problem


def test_aliases_within_the_limit_load_and_the_limit_can_be_raised(monkeypatch):
    document = _alias_bomb(levels=4)  # 10**4 leaves: about 11,000 nodes added
    assert len(_yaml.safe_load(document)["d"]) == 10
    monkeypatch.setenv(_yaml.MAX_ALIAS_NODES_ENV, "1000")
    with pytest.raises(yaml.composer.ComposerError, match="more than the 1,000"):
        _yaml.safe_load(document)
    monkeypatch.setenv(_yaml.MAX_ALIAS_NODES_ENV, "many")
    with pytest.raises(InputError, match="MLORG_YAML_MAX_ALIAS_NODES='many'"):
        _yaml.safe_load(document)


def test_a_large_document_without_aliases_is_not_limited():
    columns = "".join(f"  c{i}: {{dtype: int64}}\n" for i in range(60_000))
    assert len(_yaml.safe_load(f"columns:\n{columns}")["columns"]) == 60_000


def test_a_recursive_alias_is_refused():
    with pytest.raises(yaml.composer.ComposerError, match="contains it"):
        _yaml.safe_load("a: &a [1, *a]\n")


def test_a_key_written_twice_is_refused_at_its_line():
    text = "columns:\n  mass_g:\n    dtype: float64\n  mass_g:\n    dtype: int64\n"
    with pytest.raises(yaml.constructor.ConstructorError) as refused:
        _yaml.safe_load(text)
    assert refused.value.problem == "found duplicate key 'mass_g'"
    assert refused.value.problem_mark is not None
    assert refused.value.problem_mark.line + 1 == 4


def test_merge_keys_may_be_overridden_and_1_differs_from_the_text_1():
    assert _yaml.safe_load("base: &b {x: 1, y: 2}\nnew: {<<: *b, y: 3}")["new"] == {"x": 1, "y": 3}
    assert _yaml.safe_load('{1: int, "1": text}') == {1: "int", "1": "text"}


def test_the_loader_stays_safe():
    with pytest.raises(yaml.constructor.ConstructorError):
        _yaml.safe_load("!!python/object/apply:os.system ['true']")
