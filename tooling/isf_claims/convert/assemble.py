"""Turn what an importer read from a tool (regions, structure edges, field values and
references) into a document's records, the same way for every format.

A *region* is one span a tool shows (a Label Studio region, a brat T line). Each belongs to
one record: anchor regions (a zone, a mention, a claim's content) make a record; other roles
(a claim's cue and source) join the record their structure edges lead to. Records that
declare no id of ours (made in the tool) get fresh ids after the highest in their layer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Any, Protocol

from isf_claims.convert.base import assign_ids, own_id
from isf_claims.convert.model import TOP, Document, Shape, shapes
from isf_claims.errors import IsfError
from isf_claims.schema import DOCUMENT_LAYERS, Schema


class Fail(Protocol):
    """How an importer words a refusal of its input: ``fail(found, note=...)``; ``code``
    (the importer's own by default) and the template's parameters are keywords."""

    def __call__(self, found: str, code: str = ..., **params: Any) -> IsfError: ...


@dataclass
class Region:
    key: str
    layer: str
    role: str
    label: str | None
    start: int
    end: int
    text: str
    record_id: str | None = None
    owner: str | None = None


@dataclass
class Parsed:
    """What an importer read from one document."""

    regions: dict[str, Region] = field(default_factory=dict)
    edges: dict[str, str] = field(default_factory=dict)
    values: list[tuple[str, str, Any]] = field(default_factory=list)
    refs: list[tuple[str, str, str]] = field(default_factory=list)


def role_of(shp: Shape, label: str | None) -> str:
    return TOP if shp.label else str(label)


def _owners(parsed: Parsed, shps: dict[str, Shape], fail: Fail) -> dict[str, str]:
    regions = parsed.regions
    owner = {k: k for k, r in regions.items() if r.role == shps[r.layer].anchor}
    for key, reg in regions.items():
        if key in owner:
            continue
        if reg.owner in owner and regions[reg.owner].layer == reg.layer:
            owner[key] = reg.owner
            continue
        seen: set[str] = set()
        cur: str | None = key
        while cur is not None and cur not in owner and cur not in seen:
            seen.add(cur)
            cur = parsed.edges.get(cur)
        if cur is None or cur not in owner or regions[cur].layer != reg.layer:
            anchor = shps[reg.layer].anchor
            raise fail(key, note=f"{reg.layer} {reg.role} span linked to no {anchor}")
        owner[key] = owner[cur]
    return owner


def assemble(
    schema: Schema, header: dict[str, Any], text: str, parsed: Parsed, fail: Fail
) -> Document:
    """The document ``parsed`` describes. ``fail(found, note=...)`` makes the error."""
    shps = shapes(schema)
    owner = _owners(parsed, shps, fail)
    records: dict[str, dict[str, Any]] = {}
    for key, reg in parsed.regions.items():
        rec = records.setdefault(owner[key], {"_layer": reg.layer})
        span = {"start": reg.start, "end": reg.end, "text": reg.text}
        if reg.role == TOP:
            rec.update(span)
            label_field = shps[reg.layer].label
            if label_field is not None:  # a region takes the TOP role in labelled layers only
                rec[label_field] = reg.label
        elif reg.role in rec:
            raise fail(key, note=f"two {reg.role} spans for one {reg.layer}")
        else:
            rec[reg.role] = span
        if reg.record_id is not None and owner[key] == key:
            rec["id"] = reg.record_id
    for key, name, value in parsed.values:
        if key not in owner:
            raise fail(key, note=f"{name} given for an unknown span")
        rec = records[owner[key]]
        if name not in _settable(shps[rec["_layer"]]):
            raise fail(name, note=f"{rec['_layer']} has no field {name}")
        rec[name] = value
    doc = Document(header, text, {layer: [] for layer in DOCUMENT_LAYERS})
    pending: dict[str, list[dict[str, Any]]] = {}
    for rec in records.values():
        layer = rec.pop("_layer")
        doc.records[layer].append(rec)
        if not own_id(rec.get("id") or "", schema.layer(layer).id_prefix or ""):
            rec["id"] = None
            pending.setdefault(layer, []).append(rec)
    for layer, recs in pending.items():
        anchor = shps[layer].anchor
        recs.sort(key=partial(_pos, anchor=anchor))
    assign_ids(doc, schema, pending)
    for key, name, target in parsed.refs:
        if key not in owner or target not in owner:
            raise fail(f"{key} -> {target}", note=f"{name} relation between unknown spans")
        rec, tgt = records[owner[key]], records[owner[target]]
        rec[name] = tgt["id"]
    return doc


def _settable(shp: Shape) -> set[str]:
    return {*shp.attributes, *shp.texts, *shp.links}


def _pos(rec: dict[str, Any], anchor: str) -> tuple[int, int]:
    span = rec if anchor == TOP else rec.get(anchor) or {}
    return (span.get("start") or 0, span.get("end") or 0)
