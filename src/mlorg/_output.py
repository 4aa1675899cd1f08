r"""Writing for a reader: the one place that makes text safe to print, and short.

* :func:`printable` escapes control characters (terminal escape sequences,
  carriage returns, newlines, other C0/C1 codes) in a value taken from a
  user's file, so a name in an org file cannot forge report lines or drive
  the terminal;
* :func:`shorten` cuts a long value to :data:`MAX_SHOWN` characters;
* :func:`shown` is ``repr`` for messages: bounded however large the value is
  (a list of a million items is not built into a string first);
* :func:`safe_report` makes a whole report printable, keeping its own line
  breaks.

>>> printable("data\x1b[2J\nfake line")
'data\\x1b[2J\\nfake line'
"""

from __future__ import annotations

import re
import reprlib

__all__ = ["MAX_SHOWN", "printable", "safe_report", "shorten", "shown"]

#: The most characters of one value a message shows.
MAX_SHOWN = 200
#: The most characters of one error message printed.
MAX_MESSAGE = 2000

# C0 controls but tab, DEL, C1 controls, and the Unicode line and paragraph
# separators and bidirectional overrides, which can reorder or break a line.
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_CONTROL_BUT_NEWLINE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)


def _escape(match: re.Match[str]) -> str:
    return match.group().encode("unicode_escape").decode("ascii")


def printable(text: str) -> str:
    r"""Escape every control character of ``text`` the way Python writes it in a string.

    >>> printable("ok"), printable("a\rb"), printable("tab\tkept")
    ('ok', 'a\\rb', 'tab\tkept')
    """
    return _CONTROL.sub(_escape, text)


def safe_report(text: str) -> str:
    r"""Escape control characters in a whole report, keeping its line breaks.

    >>> safe_report("line 1\nred \x1b[31m")
    'line 1\nred \\x1b[31m'
    """
    return _CONTROL_BUT_NEWLINE.sub(_escape, text)


def shorten(text: str, limit: int = MAX_SHOWN) -> str:
    """Cut ``text`` to about ``limit`` characters, saying how much was left out.

    >>> shorten("x" * 500, 20)
    'xxxxxxxxxx... (490 more characters)'
    >>> shorten("short")
    'short'
    """
    if len(text) <= limit:
        return text
    keep = max(limit // 2, 1)
    return f"{text[:keep]}... ({len(text) - keep} more characters)"


_REPR = reprlib.Repr()
_REPR.maxstring = MAX_SHOWN
_REPR.maxother = MAX_SHOWN
_REPR.maxlist = _REPR.maxtuple = _REPR.maxdict = _REPR.maxset = 10
_REPR.maxlevel = 4


def shown(value: object) -> str:
    r"""``repr(value)`` for a message: bounded in length however large ``value`` is.

    >>> shown(list(range(1000)))
    '[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, ...]'
    >>> shown("a\nb")
    "'a\\nb'"
    """
    return shorten(_REPR.repr(value))
