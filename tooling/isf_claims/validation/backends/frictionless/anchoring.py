"""Level 3, anchoring, on frictionless, row by row and written to be obviously right
rather than fast (the reference the other engines are tested against): raw files
(present, unchanged, UTF-8), offsets in range, ``raw[start:end] == text`` by code point
(Python strings index code points), no span edge on whitespace, and at the end of each
table zones that overlap and mentions that cross.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

from isf_claims.tables import TABLE_LAYERS
from isf_claims.validation import wording
from isf_claims.validation.backends.frictionless.state import Payload, State, payload
from isf_claims.validation.policy import Unit
from isf_claims.validation.rules import (
    WHITE_SPACE,
    describe_raw,
    describe_span,
    layer_of,
    span_what,
)

TABLES = ("documents", "zones", "mentions", "claims", "markers")  # tables with anchors


class Anchoring:
    """The level-3 checks of one table: ``row`` on each row, ``end`` after the last."""

    def __init__(self, state: State, table: str) -> None:
        self.state, self.table = state, table
        self.layer = TABLE_LAYERS[table]
        self.placed: list[tuple[str, int, int, int, str]] = []  # doc, start, end, row, id

    def row(self, row: Any) -> Iterator[Payload]:
        if self.state.dirty2(self.table, row):
            return
        if self.table == "documents":
            yield from self._raw(row)
            return
        text = self.state.anchored.get(row["doc_id"])
        if text is None:
            return
        spans: list[str | None] = [*layer_of(self.state.schema, self.layer).span_fields]
        spans = spans or [None]
        for prefix in spans:
            cols = [f"{prefix}_{k}" if prefix else k for k in ("start", "end", "text")]
            s, e, t = (row[c] for c in cols)
            if s is None or e is None or t is None:
                continue
            code = span_problem(text, s, e, t)
            if code is None or code == "span-edge-whitespace":
                self.placed.append((row["doc_id"], s, e, row.row_number, row["id"]))
            if code is not None:
                what = span_what(self.layer, prefix)
                yield {"code": code, "field": prefix, **describe_span(code, what, text, s, e, t)}

    def _raw(self, row: Any) -> Iterator[Payload]:
        doc_id, declared = row["doc_id"], row["raw_sha256"]
        if doc_id in self.state.inputs.raw_refused:
            return  # not a regular file: reported by the listing, never read
        data = self.state.inputs.read_raw(doc_id)
        digest = hashlib.sha256(data).hexdigest() if data is not None else None
        code = None
        if data is None:
            code = "raw-missing"
        elif digest != declared:
            code = "raw-changed"
        else:
            try:
                self.state.anchored[doc_id] = data.decode("utf-8")
            except UnicodeDecodeError:
                code = "raw-not-utf8"
        if code is not None:
            field = "raw_sha256" if code == "raw-changed" else None
            yield {"code": code, "field": field, **describe_raw(code, doc_id, declared, digest)}

    def end(self) -> Iterator[tuple[int, Payload]]:
        """Overlaps (layers that forbid them) and crossings (layers that nest)."""
        rule = layer_of(self.state.schema, self.layer).overlap
        by_doc: dict[str, list[tuple[int, int, int, int, str]]] = {}
        for doc, s, e, rn, rid in self.placed:
            line = self.state.origin(self.table, rn).line
            by_doc.setdefault(doc, []).append((s, e, line, rn, rid))
        for spans in by_doc.values():
            spans.sort()
            for j, (s, e, _line, rn, rid) in enumerate(spans):
                if rule == "forbid":
                    hits = [x for x in spans[:j] if x[1] > s]
                    code = "spans-overlap"
                elif rule == "nest":
                    hits = [x for x in spans if x[0] < s < x[1] < e]
                    code = "spans-cross"
                else:
                    return
                if hits:
                    o = hits[0]
                    pair = {"id": rid, "_s": s, "_e": e, "_oid": o[4], "_os": o[0], "_oe": o[1]}
                    describe = wording.overlap if code == "spans-overlap" else wording.cross
                    yield rn, payload(code, None, describe(pair))


def span_problem(raw: str, s: int, e: int, t: str) -> str | None:
    """The first anchoring problem of a span, in the order the checks are defined."""
    if s >= e:
        return "span-inverted"
    if e > len(raw):
        return "span-out-of-range"
    if raw[s:e] != t:
        return "quote-mismatch"
    if t[0] in WHITE_SPACE or t[-1] in WHITE_SPACE:
        return "span-edge-whitespace"
    return None


def clean_spans(state: State, table: str, dirty: set[Unit], start: str, end: str) -> None:
    """Remember the offsets of a table's records with no finding up to level 3 (what the
    references of level 4 are checked against)."""
    rows = state.rows[table]
    idx = {c: i for i, c in enumerate(rows.columns)}
    out: dict[tuple[str, str], tuple[int, int]] = {}
    for cells, origin in zip(rows.cells, rows.origins, strict=True):
        if (origin.file, origin.line, None) in dirty:
            continue
        rid, doc = cells[idx["id"]], cells[idx["doc_id"]]
        if isinstance(rid, str):
            out.setdefault((doc, rid), (cells[idx[start]], cells[idx[end]]))
    state.clean_spans[table] = out
