"""The handbook's HTML, fixed where the theme and extensions fall short of it.

A small Sphinx extension, loaded from ``book/conf.py``:

* math is converted to MathML at build time (``html_math_renderer =
  "mathml"``), which browsers draw natively: no MathJax, no request to a CDN,
  no raw TeX when offline;
* checklist items (MyST's ``tasklist``) get a ``<label>`` around their
  checkbox and text, so the checkbox has the item as its accessible name;
* the bibliography uses list roles (``doc-biblioentry`` is deprecated in
  DPUB-ARIA 1.1 and a ``list`` needs ``listitem`` children);
* disclosure buttons have names: MyST-NB's "Show code cell source" summary
  loses its ``aria-label`` (which hid the visible text from speech input),
  and the sidebar's expand arrows say whose pages they show;
* after the build, Font Awesome is removed: its rules and webfonts from the
  theme's stylesheet, its script and fonts from ``_static``. The few icons
  the pages show come from ``_static/icons.css`` (tools/icons/make_icons.py);
* notebooks' matplotlib figures come out as SVG with real text (an IPython
  profile for the build's kernels), sharp at any size and searchable;
* every image gets its width and height (no layout shift), ``decoding=async``
  and ``loading=lazy``;
* and the big stylesheets (the theme's, sphinx-design's, MyST-NB's) lose the
  rules whose classes appear nowhere in the built pages or their scripts:
  most of Bootstrap, which a reader would otherwise download and parse on
  every first visit (the theme's stylesheet goes from 64 to about 17 KiB
  gzipped).
"""

from __future__ import annotations

import html
import os
import re
import shutil
from pathlib import Path
from typing import Any

from docutils import nodes
from latex2mathml.converter import convert

__all__ = [
    "describe",
    "fix_body",
    "image_size",
    "name_sidebar_summaries",
    "purge_unused",
    "setup",
    "size_images",
    "strip_font_awesome",
]


# -- Math ----------------------------------------------------------------------


def _mathml(latex: str, display: str) -> str:
    return convert(latex.strip(), display=display)


def _visit_math(self: Any, node: nodes.Element) -> None:
    self.body.append(_mathml(node.astext(), "inline"))
    raise nodes.SkipNode


def _visit_displaymath(self: Any, node: nodes.Element) -> None:
    label = f' id="equation-{node["label"]}"' if node.get("label") else ""
    self.body.append(f'<div class="math-display"{label}>{_mathml(node.astext(), "block")}</div>')
    raise nodes.SkipNode


# -- Page body -----------------------------------------------------------------

_TASK = re.compile(
    r'(<li class="task-list-item[^"]*">\s*<p>)(<input class="task-list-item-checkbox"[^>]*>)(.*?)(</p>)',
    re.DOTALL,
)


_SVG_FIGURE = re.compile(r'<figure class="([^"]*)"([^>]*>\s*<img [^>]*src="[^"]+\.svg")')


def fix_body(body: str) -> str:
    """Return the page body with labelled checkboxes, list roles and named summaries.

    >>> fix_body('<li class="task-list-item"><p><input class="task-list-item-checkbox" '
    ...          'type="checkbox">Do it.</p></li>')
    '<li class="task-list-item"><p><label><input class="task-list-item-checkbox" type="checkbox">Do it.</label></p></li>'
    >>> fix_body('<div role="list"><div class="citation" role="doc-biblioentry">x</div></div>')
    '<div role="list"><div class="citation" role="listitem">x</div></div>'
    """
    body = _TASK.sub(r"\1<label>\2\3</label>\4", body)
    body = body.replace('role="doc-biblioentry"', 'role="listitem"')
    # A figure whose image is SVG scrolls sideways on a phone instead of
    # shrinking (handbook.css); a scrolling region must be reachable by keyboard.
    body = _SVG_FIGURE.sub(r'<figure class="\1 handbook-wide-figure" tabindex="0"\2', body)
    return body.replace('<summary aria-label="Toggle hidden content">', "<summary>")


_SIDEBAR_PARENT = re.compile(
    r'(<a class="reference internal" href="[^"]*">)(?P<title>.*?)(</a>\s*<details(?: open="open")?>\s*)<summary>',
    re.DOTALL,
)


def name_sidebar_summaries(toctree: str) -> str:
    """Give each expand arrow of the sidebar a name: the pages under which entry it shows.

    >>> name_sidebar_summaries('<a class="reference internal" href="a.html">Data check</a>'
    ...                        '<details><summary><i></i></summary>')
    '<a class="reference internal" href="a.html">Data check</a><details><summary><span class="visually-hidden">Pages under Data check</span><i></i></summary>'
    """

    def named(match: re.Match[str]) -> str:
        title = html.escape(re.sub(r"<[^>]+>", "", match["title"]).strip(), quote=False)
        return (
            f"{match[1]}{match['title']}{match[3]}"
            f'<summary><span class="visually-hidden">Pages under {title}</span>'
        )

    return _SIDEBAR_PARENT.sub(named, toctree)


_DESCRIPTION_LENGTH = 155
_NOT_PROSE = {"chapter-freshness", "admonition", "origin", "cell_output", "sidebar"}


def describe(doctree: nodes.Node | None, fallback: str) -> str:
    """The page's first paragraph of prose, cut at a word near 155 characters.

    Search engines show about that much of a meta description.

    >>> from docutils.core import publish_doctree
    >>> describe(publish_doctree(chr(10).join(["Title", "=====", "", "word " * 60])), "x")[-10:]
    'word word…'
    >>> describe(None, "Glossary: The ML Organization Handbook")
    'Glossary: The ML Organization Handbook'
    """
    if doctree is not None:
        for paragraph in doctree.findall(nodes.paragraph):
            ancestors, parent = [], paragraph.parent
            while parent is not None:
                ancestors.extend(parent.get("classes", []))
                parent = parent.parent
            text = " ".join(paragraph.astext().split())
            if len(text) < 40 or _NOT_PROSE & set(ancestors):
                continue
            if len(text) <= _DESCRIPTION_LENGTH:
                return text
            return text[:_DESCRIPTION_LENGTH].rsplit(" ", 1)[0] + "…"
    return fallback


# Scripts every page loads in <head> without `defer`, which blocks the first
# paint; none of them is needed before the page is parsed. (documentation_options.js
# stays: the inline scripts after it use it at once.)
_DEFERRED = (
    "doctools.js",
    "sphinx_highlight.js",
    "clipboard.min.js",
    "copybutton.js",
    "sphinx-book-theme.js",
    "design-tabs.js",
)


def _defer(script: Any) -> Any:
    from sphinx.builders.html._assets import _JavaScript

    name = str(getattr(script, "filename", script)).split("?", 1)[0]
    attributes = getattr(script, "attributes", {})
    if not name.endswith(_DEFERRED) or {"defer", "async"} & set(attributes):
        return script
    return _JavaScript(script.filename, priority=script.priority, **attributes, defer="defer")


def _page_context(
    app: Any, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    del templatename
    title = re.sub(r"<[^>]+>", "", context.get("title", ""))
    context["handbook_description"] = describe(doctree, f"{title}: {app.config.project}")
    # The search page's searchtools.js runs at once and needs doctools.js loaded.
    if pagename != "search":
        context["script_files"] = [_defer(script) for script in context.get("script_files", [])]
    if "body" in context:
        context["body"] = fix_body(context["body"])
    generate = context.get("generate_toctree_html")
    if generate is not None:

        def generate_named(*args: Any, **kwargs: Any) -> str:
            return name_sidebar_summaries(str(generate(*args, **kwargs)))

        context["generate_toctree_html"] = generate_named


# -- Font Awesome out ------------------------------------------------------------

_FA_SELECTOR = re.compile(r"\.fa[a-z0-9-]*\b|\bfa-|Font Awesome")


def strip_font_awesome(css: str) -> str:
    """Remove Font Awesome's rules, font faces and variables from a minified stylesheet.

    A rule goes when every selector of it is about Font Awesome; other rules
    (and ``@media`` blocks, recursively) stay as they are.

    >>> strip_font_awesome(
    ...     '@font-face{font-family:Font Awesome 7 Free;src:url(x.woff2)}'
    ...     '.fa-bars,.fa-navicon{--fa:"x"}a{color:red}.btn .fa-lg,.btn{margin:0}'
    ...     '@media(min-width:1px){.fa-solid{display:block}p{margin:0}}'
    ... )
    'a{color:red}.btn{margin:0}@media(min-width:1px){p{margin:0}}'
    """
    out: list[str] = []
    i = 0
    while i < len(css):
        brace = css.find("{", i)
        if brace == -1:
            out.append(css[i:])
            break
        prelude = css[i:brace]
        end = _matching_brace(css, brace)
        block = css[brace + 1 : end]
        head = prelude.strip()
        if head.startswith(_GROUPS):
            inner = strip_font_awesome(block)
            if inner.strip():
                out.append(f"{prelude}{{{inner}}}")
        elif head.startswith("@font-face"):
            if "Font Awesome" not in block:
                out.append(f"{prelude}{{{block}}}")
        elif head.startswith("@"):
            out.append(f"{prelude}{{{block}}}")
        else:
            kept = [s for s in _selectors(prelude) if not _FA_SELECTOR.search(s)]
            if kept:
                out.append(f"{','.join(kept)}{{{block}}}")
        i = end + 1
    return "".join(out)


def _matching_brace(css: str, start: int) -> int:
    depth = 0
    quote = ""
    for j in range(start, len(css)):
        char = css[j]
        if quote:
            if char == quote and css[j - 1] != "\\":
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return j
    return len(css) - 1


def _selectors(prelude: str) -> list[str]:
    """Split a selector list on top-level commas (not those inside ``:is(...)``)."""
    parts, depth, current = [], 0, ""
    for char in prelude:
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return [p for p in parts if p.strip()]


_CLASS = re.compile(r"\.(-?[_a-zA-Z][\w-]*)")
_NEGATION = re.compile(r":not\((?:[^()]|\([^()]*\))*\)")
_ATTRIBUTE = re.compile(r"\[[^\]]*\]")
_GROUPS = ("@media", "@supports", "@layer", "@container")


def purge_unused(css: str, used: set[str]) -> str:
    """Remove the selectors that name a class not in ``used``; rules left empty go.

    Classes inside ``:not(...)`` do not count (a missing one matches
    everything), and at-rules other than groups are kept as they are.

    >>> purge_unused(".a,.b .zz{x:1}.c:not(.zz){y:2}@media(x){.zz{z:3}}", {"a", "b", "c"})
    '.a{x:1}.c:not(.zz){y:2}'
    """
    out: list[str] = []
    i = 0
    while i < len(css):
        brace = css.find("{", i)
        if brace == -1:
            out.append(css[i:])
            break
        prelude = css[i:brace]
        end = _matching_brace(css, brace)
        block = css[brace + 1 : end]
        head = prelude.strip()
        if head.startswith(_GROUPS):
            inner = purge_unused(block, used)
            if inner.strip():
                out.append(f"{prelude}{{{inner}}}")
        elif head.startswith("@"):
            out.append(f"{prelude}{{{block}}}")
        else:
            kept = [
                s
                for s in _selectors(prelude)
                if all(c in used for c in _CLASS.findall(_ATTRIBUTE.sub("", _NEGATION.sub("", s))))
            ]
            if kept:
                out.append(f"{','.join(kept)}{{{block}}}")
        i = end + 1
    return "".join(out)


def _used_names(outdir: Path) -> set[str]:
    """Every class in the built pages, and every word in the scripts (which add classes)."""
    used: set[str] = set()
    for page in outdir.rglob("*.html"):
        for value in re.findall(
            r'class="([^"]*)"', page.read_text(encoding="utf-8", errors="replace")
        ):
            used.update(value.split())
    for script in (outdir / "_static").rglob("*.js"):
        if not script.name.startswith("fontawesome"):
            used.update(
                re.findall(r"[A-Za-z_][\w-]*", script.read_text(encoding="utf-8", errors="replace"))
            )
    return used


# Stylesheets shipped by the theme and extensions, most of whose rules the handbook never uses.
_PURGED = ("styles/pydata-sphinx-theme.css", "sphinx-design.min.css", "mystnb.*.css")


def _restore_assets(app: Any) -> None:
    """Delete last build's slimmed stylesheets, so Sphinx copies the originals again.

    (Sphinx does not overwrite a static file that changed since it copied
    it, and the rules a page needs may have changed with the pages.)
    """
    static = Path(app.outdir) / "_static"
    for pattern in _PURGED:
        for stylesheet in static.glob(pattern):
            stylesheet.unlink()


def _slim_assets(app: Any, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    static = outdir / "_static"
    used = _used_names(outdir)
    for pattern in _PURGED:
        for stylesheet in static.glob(pattern):
            css = stylesheet.read_text(encoding="utf-8")
            # The source map describes the original file; without it nothing points there.
            css = re.sub(r"/\*# sourceMappingURL=[^*]*\*/", "", css)
            stylesheet.write_text(purge_unused(strip_font_awesome(css), used), encoding="utf-8")
    for leftover in (
        "scripts/fontawesome.js",
        "scripts/fontawesome.js.map",
        "scripts/fontawesome.js.LICENSE.txt",
    ):
        (static / leftover).unlink(missing_ok=True)
    shutil.rmtree(static / "vendor" / "fontawesome", ignore_errors=True)
    (static / "styles" / "pydata-sphinx-theme.css.map").unlink(missing_ok=True)


# -- Figures ---------------------------------------------------------------------

_KERNEL_CONFIG = """\
# Written by book/_ext/handbook/html.py for the kernels that execute the book.
c.InlineBackend.figure_formats = {"svg"}
# Text stays text (not outlines): smaller files, selectable and searchable.
c.InlineBackend.rc = {"svg.fonttype": "none", "svg.hashsalt": "handbook"}
"""


def _kernel_profile(app: Any) -> None:
    """Point the build's kernels at an IPython profile that draws figures as SVG."""
    ipython_dir = Path(app.outdir).parent / ".ipython"
    config = ipython_dir / "profile_default" / "ipython_kernel_config.py"
    config.parent.mkdir(parents=True, exist_ok=True)
    if not config.is_file() or config.read_text(encoding="utf-8") != _KERNEL_CONFIG:
        config.write_text(_KERNEL_CONFIG, encoding="utf-8")
    os.environ["IPYTHONDIR"] = str(ipython_dir)


_IMG = re.compile(r"<img\s[^>]*>")
_SRC = re.compile(r'\ssrc="([^"]+)"')
_SVG_SIZE = re.compile(
    r'<svg[^>]*?\swidth="([\d.]+)(pt|px)?"[^>]*?\sheight="([\d.]+)(pt|px)?"', re.DOTALL
)


def image_size(path: Path) -> tuple[int, int] | None:
    """Width and height in CSS px of a PNG or an SVG (matplotlib's sizes are in pt).

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     svg = Path(folder) / "f.svg"
    ...     _ = svg.write_text('<svg width="460.8pt" height="345.6pt" viewBox="0 0 460.8 345.6">')
    ...     image_size(svg)
    (614, 461)
    """
    try:
        data = path.read_bytes()[:4096]
    except OSError:
        return None
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    match = _SVG_SIZE.search(data.decode("utf-8", errors="replace"))
    if match is None:
        return None
    scale = 4 / 3 if match[2] == "pt" else 1
    return round(float(match[1]) * scale), round(
        float(match[3]) * (4 / 3 if match[4] == "pt" else 1)
    )


def size_images(page: str, folder: Path) -> str:
    """Add width, height, decoding and lazy loading to ``<img>`` tags.

    Every image waits until it is scrolled near: the handbook's pages open
    with a title, the owner line and text, so no figure is above the fold.
    """

    def sized(match: re.Match[str]) -> str:
        tag = match[0]
        source = _SRC.search(tag)
        extra = ""
        if (
            source
            and " width=" not in tag
            and not source[1].startswith(("http:", "https:", "data:"))
        ):
            size = image_size(folder / source[1].split("?", 1)[0])
            if size is not None:
                extra += f' width="{size[0]}" height="{size[1]}"'
        if " decoding=" not in tag:
            extra += ' decoding="async"'
        if " loading=" not in tag:
            extra += ' loading="lazy"'
        return tag[:4] + extra + tag[4:]

    return _IMG.sub(sized, page)


def _size_images(app: Any, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    for page in Path(app.outdir).rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        sized = size_images(text, page.parent)
        if sized != text:
            page.write_text(sized, encoding="utf-8")


def setup(app: Any) -> dict[str, Any]:
    """Register the MathML renderer and the HTML fixes with Sphinx."""
    app.add_html_math_renderer(
        "mathml",
        inline_renderers=(_visit_math, None),
        block_renderers=(_visit_displaymath, None),
    )
    # After the theme's own handler, which puts generate_toctree_html in the context.
    app.connect("html-page-context", _page_context, priority=900)
    app.connect("builder-inited", _restore_assets)
    app.connect("builder-inited", _kernel_profile)
    # Images first: the class names the stylesheets keep are read from the final pages.
    app.connect("build-finished", _size_images, priority=400)
    app.connect("build-finished", _slim_assets)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
