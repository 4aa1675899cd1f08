r"""Writing for a reader: the one place that makes text safe to print, and short.

* :func:`printable` escapes control characters (terminal escape sequences,
  carriage returns, newlines, other C0/C1 codes) in a value taken from a
  user's file, so a name in an org file cannot forge report lines or drive
  the terminal;
* :func:`shorten` cuts a long value to :data:`MAX_SHOWN` characters;
* :func:`shown` is ``repr`` for messages: bounded however large the value is
  (a list of a million items is not built into a string first);
* :func:`safe_report` makes a whole report printable, keeping its own line
  breaks;
* :func:`json_text` writes data as JSON, and :func:`safe_json` makes a JSON
  text printable: ``json.dumps`` escapes only the C0 controls, so the C1
  controls (U+0080 to U+009F, such as U+009B, a one-character escape
  sequence for many terminals), DEL, the line separators and bidirectional
  overrides are escaped here as ``\u009b`` and the like, which ``json.loads``
  reads back as the original character.

>>> printable("data\x1b[2J\nfake line")
'data\\x1b[2J\\nfake line'
"""

from __future__ import annotations

import json
import re
import reprlib

__all__ = ["MAX_SHOWN", "json_text", "printable", "safe_json", "safe_report", "shorten", "shown"]

#: The most characters of one value a message shows.
MAX_SHOWN = 200
#: The most characters of one error message printed.
MAX_MESSAGE = 2000

# DEL, C1 controls, and the Unicode line and paragraph separators and
# bidirectional overrides, which can reorder or break a line.
_BEYOND_C0 = "\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069"
# ... and the C0 controls but tab (and but newline, for a whole report).
_CONTROL = re.compile(f"[\x00-\x08\x0a-\x1f{_BEYOND_C0}]")
_CONTROL_BUT_NEWLINE = re.compile(f"[\x00-\x08\x0b-\x1f{_BEYOND_C0}]")
# In a JSON text, json.dumps has escaped the C0 controls inside strings, and
# the newlines left are its indentation. Lone surrogates (a file name that is
# not UTF-8, read with Python's surrogateescape) could not be printed at all.
_UNSAFE_IN_JSON = re.compile(f"[{_BEYOND_C0}\ud800-\udfff]")


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


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def safe_json(text: str) -> str:
    r"""Escape, in a JSON text, the characters a terminal acts on that ``json.dumps`` leaves raw.

    Every such character can only stand inside a JSON string, where
    ``\uXXXX`` is its escape, so the text still parses to the same data.

    >>> import json
    >>> text = safe_json(json.dumps({"team": "data\x9b2J\u202e"}, ensure_ascii=False))
    >>> text
    '{"team": "data\\u009b2J\\u202e"}'
    >>> json.loads(text)["team"] == "data\x9b2J\u202e"
    True
    """
    return _UNSAFE_IN_JSON.sub(_json_escape, text)


def json_text(data: object, indent: int | None = 2) -> str:
    r"""``data`` as JSON that is safe to print: every control character escaped, other text kept.

    Letters beyond ASCII stay readable (``ensure_ascii=False``); what a
    terminal would act on is escaped (see :func:`safe_json`).

    >>> print(json_text({"name": "Zoë\x1b[31m\x9b"}, indent=None))
    {"name": "Zoë\u001b[31m\u009b"}
    """
    return safe_json(json.dumps(data, indent=indent, ensure_ascii=False))


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
