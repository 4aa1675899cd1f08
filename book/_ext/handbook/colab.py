"""Point the theme's Colab button at the example notebooks published as ``.ipynb``.

The examples are MyST Markdown notebooks. Binder opens them as they are (its
environment has jupytext), but Colab only opens ``.ipynb`` files from GitHub.
So the deploy workflow publishes the examples as ``.ipynb`` (exported by
``tools/export_notebooks.py``), with their data files, to a separate branch
(:data:`NOTEBOOKS_BRANCH`), and this extension points the Colab button there.

Enable it in ``conf.py`` with ``extensions = [..., "handbook.colab"]``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["NOTEBOOKS_BRANCH", "colab_url", "setup"]

#: The branch the deploy workflow publishes exported notebooks to.
NOTEBOOKS_BRANCH = "notebooks"


def colab_url(colab: str, repository_url: str, pagename: str) -> str | None:
    """Return the Colab address of a page's exported notebook, or None off GitHub.

    >>> colab_url("https://colab.research.google.com/", "https://github.com/org/handbook", "examples/org-graph")
    'https://colab.research.google.com/github/org/handbook/blob/notebooks/examples/org-graph.ipynb'
    >>> colab_url("https://colab.research.google.com", "https://gitlab.com/org/handbook", "x") is None
    True
    """
    repository = repository_url.rstrip("/")
    if not colab or "github.com/" not in repository:
        return None
    org_repo = repository.split("github.com/", 1)[1]
    return f"{colab.rstrip('/')}/github/{org_repo}/blob/{NOTEBOOKS_BRANCH}/{pagename}.ipynb"


def _point_colab_at_notebooks_branch(
    app: Any, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    del templatename, doctree
    options = app.config.html_theme_options
    url = colab_url(
        options.get("launch_buttons", {}).get("colab_url", ""),
        options.get("repository_url", ""),
        pagename,
    )
    if url is None:
        return
    for button in context.get("header_buttons", []):
        for item in button.get("buttons", []) if button.get("type") == "group" else []:
            if item.get("text") == "Colab":
                item["url"] = url


def setup(app: Any) -> dict[str, Any]:
    """Register the Colab link fix-up with Sphinx (after the theme adds its buttons)."""
    app.connect("html-page-context", _point_colab_at_notebooks_branch, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
