"""Derive the Jupyter Book 1.x ``_config.yml`` from the Sphinx ``conf.py``.

The handbook is built with Sphinx 9; the Jupyter Book 1.x command line (which
pins Sphinx 7) is kept as a compatibility target. Rather than maintain a
second configuration that could drift, ``nox -s jupyter-book`` generates one
from ``book/conf.py`` with this module::

    python -m mlorg.sphinxext.jupyter_book book/conf.py _build/jupyter-book/_config.yml

Jupyter Book applies ``sphinx.config`` as a plain override of its own
defaults, so every value of ``conf.py`` goes there unchanged, except
extensions (added to Jupyter Book's own list) and the paths Sphinx reads
relative to the configuration folder (rebased onto the source folder, which
is the configuration folder of a Jupyter Book build), and MyST extensions
the Jupyter Book 1.x stack cannot handle (see ``JB1_UNSUPPORTED_MYST_EXTENSIONS``).
"""

from __future__ import annotations

import os
import runpy
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from mlorg.errors import InputError

__all__ = ["CONFDIR_RELATIVE", "JB1_UNSUPPORTED_MYST_EXTENSIONS", "jupyter_book_config", "main"]

#: Sphinx options whose paths are relative to the configuration folder.
CONFDIR_RELATIVE: frozenset[str] = frozenset(
    {
        "bibtex_bibfiles",
        "html_extra_path",
        "html_favicon",
        "html_logo",
        "html_static_path",
        "locale_dirs",
        "templates_path",
    }
)

#: MyST extensions the Jupyter Book 1.x stack cannot use, and why. Jupyter Book
#: 1.x pins myst-parser 3, whose task-list plugin crashes MyST-NB's reader of
#: Markdown notebooks (IndexError in mdit_py_plugins.tasklists.todoify) on any
#: page that is a notebook and has a checklist. The compatibility build shows
#: those checklists as plain bullets instead.
JB1_UNSUPPORTED_MYST_EXTENSIONS: frozenset[str] = frozenset({"tasklist"})

_PLAIN = (str, int, float, bool, type(None))


def _is_plain(value: object) -> bool:
    """Return whether ``value`` is data YAML can hold (no modules or functions)."""
    if isinstance(value, _PLAIN):
        return True
    if isinstance(value, list | tuple):
        return all(_is_plain(item) for item in value)
    if isinstance(value, dict):
        return all(isinstance(key, str) and _is_plain(item) for key, item in value.items())
    return False


def _rebase(value: object, prefix: PurePosixPath) -> object:
    """Prefix a path (or each path of a list) with the configuration folder."""
    if isinstance(value, str):
        return value if "://" in value or not value else str(prefix / value)
    if isinstance(value, list | tuple):
        return [_rebase(item, prefix) for item in value]
    return value


def jupyter_book_config(
    settings: Mapping[str, Any],
    confdir: PurePosixPath,
    local_extensions: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Return a Jupyter Book 1.x configuration equivalent to Sphinx ``settings``.

    Args:
        settings: the names defined by a ``conf.py``; private names (``_x``)
            and non-data values (modules, functions, imports) are ignored.
        confdir: the configuration folder relative to the source folder.
        local_extensions: extensions that are files beside the configuration
            (``book/_ext``), by name, with their folder relative to the folder
            of the generated ``_config.yml``, from which Jupyter Book resolves
            it and puts it on ``sys.path``.

    Raises:
        InputError: if a public setting is not plain data, since it could
            not be carried over to the compatibility build.

    >>> cfg = jupyter_book_config(
    ...     {"project": "Handbook", "extensions": ["myst_nb"], "html_static_path": ["_static"]},
    ...     PurePosixPath("book"),
    ... )
    >>> cfg["title"], cfg["sphinx"]["extra_extensions"]
    ('Handbook', ['myst_nb'])
    >>> cfg["sphinx"]["config"]["html_static_path"]
    ['book/_static']
    """
    config: dict[str, Any] = {}
    for name, value in settings.items():
        if name.startswith("_") or name == "annotations":
            continue  # private helpers and `from __future__ import annotations`
        if callable(value) or type(value).__name__ == "module":
            continue
        if not _is_plain(value):
            msg = f"conf.py: setting {name!r} is not plain data ({type(value).__name__}); the Jupyter Book build cannot use it"
            raise InputError(msg)
        config[name] = _rebase(value, confdir) if name in CONFDIR_RELATIVE else value
    if "myst_enable_extensions" in config:
        config["myst_enable_extensions"] = [
            ext
            for ext in config["myst_enable_extensions"]
            if ext not in JB1_UNSUPPORTED_MYST_EXTENSIONS
        ]
    local = dict(local_extensions or {})
    extensions = [ext for ext in config.pop("extensions", []) if ext not in local]
    sphinx: dict[str, Any] = {"extra_extensions": extensions}
    if local:
        sphinx["local_extensions"] = local
    sphinx.update({"recursive_update": False, "config": config})
    return {
        "title": config.get("project", ""),
        "author": config.get("author", ""),
        "only_build_toc_files": bool(config.get("external_toc_exclude_missing", False)),
        "sphinx": sphinx,
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Write the ``_config.yml`` derived from a ``conf.py``: ``CONF_PY OUT_YML [SRCDIR]``."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) not in (2, 3):
        print(
            "usage: python -m mlorg.sphinxext.jupyter_book CONF_PY OUT_YML [SRCDIR]",
            file=sys.stderr,
        )
        return 2
    conf_py, out = Path(args[0]), Path(args[1])
    srcdir = Path(args[2]) if len(args) == 3 else Path.cwd()
    if not conf_py.is_file():
        print(f"error: {conf_py}: no such configuration file", file=sys.stderr)
        return 2
    confdir = PurePosixPath(conf_py.resolve().parent.relative_to(srcdir.resolve()).as_posix())
    try:
        settings = runpy.run_path(str(conf_py))
        ext_dir = os.path.relpath(conf_py.resolve().parent / "_ext", out.resolve().parent)
        local = {
            ext: PurePosixPath(Path(ext_dir)).as_posix()
            for ext in settings.get("extensions", [])
            if isinstance(ext, str) and (conf_py.parent / "_ext" / f"{ext}.py").is_file()
        }
        config = jupyter_book_config(settings, confdir, local)
    except InputError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    header = (
        f"# Generated from {conf_py.as_posix()} by mlorg.sphinxext.jupyter_book; do not edit.\n"
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(header + yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
