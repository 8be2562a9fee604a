"""Progress bars for long work, on a terminal only (``rich.progress``).

Commands open :func:`shown` around their work; library code reports through :func:`task`
(or :func:`track`) without knowing whether anything is drawn. Outside :func:`shown`, or when
bars are not wanted (``--format json``, a ``CI`` environment variable, stdout or stderr not a
terminal), every call is a no-op, so output that other programs read never changes. Bars are
drawn on stderr and removed when the work ends.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Sized
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")
Advance = Callable[..., None]

_lock = threading.Lock()
_active: Any = None  # the rich Progress of the running command, if any


def wanted(fmt: str = "text") -> bool:
    """Whether bars should be drawn: text output, not CI, stdout and stderr terminals."""
    if fmt != "text" or os.environ.get("CI"):
        return False
    try:
        return sys.stdout.isatty() and sys.stderr.isatty()
    except (AttributeError, ValueError):  # replaced or closed streams
        return False


@contextmanager
def shown(fmt: str = "text") -> Iterator[None]:
    """Draw the bars that :func:`task` opens inside this block (when :func:`wanted`)."""
    global _active
    if not wanted(fmt) or _active is not None:
        yield
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    bars = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    with bars:
        with _lock:
            _active = bars
        try:
            yield
        finally:
            with _lock:
                _active = None


def _noop(n: int = 1) -> None:
    return None


@contextmanager
def task(description: str, total: int | None = None) -> Iterator[Advance]:
    """A bar (or spinner, without ``total``) for one step; yields ``advance(n=1)``."""
    bars = _active
    if bars is None:
        yield _noop
        return
    tid = bars.add_task(description, total=total)

    def advance(n: int = 1) -> None:
        bars.advance(tid, n)

    try:
        yield advance
    finally:
        bars.remove_task(tid)


def track(items: Iterable[T], description: str, total: int | None = None) -> Iterator[T]:
    """``items``, advancing a bar per item."""
    if _active is None:
        yield from items
        return
    if total is None and isinstance(items, Sized):
        total = len(items)
    with task(description, total) as advance:
        for item in items:
            yield item
            advance()


def active() -> bool:
    """Whether a bar would be drawn now (to skip work done only for the bars)."""
    return _active is not None


@contextmanager
def working(description: str, fmt: str = "text") -> Iterator[None]:
    """:func:`shown` with a spinner for the whole command (the bars of its steps, if any,
    below it): what a command without finer steps uses."""
    with shown(fmt), task(description):
        yield
