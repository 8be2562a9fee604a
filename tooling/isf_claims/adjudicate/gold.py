"""Build a set from an alignment and choices: the gold set, or the set both agree on.

Records keep their gold ids (A's id, or a fresh one for a record only B has) and every
reference is carried into gold ids, so a claim B made that points at B's mention points at
that mention's gold id. A choice that removes a record something else still points at gives
a set that does not validate; ``apply`` then refuses it.
"""

from __future__ import annotations

from typing import Any

from isf_claims.adjudicate.align import Alignment, Unit
from isf_claims.adjudicate.decisions import Decision, member_keys
from isf_claims.convert.model import REFERENCES, Document, Interchange
from isf_claims.errors import IsfError, refuse
from isf_claims.schema import DOCUMENT_LAYERS

GOLD_STATUS = "gold"
AGREED_STATUS = "draft"


def _version(unit: Unit, side: str) -> dict[str, Any]:
    """``side``'s version of ``unit`` (``a``, else ``b``); callers ask only for one it has."""
    src = unit.a if side == "a" else unit.b
    if src is None:
        raise TypeError(f"{unit.layer} {unit.key} has no version {side}")
    return src


def _carry(al: Alignment, unit: Unit, side: str) -> dict[str, Any]:
    """``side``'s version of ``unit`` with its id and references in gold ids."""
    src = _version(unit, side)
    rec = dict(src)
    rec["id"] = unit.gold_id
    if unit.doc_id is not None:
        for name in REFERENCES.get(unit.layer, {}):
            rec[name] = al.gold_ref(side, unit.doc_id, unit.layer, name, src.get(name))
    return rec


def _refuse(dec: Decision, why: str) -> IsfError:
    return refuse(
        "adjudication-decision-invalid",
        path=dec.doc_id,
        record=dec.id,
        expected="a, b or neither for a field; a, b, both or neither for a record or member",
        found=repr(dec.decision),
        note=why,
    )


def _keep(dec: Decision, has_a: bool, has_b: bool) -> bool:
    return {"a": has_a, "b": has_b, "both": True, "neither": False}[dec.decision or ""]


def _field_value(al: Alignment, unit: Unit, dec: Decision) -> Any:
    if dec.decision == "both":
        raise _refuse(dec, f"`both` cannot hold two values of field {dec.field}")
    if dec.decision == "neither":
        return None
    side = "a" if dec.decision == "a" else "b"
    name = dec.field or ""  # a field decision always names its field
    value = _version(unit, side).get(name)
    if name in REFERENCES.get(unit.layer, {}) and unit.doc_id is not None:
        value = al.gold_ref(side, unit.doc_id, unit.layer, name, value)
    return value


class Builder:
    """Records of a set made from ``al``; ``choices`` maps a decision's slot to the
    decision, and ``agreed_only`` keeps only what both sets have identically."""

    def __init__(self, al: Alignment, decisions: list[Decision], agreed_only: bool) -> None:
        self.al = al
        self.by_slot = {d.slot: d for d in decisions}
        self.agreed_only = agreed_only
        self.touched = {d.slot[:3] for d in decisions}

    def record(self, unit: Unit) -> dict[str, Any] | None:
        base = (unit.doc_id, unit.layer, unit.key)
        if self.agreed_only:
            if base in self.touched or unit.a is None or unit.b is None:
                return None
            return _carry(self.al, unit, "a")
        if unit.a is None or unit.b is None:
            dec = self.by_slot[base]
            if not _keep(dec, unit.a is not None, unit.b is not None):
                return None
            return _carry(self.al, unit, "a" if unit.a is not None else "b")
        rec = _carry(self.al, unit, "a")
        for name in list(rec):
            field_dec = self.by_slot.get((*base, name))
            if field_dec is not None:
                rec[name] = _field_value(self.al, unit, field_dec)
        return rec

    def members(self, unit: Unit, rec: dict[str, Any]) -> list[dict[str, Any]]:
        al = self.al
        if unit.a is None or unit.b is None:
            side = "a" if unit.a is not None else "b"
            keys = member_keys(al, side, unit.a or unit.b)
            return [self._member(side, m) for m in keys.values()]
        ma, mb = member_keys(al, "a", unit.a), member_keys(al, "b", unit.b)
        out = []
        for key in sorted(set(ma) | set(mb)):
            xa, xb = ma.get(key), mb.get(key)
            slot = (None, "cluster", unit.key, "members", *key)
            if xa is not None and xb is not None:
                m = self._member("a", xa)
                dec = self.by_slot.get((*slot, "note"))
                if dec is not None:
                    if self.agreed_only:
                        continue
                    if dec.decision == "both":
                        raise _refuse(dec, "`both` cannot hold two notes of one member")
                    m["note"] = {"a": xa, "b": xb}.get(dec.decision or "", {}).get("note")
                out.append(m)
            elif not self.agreed_only and _keep(self.by_slot[slot], xa is not None, xb is not None):
                kept = xa if xa is not None else xb  # the one side that has the member
                if kept is not None:
                    out.append(self._member("a" if xa is not None else "b", kept))
        return out

    def _member(self, side: str, m: dict[str, Any]) -> dict[str, Any]:
        unit = self.al.unit_of(side, m["doc_id"], "claim", m["claim"])
        claim = unit.gold_id if unit is not None else m["claim"]
        return {"doc_id": m["doc_id"], "claim": claim, "note": m.get("note")}


def header(al: Alignment, doc_id: str, status: str, adjudicated: bool) -> dict[str, Any]:
    """The document record of a built set: A's, with the status, both sets' annotators and,
    where the schema has them, the annotator count and whether it was adjudicated."""
    ha, hb = al.headers[doc_id]
    out = dict(ha)
    out["status"] = status
    if ha.get("annotators") != hb.get("annotators"):
        out["annotators"] = f"{ha.get('annotators')}; {hb.get('annotators')}"
    fields = set(al.schema.layer("document").field_names)
    if "annotator_count" in fields:
        out["annotator_count"] = (ha.get("annotator_count") or 1) + (hb.get("annotator_count") or 1)
    if "adjudicated" in fields:
        out["adjudicated"] = adjudicated
    return out


def build(
    al: Alignment,
    decisions: list[Decision],
    *,
    agreed_only: bool,
    entities: bool,
    clusters: bool,
) -> Interchange:
    """The set ``decisions`` make (or, with ``agreed_only``, what both sets agree on);
    ``entities``/``clusters``: whether the set carries those files."""
    b = Builder(al, decisions, agreed_only)
    docs = []
    for doc_id in al.doc_ids:
        records: dict[str, list[dict[str, Any]]] = {}
        for layer in DOCUMENT_LAYERS:
            recs = [b.record(u) for u in al.layer_units(doc_id, layer)]
            records[layer] = [r for r in recs if r is not None]
        status = AGREED_STATUS if agreed_only else GOLD_STATUS
        hdr = header(al, doc_id, status, adjudicated=not agreed_only)
        docs.append(Document(hdr, al.texts[doc_id], records))
    ents = [r for u in al.layer_units(None, "entity") if (r := b.record(u)) is not None]
    clus = []
    for u in al.layer_units(None, "cluster"):
        rec = b.record(u)
        if rec is not None:
            rec["members"] = b.members(u, rec)
            clus.append(rec)
    return Interchange(al.schema, docs, ents if entities else None, clus if clusters else None)
