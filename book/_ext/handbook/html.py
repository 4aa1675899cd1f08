"""The handbook's HTML, fixed where the theme and extensions fall short of it.

A small Sphinx extension, loaded from ``book/conf.py``:

* math is converted to MathML at build time (``html_math_renderer =
  "mathml"``), which browsers draw natively: no MathJax, no request to a CDN,
  no raw TeX when offline;
* checklist items (MyST's ``tasklist``) get a ``<label>`` around their
  checkbox and text, so the checkbox has the item as its accessible name;
* the bibliography uses list roles (``doc-biblioentry`` is deprecated in
  DPUB-ARIA 1.1 and a ``list`` needs ``listitem`` children);
* pages carry fewer elements for the browser to style and lay out: the
  ``<span>`` Pygments puts around every code token is dropped where the token
  is drawn exactly like the code around it in both the light and the dark
  style (names, punctuation, spaces: a third of a notebook page's elements),
  and the ``<style>`` pandas writes before every table (the same three rules
  each time, and each one restyles the whole page while it loads) goes, the
  rules being in ``handbook.css`` once;
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

import fnmatch
import functools
import hashlib
import html
import os
import posixpath
import re
import shutil
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from docutils import nodes

__all__ = [
    "STYLESHEETS_END",
    "STYLESHEETS_START",
    "describe",
    "fix_body",
    "image_size",
    "merge_stylesheets",
    "name_sidebar_summaries",
    "plain_token_classes",
    "purge_unused",
    "rebase_urls",
    "setup",
    "size_images",
    "source_version",
    "strip_font_awesome",
    "unwrap_plain_tokens",
]


# -- Math ----------------------------------------------------------------------


def _mathml(latex: str, display: str) -> str:
    # Imported at the first formula: a rebuild that writes no page with math
    # does not pay for it (about 0.08 s of every start).
    from latex2mathml.converter import convert

    return str(convert(latex.strip(), display=display))


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

    What it writes is also well-formed XML, as the EPUB's XHTML pages must be:
    the checkbox tag is closed, and pandas' ``<style scoped>`` (an attribute
    without a value, and one no browser implements) loses ``scoped``. The
    ``<style>`` pandas writes before each table goes when it is the usual one
    (its rules are in ``handbook.css``).

    >>> fix_body('<li class="task-list-item"><p><input class="task-list-item-checkbox" '
    ...          'type="checkbox">Do it.</p></li>')
    '<li class="task-list-item"><p><label><input class="task-list-item-checkbox" type="checkbox" />Do it.</label></p></li>'
    >>> fix_body('<div role="list"><div class="citation" role="doc-biblioentry">x</div></div>')
    '<div role="list"><div class="citation" role="listitem">x</div></div>'
    >>> pandas = ('<style scoped> .dataframe tbody tr th:only-of-type { vertical-align: middle; }'
    ...           ' .dataframe tbody tr th { vertical-align: top; }'
    ...           ' .dataframe thead th { text-align: right; } </style> <table class="dataframe">')
    >>> fix_body(pandas)
    '<table class="dataframe">'
    >>> fix_body('<style>.dataframe thead th { color: red; }</style><table>')
    '<style>.dataframe thead th { color: red; }</style><table>'
    """
    body = _TASK.sub(_labelled_task, body)
    body = body.replace('role="doc-biblioentry"', 'role="listitem"')
    body = _STYLE.sub(_without_pandas_table_style, body)
    body = body.replace("<style scoped>", "<style>")
    # A figure whose image is SVG scrolls sideways on a phone instead of
    # shrinking (handbook.css); a scrolling region must be reachable by keyboard.
    body = _SVG_FIGURE.sub(r'<figure class="\1 handbook-wide-figure" tabindex="0"\2', body)
    return body.replace('<summary aria-label="Toggle hidden content">', "<summary>")


# The rules pandas' ``DataFrame.to_html`` (and so every notebook table) writes
# in a ``<style>`` before each table: the first three for every table, the
# last two instead of the third when the columns have several levels.
# handbook.css has them all once (together they style both kinds of table as
# pandas intends); a ``<style>`` holding only these rules goes.
_PANDAS_TABLE_RULES = frozenset(
    {
        ".dataframe tbody tr th:only-of-type { vertical-align: middle; }",
        ".dataframe tbody tr th { vertical-align: top; }",
        ".dataframe thead th { text-align: right; }",
        ".dataframe thead tr th { text-align: left; }",
        ".dataframe thead tr:last-of-type th { text-align: right; }",
    }
)
_STYLE = re.compile(r"<style(?: scoped)?>([^<]*)</style>\s*")
_RULE = re.compile(r"[^{}]+\{[^{}]*\}")


def _without_pandas_table_style(match: re.Match[str]) -> str:
    rules = [" ".join(rule.split()) for rule in _RULE.findall(match[1])]
    leftover = _RULE.sub("", match[1]).strip()
    if rules and not leftover and set(rules) <= _PANDAS_TABLE_RULES:
        return ""
    return match[0]


@functools.cache
def plain_token_classes(*styles: str) -> frozenset[str]:
    """The Pygments token classes drawn exactly like plain code text in every style.

    A token's ``<span>`` only matters if its class changes how the token looks.
    In each of ``styles`` (the light and the dark Pygments style), a class is
    plain when it has no rule of its own or the same rule as plain text. An
    unknown style name makes nothing plain.

    >>> sorted(plain_token_classes("a11y-high-contrast-light", "a11y-high-contrast-dark"))
    ['n', 'nn', 'nx', 'p', 'pm', 'w']
    >>> plain_token_classes("no-such-style")
    frozenset()
    """
    from pygments.formatters import HtmlFormatter
    from pygments.util import ClassNotFound

    plain: set[str] | None = None
    for style in styles:
        try:
            formatter = HtmlFormatter(style=style)
        except ClassNotFound:
            return frozenset()
        text = formatter.class2style.get("", ("",))[0]
        here = {
            name
            for name in formatter.ttype2class.values()
            if name and formatter.class2style.get(name, (text,))[0] == text
        }
        plain = here if plain is None else plain & here
    return frozenset(plain or ())


_PRE = re.compile(r"<pre\b[^>]*>.*?</pre>", re.DOTALL)


def unwrap_plain_tokens(body: str, classes: Iterable[str]) -> str:
    """Drop the ``<span>`` around code tokens whose class is in ``classes``.

    Only inside ``<pre>`` blocks, and only spans with that one class: the text
    stays as it was, so what a reader sees, copies and searches is unchanged.

    >>> unwrap_plain_tokens('<pre><span class="n">x</span> <span class="o">=</span></pre>', {"n"})
    '<pre>x <span class="o">=</span></pre>'
    >>> unwrap_plain_tokens('<p><span class="n">x</span></p>', {"n"})
    '<p><span class="n">x</span></p>'
    """
    names = "|".join(sorted(re.escape(name) for name in classes))
    if not names:
        return body
    token = re.compile(rf'<span class="(?:{names})">([^<]*)</span>')
    return _PRE.sub(lambda block: token.sub(r"\1", block[0]), body)


def _labelled_task(match: re.Match[str]) -> str:
    checkbox = match[2] if match[2].endswith("/>") else match[2][:-1].rstrip() + " />"
    return f"{match[1]}<label>{checkbox}{match[3]}</label>{match[4]}"


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
        styles = (
            context.get("theme_pygments_light_style", ""),
            context.get("theme_pygments_dark_style", ""),
        )
        context["body"] = unwrap_plain_tokens(
            fix_body(context["body"]), plain_token_classes(*styles)
        )
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
    return _filter_rules(
        css,
        keep=lambda selector: not _FA_SELECTOR.search(selector),
        drop_at_rule=lambda head, block: head.startswith("@font-face") and "Font Awesome" in block,
    )


def _filter_rules(
    css: str,
    keep: Callable[[str], bool],
    drop_at_rule: Callable[[str, str], bool] | None = None,
) -> str:
    """Keep the selectors of ``css`` for which ``keep`` is true; rules left with none go.

    Group rules (``@media``, ``@supports``, ...) are filtered inside, and go
    when nothing is left in them; other at-rules stay unless ``drop_at_rule``
    (given the rule's head and block) says otherwise.
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
            inner = _filter_rules(block, keep, drop_at_rule)
            if inner.strip():
                out.append(f"{prelude}{{{inner}}}")
        elif head.startswith("@"):
            if drop_at_rule is None or not drop_at_rule(head, block):
                out.append(f"{prelude}{{{block}}}")
        else:
            kept = [s for s in _selectors(prelude) if keep(s)]
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

    def uses_only_known_classes(selector: str) -> bool:
        bare = _ATTRIBUTE.sub("", _NEGATION.sub("", selector))
        return all(name in used for name in _CLASS.findall(bare))

    return _filter_rules(css, keep=uses_only_known_classes)


def _used_names(pages: Iterable[str], static: Path) -> set[str]:
    """Every class in the built pages, and every word in the scripts (which add classes)."""
    used: set[str] = set()
    for page in pages:
        for value in re.findall(r'class="([^"]*)"', page):
            used.update(value.split())
    for script in static.rglob("*.js"):
        if not script.name.startswith("fontawesome"):
            used.update(
                re.findall(r"[A-Za-z_][\w-]*", script.read_text(encoding="utf-8", errors="replace"))
            )
    return used


# Stylesheets shipped by the theme and extensions, most of whose rules the handbook never uses.
_PURGED = ("styles/pydata-sphinx-theme.css", "sphinx-design.min.css", "mystnb.*.css")


def _restore_assets(app: Any) -> None:
    """Delete slimmed stylesheets left by builds before the bundle, so Sphinx copies the originals.

    (Sphinx does not overwrite a static file that changed since it copied
    it; the bundle is made from the originals.)
    """
    static = Path(app.outdir) / "_static"
    for pattern in _PURGED:
        for stylesheet in static.glob(pattern):
            stylesheet.unlink()


# -- One stylesheet --------------------------------------------------------------
#
# Each page links ten stylesheets (Sphinx's, the theme's, pygments', MyST-NB's,
# sphinx-design's, copybutton's, the handbook's own), and every one of them
# blocks the first paint: on a phone's connection, ten requests over at most
# six connections cost round trips before any text shows. book/_templates/
# layout.html marks where they are linked; after the build they are merged,
# in their order, into one file named by its content's hash
# (``_static/handbook-bundle.<hash>.css``), which the pages link instead.

STYLESHEETS_START = "<!-- handbook:stylesheets -->"
STYLESHEETS_END = "<!-- /handbook:stylesheets -->"
_BUNDLE_PREFIX = "handbook-bundle."
_BUNDLE_HEADER = re.compile(r"^/\* handbook-bundle of: (?P<sources>[^*]*) \*/")
_LINK = re.compile(r"<link\b[^>]*>")
_HREF = re.compile(r'\shref="([^"]+)"')
_MEDIA = re.compile(r'\smedia="([^"]*)"')
_URL = re.compile(r"""url\((?P<quote>["']?)(?P<target>[^"')]+)(?P=quote)\)""")


def rebase_urls(css: str, folder: str) -> str:
    """Make the relative ``url(...)`` targets of a stylesheet in ``folder`` relative to its parent.

    >>> rebase_urls('a{background:url("../img/x.png")}b{c:url(data:x)}', "styles")
    'a{background:url("styles/../img/x.png")}b{c:url(data:x)}'
    >>> rebase_urls("a{b:url(x.png)}", "")
    'a{b:url(x.png)}'
    """
    if folder in ("", "."):
        return css

    def rebased(match: re.Match[str]) -> str:
        target = match["target"]
        if target.startswith(("data:", "http:", "https:", "/", "#")):
            return match[0]
        return f"url({match['quote']}{folder}/{target}{match['quote']})"

    return _URL.sub(rebased, css)


def merge_stylesheets(static: Path, sources: Sequence[str], used: set[str]) -> str:
    """The stylesheets ``sources`` (paths under ``static``) as one, in order.

    The theme's and extensions' big stylesheets lose Font Awesome and the
    rules for classes not in ``used``; the first line names the sources, so a
    later build can make the bundle again for pages it did not rewrite.
    """
    parts = [f"/* handbook-bundle of: {' '.join(sources)} */"]
    for source in sources:
        css = (static / source).read_text(encoding="utf-8")
        # A source map describes the original file; nothing points there any more.
        css = re.sub(r"/\*# sourceMappingURL=[^*]*\*/", "", css)
        if any(fnmatch.fnmatch(source, pattern) for pattern in _PURGED):
            css = purge_unused(strip_font_awesome(css), used)
        parts.append(rebase_urls(css, posixpath.dirname(source)))
    return "\n".join(parts) + "\n"


def _bundle_sources(static: Path, link: str) -> list[str] | None:
    """The sources of a bundle an already rewritten page links, from the bundle's first line."""
    try:
        first = (static / link).read_text(encoding="utf-8").split("\n", 1)[0]
    except OSError:
        return None
    match = _BUNDLE_HEADER.match(first)
    return match["sources"].split() if match else None


class _Bundler:
    """Makes each distinct bundle once per build and links pages to it."""

    def __init__(self, static: Path, used: set[str], cache: Path | None = None) -> None:
        self.static = static
        self.used = used
        self.made: dict[tuple[str, ...], str] = {}
        # The bundle depends only on its sources and the class names the
        # pages use: a rebuild that changed neither takes it from this cache
        # (purging the theme's stylesheet is most of a no-op rebuild's work).
        self.cache = cache
        self.cached: set[Path] = set()

    def _merged(self, sources: Sequence[str]) -> str:
        if self.cache is None:
            return merge_stylesheets(self.static, sources, self.used)
        key = hashlib.sha256(" ".join(sorted(self.used)).encode())
        for source in sources:
            key.update(source.encode() + b"\0" + (self.static / source).read_bytes())
        cached = self.cache / f"{key.hexdigest()}.css"
        self.cached.add(cached)
        if cached.is_file():
            return cached.read_text(encoding="utf-8")
        css = merge_stylesheets(self.static, sources, self.used)
        self.cache.mkdir(parents=True, exist_ok=True)
        cached.write_text(css, encoding="utf-8")
        return css

    def bundle(self, sources: Sequence[str]) -> str:
        key = tuple(sources)
        if key not in self.made:
            css = self._merged(sources)
            digest = hashlib.sha256(css.encode()).hexdigest()[:12]
            name = f"{_BUNDLE_PREFIX}{digest}.css"
            path = self.static / name
            if not path.is_file() or path.read_text(encoding="utf-8") != css:
                path.write_text(css, encoding="utf-8")
            self.made[key] = name
        return self.made[key]

    def link(self, page: str, page_path: Path) -> str:
        """``page`` with its marked stylesheets replaced by a link to their bundle."""
        start = page.find(STYLESHEETS_START)
        end = page.find(STYLESHEETS_END, start)
        if start == -1 or end == -1:
            return page
        block = page[start + len(STYLESHEETS_START) : end]
        sources: list[str] = []
        kept: list[str] = []
        # Where _static/ is, as the page links it: "../_static/", or
        # "/handbook/_static/" on the 404 page, whose links are absolute.
        static_href = ""
        for tag in _LINK.findall(block):
            href, media = _HREF.search(tag), _MEDIA.search(tag)
            at = href[1].find("_static/") if href else -1
            if 'rel="stylesheet"' not in tag or at == -1 or (media and media[1] != "all"):
                kept.append(tag)
                continue
            assert href is not None
            static_href = href[1][: at + len("_static/")]
            source = href[1][at + len("_static/") :].split("?", 1)[0]
            if source.startswith(_BUNDLE_PREFIX):
                earlier = _bundle_sources(self.static, source)
                if earlier is None:
                    msg = f"{page_path}: links {source}, which names no sources; rebuild afresh"
                    raise RuntimeError(msg)
                sources.extend(earlier)
            else:
                sources.append(source)
        if not sources:
            return page
        links = "\n".join(
            [f'<link rel="stylesheet" href="{static_href}{self.bundle(sources)}" />', *kept]
        )
        return f"{page[: start + len(STYLESHEETS_START)]}\n{links}\n{page[end:]}"

    def remove_stale(self) -> None:
        """Delete the bundles of earlier builds that no page links any more."""
        current = set(self.made.values())
        for stale in self.static.glob(f"{_BUNDLE_PREFIX}*.css"):
            if stale.name not in current:
                stale.unlink()
        if self.cache is not None:
            for stale_cached in set(self.cache.glob("*.css")) - self.cached:
                stale_cached.unlink()


# documentation_options.js is the one script that must run before the page's
# inline scripts; as a file it is one more request that blocks the first paint.
_OPTIONS_SCRIPT = re.compile(r'<script src="[^"]*_static/documentation_options\.js[^"]*"></script>')


def _inline_options(page: str, options: str | None) -> str:
    if options is None:
        return page
    return _OPTIONS_SCRIPT.sub(lambda _: f"<script>{options.strip()}</script>", page, count=1)


def _finish_pages(app: Any, exception: Exception | None) -> None:
    """One pass over the written pages: sizes of images, one stylesheet, inline options."""
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    static = outdir / "_static"
    pages = {path: path.read_text(encoding="utf-8") for path in outdir.rglob("*.html")}
    cache = (
        Path(app.doctreedir) / "handbook-bundle-css" if getattr(app, "doctreedir", None) else None
    )
    bundler = _Bundler(static, _used_names(pages.values(), static), cache)
    options_file = static / "documentation_options.js"
    options = options_file.read_text(encoding="utf-8") if options_file.is_file() else None
    for path, page in pages.items():
        finished = _inline_options(bundler.link(size_images(page, path.parent), path), options)
        if finished != page:
            path.write_text(finished, encoding="utf-8")
    if bundler.made:
        bundler.remove_stale()
    for leftover in (
        "scripts/fontawesome.js",
        "scripts/fontawesome.js.map",
        "scripts/fontawesome.js.LICENSE.txt",
        "styles/pydata-sphinx-theme.css.map",
    ):
        (static / leftover).unlink(missing_ok=True)
    shutil.rmtree(static / "vendor" / "fontawesome", ignore_errors=True)


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
    # After every other handler that writes files into _static: the theme
    # rewrites pygments.css at build-finished (priority 500), and the bundle
    # must be made from what the pages would otherwise have linked.
    app.connect("build-finished", _finish_pages, priority=900)
    return {
        "parallel_read_safe": True,
        "parallel_write_safe": True,
        "env_version": source_version(),
    }


def source_version(folder: Path = Path(__file__).parent) -> int:
    """A number that changes whenever a source file of the book's extensions changes.

    Sphinx keeps what an earlier build read only while every extension reports
    the ``env_version`` it reported then; given this, an edit to any module in
    ``book/_ext/handbook`` makes the next ``nox -s docs`` read and write every
    page again, so the edit shows without ``-E``. Notebooks are not executed
    again: their cache is keyed by their code.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     _ = (Path(tmp) / "a.py").write_text("x = 1")
    ...     before = source_version(Path(tmp))
    ...     _ = (Path(tmp) / "a.py").write_text("x = 2")
    ...     before != source_version(Path(tmp))
    True
    """
    digest = hashlib.sha256()
    for source in sorted(folder.glob("*.py")):
        digest.update(source.name.encode() + b"\0" + source.read_bytes() + b"\0")
    return int(digest.hexdigest()[:12], 16)
