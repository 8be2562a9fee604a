"""Records read line by line (the reference path) typed against the schema, value by value:
a value of the wrong JSON type becomes null and a ``wrong-type`` finding (level 2), so the
typed records fit the same Arrow schema as the fast path's. Used by every engine."""

from __future__ import annotations

from typing import Any

import pyarrow as pa

import isf_claims.validation.wording as wording
from isf_claims.annotations import dumps
from isf_claims.schema import Schema
from isf_claims.tables import record_schema, shared_schema
from isf_claims.validation.report import Finding, words
from isf_claims.validation.rules import INT64, layer_of
from isf_claims.validation.structure import MEMBER_KEYS, SourceFile


def _fits(kind: str, value: Any) -> bool:
    if value is None:
        return True
    if kind == "integer":
        return (
            isinstance(value, int)
            and not isinstance(value, bool)
            and (INT64[0] <= value <= INT64[1])
        )
    if kind == "boolean":
        return isinstance(value, bool)
    return isinstance(value, str)


class _Typer:
    """Types one file's records against the schema, collecting ``wrong-type`` findings."""

    def __init__(self, schema: Schema, rel: str, doc_id: str | None) -> None:
        self.schema, self.rel, self.doc_id = schema, rel, doc_id
        self.findings: list[Finding] = []

    def _bad(self, line: int, rec: dict[str, Any], name: str, expected: str, value: Any) -> None:
        rid = rec.get("id")
        self.findings.append(
            Finding(
                code="wrong-type",
                file=self.rel,
                line=line,
                record=rid if isinstance(rid, str) else None,
                field=name,
                doc_id=self.doc_id,
                **wording.wrong_type(name, expected, value),
            )
        )

    def record(self, layer: str, line: int, rec: dict[str, Any]) -> dict[str, Any]:
        out = dict(rec)
        for f in layer_of(self.schema, layer).fields:
            value = rec.get(f.name)
            if f.type == "span":
                out[f.name] = self._span(line, rec, f.name, value)
            elif f.type == "members":
                out[f.name] = self._members(line, rec, value)
            elif not _fits(f.type, value):
                self._bad(line, rec, f.name, f.type, value)
                out[f.name] = None
        return out

    def _span(self, line: int, rec: dict[str, Any], name: str, value: Any) -> Any:
        if value is None:
            return None
        if not isinstance(value, dict):
            self._bad(line, rec, name, "an object {start, end, text}", value)
            return None
        span = dict(value)
        for part, kind in (("start", "integer"), ("end", "integer"), ("text", "string")):
            if not _fits(kind, value.get(part)):
                self._bad(line, rec, f"{name}.{part}", kind, value.get(part))
                span[part] = None
        return span

    def _members(self, line: int, rec: dict[str, Any], value: Any) -> Any:
        if value is None:
            self.findings.append(
                Finding(
                    code="missing-value",
                    file=self.rel,
                    line=line,
                    record=rec.get("id") if isinstance(rec.get("id"), str) else None,
                    field="members",
                    **words("missing-value", field="members", need=wording.MEMBERS_NEED),
                )
            )
            return []
        if not isinstance(value, list):
            self._bad(line, rec, "members", "a list of {doc_id, claim, note}", value)
            return []
        out = []
        for i, m in enumerate(value):
            if not isinstance(m, dict):
                self._bad(line, rec, f"members[{i}]", "an object {doc_id, claim, note}", m)
                out.append(dict.fromkeys(MEMBER_KEYS))
                continue
            member = {k: m.get(k) for k in MEMBER_KEYS}
            for k in MEMBER_KEYS:
                if not _fits("string", m.get(k)):
                    self._bad(line, rec, f"members[{i}].{k}", "string", m.get(k))
                    member[k] = None
            out.append(member)
        return out


def typed_lines(
    schema: Schema, kind_layer: str | None, f: SourceFile
) -> tuple[bytes, list[Finding]]:
    """The records ``f`` was read into, typed, as canonical JSON lines; and the
    ``wrong-type`` (and missing members) findings. ``kind_layer`` is the layer of a shared
    file's records (None: each record's own)."""
    typer = _Typer(schema, f.rel, f.doc_id)
    lines = []
    for lineno, rec in enumerate(f.records or [], start=1):
        layer = kind_layer or rec["layer"]
        lines.append(dumps(typer.record(layer, lineno, rec)))
    return "".join(line + "\n" for line in lines).encode("utf-8"), typer.findings


def typed_table(
    schema: Schema, kind_layer: str | None, f: SourceFile
) -> tuple[pa.Table, list[Finding]]:
    """The records ``f`` was read into, typed, as an Arrow table of the typed parse's
    schema (``record_schema``, or the shared file's), and what typing them found."""
    typer = _Typer(schema, f.rel, f.doc_id)
    rows = [
        typer.record(kind_layer or rec["layer"], lineno, rec)
        for lineno, rec in enumerate(f.records or [], start=1)
    ]
    arrow = (
        record_schema(schema) if kind_layer is None else shared_schema(layer_of(schema, kind_layer))
    )
    return pa.Table.from_pylist(rows, schema=arrow), typer.findings
