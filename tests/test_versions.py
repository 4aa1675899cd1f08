"""mlorg.sphinxext.versions: main and every release tag, side by side, with a switcher."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mlorg.sphinxext.versions import main, release_tags, switcher_entries

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("tags", "releases"),
    [
        (["v0.1.0", "v0.2.0"], ["v0.2.0", "v0.1.0"]),
        (["v0.10.0", "v0.9.1"], ["v0.10.0", "v0.9.1"]),
        (["v1.0.0-rc1", "1.0.0", "latest"], []),
    ],
)
def test_release_tags(tags, releases):
    assert release_tags(tags) == releases


def test_switcher_prefers_the_newest_release():
    entries = switcher_entries(["main", "v0.1.0", "v0.2.0"], "/handbook")
    assert [e["version"] for e in entries if e.get("preferred")] == ["v0.2.0"]
    assert all(e["url"].startswith("/handbook/") and e["url"].endswith("/") for e in entries)


def test_switcher_without_releases_prefers_main():
    assert switcher_entries(["main"], "/") == [
        {"name": "main (development)", "version": "main", "url": "/main/", "preferred": True}
    ]


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


VERSION_PAGE = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---
# Which toolkit ran this

```{code-cell} ipython3
import mlorg
print(f"executed with mlorg {mlorg.__version__}")
```
"""


@pytest.fixture
def repo_with_two_releases(tmp_path: Path) -> Path:
    """A copy of this repository, trimmed to a tiny book, with releases v0.1.0 and v0.2.0."""
    repo = tmp_path / "repo"
    files = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    for name in files:
        if (REPO / name).is_file():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, repo / name)
    (repo / "_toc.yml").write_text(
        "format: jb-book\nroot: book/index\nchapters:\n  - file: examples/version\n",
        encoding="utf-8",
    )
    (repo / "book" / "index.md").write_text("# Home\n\nVersion {{ version }}.\n", encoding="utf-8")
    (repo / "examples" / "version.md").write_text(VERSION_PAGE, encoding="utf-8")
    pyproject = repo / "pyproject.toml"
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "config", "user.email", "test@example.org")
    _git(repo, "config", "user.name", "Test")
    for version in ("0.1.0", "0.2.0"):
        text = pyproject.read_text(encoding="utf-8")
        start = text.index('\nversion = "') + len('\nversion = "')
        pyproject.write_text(
            text[:start] + version + text[text.index('"', start) :], encoding="utf-8"
        )
        _git(repo, "add", "-A")
        _git(repo, "commit", "-q", "-m", f"Release {version}")
        _git(repo, "tag", f"v{version}")
    return repo


@pytest.mark.book
def test_builds_every_release_with_its_own_code_and_a_valid_switcher(
    repo_with_two_releases, capsys
):
    repo = repo_with_two_releases
    out = repo / "_build" / "versions"
    uv = shutil.which("uv") or str(Path(sys.executable).parent / "uv")
    status = main(["--repo", str(repo), "--out", str(out), "--base-url", "/handbook/", "--uv", uv])
    assert status == 0, capsys.readouterr()

    for name, version in (("main", "0.2.0"), ("v0.2.0", "0.2.0"), ("v0.1.0", "0.1.0")):
        home = (out / name / "book" / "index.html").read_text(encoding="utf-8")
        assert f"Version {version}." in home
        example = (out / name / "examples" / "version.html").read_text(encoding="utf-8")
        assert f"executed with mlorg {version}" in example  # the tag's own toolkit ran it
        assert f"theme_switcher_version_match = '{name}'" in example

    entries = json.loads((out / "switcher.json").read_text(encoding="utf-8"))
    assert [e["version"] for e in entries] == ["main", "v0.2.0", "v0.1.0"]
    assert all({"name", "version", "url"} <= set(e) for e in entries)
    assert [e["version"] for e in entries if e.get("preferred")] == ["v0.2.0"]
    assert "url=v0.2.0/" in (out / "index.html").read_text(encoding="utf-8")
