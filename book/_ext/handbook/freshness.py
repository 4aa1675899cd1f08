"""Chapter ownership, review dates and status: a living handbook's freshness.

Every chapter declares in its front matter who owns it, when it was last
reviewed, and its status::

    ---
    owner: ML platform lead
    last_reviewed: 2026-11-26
    status: stable        # draft | stable | needs review
    ---

As a Sphinx extension (``"handbook.freshness"`` in ``conf.py``) it
checks those fields on every chapter (``handbook_chapters`` globs minus
``handbook_chapters_exclude``) and shows them under the chapter's title. A
missing or malformed field is an error naming the file, and fails the build.
A review older than ``handbook_review_months`` is reported on the console
and flagged on the page, but does not fail the build: an overdue review is a
task for the owner, not a broken book. The date "today" honours
``SOURCE_DATE_EPOCH`` for reproducible builds.

As a command (``nox -s review``) it lists overdue chapters with their owners::

    PYTHONPATH=book/_ext python -m handbook.freshness book/conf.py
"""

from __future__ import annotations

import argparse
import calendar
import os
import re
import runpy
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

import yaml

from mlorg.errors import InputError

__all__ = [
    "FIELDS",
    "STATUSES",
    "ChapterFreshness",
    "chapter_docnames",
    "is_overdue",
    "main",
    "read_freshness",
    "review_due",
    "setup",
    "today",
]

#: The front-matter fields every chapter must declare.
FIELDS = ("owner", "last_reviewed", "status")
#: The statuses a chapter can have.
STATUSES = ("draft", "stable", "needs review")


@dataclass(frozen=True)
class ChapterFreshness:
    """What a chapter's front matter says about its upkeep."""

    owner: str
    last_reviewed: date
    status: str


def today() -> date:
    """Return today's date, or the date of ``SOURCE_DATE_EPOCH`` when it is set.

    >>> os.environ["SOURCE_DATE_EPOCH"] = "0"
    >>> today()
    datetime.date(1970, 1, 1)
    >>> del os.environ["SOURCE_DATE_EPOCH"]
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return datetime.fromtimestamp(int(epoch), tz=UTC).date()
    return datetime.now(tz=UTC).date()


class _Loader(yaml.SafeLoader):
    """YAML loader that keeps dates as text, so we can report a bad one by field."""


def _timestamp_as_text(loader: yaml.SafeLoader, node: yaml.Node) -> str:
    assert isinstance(node, yaml.ScalarNode)  # YAML timestamps are scalars
    return str(loader.construct_scalar(node))


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _front_matter_end(text: str) -> int | None:
    r"""Return where a page's front matter ends (the closing ``---`` fence), or None without one.

    >>> _front_matter_end("---\nowner: x\n---\n# Title\n")
    12
    >>> _front_matter_end("# No front matter\n") is None
    True
    """
    if not text.startswith("---\n"):
        return None
    end = text.find("\n---", 4)
    return None if end == -1 else end


def _front_matter(text: str) -> dict[str, Any]:
    end = _front_matter_end(text)
    if end is None:
        return {}
    loaded = yaml.load(text[4:end], Loader=_Loader)  # a SafeLoader subclass: safe
    return loaded if isinstance(loaded, dict) else {}


def _iso_date(value: object) -> date | None:
    if isinstance(value, str) and _ISO_DATE.match(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def read_freshness(path: Path, label: str | None = None) -> ChapterFreshness:
    r"""Read and validate a chapter's ``owner``, ``last_reviewed`` and ``status``.

    Args:
        path: the chapter's source file.
        label: how to name the file in errors (default: ``path``).

    Raises:
        InputError: naming the file and the field that is missing or malformed.

    >>> import tempfile
    >>> chapter = Path(tempfile.mkdtemp()) / "team.md"
    >>> _ = chapter.write_text("---\nowner: Head of ML\nlast_reviewed: 2026-11-26\nstatus: stable\n---\n# Team\n")
    >>> read_freshness(chapter, "book/team.md")
    ChapterFreshness(owner='Head of ML', last_reviewed=datetime.date(2026, 11, 26), status='stable')
    >>> _ = chapter.write_text("---\nowner: Head of ML\nlast_reviewed: soon\nstatus: stable\n---\n")
    >>> read_freshness(chapter, "book/team.md")
    Traceback (most recent call last):
    ...
    mlorg.errors.InputError: book/team.md: front matter field 'last_reviewed' must be a date (YYYY-MM-DD), not 'soon'
    """
    name = label or str(path)
    try:
        meta = _front_matter(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        msg = f"{name}: front matter is not valid YAML{where}"
        raise InputError(msg) from None
    missing = [field for field in FIELDS if field not in meta]
    if missing:
        msg = f"{name}: front matter field {missing[0]!r} is missing (chapters declare {', '.join(FIELDS)})"
        raise InputError(msg)
    owner, reviewed, status = meta["owner"], meta["last_reviewed"], meta["status"]
    if not isinstance(owner, str) or not owner.strip():
        msg = f"{name}: front matter field 'owner' must name a role or team, not {owner!r}"
        raise InputError(msg)
    reviewed_on = _iso_date(reviewed)
    if reviewed_on is None:
        msg = f"{name}: front matter field 'last_reviewed' must be a date (YYYY-MM-DD), not {reviewed!r}"
        raise InputError(msg)
    if status not in STATUSES:
        allowed = ", ".join(repr(s) for s in STATUSES)
        msg = f"{name}: front matter field 'status' must be one of {allowed}, not {status!r}"
        raise InputError(msg)
    return ChapterFreshness(owner=owner.strip(), last_reviewed=reviewed_on, status=status)


def review_due(freshness: ChapterFreshness, months: int) -> date:
    """Return the date by which a chapter should be reviewed again.

    >>> review_due(ChapterFreshness("Head of ML", date(2026, 1, 31), "stable"), 1)
    datetime.date(2026, 2, 28)
    """
    month_index = freshness.last_reviewed.month - 1 + months
    year, month = freshness.last_reviewed.year + month_index // 12, month_index % 12 + 1
    # "One month after 31 January" is the last day of February.
    day = min(freshness.last_reviewed.day, calendar.monthrange(year, month)[1])
    return date(year, month, day)


def is_overdue(freshness: ChapterFreshness, months: int, on: date) -> bool:
    """Return whether the review is older than ``months`` on date ``on``.

    >>> f = ChapterFreshness("Head of ML", date(2025, 11, 26), "stable")
    >>> is_overdue(f, 12, date(2026, 11, 26)), is_overdue(f, 12, date(2026, 11, 27))
    (False, True)
    """
    return on > review_due(freshness, months)


def chapter_docnames(
    docnames: Iterable[str], include: Sequence[str], exclude: Sequence[str]
) -> list[str]:
    """Return the docnames that are chapters: matching ``include`` and not ``exclude``.

    >>> chapter_docnames(["book/index", "book/team", "examples/org-graph"], ["book/*"], ["book/index"])
    ['book/team']
    """
    return sorted(
        name
        for name in docnames
        if any(fnmatch(name, pattern) for pattern in include)
        and not any(fnmatch(name, pattern) for pattern in exclude)
    )


# -- Sphinx ---------------------------------------------------------------------


def _render(freshness: ChapterFreshness, overdue: bool) -> Any:
    from docutils import nodes

    status = "needs review" if overdue and freshness.status == "stable" else freshness.status
    box = nodes.container(classes=["chapter-freshness"])
    line = nodes.paragraph()
    line += nodes.Text("Owner: ")
    line += nodes.strong(text=freshness.owner)
    line += nodes.Text(f" · Last reviewed: {freshness.last_reviewed.isoformat()} · Status: ")
    line += nodes.inline(
        text=status, classes=["chapter-status", f"chapter-status-{status.replace(' ', '-')}"]
    )
    if overdue:
        line += nodes.Text(" · ")
        line += nodes.inline(text="review overdue", classes=["chapter-review-overdue"])
    box += line
    return box


def _check_chapter(app: Any, doctree: Any) -> None:
    from docutils import nodes
    from sphinx.util import logging
    from sphinx.util.console import darkred

    env = app.env
    docname = env.docname
    config = app.config
    if not chapter_docnames([docname], config.handbook_chapters, config.handbook_chapters_exclude):
        return
    logger = logging.getLogger(__name__)
    source = Path(env.doc2path(docname))
    label = str(env.doc2path(docname, base=False))
    try:
        freshness = read_freshness(source, label)
    except InputError as error:
        logger.error(str(error), type="mlorg", subtype="freshness")
        failures: dict[str, str] = getattr(env, "mlorg_freshness_errors", {})
        failures[docname] = str(error)
        env.mlorg_freshness_errors = failures
        return
    overdue = is_overdue(freshness, config.handbook_review_months, today())
    if overdue:
        due = review_due(freshness, config.handbook_review_months)
        logger.info(
            darkred(
                f"review overdue: {label} was last reviewed {freshness.last_reviewed.isoformat()}, "
                f"due {due.isoformat()} (owner: {freshness.owner})"
            )
        )
    title = next(iter(doctree.findall(nodes.title)), None)
    box = _render(freshness, overdue)
    if title is not None:
        title.parent.insert(title.parent.index(title) + 1, box)
    else:
        doctree.insert(0, box)


_UNQUOTED_DATE = re.compile(
    r"^(last_reviewed:[ \t]*)(\d{4}-\d{2}-\d{2})([ \t]*(?:#.*)?)$", re.MULTILINE
)


def _quote_review_date(app: Any, docname: str, source: list[str]) -> None:
    """Quote an unquoted ``last_reviewed`` date before MyST-NB reads the page.

    YAML turns ``2026-11-26`` into a date object, which MyST-NB then fails to
    store in a notebook's JSON metadata (a crash, and a stale cache). Quoting
    it in memory lets authors write the natural form in every chapter.
    """
    config = app.config
    if not chapter_docnames([docname], config.handbook_chapters, config.handbook_chapters_exclude):
        return
    text = source[0]
    end = _front_matter_end(text)
    if end is not None:
        source[0] = _UNQUOTED_DATE.sub(r'\1"\2"\3', text[:end]) + text[end:]


def _purge(app: Any, env: Any, docname: str) -> None:
    del app
    getattr(env, "mlorg_freshness_errors", {}).pop(docname, None)


def _merge(app: Any, env: Any, docnames: Any, other: Any) -> None:
    del app, docnames
    merged = {
        **getattr(env, "mlorg_freshness_errors", {}),
        **getattr(other, "mlorg_freshness_errors", {}),
    }
    env.mlorg_freshness_errors = merged


def _fail_on_errors(app: Any, exception: Exception | None) -> None:
    """Fail the build while a chapter's front matter is broken, also when not re-read.

    An incremental build does not read an unchanged page again, so the error
    found when it was read is repeated here rather than failing in silence.
    """
    from sphinx.util import logging

    failures: dict[str, str] = getattr(app.env, "mlorg_freshness_errors", {})
    if exception is None and failures:
        logging.getLogger(__name__).error(
            "%d chapter(s) have malformed front matter: %s",
            len(failures),
            "; ".join(failures[name] for name in sorted(failures)),
            type="mlorg",
            subtype="freshness",
        )
        app.statuscode = 1


def setup(app: Any) -> dict[str, Any]:
    """Register the front-matter check and its configuration with Sphinx."""
    app.add_config_value("handbook_chapters", ["book/*"], "env", types=[list])
    app.add_config_value("handbook_chapters_exclude", [], "env", types=[list])
    app.add_config_value("handbook_review_months", 12, "env", types=[int])
    app.connect("source-read", _quote_review_date)
    app.connect("doctree-read", _check_chapter)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("build-finished", _fail_on_errors)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


# -- Command line -----------------------------------------------------------------


def _overdue_rows(
    srcdir: Path, settings: Mapping[str, Any], on: date
) -> list[tuple[str, ChapterFreshness, date]]:
    suffixes = (".md", ".ipynb", ".rst")
    docnames = {
        path.relative_to(srcdir).with_suffix("").as_posix(): path
        for path in srcdir.rglob("*")
        if path.suffix in suffixes
        and not any(part.startswith((".", "_")) for part in path.relative_to(srcdir).parts)
    }
    months = int(settings.get("handbook_review_months", 12))
    chapters = chapter_docnames(
        docnames,
        settings.get("handbook_chapters", ["book/*"]),
        settings.get("handbook_chapters_exclude", []),
    )
    rows = []
    for docname in chapters:
        path = docnames[docname]
        freshness = read_freshness(path, path.relative_to(srcdir).as_posix())
        if is_overdue(freshness, months, on):
            rows.append(
                (path.relative_to(srcdir).as_posix(), freshness, review_due(freshness, months))
            )
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    """List chapters whose review is overdue, with their owners.

    Exit status: 0, or 1 with ``--check`` when a review is overdue; 2 for unusable input.
    """
    parser = argparse.ArgumentParser(
        prog="python -m handbook.freshness",
        description="List handbook chapters whose review is overdue, with their owners.",
    )
    parser.add_argument("conf", type=Path, help="the book's conf.py (read for handbook_* settings)")
    parser.add_argument(
        "--srcdir", type=Path, default=Path(), help="the book's source folder (default: .)"
    )
    parser.add_argument("--months", type=int, help="override handbook_review_months")
    parser.add_argument(
        "--check", action="store_true", help="exit with status 1 when a review is overdue"
    )
    args = parser.parse_args(argv)
    if not args.conf.is_file():
        parser.error(f"{args.conf}: no such configuration file")
    settings = dict(runpy.run_path(str(args.conf)))
    if args.months is not None:
        settings["handbook_review_months"] = args.months
    on = today()
    try:
        rows = _overdue_rows(args.srcdir.resolve(), settings, on)
    except InputError as error:
        parser.error(str(error))
    months = settings.get("handbook_review_months", 12)
    if not rows:
        print(
            f"No chapter is overdue for review (reviews are due every {months} months; today is {on})."
        )
        return 0
    print(f"{len(rows)} chapter(s) overdue for review (due every {months} months; today is {on}):")
    width = max(len(path) for path, _, _ in rows)
    for path, freshness, due in rows:
        print(
            f"  {path.ljust(width)}  owner: {freshness.owner}; last reviewed {freshness.last_reviewed}, due {due}"
        )
    return 1 if args.check else 0


if __name__ == "__main__":
    sys.exit(main())
