"""The EPUB edition's cover: the title and the version, drawn at build time.

``epub_cover`` (set here unless ``book/conf.py`` sets it) names
``_static/handbook-cover.png``; this extension draws that image into the EPUB
build with matplotlib (the book already needs it; its bundled DejaVu fonts
need no download), so the cover always carries the version the book was
built from. The PDF's cover is HTML,
written by ``tools/pdf.py``.
"""

from __future__ import annotations

import posixpath
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

#: Where the cover is drawn in the EPUB build, and the template of its page
#: (book/_templates/epub-cover.html): the ``epub_cover`` this extension sets.
EPUB_COVER = ("_static/handbook-cover.png", "epub-cover.html")
#: Cover size in pixels (the 1:1.6 ratio EPUB stores recommend).
COVER_SIZE = (1600, 2560)
_BLUE = "#0b5394"
_ORANGE = "#f6b26b"


def draw_cover(path: Path, title: str, version: str, url: str) -> Path:
    r"""Draw a cover with ``title``, ``version`` and ``url`` into the PNG at ``path``.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     out = draw_cover(Path(tmp) / "c.png", "A Handbook", "1.2.3", "https://example.org/")
    ...     out.read_bytes()[:4]
    b'\x89PNG'
    """
    import matplotlib as mpl

    mpl.use("agg")
    from matplotlib import pyplot as plt
    from matplotlib.patches import Circle, Polygon

    dpi = 200
    fig = plt.figure(figsize=(COVER_SIZE[0] / dpi, COVER_SIZE[1] / dpi), dpi=dpi)
    fig.patch.set_facecolor(_BLUE)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.6)
    ax.set_axis_off()
    # The handbook's mark (book/_static/favicon.svg): two teams and a product.
    left, right, bottom = (0.32, 1.22), (0.68, 1.22), (0.5, 0.93)
    ax.add_patch(Polygon([left, right, bottom], closed=True, fill=False, ec="white", lw=6))
    for centre, colour in ((left, "white"), (right, "white"), (bottom, _ORANGE)):
        ax.add_patch(Circle(centre, 0.055, color=colour))
    words = title.split()
    lines = [" ".join(words[: len(words) // 2]), " ".join(words[len(words) // 2 :])]
    ax.text(
        0.5,
        0.66,
        "\n".join(lines),
        ha="center",
        va="center",
        color="white",
        fontsize=30,
        fontweight="bold",
        linespacing=1.3,
    )
    ax.text(
        0.5,
        0.40,
        f"Version {version}",
        ha="center",
        va="center",
        color=_ORANGE,
        fontsize=22,
        fontweight="bold",
    )
    ax.text(0.5, 0.12, url, ha="center", va="center", color="white", fontsize=12)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=dpi, facecolor=fig.get_facecolor(), metadata={"Software": None})
    plt.close(fig)
    return path


def _on_config_inited(app: Sphinx, config: Any) -> None:
    """Use the drawn cover unless the configuration names another."""
    del app
    if not config.epub_cover:
        config.epub_cover = EPUB_COVER


def normalise_refuri(refuri: str) -> str:
    """A link inside the EPUB without ``folder/..`` detours (the fragment kept).

    >>> normalise_refuri("book/../examples/data-check.xhtml#setup")
    'examples/data-check.xhtml#setup'
    >>> normalise_refuri("book/purpose.xhtml")
    'book/purpose.xhtml'
    """
    path, hash_mark, fragment = refuri.partition("#")
    return posixpath.normpath(path) + hash_mark + fragment


def _normalise_reading_order(builder: Any) -> None:
    """Make the EPUB builder's reading order name files as its manifest does.

    Sphinx prefixes each table-of-contents link with the root document's
    folder (``book/``), so a page outside it becomes
    ``book/../examples/data-check.xhtml``: the spine then names an item the
    manifest, which lists ``examples/data-check.xhtml``, does not have, and
    reading systems skip those pages.
    """
    get_toc = builder.get_toc

    def get_normalised_toc() -> None:
        get_toc()
        for item in builder.refnodes:
            item["refuri"] = normalise_refuri(item["refuri"])

    builder.get_toc = get_normalised_toc


def _on_builder_inited(app: Sphinx) -> None:
    """Draw the cover into an EPUB build's output, where ``epub_cover`` expects it."""
    if app.builder.name != "epub":
        return
    _normalise_reading_order(app.builder)
    if not app.config.epub_cover:
        return
    image = app.config.epub_cover[0]
    draw_cover(
        Path(app.outdir) / image, app.config.project, app.config.release, app.config.html_baseurl
    )
    logger.info("drew the EPUB cover %s", image)


def setup(app: Sphinx) -> dict[str, Any]:
    """Connect the cover drawing to the start of an EPUB build."""
    # Before Sphinx checks the configuration's types (priority 800).
    app.connect("config-inited", _on_config_inited, priority=400)
    app.connect("builder-inited", _on_builder_inited)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
