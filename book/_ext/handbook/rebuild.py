"""Fast rebuilds: what a rebuild would redo although nothing it depends on changed.

A contributor saves a chapter and waits for ``nox -s docs``. A fresh Sphinx
process then spent most of its time on work whose result it already had:

* **Imports for work that is not done.** MyST-NB imports jupyter-cache (and
  with it SQLAlchemy) and nbclient when it loads, to execute notebooks; a
  rebuild that executes nothing never uses them. sphinxext-opengraph imports
  matplotlib when it loads, to draw social cards; a rebuild draws a card only
  for a page whose title or description changed. Each module that imports
  them is replaced, before it is first imported, by a stand-in
  (:func:`defer_module`) that imports the real module the first time one of
  its names is called. So this extension must come first in ``extensions``.
* **Social cards already drawn.** The stand-in for sphinxext-opengraph's
  ``create_social_card`` remembers, in the doctrees folder, what each call
  returned; the same arguments with the card still on disk return the same
  path without importing matplotlib (:func:`remembered`). The card's file
  name is a hash of the same text, so the page is the same either way.
* **The bibliography, formatted again.** sphinxcontrib-bibtex formats every
  cited entry at every build's ``env-updated``, even when no page was read.
  The formatted citations depend only on its domain's data (which pages cite
  which keys, the bibliography directives, the parsed ``.bib`` files), the
  order of the pages and four settings; when a fingerprint of all of them is
  the one of the last formatting, the citations of that formatting are used
  again (:func:`citations_fingerprint`). A ``.bib`` edit or a new citation
  changes the fingerprint, and then the pages with a bibliography are
  written again too (sphinxcontrib-bibtex alone left the bibliography page
  without a citation added to another page, until a full build).
* **Templates compiled again.** Jinja compiles every template in every
  process; a bytecode cache in the doctrees folder keeps the compiled
  templates (Jinja checks each against its source).
* **The search and 404 pages, rendered again.** In a build that read and
  wrote no page they come out as they are; they are then left alone.

Every saving gives the same pages: the book tests build with it, and
``tests/book_ext/test_rebuild.py`` checks the stand-ins (nothing heavy is
imported; called, they give the real classes and defaults), the citations
after a ``.bib`` edit and a new citation, and the search page.
"""

from __future__ import annotations

import ast
import hashlib
import importlib
import importlib.machinery
import json
import pickle
import sys
import types
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from handbook._written import pages_written, track

__all__ = [
    "citations_fingerprint",
    "defer_module",
    "literal",
    "remembered",
    "setup",
]

#: Modules replaced by stand-ins, and the names each stand-in provides that
#: callers use only by calling them (classes, to construct an instance).
_DEFERRED: dict[str, tuple[str, ...]] = {
    # jupyter-cache and SQLAlchemy, nbclient: only to execute a notebook.
    "myst_nb.core.execute.cache": ("NotebookClientCache",),
    "myst_nb.core.execute.direct": ("NotebookClientDirect",),
    "myst_nb.core.execute.inline": ("NotebookClientInline",),
}
_SOCIAL_CARDS = "sphinxext.opengraph._social_cards"


def _real(name: str) -> types.ModuleType:
    """Import the real module ``name`` in place of its stand-in, once."""
    module = sys.modules.get(name)
    if module is not None and not getattr(module, "__handbook_stand_in__", False):
        return module
    sys.modules.pop(name, None)
    real = importlib.import_module(name)
    parent, _, child = name.rpartition(".")
    if parent in sys.modules:
        setattr(sys.modules[parent], child, real)
    return real


def _calling(module: str, name: str) -> Callable[..., Any]:
    def call(*args: Any, **kwargs: Any) -> Any:
        return getattr(_real(module), name)(*args, **kwargs)

    call.__name__ = call.__qualname__ = name
    call.__doc__ = f"Import {module} and call its {name} (a stand-in, see handbook.rebuild)."
    return call


def defer_module(name: str, callables: Iterable[str], **values: Any) -> bool:
    """Put a stand-in for module ``name`` into ``sys.modules``, until one of its names is called.

    Each name in ``callables`` becomes a function that imports the real
    module and calls the real name (a class is called to make an instance);
    ``values`` are the stand-in's other names. Nothing happens when ``name``
    is already imported. Returns whether a stand-in was put in place.

    >>> _ = sys.modules.pop("colorsys", None)  # as if not imported yet
    >>> defer_module("colorsys", ["rgb_to_hsv"], answer=42)
    True
    >>> stand_in = sys.modules["colorsys"]
    >>> stand_in.answer, stand_in.__handbook_stand_in__
    (42, True)
    >>> stand_in.rgb_to_hsv(1.0, 0.0, 0.0)  # imports the real colorsys, then calls it
    (0.0, 1.0, 1.0)
    >>> sys.modules["colorsys"] is stand_in, hasattr(sys.modules["colorsys"], "hls_to_rgb")
    (False, True)
    >>> defer_module("colorsys", ["rgb_to_hsv"])  # already imported: left alone
    False
    """
    if name in sys.modules:
        return False
    stand_in = types.ModuleType(name, f"Stand-in for {name} (handbook.rebuild).")
    stand_in.__handbook_stand_in__ = True
    for callable_name in callables:
        setattr(stand_in, callable_name, _calling(name, callable_name))
    for value_name, value in values.items():
        setattr(stand_in, value_name, value)
    sys.modules[name] = stand_in
    return True


def _source(name: str) -> Path | None:
    """The source file of module ``name``, found without importing it or its package."""
    parent, _, child = name.rpartition(".")
    search: list[str] | None = None
    for part in parent.split(".") if parent else []:
        spec = importlib.machinery.PathFinder.find_spec(part, search)
        if spec is None or spec.submodule_search_locations is None:
            return None
        search = list(spec.submodule_search_locations)
    spec = importlib.machinery.PathFinder.find_spec(child, search)
    return Path(spec.origin) if spec is not None and spec.origin else None


def literal(path: Path, name: str) -> Any:
    """The value of the module-level assignment ``name = <literal>`` in the Python file ``path``.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     module = Path(folder) / "m.py"
    ...     _ = module.write_text("import os" + chr(10) + "DEFAULTS = {'enable': True}")
    ...     literal(module, "DEFAULTS")
    {'enable': True}
    """
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == name for target in node.targets
        ):
            return ast.literal_eval(node.value)
    msg = f"{path}: no module-level assignment to {name}"
    raise LookupError(msg)


def remembered(real: Callable[..., Path]) -> Callable[..., Path]:
    """``create_social_card``, remembering its result per argument list, across builds.

    The card is a function of the arguments (its file name is a hash of its
    text); a call with the arguments of an earlier one whose card is still in
    the output folder returns that card's path, without calling ``real``.
    What was remembered is kept in ``handbook-social-cards.json`` in the
    doctrees folder (the environment is saved before pages are written, so
    it cannot hold it).

    >>> import tempfile
    >>> from types import SimpleNamespace
    >>> calls = []
    >>> def draw(title, *, outdir, env):
    ...     calls.append(title)
    ...     (Path(outdir) / f"{title}.png").write_text("card")
    ...     return Path(f"{title}.png")
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     env = SimpleNamespace(doctreedir=folder)
    ...     first = remembered(draw)("Team", outdir=folder, env=env)
    ...     again = remembered(draw)("Team", outdir=folder, env=env)  # as in the next build
    ...     (Path(folder) / "Team.png").unlink()
    ...     drawn_again = remembered(draw)("Team", outdir=folder, env=env)
    >>> first, again, drawn_again, calls
    (PosixPath('Team.png'), PosixPath('Team.png'), PosixPath('Team.png'), ['Team', 'Team'])
    """

    def create_social_card(*args: Any, **kwargs: Any) -> Path:
        outdir = Path(kwargs["outdir"])
        memory = Path(kwargs["env"].doctreedir) / "handbook-social-cards.json"
        key = repr((args, sorted((k, v) for k, v in kwargs.items() if k != "env")))
        try:
            cards: dict[str, str] = json.loads(memory.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            cards = {}
        known = cards.get(key)
        if known is not None and (outdir / known).is_file():
            return Path(known)
        path = real(*args, **kwargs)
        cards[key] = path.as_posix()
        memory.parent.mkdir(parents=True, exist_ok=True)
        memory.write_text(json.dumps(cards, indent=0, sort_keys=True), encoding="utf-8")
        return path

    return create_social_card


def _defer_social_cards() -> None:
    source = _source(_SOCIAL_CARDS)
    if source is None:
        return  # sphinxext-opengraph without social cards: nothing to defer
    try:
        defaults = literal(source, "DEFAULT_SOCIAL_CONFIG")
    except (OSError, SyntaxError, ValueError, LookupError):
        return  # another sphinxext-opengraph: it imports matplotlib as it always did
    card = remembered(_calling(_SOCIAL_CARDS, "create_social_card"))
    defer_module(_SOCIAL_CARDS, [], DEFAULT_SOCIAL_CONFIG=defaults, create_social_card=card)


# -- sphinxcontrib-bibtex ----------------------------------------------------------


def citations_fingerprint(domain: Any, docnames: list[str], config: Any) -> str:
    """A digest of everything the bibtex domain's ``env_updated`` formats citations from.

    That is: the parsed ``.bib`` files (their modification times and keys, as
    sphinxcontrib-bibtex itself decides whether to parse them again), every
    bibliography directive (with the ids of its citation nodes), every
    citation reference, the order of the pages, and the settings it reads.
    """
    # In their order: a key in two bibliographies resolves to the first.
    bibliographies = [
        (
            repr(key),
            repr(value._replace(citation_nodes=None, filter_=ast.dump(value.filter_))),
            sorted((k, tuple(node["ids"])) for k, node in value.citation_nodes.items()),
        )
        for key, value in domain.bibliographies.items()
    ]
    # Citation order counts within a page, in the order of the pages: a page
    # read again puts its references last in the list, which changes nothing.
    position = {docname: i for i, docname in enumerate(docnames)}
    references = sorted(domain.citation_refs, key=lambda ref: position.get(ref.docname, -1))
    parts = (
        domain.bibdata.encoding,
        sorted((str(path), repr(info)) for path, info in domain.bibdata.bibfiles.items()),
        bibliographies,
        [repr(ref) for ref in references],
        docnames,
        config.bibtex_tooltips,
        config.bibtex_tooltips_style,
        config.bibtex_default_style,
        config.bibtex_reference_style,
    )
    return hashlib.sha256(pickle.dumps(parts)).hexdigest()


def _skip_unchanged_citations(app: Any, config: Any) -> None:
    """Replace sphinxcontrib-bibtex's ``env-updated`` handler by one that formats only when needed."""
    del config
    try:
        from sphinxcontrib import bibtex
        from sphinxcontrib.bibtex.domain import get_docnames
    except ImportError:
        return
    listeners = [
        listener
        for listener in app.events.listeners.get("env-updated", [])
        if listener.handler is bibtex.env_updated
    ]
    if not listeners:
        return
    for listener in listeners:
        app.disconnect(listener.id)

    def env_updated(app: Any, env: Any) -> list[str]:
        domain = env.get_domain("cite")
        fingerprint = citations_fingerprint(domain, list(get_docnames(env)), env.config)
        last = getattr(env, "handbook_citations", None)
        if last is not None and last[0] == fingerprint:
            domain.data["citations"] = list(last[1])
            return []
        updated = list(bibtex.env_updated(app, env))
        env.handbook_citations = (fingerprint, list(domain.citations))
        # The pages with a bibliography list the citations when they are
        # written: write them again (sphinxcontrib-bibtex alone would not,
        # and a citation added to a chapter was missing from the bibliography
        # page until a full build).
        return sorted({*updated, *(key.docname for key in domain.bibliographies)})

    app.connect("env-updated", env_updated, priority=listeners[0].priority)


# -- Jinja -------------------------------------------------------------------------


def _cache_templates(app: Any) -> None:
    """Give the builder's Jinja environment a bytecode cache in the doctrees folder."""
    environment = getattr(getattr(app.builder, "templates", None), "environment", None)
    if environment is None or getattr(environment, "bytecode_cache", None) is not None:
        return
    import jinja2
    import sphinx

    # Jinja checks each cached template against its source, but not against
    # the environment that compiled it: a folder per Jinja, Sphinx and
    # environment set-up keeps one's code from being run by another.
    key = repr(
        (
            jinja2.__version__,
            sphinx.__version__,
            sorted(environment.extensions),
            environment.autoescape,
            type(environment).__name__,
        )
    )
    folder = Path(app.doctreedir) / "handbook-jinja" / hashlib.sha256(key.encode()).hexdigest()[:16]
    folder.mkdir(parents=True, exist_ok=True)
    environment.bytecode_cache = jinja2.FileSystemBytecodeCache(str(folder))


# -- Pages Sphinx makes itself ------------------------------------------------------

_READ = "_handbook_read_or_removed"


def _note_read(app: Any, env: Any, docnames: list[str]) -> None:
    del env
    if docnames:
        setattr(app, _READ, True)


def _note_removed(app: Any, env: Any, docname: str) -> None:
    del env, docname
    setattr(app, _READ, True)


def _keep_unchanged_special_pages(app: Any) -> None:
    """Leave the search and 404 pages as they are when the build changed no page.

    Sphinx renders them in every build (the whole sidebar, through the
    theme's templates), although what they show, the table of contents and
    the configuration, can only change with a page that is read or written
    again (a changed configuration or template rewrites every page, a
    changed stylesheet reaches them through the bundle, handbook.html). So in
    a build that read, removed and wrote no document, a page without a
    document whose file is already there is not rendered again.
    """
    builder = app.builder
    if builder.name not in ("html", "dirhtml"):
        return  # the EPUB, for one, is assembled again from every page anyway
    render = builder.handle_page

    def handle_page(pagename: str, addctx: Any, *args: Any, **kwargs: Any) -> None:
        unchanged = (
            kwargs.get("event_arg") is None
            and not getattr(app, _READ, False)
            and not pages_written(app)
        )
        if unchanged and Path(builder.get_outfilename(pagename)).is_file():
            return
        render(pagename, addctx, *args, **kwargs)

    builder.handle_page = handle_page


def setup(app: Any) -> dict[str, Any]:
    """Put the stand-ins in place and connect the bibtex, Jinja and special-page savings."""
    for name, callables in _DEFERRED.items():
        defer_module(name, callables)
    _defer_social_cards()
    # After every extension's setup, so that sphinxcontrib-bibtex's handler is connected.
    app.connect("config-inited", _skip_unchanged_citations)
    app.connect("builder-inited", _cache_templates)
    track(app)
    app.connect("env-before-read-docs", _note_read)
    app.connect("env-purge-doc", _note_removed)
    app.connect("builder-inited", _keep_unchanged_special_pages)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
