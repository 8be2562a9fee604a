"""Marked-up text from overlapping spans, every character of the text exactly once.

Zones, mentions (which nest), claim parts and markers (which overlap anything) cannot all be
nested elements, so the markup is built from boundary events: the text is cut at every span
boundary and a stack of open elements is kept; when a span ends under others, those are
closed and reopened right after it, so a span may come out as several fragments. Every
fragment carries the span's attributes; only the first carries its ``first`` attributes
(an ``id``, a ``tabindex``). Concatenating a span's fragments gives back its text.
"""

from __future__ import annotations

import html
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

# The HTML parser turns a CR (and CR LF) into LF; a character reference keeps it.
_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})


@dataclass(frozen=True)
class Span:
    """A stretch ``[start, end)`` of the text to wrap in ``<tag attrs>``."""

    start: int
    end: int
    attrs: tuple[tuple[str, str], ...]
    first: tuple[tuple[str, str], ...] = ()
    tag: str = "span"
    rank: int = 0  # at equal extent, lower ranks are opened first (outside)
    order: int = field(default=0, compare=False)


def escape_text(text: str) -> str:
    """``text`` as HTML character data whose DOM text is ``text`` exactly."""
    return text.translate(_TEXT_ESCAPES)


def attributes(pairs: Iterable[tuple[str, str]]) -> str:
    return "".join(f' {name}="{html.escape(value, quote=True)}"' for name, value in pairs)


def _open_tag(span: Span, first: bool) -> str:
    pairs = (*span.attrs, *span.first) if first else span.attrs
    return f"<{span.tag}{attributes(pairs)}>"


def render_spans(
    text: str, spans: Sequence[Span], points: Mapping[int, Sequence[str]] | None = None
) -> str:
    """HTML of ``text`` with every span wrapped; spans must satisfy
    ``0 <= start < end <= len(text)`` (see :func:`check_span`). ``points`` are elements
    without text (HTML) placed at an offset, before the spans that start there."""
    points = points or {}
    spans = [Span(s.start, s.end, s.attrs, s.first, s.tag, s.rank, i) for i, s in enumerate(spans)]
    starting: dict[int, list[Span]] = defaultdict(list)
    for s in spans:
        starting[s.start].append(s)
    cuts = sorted({0, len(text), *points, *(s.start for s in spans), *(s.end for s in spans)})
    out: list[str] = []
    stack: list[Span] = []
    begun: set[int] = set()
    prev = 0
    for pos in cuts:
        out.append(escape_text(text[prev:pos]))
        prev = pos
        ending = [i for i, s in enumerate(stack) if s.end == pos]
        reopen: list[Span] = []
        if ending:
            cut = ending[0]
            out.append("".join(f"</{s.tag}>" for s in reversed(stack[cut:])))
            reopen = [s for s in stack[cut:] if s.end != pos]
            del stack[cut:]
        out.extend(points.get(pos, ()))
        # Longest-lived outermost, so later ends cut as few elements as possible.
        for s in sorted([*reopen, *starting.get(pos, ())], key=lambda s: (-s.end, s.rank, s.order)):
            out.append(_open_tag(s, s.order not in begun))
            begun.add(s.order)
            stack.append(s)
    if stack:
        raise AssertionError("unreachable: every span ends at a cut")
    return "".join(out)


def check_span(start: int | None, end: int | None, length: int) -> bool:
    """Whether ``[start, end)`` is a non-empty stretch of a text of ``length`` code points."""
    return start is not None and end is not None and 0 <= start < end <= length
