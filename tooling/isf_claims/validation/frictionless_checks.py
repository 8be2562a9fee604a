"""The frictionless engine's semantic checks, as frictionless custom checks: plain, row by
row, written to be obviously right rather than fast (the reference the pandera engine is
tested against).

A check function gets a frictionless ``Row`` and yields finding payloads; ``RowCheck``
turns them into frictionless errors so that they travel in frictionless's own report.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

import attrs
from frictionless import Check, errors

from isf_claims.schema import Schema
from isf_claims.tables import TABLE_LAYERS
from isf_claims.validation.frictionless_rows import Origin, Rows
from isf_claims.validation.policy import Unit
from isf_claims.validation.reader import Inputs
from isf_claims.validation.rules import (
    INT64,
    WHITE_SPACE,
    attribution_problems,
    describe_attribution,
    describe_raw,
    describe_span,
    layer_of,
    span_what,
)

Payload = dict[str, Any]
LEVEL2_NATIVE = ("type-error", "constraint-error", "primary-key")


class SemanticError(errors.RowError):
    """A finding of an isf-claims check; the note carries it as JSON."""

    type = "isf-finding"
    title = "isf-claims check"
    description = "A semantic check of isf-claims failed."
    template = "{note}"


@attrs.define(kw_only=True, repr=False)
class RowCheck(Check):
    """A frictionless check made of a per-row and an end-of-table function."""

    type = "isf-row-check"
    Errors: ClassVar[list[type[errors.Error]]] = [SemanticError]
    on_row: Any = None
    on_end: Any = None

    def validate_row(self, row: Any) -> Iterable[errors.Error]:
        for payload in self.on_row(row) if self.on_row else ():
            yield SemanticError.from_row(row, note=json.dumps(payload))

    def validate_end(self) -> Iterable[errors.Error]:
        for row_number, payload in self.on_end() if self.on_end else ():
            yield SemanticError(note=json.dumps(payload), cells=[], row_number=row_number)


def _p(code: str, field: str | None, message: str, **kw: Any) -> Payload:
    return {"code": code, "field": field, "message": message, **kw}


def _strict_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and INT64[0] <= v <= INT64[1]


def _wrong(name: str, expected: str, value: Any) -> Payload:
    return _p(
        "wrong-type",
        name,
        f"{name} must be {expected}",
        expected=expected,
        found=json.dumps(value, ensure_ascii=False)[:80],
    )


def strict_types(schema: Schema, layer: str, source: dict[str, Any]) -> list[Payload]:
    """JSON types as written: frictionless casts ``"12"`` to 12; the contract does not."""
    out = []
    for f in layer_of(schema, layer).fields:
        v = source.get(f.name)
        if f.type == "integer" and v is not None and not _strict_int(v):
            out.append(_wrong(f.name, "integer", v))
        elif f.type == "string" and v is not None and not isinstance(v, str):
            out.append(_wrong(f.name, "string", v))
        elif f.type == "boolean" and v is not None and not isinstance(v, bool):
            out.append(_wrong(f.name, "boolean", v))
        elif f.type == "span" and v is not None:
            if not isinstance(v, dict):
                out.append(_wrong(f.name, "an object {start, end, text}", v))
                continue
            for part in ("start", "end"):
                if v.get(part) is not None and not _strict_int(v.get(part)):
                    out.append(_wrong(f"{f.name}.{part}", "integer", v.get(part)))
            if v.get("text") is not None and not isinstance(v.get("text"), str):
                out.append(_wrong(f"{f.name}.text", "string", v.get("text")))
        elif f.type == "members":
            out += _member_types(v)
    return out


def _member_types(v: Any) -> list[Payload]:
    if v is None:
        return [_p("missing-value", "members", "members is required", found="null")]
    if not isinstance(v, list):
        return [_wrong("members", "a list of {doc_id, claim, note}", v)]
    out = []
    for i, m in enumerate(v):
        if not isinstance(m, dict):
            out.append(_wrong(f"members[{i}]", "an object {doc_id, claim, note}", m))
            continue
        for k in ("doc_id", "claim", "note"):
            if m.get(k) is not None and not isinstance(m.get(k), str):
                out.append(_wrong(f"members[{i}].{k}", "string", m.get(k)))
    return out


@dataclass
class State:
    """What the checks of one run share: inputs, rows, and what earlier tables found."""

    inputs: Inputs
    rows: dict[str, Rows]
    anchored: dict[str, str] = field(default_factory=dict)
    level2: set[tuple[str, int]] = field(default_factory=set)  # (table, row number)
    clean_entities: dict[str, str] = field(default_factory=dict)  # id -> label
    clean_spans: dict[str, dict[tuple[str, str], tuple[int, int]]] = field(default_factory=dict)

    @property
    def schema(self) -> Schema:
        return self.inputs.schema

    def origin(self, table: str, row_number: int) -> Origin:
        return self.rows[table].origins[row_number - 2]


def _has(row: Any, prefix: str) -> bool:
    return any(row[f"{prefix}_{k}"] is not None for k in ("start", "end", "text"))


class TableChecks:
    """The custom checks of one table, in the order they run on each row."""

    def __init__(self, state: State, table: str) -> None:
        self.state, self.table = state, table
        self.layer = TABLE_LAYERS[table]
        self.placed: list[tuple[str, int, int, int, str]] = []  # doc, start, end, row, id

    def checks(self) -> list[RowCheck]:
        out = [RowCheck(on_row=self._level2)]
        if self.table in ("documents", "zones", "mentions", "claims", "markers"):
            out.append(RowCheck(on_row=self._level3, on_end=self._overlaps))
        if self.table in ("mentions", "claims", "markers"):
            out.append(RowCheck(on_row=self._level4))
        return out

    def _dirty2(self, row: Any) -> bool:
        native = any(e.type in LEVEL2_NATIVE for e in row.errors)
        return native or (self.table, row.row_number) in self.state.level2

    # -- level 2 ------------------------------------------------------------------------

    def _level2(self, row: Any) -> Iterator[Payload]:
        found: list[Payload] = []
        if self.table != "cluster_members":
            found += strict_types(
                self.state.schema, self.layer, self.state.origin(self.table, row.row_number).source
            )
        if self.table == "claims":
            found += self._span_parts(row)
            if not found and not any(e.type in LEVEL2_NATIVE for e in row.errors):
                found += self._attribution(row)
        if found:
            self.state.level2.add((self.table, row.row_number))
        yield from found

    def _span_parts(self, row: Any) -> list[Payload]:
        out = []
        for f in layer_of(self.state.schema, "claim").fields:
            if f.type != "span" or f.required or not _has(row, f.name):
                continue
            for part in ("start", "end", "text"):
                if row[f"{f.name}_{part}"] is None:
                    out.append(
                        _p("missing-value", f"{f.name}.{part}", f"the {f.name} span has no {part}")
                    )
        return out

    def _attribution(self, row: Any) -> list[Payload]:
        problems = attribution_problems(
            row["attribution"],
            row["source_type"],
            row["cue_commitment"],
            _has(row, "cue"),
            _has(row, "source"),
        )
        if not problems:
            return []
        described = describe_attribution(row["attribution"], problems)
        return [{"code": "attribution-inconsistent", "field": "attribution", **described}]

    # -- level 3 ------------------------------------------------------------------------

    def _level3(self, row: Any) -> Iterator[Payload]:
        if self._dirty2(row):
            return
        if self.table == "documents":
            yield from self._raw(row)
            return
        text = self.state.anchored.get(row["doc_id"])
        if text is None:
            return
        spans = layer_of(self.state.schema, self.layer).span_fields or [None]
        for prefix in spans:
            cols = [f"{prefix}_{k}" if prefix else k for k in ("start", "end", "text")]
            s, e, t = (row[c] for c in cols)
            if s is None or e is None or t is None:
                continue
            code = _span_problem(text, s, e, t)
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

    def _overlaps(self) -> Iterator[tuple[int, Payload]]:
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
                    code, verb = "spans-overlap", "overlaps"
                elif rule == "nest":
                    hits = [x for x in spans if x[0] < s < x[1] < e]
                    code, verb = "spans-cross", "crosses"
                else:
                    return
                if hits:
                    o = hits[0]
                    yield rn, _p(code, None, f"{rid} [{s}, {e}) {verb} {o[4]} [{o[0]}, {o[1]})")

    # -- level 4 ------------------------------------------------------------------------

    def _level4(self, row: Any) -> Iterator[Payload]:
        doc = row["doc_id"]
        if self.table == "mentions":
            label = (
                self.state.clean_entities.get(row["entity"])
                if isinstance(row["entity"], str)
                else None
            )
            if label is not None and row["label"] is not None and row["label"] != label:
                yield _p(
                    "entity-label-mismatch",
                    "label",
                    f"mention is {row['label']}, its entity is {label}",
                    expected=label,
                    found=row["label"],
                )
        elif self.table == "claims" and isinstance(row["source_mention"], str):
            m = self.state.clean_spans["mentions"].get((doc, row["source_mention"]))
            if m is None:
                return
            ss, se = row["source_start"], row["source_end"]
            if ss is None or (se is not None and (m[0] < ss or m[1] > se)):
                yield _p(
                    "source-mention-outside-source",
                    "source_mention",
                    f"source_mention {row['source_mention']} [{m[0]}, {m[1]}) is not inside "
                    "the source span",
                )
        elif self.table == "markers" and isinstance(row["claim"], str):
            c = self.state.clean_spans["claims"].get((doc, row["claim"]))
            s, e = row["start"], row["end"]
            if c is not None and s is not None and e is not None and (s < c[0] or e > c[1]):
                yield _p(
                    "marker-outside-claim",
                    "claim",
                    f"marker [{s}, {e}) is outside the content of {row['claim']} [{c[0]}, {c[1]})",
                )


def _span_problem(raw: str, s: int, e: int, t: str) -> str | None:
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
    """Remember the offsets of a table's records with no finding up to level 3."""
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


def clean_entities(state: State, dirty: set[Unit]) -> None:
    rows = state.rows["entities"]
    idx = {c: i for i, c in enumerate(rows.columns)}
    for cells, origin in zip(rows.cells, rows.origins, strict=True):
        if (origin.file, origin.line, None) not in dirty and isinstance(cells[idx["id"]], str):
            state.clean_entities.setdefault(cells[idx["id"]], cells[idx["label"]])
