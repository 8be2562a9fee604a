"""Disagreements between two aligned annotation sets, as decisions a curator takes.

Kinds of decision:

- ``zone``, ``mention``, ``claim``, ``marker``, ``entity``, ``cluster``: a record only one set
  has. ``a`` keeps what A has (the record, or nothing), ``b`` what B has, ``both`` keeps the
  record, ``neither`` drops it.
- ``attribute`` (a label or another value), ``claim-part`` (a claim's content, cue, source or
  addressee span) and ``link`` (a reference to an entity, mention or claim) of a record both
  sets have: ``a`` or ``b`` takes that set's value, ``neither`` leaves the field empty
  (null); ``both`` is refused, a field holds one value.
- ``cluster-member``: a claim one set puts in a cluster and the other does not: ``a``/``b``
  follow that set, ``both`` keeps the claim in the cluster, ``neither`` leaves it out.

A decision's id is made from what identifies the disagreement (document, layer, the record's
span or ids, the field), never from its position in the file, so re-running ``adjudicate``
after the annotators changed other records finds the same ids and keeps the choices taken.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from isf_claims.adjudicate.align import SPAN_LAYERS, Alignment, Unit
from isf_claims.convert.model import REFERENCES
from isf_claims.schema import DOCUMENT_LAYERS

CHOICES = ("a", "b", "both", "neither")
FIELD_KINDS = ("attribute", "claim-part", "link")
_SKIP = {"layer", "id"}
_SPAN_KEYS = {"start", "end", "text"}


@dataclass
class Decision:
    """One disagreement: both versions and the curator's choice (None: not decided yet)."""

    id: str
    doc_id: str | None
    kind: str
    layer: str
    record: dict[str, str | None]
    field: str | None
    a: Any
    b: Any
    decision: str | None = None
    note: str | None = None
    slot: tuple[Any, ...] = dataclasses.field(default=(), repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "doc_id": self.doc_id,
            "kind": self.kind,
            "layer": self.layer,
            "record": self.record,
            "field": self.field,
            "a": self.a,
            "b": self.b,
            "decision": self.decision,
            "note": self.note,
        }


def decision_id(*key: Any) -> str:
    digest = hashlib.sha256(json.dumps(key, ensure_ascii=False).encode("utf-8")).hexdigest()
    return "d" + digest[:12]


def _ids(unit: Unit) -> dict[str, str | None]:
    return {
        "a": unit.a["id"] if unit.a else None,
        "b": unit.b["id"] if unit.b else None,
    }


def _target_view(
    al: Alignment, side: str, doc_id: str | None, layer: str, name: str, value: Any
) -> Any:
    """A reference as the curator reads it: the id and the text it points at."""
    target = REFERENCES[layer][name][1]
    if value is None or target == "entity":
        return value
    unit = al.unit_of(side, doc_id, target, value)
    rec = (unit.a if side == "a" else unit.b) if unit else None
    span = (rec or {}).get("content") if target == "claim" else rec
    return {"id": value, "text": (span or {}).get("text")}


def _make(
    unit: Unit, kind: str, name: str | None, a: Any, b: Any, slot: tuple[Any, ...]
) -> Decision:
    return Decision(
        id=decision_id(unit.doc_id, unit.layer, unit.key, *slot[3:]),
        doc_id=unit.doc_id,
        kind=kind,
        layer=unit.layer,
        record=_ids(unit),
        field=name,
        a=a,
        b=b,
        slot=slot,
    )


def unit_decisions(al: Alignment, unit: Unit) -> list[Decision]:
    """The disagreements of one unit (none when both versions are the same)."""
    base = (unit.doc_id, unit.layer, unit.key)
    if unit.a is None or unit.b is None:
        return [_make(unit, unit.layer, None, unit.a, unit.b, base)]
    out = []
    refs = REFERENCES.get(unit.layer, {})
    for f in al.schema.layer(unit.layer).fields:
        name = f.name
        if name in _SKIP or f.type == "members":
            continue
        if unit.layer in SPAN_LAYERS and name in _SPAN_KEYS:
            continue
        va, vb = unit.a.get(name), unit.b.get(name)
        if name in refs:
            ga = al.gold_ref("a", unit.doc_id, unit.layer, name, va)
            gb = al.gold_ref("b", unit.doc_id, unit.layer, name, vb)
            if ga != gb:
                out.append(
                    _make(
                        unit,
                        "link",
                        name,
                        _target_view(al, "a", unit.doc_id, unit.layer, name, va),
                        _target_view(al, "b", unit.doc_id, unit.layer, name, vb),
                        (*base, name),
                    )
                )
        elif va != vb:
            kind = "claim-part" if f.type == "span" else "attribute"
            out.append(_make(unit, kind, name, va, vb, (*base, name)))
    return out


def member_keys(
    al: Alignment, side: str, cluster: dict[str, Any] | None
) -> dict[tuple[str, str], dict[str, Any]]:
    """A cluster's members on ``side`` by (doc_id, claim unit key)."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for m in (cluster or {}).get("members") or []:
        unit = al.unit_of(side, m["doc_id"], "claim", m["claim"])
        key = (m["doc_id"], unit.key if unit else f"{side}:{m['claim']}")
        out[key] = m
    return out


def _member_view(al: Alignment, side: str, m: dict[str, Any] | None) -> Any:
    if m is None:
        return {"member": False}
    view = _target_view(al, side, m["doc_id"], "marker", "claim", m["claim"])
    return {"member": True, "claim": m["claim"], "text": view["text"], "note": m.get("note")}


def cluster_member_decisions(al: Alignment, unit: Unit) -> list[Decision]:
    """Membership and member-note disagreements of a cluster both sets have."""
    ma, mb = member_keys(al, "a", unit.a), member_keys(al, "b", unit.b)
    out = []
    for key in sorted(set(ma) | set(mb)):
        doc_id, claim_key = key
        xa, xb = ma.get(key), mb.get(key)
        slot: tuple[Any, ...] = (None, "cluster", unit.key, "members", doc_id, claim_key)
        if xa is not None and xb is not None:
            if xa.get("note") == xb.get("note"):
                continue
            kind, name, va, vb = "attribute", "members.note", xa.get("note"), xb.get("note")
            slot = (*slot, "note")
        else:
            kind, name = "cluster-member", "members"
            va, vb = _member_view(al, "a", xa), _member_view(al, "b", xb)
        dec = _make(unit, kind, name, va, vb, slot)
        dec.doc_id = doc_id
        dec.record = {"a": xa["claim"] if xa else None, "b": xb["claim"] if xb else None}
        out.append(dec)
    return out


def disagreements(al: Alignment) -> list[Decision]:
    """Every disagreement, documents in id order, records by position, then the shared
    entities and clusters."""
    out: list[Decision] = []
    for doc_id in al.doc_ids:
        for layer in DOCUMENT_LAYERS:
            for unit in al.layer_units(doc_id, layer):
                out += unit_decisions(al, unit)
    for layer in ("entity", "cluster"):
        for unit in al.layer_units(None, layer):
            out += unit_decisions(al, unit)
            if layer == "cluster" and unit.a is not None and unit.b is not None:
                out += cluster_member_decisions(al, unit)
    return out
