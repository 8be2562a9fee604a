"""Atomic file writes: a temporary file in the target folder, fsync, then rename.

Written files get the permissions a plain ``open(path, "w")`` would give them: a new file
``0666`` less the umask (``0644`` by default), a replaced file keeps its mode. Folders made
here are ``0777`` less the umask (``0755`` by default). (``tempfile`` alone would give
``0600`` files and ``0700`` folders, unreadable to other users and web servers.)
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path


def umask() -> int:
    """The process's umask, read without changing it (thread-safe on Linux)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)  # elsewhere: the classic read-by-setting, restored at once
    os.umask(mask)
    return mask


def file_mode(path: Path) -> int:
    """Mode for a file written at ``path``: its current mode if it exists, else the umask's."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return 0o666 & ~umask()


def make_temp_dir(parent: Path, prefix: str) -> Path:
    """A new empty folder in ``parent`` (made if needed) with the umask's permissions, to be
    renamed into place."""
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    os.chmod(tmp, 0o777 & ~umask())
    return tmp


def _stage(path: Path, data: bytes) -> str:
    """Write ``data`` to a temporary file beside ``path`` with ``path``'s mode-to-be."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fh.fileno(), file_mode(path))
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so readers see the old file or the new one, never a part."""
    tmp = _stage(path, data)
    try:
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    """Write UTF-8 text with ``\\n`` line endings exactly as given."""
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_many(files: Iterable[tuple[Path, bytes]]) -> None:
    """Write several files: all temporaries first, then the renames, so a failure while
    preparing leaves every target as it was."""
    staged: list[tuple[str, Path]] = []
    try:
        for path, data in files:
            staged.append((_stage(path, data), path))
    except BaseException:
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)
        raise
    done = 0
    try:
        for tmp, path in staged:
            os.replace(tmp, path)
            done += 1
    except BaseException:
        for tmp, _ in staged[done:]:
            Path(tmp).unlink(missing_ok=True)
        raise


class NotRegularFile(OSError):
    """A symbolic link, folder or special file where a regular file belongs."""

    def __init__(self, path: Path | str, kind: str) -> None:
        super().__init__(f"{path} is {kind}, not a regular file")
        self.path = str(path)
        self.kind = kind


def kind_of(mode: int) -> str:
    """What a file mode (from lstat) is, in words: ``"file"`` for a regular file."""
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device file"
    return "a special file"


_NOFOLLOW = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)


def read_regular(path: Path | str) -> bytes:
    """The bytes of ``path``, which must be a regular file. A symbolic link, folder or
    special file raises :class:`NotRegularFile` and is never opened (``lstat`` first; the
    open does not follow links and checks what it opened, against a swap in between)."""
    mode = os.lstat(path).st_mode
    if not stat.S_ISREG(mode):
        raise NotRegularFile(path, kind_of(mode))
    try:
        fd = os.open(path, _NOFOLLOW)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise NotRegularFile(path, "a symbolic link") from None
        raise
    with os.fdopen(fd, "rb") as fh:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegularFile(path, kind_of(mode))
        return fh.read()


def scan(folder: Path, suffixes: tuple[str, ...]) -> dict[str, str]:
    """Entries of ``folder`` whose names end with one of ``suffixes``: name -> what it is
    (``"file"`` for a regular file; see :func:`kind_of`). One directory scan; links are
    not followed, and only entries that are not plain files or folders cost an ``lstat``."""
    out: dict[str, str] = {}
    try:
        entries = os.scandir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return out
    with entries:
        for e in entries:
            if not e.name.endswith(suffixes):
                continue
            if e.is_symlink():
                out[e.name] = "a symbolic link"
            elif e.is_file(follow_symlinks=False):
                out[e.name] = "file"
            elif e.is_dir(follow_symlinks=False):
                out[e.name] = "a folder"
            else:
                out[e.name] = kind_of(e.stat(follow_symlinks=False).st_mode)
    return out
