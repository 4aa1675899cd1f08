"""Derive the Jupyter Book 1.x ``_config.yml`` from the Sphinx ``conf.py``.

The handbook is built with Sphinx 9; the Jupyter Book 1.x command line (which
pins Sphinx 7) is kept as a compatibility target. Rather than maintain a
second configuration that could drift, ``nox -s jupyter-book`` generates one
from ``book/conf.py`` with this module::

    python -m tools.jupyter_book_config book/conf.py _build/jupyter-book/_config.yml

Jupyter Book applies ``sphinx.config`` as a plain override of its own
defaults, so every value of ``conf.py`` goes there unchanged, except
extensions (added to Jupyter Book's own list; the book's own ones, which
``conf.py`` imports from ``book/_ext`` through ``sys.path``, as Jupyter Book's
``local_extensions`` with that folder) and the paths Sphinx reads
relative to the configuration folder (rebased onto the source folder, which
is the configuration folder of a Jupyter Book build), and MyST extensions
the Jupyter Book 1.x stack cannot handle (see ``JB1_UNSUPPORTED_MYST_EXTENSIONS``).
"""

from __future__ import annotations

import argparse
import runpy
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from mlorg.errors import InputError

__all__ = [
    "CONFDIR_RELATIVE",
    "JB1_UNSUPPORTED_MYST_EXTENSIONS",
    "jupyter_book_config",
    "local_extensions",
    "main",
]

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
        local_extensions: extensions that are not installed but imported from
            a folder (``{name: folder}``); Jupyter Book puts the folder on
            ``sys.path`` before loading them.

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
    return {
        "title": config.get("project", ""),
        "author": config.get("author", ""),
        "only_build_toc_files": bool(config.get("external_toc_exclude_missing", False)),
        "sphinx": {**sphinx, "recursive_update": False, "config": config},
    }


def local_extensions(extensions: Sequence[str], folder: Path) -> dict[str, str]:
    """Return ``{extension: folder}`` for the extensions whose top-level package is in ``folder``.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> (folder / "handbook").mkdir()
    >>> local_extensions(["myst_nb", "handbook.freshness"], folder) == {"handbook.freshness": str(folder)}
    True
    """
    local = {}
    for extension in extensions:
        top = extension.split(".", 1)[0]
        if (folder / top).is_dir() or (folder / f"{top}.py").is_file():
            local[extension] = str(folder)
    return local


def main(argv: Sequence[str] | None = None) -> int:
    """Write the ``_config.yml`` derived from a ``conf.py``: ``CONF_PY OUT_YML [SRCDIR]``."""
    parser = argparse.ArgumentParser(
        prog="python -m tools.jupyter_book_config",
        description="Write the Jupyter Book 1.x _config.yml derived from a Sphinx conf.py.",
    )
    parser.add_argument("conf_py", type=Path, metavar="CONF_PY")
    parser.add_argument("out", type=Path, metavar="OUT_YML")
    parser.add_argument("srcdir", type=Path, nargs="?", default=Path(), metavar="SRCDIR")
    args = parser.parse_args(argv)
    conf_py, out = args.conf_py, args.out
    if not conf_py.is_file():
        parser.error(f"{conf_py}: no such configuration file")
    confdir = PurePosixPath(conf_py.resolve().parent.relative_to(args.srcdir.resolve()).as_posix())
    try:
        settings = runpy.run_path(str(conf_py))
        # An absolute folder: the generated file is written afresh for each build.
        local = local_extensions(settings.get("extensions", []), conf_py.resolve().parent / "_ext")
        config = jupyter_book_config(settings, confdir, local)
    except InputError as error:
        parser.error(str(error))
    header = (
        f"# Generated from {conf_py.as_posix()} by tools/jupyter_book_config.py; do not edit.\n"
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(header + yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
