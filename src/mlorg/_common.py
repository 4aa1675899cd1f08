"""Helpers every part of the toolkit shares; private (the public names live in the modules).

One place for each: the "did you mean" hint, one-line error text, reading a
user's text file, plurals, and the project's URLs from the package metadata.
"""

from __future__ import annotations

import difflib
import importlib.metadata
import os
from collections.abc import Iterable

from mlorg import _files

__all__ = ["counted", "did_you_mean", "one_line", "project_url", "read_text"]


def did_you_mean(word: object, choices: Iterable[str]) -> str:
    """Return ``" (did you mean 'x'?)"`` for the choice closest to ``word``, or ``""``.

    >>> did_you_mean("platfrom", ["platform", "enabling"])
    " (did you mean 'platform'?)"
    >>> did_you_mean("zzz", ["platform"])
    ''
    """
    close = difflib.get_close_matches(str(word), list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def one_line(error: BaseException) -> str:
    r"""Return a library's error message on one line (whitespace collapsed), or its type's name.

    >>> one_line(ValueError("bad value\n  in column 'a'"))
    "bad value in column 'a'"
    >>> one_line(KeyError())
    'KeyError'
    """
    text = " ".join(str(error).split())
    return text or type(error).__name__


def counted(number: int, singular: str, plural: str | None = None) -> str:
    """Return ``number`` with the noun in the right number.

    >>> counted(1, "team"), counted(3, "team"), counted(2, "dependency", "dependencies")
    ('1 team', '3 teams', '2 dependencies')
    """
    return f"{number} {singular if number == 1 else plural or singular + 's'}"


def read_text(path: str | os.PathLike[str], what: str = "file") -> str:
    """Read a file a user gave as UTF-8 text; any problem is one :class:`InputError` line.

    Every loader of the toolkit reads its input through this function (see
    :mod:`mlorg._files` for what is refused: anything but a regular file, a
    file above the size limit, bytes that are not UTF-8), so each refusal is
    worded once and the file is never changed.

    Args:
        path: the file.
        what: what the file should be, for the message (``"YAML file"``).

    Raises:
        InputError: the file is missing, a folder, a FIFO or device, too
            large, not UTF-8 or unreadable; the message names the file.

    >>> read_text("no-such-org.yaml", what="YAML file")
    Traceback (most recent call last):
    ...
    mlorg.errors.InputError: no-such-org.yaml: no such file
    >>> read_text(".", what="YAML file")
    Traceback (most recent call last):
    ...
    mlorg.errors.InputError: .: is a folder, not a YAML file
    """
    return _files.read_text(path, what)


def project_url(name: str) -> str:
    """Return one of the project's URLs (``Repository``, ``Documentation``, ...) from its metadata.

    ``pyproject.toml`` is the only place they are written.

    >>> project_url("Repository").startswith("https://")
    True
    """
    urls = importlib.metadata.metadata("mlorg").get_all("Project-URL") or []
    return str(dict(url.split(", ", 1) for url in urls)[name])
