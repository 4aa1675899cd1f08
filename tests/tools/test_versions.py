"""tools/versions.py: main and every release tag, side by side, with a switcher."""

from __future__ import annotations

import functools
import http.server
import json
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tools import chromium
from tools.versions import main, release_tags, resolve_ref, switcher_entries
from tools.worktree import copy_working_tree

REPO = Path(__file__).resolve().parents[2]


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


def test_resolves_a_branch_that_only_the_remote_has(tmp_path):
    # How a CI checkout of a release tag looks: no local main, only origin/main.
    origin = tmp_path / "origin"
    origin.mkdir()
    _git(origin, "init", "-q", "-b", "main")
    _git(
        origin,
        "-c",
        "user.email=t@example.org",
        "-c",
        "user.name=T",
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        "x",
    )
    _git(origin, "tag", "v1.0.0")
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=origin, capture_output=True, text=True, check=True
    ).stdout.strip()
    clone = tmp_path / "clone"
    _git(tmp_path, "clone", "-q", str(origin), str(clone))
    _git(clone, "checkout", "-q", "--detach", "v1.0.0")
    _git(clone, "branch", "-D", "main")
    assert resolve_ref(clone, "main") == head
    assert resolve_ref(clone, "v1.0.0") == head
    with pytest.raises(RuntimeError, match="no branch or tag 'nope'"):
        resolve_ref(clone, "nope")


VERSION_PAGE_BODY = """# Which toolkit ran this

```{code-cell} ipython3
import mlorg
print(f"executed with mlorg {mlorg.__version__}")
```
"""


@pytest.fixture(scope="module")
def repo_with_two_releases(tmp_path_factory: pytest.TempPathFactory, notebook_header: str) -> Path:
    """A copy of this repository, trimmed to a tiny book, with releases v0.1.0 and v0.2.0."""
    repo = tmp_path_factory.mktemp("versions") / "repo"
    copy_working_tree(REPO, repo)
    (repo / "_toc.yml").write_text(
        "format: jb-book\nroot: book/index\nchapters:\n  - file: examples/version\n",
        encoding="utf-8",
    )
    (repo / "book" / "index.md").write_text("# Home\n\nVersion {{ version }}.\n", encoding="utf-8")
    (repo / "examples" / "version.md").write_text(
        notebook_header + VERSION_PAGE_BODY, encoding="utf-8"
    )
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


@pytest.fixture(scope="module")
def versions(repo_with_two_releases: Path) -> Path:
    """``nox -s docs-versions`` on that repository, served under /handbook/."""
    out = repo_with_two_releases / "_build" / "versions"
    uv = shutil.which("uv") or str(Path(sys.executable).parent / "uv")
    args = ["--repo", str(repo_with_two_releases), "--out", str(out), "--base-url", "/handbook/"]
    # Where Chromium is installed (the browser tests run), each version's PDF
    # and EPUB are made too, as the deploy workflow makes them.
    if Path(chromium.find()).is_file():
        args += ["--editions", "--chromium", chromium.find()]
    status = main([*args, "--uv", uv])
    assert status == 0
    return out


@pytest.mark.book
def test_builds_every_release_with_its_own_code_and_a_valid_switcher(versions):
    out = versions

    for name, version in (("main", "0.2.0"), ("v0.2.0", "0.2.0"), ("v0.1.0", "0.1.0")):
        home = (out / name / "book" / "index.html").read_text(encoding="utf-8")
        assert f"Version {version}." in home
        example = (out / name / "examples" / "version.html").read_text(encoding="utf-8")
        assert f"executed with mlorg {version}" in example  # the tag's own toolkit ran it
        assert f"theme_switcher_version_match = '{name}'" in example

    # What is published holds the versions and nothing of the build's own.
    assert sorted(p.name for p in out.iterdir()) == [
        "index.html",
        "main",
        "switcher.json",
        "v0.1.0",
        "v0.2.0",
    ]
    assert not list(out.glob("*/.doctrees"))

    entries = json.loads((out / "switcher.json").read_text(encoding="utf-8"))
    assert [e["version"] for e in entries] == ["main", "v0.2.0", "v0.1.0"]
    assert all({"name", "version", "url"} <= set(e) for e in entries)
    assert [e["version"] for e in entries if e.get("preferred")] == ["v0.2.0"]
    assert "url=v0.2.0/" in (out / "index.html").read_text(encoding="utf-8")


@pytest.mark.book
@pytest.mark.browser
def test_every_version_carries_its_own_pdf_and_epub(versions):
    """The download links of a release open that release's editions, not main's."""
    import zipfile

    from pypdf import PdfReader

    for name, version in (("main", "0.2.0"), ("v0.2.0", "0.2.0"), ("v0.1.0", "0.1.0")):
        folder = versions / name
        cover = " ".join((PdfReader(folder / "handbook.pdf").pages[0].extract_text() or "").split())
        assert f"Version {version}" in cover, f"{name}: {cover!r}"
        with zipfile.ZipFile(folder / "handbook.epub") as epub:
            assert epub.read("mimetype") == b"application/epub+zip"
            pages = [epub.read(n).decode() for n in epub.namelist() if n.endswith(".xhtml")]
        assert any(f"Version {version}." in page for page in pages), name
        home = (folder / "book" / "index.html").read_text(encoding="utf-8")
        assert 'href="../handbook.pdf"' in home
        assert 'href="../handbook.epub"' in home


def test_editions_need_a_chromium_that_exists(tmp_path, capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["--repo", str(tmp_path), "--editions", "--chromium", str(tmp_path / "nothing")])
    assert stopped.value.code == 2
    assert "no such file" in capsys.readouterr().err


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output free of request logs."""


@pytest.fixture(scope="module")
def served(versions: Path) -> Iterator[str]:
    """Serve the built versions at http://127.0.0.1:<port>/handbook/ (as on the real host)."""
    root = versions.parent / "site"
    root.mkdir(exist_ok=True)
    (root / "handbook").symlink_to(versions, target_is_directory=True)
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/handbook"
    server.shutdown()
    server.server_close()


def _rendered_dom(url: str, profile: Path) -> str:
    """The page's DOM after its scripts ran, in headless Chromium."""
    binary = chromium.find()
    assert Path(binary).exists(), "needs Chromium: apt-get install -y chromium (.ci/run does)"
    command = [
        binary,
        *chromium.FLAGS,
        "--disable-quic",
        f"--user-data-dir={profile}",
        "--virtual-time-budget=10000",
        "--dump-dom",
        url,
    ]
    return subprocess.run(command, capture_output=True, text=True, check=True, timeout=120).stdout


@pytest.mark.book
@pytest.mark.browser
def test_old_version_shows_a_banner_and_a_switcher_in_the_browser(served, tmp_path):
    dom = _rendered_dom(f"{served}/v0.1.0/book/index.html", tmp_path / "profile")
    banner = dom.split('id="bd-header-version-warning"', 1)[1].split("</aside>", 1)[0]
    assert "an old version (0.1.0)" in banner
    assert 'href="/handbook/v0.2.0/book/index.html"' in banner
    assert 'data-version="main"' in dom
    assert 'data-version="v0.2.0"' in dom


@pytest.mark.book
@pytest.mark.browser
def test_latest_release_shows_no_banner(served, tmp_path):
    dom = _rendered_dom(f"{served}/v0.2.0/book/index.html", tmp_path / "profile")
    banner = dom.split('id="bd-header-version-warning"', 1)[1].split("</aside>", 1)[0]
    assert "old version" not in banner
    assert 'data-version="v0.1.0"' in dom  # the switcher still lists the others


@pytest.mark.book
@pytest.mark.browser
def test_a_reader_switches_version_by_clicking(served):
    """The switcher opens on a click, lists every version, and takes the reader there."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = chromium.launch(playwright)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.goto(f"{served}/v0.1.0/book/index.html")
            banner = page.locator("#bd-header-version-warning")
            banner.wait_for(state="visible", timeout=15_000)
            assert "an old version (0.1.0)" in banner.inner_text()
            button = page.locator(".version-switcher__button").first
            button.wait_for(state="visible", timeout=15_000)
            menu = page.locator(".version-switcher__menu").first
            assert not menu.is_visible()
            button.click()
            menu.wait_for(state="visible", timeout=5_000)
            entries = menu.locator("a")
            names = [" ".join(text.split()) for text in entries.all_inner_texts()]
            assert names == ["main (development)", "0.2.0 (latest)", "0.1.0"], names
            assert all(entry.is_visible() for entry in entries.all())
            menu.get_by_text("0.2.0 (latest)").click()
            page.wait_for_url(f"{served}/v0.2.0/book/index.html", timeout=15_000)
            # The latest release: its banner stays hidden.
            page.wait_for_load_state("networkidle")
            assert not page.locator("#bd-header-version-warning").is_visible()
        finally:
            browser.close()
