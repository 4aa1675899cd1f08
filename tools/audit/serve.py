"""Serve a built handbook on 127.0.0.1 as a real static host does: gzip and cache headers.

Python's ``http.server`` sends neither, which makes every page look heavier
and slower than it is once published; the audit and the browser tests
measure what a reader gets, so they serve through this.

Run it alone with ``python tools/audit/serve.py _build/html`` (prints the URL;
Ctrl-C stops it), or use :func:`serving` from Python.

>>> import tempfile, urllib.request
>>> with tempfile.TemporaryDirectory() as site:
...     _ = (Path(site) / "index.html").write_text("<p>" + "hello " * 100, encoding="utf-8")
...     with serving(Path(site)) as url:
...         request = urllib.request.Request(url + "/index.html", headers={"Accept-Encoding": "gzip"})
...         with urllib.request.urlopen(request) as response:
...             encoding = response.headers["Content-Encoding"]
...             body = gzip.decompress(response.read()).decode()
>>> encoding, body[:9]
('gzip', '<p>hello ')
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gzip
import http.server
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

# Types worth compressing; images and fonts are compressed already.
COMPRESSIBLE = (
    "text/",
    "application/javascript",
    "application/json",
    "image/svg+xml",
    "application/xml",
)
# Sphinx adds ?v=<hash> to the URLs of its CSS and JS, so those may be cached
# for a year; pages themselves are revalidated on every visit.
LONG = "public, max-age=31536000, immutable"
SHORT = "public, max-age=600"
REVALIDATE = "no-cache"


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Static files with gzip (when the client accepts it) and cache headers."""

    # Python's table lacks a few types a book uses.
    extensions_map = {  # noqa: RUF012 (the base class declares it a plain dict)
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".js": "application/javascript",
        ".mjs": "application/javascript",
        ".svg": "image/svg+xml",
        ".woff2": "font/woff2",
        ".ipynb": "application/json",
        ".json": "application/json",
    }

    def log_message(self, format: str, *args: object) -> None:
        """Keep the output free of request logs."""

    def send_head(self):  # type: ignore[no-untyped-def]  # (overrides an untyped stdlib method)
        """Send the headers, compressing the body first when that is worth it."""
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            index = path / "index.html"
            if not self.path.split("?", 1)[0].endswith("/") or not index.is_file():
                return super().send_head()
            path = index
        if not path.is_file():
            return super().send_head()
        ctype = self.guess_type(str(path))
        body = path.read_bytes()
        accepts_gzip = "gzip" in self.headers.get("Accept-Encoding", "")
        compress = accepts_gzip and ctype.startswith(COMPRESSIBLE) and len(body) > 512
        if compress:
            body = gzip.compress(body, compresslevel=6, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        if compress:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Cache-Control", self._cache_control(path))
        self.end_headers()
        return _Body(body)

    def _cache_control(self, path: Path) -> str:
        if path.suffix == ".html":
            return REVALIDATE
        if "?v=" in self.path or "/_static/" in self.path:
            return LONG
        return SHORT


class _Body:
    """The file-like object ``SimpleHTTPRequestHandler.do_GET`` copies from."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._sent = False

    def read(self, size: int = -1) -> bytes:
        del size  # the whole body at once: it is in memory already
        if self._sent:
            return b""
        self._sent = True
        return self._data

    def close(self) -> None:
        self._data = b""


@contextlib.contextmanager
def serving(site: Path) -> Iterator[str]:
    """Serve ``site`` on a free port of 127.0.0.1 for the ``with`` block; yield its URL."""
    handler = functools.partial(SiteHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def main(argv: list[str] | None = None) -> int:
    """Serve the folder given on the command line until interrupted."""
    parser = argparse.ArgumentParser(prog="serve.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path, help="the built HTML, e.g. _build/html")
    args = parser.parse_args(argv)
    if not (args.site / "index.html").is_file():
        parser.error(f"{args.site}: no index.html; build the book first (nox -s docs)")
    with serving(args.site) as url:
        print(f"serving {args.site} at {url}/ (Ctrl-C stops)", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
