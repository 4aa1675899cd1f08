"""How this repository starts headless Chromium: which binary, with which flags.

Debian's Chromium (``apt-get install chromium``), never a browser that
Playwright or Lighthouse downloads. The PDF print (``tools/pdf.py``), the
audit (``tools/audit/audit.py``, for Lighthouse and axe) and the browser
tests all start it with these flags: headless, no sandbox (CI containers run
as root), no GPU, and none of the background requests (component updates,
sync, safe-browsing lists) that would leave the machine.

>>> "--headless" in FLAGS and "--disable-background-networking" in FLAGS
True
"""

from __future__ import annotations

import os
import shutil
from typing import Any

__all__ = ["DEFAULT", "FLAGS", "find", "launch"]

#: Where Debian installs Chromium.
DEFAULT = "/usr/bin/chromium"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def find() -> str:
    """The Chromium binary to use: ``$CHROME_PATH`` (as Lighthouse reads it), else ``chromium`` on PATH, else Debian's.

    >>> import os
    >>> os.environ["CHROME_PATH"] = "/opt/chromium/chrome"
    >>> find()
    '/opt/chromium/chrome'
    >>> del os.environ["CHROME_PATH"]
    """
    return os.environ.get("CHROME_PATH") or shutil.which("chromium") or DEFAULT


def launch(playwright: Any, executable: str | None = None) -> Any:
    """Start the browser through a running ``sync_playwright()`` with :data:`FLAGS`."""
    return playwright.chromium.launch(executable_path=executable or find(), args=list(FLAGS))
