"""handbook.html (book/_ext) and tools/audit/: the pieces that run without a browser."""

from __future__ import annotations

import doctest
import gzip
import importlib.util
import urllib.request
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parent.parent


def _load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


from handbook import html

serve = _load(REPO / "tools" / "audit" / "serve.py")


@pytest.mark.parametrize("module", [html, serve], ids=lambda m: m.__name__)
def test_doctests(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0


def test_font_awesome_leaves_the_real_theme_stylesheet():
    # The installed theme's own stylesheet, not a sample made for the test.
    import pydata_sphinx_theme

    css_path = (
        Path(pydata_sphinx_theme.__file__).parent
        / "theme/pydata_sphinx_theme/static/styles/pydata-sphinx-theme.css"
    )
    css = css_path.read_text(encoding="utf-8")
    assert "webfonts/fa-solid-900.woff2" in css
    slim = html.strip_font_awesome(css)
    # No font faces (nothing downloads the webfonts) and no icon rules; the
    # custom properties naming the font family may stay, unused.
    assert "webfonts/fa-" not in slim
    assert ".fa-bars" not in slim
    assert ".fa-solid" not in slim
    assert len(slim) < 0.85 * len(css)
    assert ".bd-sidebar-primary" in slim  # the theme's own layout stays
    assert slim.count("{") == slim.count("}")


def test_purge_keeps_what_pages_use_and_negations():
    css = ".used{a:1}.unused{b:2}.used .unused{c:3}.used:not(.unused){d:4}@media(x){.unused{e:5}}"
    assert html.purge_unused(css, {"used"}) == ".used{a:1}.used:not(.unused){d:4}"


def test_checklist_boxes_get_their_item_as_label():
    body = (
        '<ul class="contains-task-list"><li class="task-list-item"><p>'
        '<input class="task-list-item-checkbox" disabled="disabled" type="checkbox">'
        'Write the <a href="x.html">scorecard</a> first.</p></li></ul>'
    )
    fixed = html.fix_body(body)
    assert (
        '<label><input class="task-list-item-checkbox" disabled="disabled" type="checkbox" />'
        'Write the <a href="x.html">scorecard</a> first.</label>'
    ) in fixed


def test_images_get_their_size_and_lazy_loading(tmp_path):
    png = tmp_path / "a.png"
    png.write_bytes(
        b"\x89PNG\r\n\x1a\n" + b"\0\0\0\rIHDR" + (640).to_bytes(4, "big") + (480).to_bytes(4, "big")
    )
    page = '<p><img alt="A" src="a.png" /></p><img src="https://example.org/x.png">'
    sized = html.size_images(page, tmp_path)
    assert '<img width="640" height="480" decoding="async" loading="lazy" alt="A"' in sized
    # A remote image gets no invented size.
    assert '<img decoding="async" loading="lazy" src="https://example.org/x.png">' in sized


def test_math_becomes_mathml():
    mathml = html._mathml(r"CR = T_A \cdot T_D \cdot T_A^\top", "inline")
    assert mathml.startswith("<math")
    assert "<msub>" in mathml


def test_server_gzips_text_and_sets_cache_headers(tmp_path):
    (tmp_path / "_static").mkdir()
    (tmp_path / "page.html").write_text("<p>" + "words " * 500, encoding="utf-8")
    (tmp_path / "_static" / "a.css").write_text("p{color:red}" * 100, encoding="utf-8")
    with serve.serving(tmp_path) as url:
        request = urllib.request.Request(f"{url}/page.html", headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(request) as response:
            assert response.headers["Content-Encoding"] == "gzip"
            assert response.headers["Cache-Control"] == "no-cache"
            assert gzip.decompress(response.read()).startswith(b"<p>words")
        with urllib.request.urlopen(f"{url}/_static/a.css?v=1") as response:
            assert response.headers["Content-Encoding"] is None  # not asked for
            assert "immutable" in response.headers["Cache-Control"]
        with pytest.raises(urllib.error.HTTPError, match="404"):
            urllib.request.urlopen(f"{url}/missing.html")


def _site_with_stylesheets(root: Path) -> None:
    static = root / "_static"
    (static / "styles").mkdir(parents=True)
    (static / "basic.css").write_text("p{margin:0}", encoding="utf-8")
    (static / "styles" / "theme.css").write_text(
        '.hero{background:url("../img/hero.png")}/*# sourceMappingURL=theme.css.map */',
        encoding="utf-8",
    )
    (static / "print.css").write_text("nav{display:none}", encoding="utf-8")
    (static / "documentation_options.js").write_text("const OPTIONS = {};\n", encoding="utf-8")
    (root / "sub").mkdir()
    for page, up in ((root / "index.html", ""), (root / "sub" / "page.html", "../")):
        page.write_text(
            f"<html><head>{html.STYLESHEETS_START}\n"
            f'<link href="{up}_static/basic.css?digest=1" rel="stylesheet" />\n'
            f'<link rel="stylesheet" type="text/css" href="{up}_static/styles/theme.css?v=2" />\n'
            f'<link media="print" rel="stylesheet" href="{up}_static/print.css?v=3" />\n'
            f"{html.STYLESHEETS_END}"
            f'<script src="{up}_static/documentation_options.js?v=4"></script>'
            '</head><body class="hero"></body></html>',
            encoding="utf-8",
        )


def _finish(root: Path) -> None:
    from types import SimpleNamespace

    app = SimpleNamespace(outdir=str(root), builder=SimpleNamespace(format="html"))
    html._finish_pages(app, None)


def test_pages_link_one_stylesheet_merged_in_order(tmp_path):
    _site_with_stylesheets(tmp_path)
    _finish(tmp_path)
    (bundle,) = (tmp_path / "_static").glob("handbook-bundle.*.css")
    css = bundle.read_text(encoding="utf-8")
    # In the pages' order, the theme's url() still pointing at its image, no source map.
    assert css.index("p{margin:0}") < css.index('.hero{background:url("styles/../img/hero.png")}')
    assert "sourceMappingURL" not in css
    assert "nav{display:none}" not in css  # the print stylesheet stays a file of its own
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    sub = (tmp_path / "sub" / "page.html").read_text(encoding="utf-8")
    assert f'<link rel="stylesheet" href="_static/{bundle.name}" />' in index
    assert f'<link rel="stylesheet" href="../_static/{bundle.name}" />' in sub
    for page in (index, sub):
        assert page.count('rel="stylesheet"') == 2
        assert 'media="print"' in page
        assert "<script>const OPTIONS = {};</script>" in page
        assert "documentation_options.js" not in page


def test_a_later_build_remakes_the_bundle_from_its_sources(tmp_path):
    _site_with_stylesheets(tmp_path)
    _finish(tmp_path)
    (first,) = (tmp_path / "_static").glob("handbook-bundle.*.css")
    # A page the next build did not write still links the old bundle; a source changed.
    (tmp_path / "_static" / "basic.css").write_text("p{margin:1px}", encoding="utf-8")
    _finish(tmp_path)
    (second,) = (tmp_path / "_static").glob("handbook-bundle.*.css")
    assert second.name != first.name  # the old one is gone: no page links it
    assert "p{margin:1px}" in second.read_text(encoding="utf-8")
    assert second.name in (tmp_path / "sub" / "page.html").read_text(encoding="utf-8")
