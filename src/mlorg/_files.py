"""Reading a file a user gave: the one place that decides what may be read, and how much.

Every loader of the toolkit (org files, schemas, CODEOWNERS, tables, the
Python files of a repository) reads through :func:`read_text`,
:func:`read_bytes` or :func:`check_input_file`, so each refusal is worded once:

* only regular files are read; a folder, a named pipe (FIFO), a device or a
  socket, or a symbolic link to one, is refused by name, from ``os.stat``,
  before anything is opened (a FIFO is never opened for reading, so nothing
  hangs; the file is then opened with ``O_NONBLOCK`` and checked again);
* a file larger than :data:`DEFAULT_MAX_INPUT_MB` megabytes is refused; the
  environment variable :data:`MAX_INPUT_MB_ENV` raises (or lowers) the
  limit, and the message says so;
* text must be UTF-8; a bad byte is reported with its line number.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from mlorg.errors import InputError

__all__ = [
    "DEFAULT_MAX_INPUT_MB",
    "MAX_INPUT_MB_ENV",
    "check_input_file",
    "decode_utf8",
    "max_input_bytes",
    "read_bytes",
    "read_text",
]

#: The largest input file read, in megabytes (10**6 bytes), unless
#: :data:`MAX_INPUT_MB_ENV` says otherwise.
DEFAULT_MAX_INPUT_MB = 512
#: The environment variable that sets the largest input file, in megabytes.
MAX_INPUT_MB_ENV = "MLORG_MAX_INPUT_MB"

_KINDS = (
    (stat.S_ISDIR, "folder"),
    (stat.S_ISFIFO, "named pipe (FIFO)"),
    (stat.S_ISCHR, "character device"),
    (stat.S_ISBLK, "block device"),
    (stat.S_ISSOCK, "socket"),
)


def max_input_bytes() -> int:
    """The largest input file read, in bytes: ``$MLORG_MAX_INPUT_MB`` or the default.

    >>> max_input_bytes() == DEFAULT_MAX_INPUT_MB * 10**6 or MAX_INPUT_MB_ENV in os.environ
    True
    """
    text = os.environ.get(MAX_INPUT_MB_ENV, "").strip()
    if not text:
        return DEFAULT_MAX_INPUT_MB * 10**6
    try:
        megabytes = float(text)
    except ValueError:
        megabytes = -1.0
    if not megabytes > 0 or megabytes == float("inf"):
        msg = f"{MAX_INPUT_MB_ENV}={text!r}: must be a positive number of megabytes"
        raise InputError(msg)
    return int(megabytes * 10**6)


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "special file")


def _too_large(path: Path, size: str, limit: int) -> InputError:
    return InputError(
        f"{path}: {size} is more than the {limit / 10**6:g} MB an input file may have; "
        f"set {MAX_INPUT_MB_ENV} to a larger number of megabytes to read it"
    )


def check_input_file(path: str | os.PathLike[str], what: str = "file") -> os.stat_result:
    """Check, without opening it, that ``path`` is a regular file of a size we read.

    Args:
        path: the file (a symbolic link is followed, and judged by its target).
        what: what the file should be, for the message (``"CSV file"``).

    Returns:
        The file's ``os.stat`` result.

    Raises:
        InputError: the file is missing, not a regular file, or too large.

    >>> check_input_file("/dev/null", what="CSV file")
    Traceback (most recent call last):
    ...
    mlorg.errors.InputError: /dev/null: is a character device, not a CSV file
    """
    path = Path(path)
    try:
        status = path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            msg = f"{path}: is a symbolic link to a missing file ({path.readlink()})"
        else:
            msg = f"{path}: no such file"
        raise InputError(msg) from None
    except NotADirectoryError:
        msg = f"{path}: no such file (a part of the path is not a folder)"
        raise InputError(msg) from None
    except OSError as error:  # a loop of symbolic links, a name too long, no permission
        msg = f"{path}: cannot read ({error.strerror or error})"
        raise InputError(msg) from None
    if not stat.S_ISREG(status.st_mode):
        link = " a symbolic link to" if path.is_symlink() else ""
        msg = f"{path}: is{link} a {_kind(status.st_mode)}, not a {what}"
        raise InputError(msg)
    limit = max_input_bytes()
    if status.st_size > limit:
        raise _too_large(path, f"{status.st_size / 10**6:.1f} MB", limit)
    return status


def read_bytes(path: str | os.PathLike[str], what: str = "file") -> bytes:
    """Read a regular file a user gave, at most :func:`max_input_bytes` of it.

    The file is checked by :func:`check_input_file`, then opened with
    ``O_NONBLOCK`` and checked again (so a file swapped for a FIFO in
    between cannot block), and read up to one byte past the limit (so a file
    that grows while it is read cannot exhaust memory).

    >>> read_bytes("no-such-file.csv", what="CSV file")
    Traceback (most recent call last):
    ...
    mlorg.errors.InputError: no-such-file.csv: no such file
    """
    path = Path(path)
    check_input_file(path, what)
    limit = max_input_bytes()
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as error:
        msg = f"{path}: cannot read ({error.strerror or error})"
        raise InputError(msg) from None
    try:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):
            msg = f"{path}: is a {_kind(mode)}, not a {what}"
            raise InputError(msg)
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(descriptor, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as error:
        msg = f"{path}: cannot read ({error.strerror or error})"
        raise InputError(msg) from None
    finally:
        os.close(descriptor)
    if size > limit:
        raise _too_large(path, "the file grew while being read and", limit)
    return b"".join(chunks)


def decode_utf8(data: bytes, source: str) -> str:
    r"""Decode UTF-8 bytes; a bad byte is an :class:`InputError` naming its line.

    A byte-order mark at the start is dropped, as Python's ``utf-8-sig`` does.

    >>> decode_utf8(b"a,b\n1,\xff\n", "data.csv")
    Traceback (most recent call last):
    ...
    mlorg.errors.InputError: data.csv: line 2: not UTF-8 text (byte 0xff at column 3)
    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        bad = data[error.start : error.start + 1].hex()
        msg = f"{source}: line {line}: not UTF-8 text (byte 0x{bad} at column {column})"
        raise InputError(msg) from None


def read_text(path: str | os.PathLike[str], what: str = "file") -> str:
    """Read a regular file a user gave as UTF-8 text; any problem is one :class:`InputError` line.

    >>> read_text("no-such-org.yaml", what="YAML file")
    Traceback (most recent call last):
    ...
    mlorg.errors.InputError: no-such-org.yaml: no such file
    >>> read_text(".", what="YAML file")
    Traceback (most recent call last):
    ...
    mlorg.errors.InputError: .: is a folder, not a YAML file
    """
    return decode_utf8(read_bytes(path, what), str(path))
