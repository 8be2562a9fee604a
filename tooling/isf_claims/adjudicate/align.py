"""Align two annotation sets of the same documents record by record.

A *unit* is one thing both annotators could have annotated: a zone, mention or marker at a
span (same start and end), a claim (A's and B's claims matched one to one by overlapping
content, as ``isf-claims agree`` matches them), a canonical entity or a claim cluster (same
id). A unit has A's version, B's version, or both. Each unit gets its id in the gold set:
A's id when A has it, otherwise a fresh id after A's highest id of that layer (ids are
never reused), so references from B's records can be carried into the gold set.

Every unit has a stable *key* made of what identifies it (span offsets, the two claim ids,
the entity or cluster id), from which the decision ids are made.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from isf_claims.annotations import id_number
from isf_claims.convert.model import REFERENCES, Interchange, next_ids
from isf_claims.schema import DOCUMENT_LAYERS, Schema

SPAN_LAYERS = ("zone", "mention", "marker")
SHARED = ("entity", "cluster")


@dataclass
class Unit:
    """One alignable record: A's and B's versions (either may be None)."""

    doc_id: str | None
    layer: str
    key: str
    a: dict[str, Any] | None
    b: dict[str, Any] | None
    gold_id: str = ""

    @property
    def position(self) -> tuple[int, int]:
        rec = self.a or self.b or {}
        span = rec.get("content") if self.layer == "claim" else rec
        span = span or {}
        return (span.get("start") or 0, span.get("end") or 0)


@dataclass
class Alignment:
    """Units per document and layer, id maps from each side's ids to units, shared units."""

    schema: Schema
    units: dict[tuple[str | None, str], list[Unit]] = field(default_factory=dict)
    by_a: dict[tuple[str | None, str, str], Unit] = field(default_factory=dict)
    by_b: dict[tuple[str | None, str, str], Unit] = field(default_factory=dict)
    doc_ids: list[str] = field(default_factory=list)
    headers: dict[str, tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)

    def layer_units(self, doc_id: str | None, layer: str) -> list[Unit]:
        return self.units.get((doc_id, layer), [])

    def unit_of(self, side: str, doc_id: str | None, layer: str, rid: str | None) -> Unit | None:
        if rid is None:
            return None
        return (self.by_a if side == "a" else self.by_b).get((doc_id, layer, rid))

    def gold_ref(self, side: str, doc_id: str | None, layer: str, name: str, value: Any) -> Any:
        """``value`` of reference field ``name`` on ``side`` as the gold set's id."""
        target = REFERENCES[layer][name][1]
        if value is None or target == "entity":
            return value
        unit = self.unit_of(side, doc_id, target, value)
        return unit.gold_id if unit is not None else value


def _span_units(
    doc_id: str, layer: str, a: list[dict[str, Any]], b: list[dict[str, Any]]
) -> list[Unit]:
    groups: dict[tuple[int, int], tuple[list[dict[str, Any]], list[dict[str, Any]]]] = defaultdict(
        lambda: ([], [])
    )
    for side, recs in ((0, a), (1, b)):
        for rec in sorted(recs, key=lambda r: id_number(r["id"])):
            groups[(rec["start"], rec["end"])][side].append(rec)
    units = []
    for (start, end), (ra, rb) in sorted(groups.items()):
        for k in range(max(len(ra), len(rb))):
            key = f"{start}-{end}" + (f"#{k}" if k else "")
            units.append(
                Unit(
                    doc_id,
                    layer,
                    key,
                    ra[k] if k < len(ra) else None,
                    rb[k] if k < len(rb) else None,
                )
            )
    return units


def _claim_units(doc_id: str, a: list[dict[str, Any]], b: list[dict[str, Any]]) -> list[Unit]:
    """One-to-one matches by content overlap, largest overlap first (ties: position, id)."""
    cand = []
    for ra in a:
        ca = ra["content"]
        for rb in b:
            cb = rb["content"]
            overlap = min(ca["end"], cb["end"]) - max(ca["start"], cb["start"])
            if overlap > 0:
                key = (-overlap, ca["start"], cb["start"], id_number(ra["id"]), id_number(rb["id"]))
                cand.append((key, ra, rb))
    used_a: set[str] = set()
    used_b: set[str] = set()
    units = []
    for _key, ra, rb in sorted(cand, key=lambda c: c[0]):
        if ra["id"] in used_a or rb["id"] in used_b:
            continue
        used_a.add(ra["id"])
        used_b.add(rb["id"])
        units.append(Unit(doc_id, "claim", f"{ra['id']}~{rb['id']}", ra, rb))
    units += [Unit(doc_id, "claim", f"{r['id']}~", r, None) for r in a if r["id"] not in used_a]
    units += [Unit(doc_id, "claim", f"~{r['id']}", None, r) for r in b if r["id"] not in used_b]
    return sorted(units, key=lambda u: (*u.position, u.key))


def _by_id(
    doc_id: str | None, layer: str, a: list[dict[str, Any]], b: list[dict[str, Any]]
) -> list[Unit]:
    ia, ib = {r["id"]: r for r in a}, {r["id"]: r for r in b}
    return [Unit(doc_id, layer, i, ia.get(i), ib.get(i)) for i in sorted(set(ia) | set(ib))]


def _assign_ids(schema: Schema, units: list[Unit], layer: str) -> None:
    for u in units:
        if u.a is not None:
            u.gold_id = u.a["id"]
    if layer in SHARED:
        for u in units:
            if not u.gold_id and u.b is not None:
                u.gold_id = u.b["id"]  # shared ids are names, shared by both sets
        return
    only_b = [u for u in units if u.a is None]
    prefix = schema.layer(layer).id_prefix or ""
    used = [u.a["id"] for u in units if u.a is not None]
    for u, new in zip(only_b, next_ids(used, prefix, len(only_b)), strict=True):
        u.gold_id = new


def align(a: Interchange, b: Interchange) -> Alignment:
    """Units of every document both sets annotate (the caller checks they are the same)."""
    out = Alignment(a.schema)
    docs_b = {d.doc_id: d for d in b.documents}
    for da in sorted(a.documents, key=lambda d: d.doc_id):
        db = docs_b[da.doc_id]
        doc_id = da.doc_id
        out.doc_ids.append(doc_id)
        out.headers[doc_id] = (da.header, db.header)
        out.texts[doc_id] = da.text
        for layer in DOCUMENT_LAYERS:
            ra, rb = da.records[layer], db.records[layer]
            units = (
                _claim_units(doc_id, ra, rb)
                if layer == "claim"
                else _span_units(doc_id, layer, ra, rb)
            )
            _assign_ids(a.schema, units, layer)
            out.units[(doc_id, layer)] = units
    for layer, ra, rb in (
        ("entity", a.entities or [], b.entities or []),
        ("cluster", a.clusters or [], b.clusters or []),
    ):
        units = _by_id(None, layer, ra, rb)
        _assign_ids(a.schema, units, layer)
        out.units[(None, layer)] = units
    for units in out.units.values():
        for u in units:
            if u.a is not None:
                out.by_a[(u.doc_id, u.layer, u.a["id"])] = u
            if u.b is not None:
                out.by_b[(u.doc_id, u.layer, u.b["id"])] = u
    return out
