"""mlorg._output: values from a user's file are printed escaped and short."""

from __future__ import annotations

from mlorg._output import MAX_SHOWN, printable, safe_report, shorten, shown


def test_escape_sequences_and_newlines_cannot_forge_lines():
    name = "data\x1b[2K\rcongruence: 1.00\nfake"
    escaped = printable(name)
    assert "\n" not in escaped
    assert "\x1b" not in escaped
    assert "\r" not in escaped
    assert escaped == "data\\x1b[2K\\rcongruence: 1.00\\nfake"


def test_c1_controls_and_bidirectional_overrides_are_escaped():
    assert printable("\x9b31m\u202egnp.exe") == "\\x9b31m\\u202egnp.exe"


def test_a_report_keeps_its_own_line_breaks():
    assert safe_report("a\nb\x07") == "a\nb\\x07"


def test_long_values_are_cut_and_say_how_much():
    assert len(shorten("x" * 10_000)) < MAX_SHOWN
    assert shorten("x" * 10_000).endswith("(9900 more characters)")


def test_shown_is_bounded_for_huge_nested_values():
    inner = ["lol"] * 1_000
    huge = [inner] * 1_000  # a million items, shared like an alias would
    assert len(shown(huge)) <= MAX_SHOWN + 40
    assert len(shown("y" * 10**7)) <= MAX_SHOWN + 40
