"""Errors the toolkit raises for input it cannot use.

The command line turns an :class:`InputError` into a one-line message and
exit status 2, never a traceback.
"""

from __future__ import annotations

__all__ = ["InputError", "MissingExtraError", "first_line"]


class InputError(ValueError):
    """Input that the toolkit cannot use: a missing file, a malformed field, ...

    The message is one line and names the file, field or line at fault, so a
    reader can fix their input without reading a traceback.

    >>> raise InputError("org.yaml: team 'data' is listed twice")
    Traceback (most recent call last):
    ...
    mlorg.errors.InputError: org.yaml: team 'data' is listed twice
    """


class MissingExtraError(ModuleNotFoundError):
    """A command or function needs an optional extra of ``mlorg`` that is not installed.

    The message is one line ending with the ``pip install "mlorg[extra]"``
    command that adds it; the command line prints it and exits with status 2.
    """


def first_line(text: str) -> str:
    r"""Return the first non-blank line of a library's error message, for a one-line error.

    >>> first_line("\n  while scanning a simple key\n  in line 3\n")
    'while scanning a simple key'
    >>> first_line("")
    'unknown error'
    """
    return next((line.strip() for line in text.splitlines() if line.strip()), "unknown error")
