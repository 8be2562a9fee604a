"""Atomic file writes: a temporary file in the target folder, fsync, then rename."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so readers see the old file or the new one, never a part."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
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
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            staged.append((tmp, path))
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
