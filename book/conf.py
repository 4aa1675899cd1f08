"""Sphinx configuration of The ML Organization Handbook.

Build from the repository root with ``sphinx-build -c book . _build/html``
(``nox -s docs`` does this): the source directory is the root so that
``_toc.yml`` can list both ``book/`` chapters and ``examples/`` notebooks.

Keep every value plain data (strings, numbers, lists, dicts) and put no
``setup()`` here: ``tools/jupyter_book_config.py`` turns this file into the
``_config.yml`` of the Jupyter Book 1.x compatibility build, so this file is
the only configuration anybody edits.
"""

from __future__ import annotations

import importlib.metadata
import os
import sys
from pathlib import Path

# The book's own Sphinx extensions live beside it, in book/_ext/handbook; they
# are part of the book, not of the mlorg package a reader installs.
_EXT = str(Path(__file__).resolve().parent / "_ext")
if _EXT not in sys.path:
    sys.path.insert(0, _EXT)

from mlorg._common import project_url as _project_url

_metadata = importlib.metadata.metadata("mlorg")

# -- Project -------------------------------------------------------------------

project = "The ML Organization Handbook"
author = "The ML Organization Handbook contributors"
copyright = f"2026, {author}"
# The version comes from the package metadata (pyproject.toml), nothing else.
release = _metadata["Version"]
version = release

# -- General -------------------------------------------------------------------

extensions = [
    # Ours (book/_ext/handbook), first: it puts stand-ins in place of modules that
    # MyST-NB and sphinxext-opengraph import only to execute notebooks and draw
    # social cards, before they load, and skips a rebuild's repeated work.
    "handbook.rebuild",
    "myst_nb",
    "sphinx_copybutton",
    "sphinx_design",
    "sphinx_external_toc",
    "sphinxcontrib.bibtex",
    # "Last updated" on every page, from git.
    "sphinx_last_updated_by_git",
    # The toolkit reference (reference/), from the docstrings (Google style).
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    # Ours (book/_ext/handbook): notebooks execute in parallel, and a failed one
    # fails the build, even without -W;
    "handbook.execution",
    # chapters declare owner, last review and status, shown on the page;
    "handbook.freshness",
    # the Colab button opens the notebooks published as .ipynb.
    "handbook.colab",
    # math as MathML, labelled checklists, no Font Awesome, slim CSS.
    "handbook.html",
]
external_toc_path = "_toc.yml"
# Only files listed in _toc.yml are part of the book (README.md, tests, ...
# are not); the patterns below also keep Sphinx from walking build trees.
external_toc_exclude_missing = True
exclude_patterns = [
    "_build",
    ".*",  # .nox, .venv, .github, .pytest_cache, ...
    "benchmarks",
    "requirements",
    "src",
    "tests",
    "tools",
    "**.ipynb_checkpoints",
]
nitpicky = True
language = "en"
# Outside a git checkout (a tarball, a test's throwaway book) pages simply
# have no "last updated" date; that is not worth failing the build for.
suppress_warnings = ["git.subprocess_error", "git.command_not_found"]
# Keep source links (and the theme's download and launch buttons, which need
# them) on pages git does not know yet.
git_untracked_show_sourcelink = True

# -- Toolkit reference (reference/*.md) ---------------------------------------

autodoc_member_order = "bysource"
# Type hints in the parameter descriptions, not in long signatures.
autodoc_typehints = "description"
napoleon_google_docstring = True
napoleon_numpy_docstring = False
# No inventory of pandas, pandera, MLflow, networkx or Python is kept in the
# repository, and builds download nothing; so their types stay plain text
# instead of links (instead of failing the nitpicky build).
nitpick_ignore_regex = [
    (
        "py:.*",
        r"(pandas|pd|pandera|pa|mlflow|networkx|nx|numpy|np|scipy|matplotlib|yaml|codeowners)\..*",
    ),
    ("py:mod", r"(ast|importlib|modulefinder)"),
    # Private: the cached measurements a report carries (not part of the API).
    ("py:class", r"(mlorg\.orggraph\.|mlorg\._orggraph\.metrics\.)?_Coordination"),
    ("py:.*", r"(collections\.abc|os|pathlib|typing|datetime|argparse)\..*"),
    ("py:class", r"(Path|PathLike|Sequence|Mapping|Iterable|Iterator|Literal|Any|Callable)"),
    ("py:.*", r"(Figure|DataFrame|Series|DataFrameSchema|NDArray|ArgumentParser|MlflowClient)"),
    # Type aliases (Literal[...]) in signatures: autodoc cannot link them.
    ("py:class", r"(mlorg\.explog\.)?(Decision|ReportFormat)"),
]

# -- Living chapters (handbook.freshness) ---------------------------------------

handbook_chapters = ["book/*"]
handbook_chapters_exclude = [
    "book/index",
    "book/contributing",
    "book/changelog",
    "book/glossary",
    "book/bibliography",
]
# A chapter whose last review is older than this is flagged (not failed).
handbook_review_months = 12

# -- MyST and notebooks --------------------------------------------------------

myst_enable_extensions = [
    "attrs_block",
    "attrs_inline",
    "colon_fence",
    "deflist",
    "dollarmath",
    "fieldlist",
    "substitution",
    "tasklist",
]
myst_heading_anchors = 3
myst_substitutions = {"version": release}

# Execute notebooks during every build; jupyter-cache (in _build/.jupyter_cache)
# re-executes a notebook only when its code changes.
nb_execution_mode = "cache"
# A cell running longer than this (seconds) fails the build instead of hanging it.
nb_execution_timeout = 120
# Any cell error fails the build; a cell that is meant to fail says so with
# the `raises-exception` tag. MyST-NB reports the failing notebook, cell and
# traceback as a warning; handbook.execution then fails the build.
# (raise_on_error would abort with Sphinx's crash report instead.)
nb_execution_allow_errors = False
nb_execution_raise_on_error = False
nb_execution_show_tb = True
# Notebooks run in their own folder, as they do when a reader opens them in
# Jupyter, so they find their data files next to them.
nb_execution_in_temp = False
nb_merge_streams = True

# -- Citations -----------------------------------------------------------------
# Relative to this folder, like the paths in the HTML section.

bibtex_bibfiles = ["references.bib"]
bibtex_default_style = "plain"
bibtex_reference_style = "author_year"

# -- HTML ----------------------------------------------------------------------
# Paths in this section are relative to this folder (book/), as Sphinx reads
# them relative to the configuration directory.

templates_path = ["_templates"]
html_theme = "sphinx_book_theme"
html_title = project
html_static_path = ["_static"]
html_css_files = ["icons.css", "handbook.css"]
# Math is converted to MathML while building (book/_ext/handbook/html.py):
# browsers draw it natively, so no MathJax is loaded from anywhere.
html_math_renderer = "mathml"
html_favicon = "_static/favicon.svg"
html_last_updated_fmt = "%Y-%m-%d"
html_copy_source = True
# No general index or module index: nothing links them (the glossary and the
# search page are how readers find a term), and writing them was a quarter of
# every rebuild's work.
html_use_index = False
html_domain_indices = False
html_theme_options = {
    "repository_url": _project_url("Repository"),
    "repository_branch": "main",
    "path_to_docs": "",
    "use_repository_button": True,
    "use_issues_button": True,
    "use_edit_page_button": True,
    "use_download_button": True,
    # Eight buttons crowded a phone's toolbar; a browser has its own full screen.
    "use_fullscreen_button": False,
    "home_page_in_toc": True,
    "show_toc_level": 2,
    # A launch service is what makes the theme offer the executed .ipynb for
    # download on notebook pages; Binder can open MyST notebooks via jupytext.
    "launch_buttons": {
        "binderhub_url": "https://mybinder.org",
        "colab_url": "https://colab.research.google.com",
        "notebook_interface": "jupyterlab",
    },
}
# The book theme's sidebar, with the version (and switcher) under the title.
html_sidebars = {
    "**": [
        "navbar-logo.html",
        "handbook-version.html",
        "icon-links.html",
        "search-button-field.html",
        "sbt-sidebar-nav.html",
    ]
}

# -- Versions ------------------------------------------------------------------
# `nox -s docs-versions` builds main and every release tag side by side and
# sets these two variables; a plain `nox -s docs` has no switcher.
_version_name = os.environ.get("HANDBOOK_VERSION_NAME")
_switcher_json = os.environ.get("HANDBOOK_SWITCHER_JSON")
if _version_name and _switcher_json:
    html_theme_options["switcher"] = {"json_url": _switcher_json, "version_match": _version_name}
    # The JSON sits beside the versions, not in the source folder: don't look for it.
    html_theme_options["check_switcher"] = False
    # Older versions show a banner pointing to the latest release.
    html_theme_options["show_version_warning_banner"] = True

# -- Reader editions, sharing and search ------------------------------------------
# The PDF and EPUB editions (`nox -s pdf`), social cards and descriptions,
# sitemap, 404 page, print stylesheet and Pagefind search.
extensions += [
    "sphinxext.opengraph",
    "sphinx_sitemap",
    "notfound.extension",
    # Ours (book/_ext/handbook): Pagefind indexes only the article body, glossary terms weigh most.
    "handbook.search",
    # Ours (book/_ext/handbook): descriptions skip the owner / review / status line;
    "handbook.descriptions",
    # the EPUB's cover carries the version.
    "handbook.editions",
]
# Where the book is published, e.g. https://ml-org-handbook.github.io/handbook/;
# a `docs-versions` build publishes each version under <name>/ beneath it.
_site_url = _project_url("Documentation").rstrip("/") + "/"
if _version_name:
    _site_url += f"{_version_name}/"
html_baseurl = _site_url

# The editions, linked from every page (book/_templates/handbook-downloads.html).
# `nox -s pdf` writes them next to the HTML, under these names.
html_context = {
    "handbook_downloads": [
        {"label": "PDF", "file": "handbook.pdf", "type": "application/pdf"},
        {"label": "EPUB", "file": "handbook.epub", "type": "application/epub+zip"},
    ],
}
html_sidebars["**"].insert(html_sidebars["**"].index("icon-links.html"), "handbook-downloads.html")
# The chrome (navigation, toolbars, buttons) is not printed.
html_css_files += ["handbook-downloads.css", ("print.css", {"media": "print"})]

# A description (the page's first paragraph, or `og:description` / `description`
# in its front matter) and a social card (drawn with matplotlib, offline) per page.
ogp_site_url = _site_url
ogp_site_name = project
ogp_description_length = 200
ogp_social_cards = {
    # Relative to the source folder (the repository root).
    "image_mini": "book/_static/handbook-logo.png",
    "line_color": "#0b5394",
    # Matplotlib's own font, which has a bold face: with the default (a variable
    # Roboto Flex) matplotlib printed "findfont: Failed to find font weight bold"
    # for every card it drew.
    "font": "DejaVu Sans",
}
ogp_enable_meta_description = True

# sitemap.xml lists every page under html_baseurl.
sitemap_url_scheme = "{link}"
sitemap_excludes = ["search.html", "404.html"]

# The 404 page's links and assets are absolute under the site's path.
notfound_urls_prefix = "/" + _site_url.split("://", 1)[1].split("/", 1)[1]
notfound_context = {
    "title": "Page not found",
    "body": (
        "<h1>Page not found</h1>\n"
        "<p>This page does not exist, or no longer does: the handbook's chapters"
        " sometimes move between versions.</p>\n"
        '<p>Start again from <a href="' + notfound_urls_prefix + 'book/index.html">the'
        " handbook's front page</a>, or look for the topic with"
        ' <a href="' + notfound_urls_prefix + 'search.html">search</a>.</p>\n'
    ),
}

# EPUB (`nox -s pdf` builds it with the `epub` builder): the cover, with the
# version, is drawn at build time by book/_ext/handbook/editions.py, which also
# sets epub_cover (a tuple, which this file's YAML twin for Jupyter Book cannot hold).
epub_title = project
epub_author = author
epub_publisher = author
epub_copyright = copyright
epub_identifier = _project_url("Documentation")
epub_scheme = "URL"
epub_uid = "MLOrganizationHandbook"
# _toc.yml's toctrees are hidden ones (sphinx-external-toc); the EPUB's
# navigation must include them or it lists the front page alone.
epub_tocscope = "includehidden"
epub_show_urls = "no"
# index.html: sphinx-external-toc's redirect to book/index, left by an earlier build.
epub_exclude_files = ["index.html", "search.html", "404.html", "_static/handbook-search.js"]
