"""Corpus -> Label Studio tasks JSON, plus the labeling config made from the schema.

One task per document: ``data.text`` is the raw text, ``data.doc_id`` its id and
``data.isf`` the annotation file's header. Its one annotation holds:

- a ``labels`` region per span, with the record id as region id (claims: the content
  region has the claim id, cue and source regions ``<id>-cue`` / ``<id>-source``);
- ``choices`` per region for vocabulary attributes, ``textarea`` per region for free text
  and canonical entity links (``<layer>_<field>``);
- ``relation`` items for the claim structure (source -> cue -> content, labelled
  ``claim_source`` / ``claim_cue``) and for references to other records (``<layer>_<field>``).

Offsets are UTF-16 code units, as Label Studio counts them. Nothing is dropped; the shared
entities and clusters travel beside the tasks as ``entities.jsonl`` / ``clusters.jsonl``.

A document with no records yet (a draft just ingested) becomes a task with no annotation, so
Label Studio shows it as still to do. A system's predicted mentions, when given
(:mod:`isf_claims.convert.predictions`), go into the tasks as Label Studio ``predictions``
with their model version, for annotators to correct.
"""

from __future__ import annotations

import json
from typing import Any
from xml.sax.saxutils import quoteattr

from isf_claims.convert.base import ExportResult, shared_sidecars
from isf_claims.convert.model import (
    TOP,
    Document,
    Interchange,
    Shape,
    present_spans,
    records_with_structure,
    shapes,
)
from isf_claims.convert.offsets import OffsetMap
from isf_claims.schema import Schema

TASKS = "tasks.json"
CONFIG = "config.xml"
TO_NAME = "text"


def region_id(record_id: str, shp: Shape, role: str) -> str:
    return record_id if role == shp.anchor else f"{record_id}-{role}"


def _task(doc: Document, schema: Schema) -> dict[str, Any]:
    result = _result(doc, schema)
    empty = not any(doc.records.values())
    return {
        "data": {"doc_id": doc.doc_id, "text": doc.text, "isf": doc.header},
        "annotations": [] if empty else [{"result": result}],
    }


def prediction(
    doc: Document, predicted: dict[str, list[dict[str, Any]]], model_version: str, schema: Schema
) -> dict[str, Any]:
    """The Label Studio prediction of ``doc`` from its predicted records (layer -> records,
    see :mod:`isf_claims.convert.predictions`): regions as an annotation would have them."""
    records = {layer: list(predicted.get(layer, [])) for layer in doc.records}
    result = _result(Document(doc.header, doc.text, records), schema)
    scores = {r["id"]: r["_score"] for recs in records.values() for r in recs}
    for item in result:
        score = scores.get(str(item.get("id", "")).split("-")[0])
        if item["type"] == "labels" and score is not None:
            item["score"] = score
    out: dict[str, Any] = {"model_version": model_version, "result": result}
    given = [v for v in scores.values() if v is not None]
    if given:
        out["score"] = sum(given) / len(given)
    return out


def _result(doc: Document, schema: Schema) -> list[dict[str, Any]]:
    shps = shapes(schema)
    result: list[dict[str, Any]] = []
    extras: list[dict[str, Any]] = []
    relations: dict[tuple[str, str], list[str]] = {}
    regions = present_spans(doc, shps)
    omap = OffsetMap.of(doc.text)
    u16_start = omap.to_utf16([s["start"] for *_, s in regions])
    u16_end = omap.to_utf16([s["end"] for *_, s in regions])
    where: dict[tuple[str, str, str], dict[str, Any]] = {}
    for (rec, layer, role, span), s, e in zip(regions, u16_start, u16_end, strict=True):
        shp = shps[layer]
        value = {"start": int(s), "end": int(e), "text": span["text"]}
        label = shp.label_of(rec) if role == TOP else role
        rid = region_id(rec["id"], shp, role)
        where[(layer, rec["id"], role)] = {"id": rid, **value}
        result.append(_item(rid, layer, "labels", {**value, "labels": [label]}))
    for layer, shp, rec, links in records_with_structure(doc, shps, set(where)):
        for src, dst in links:
            key = (where[(layer, rec["id"], src)]["id"], where[(layer, rec["id"], dst)]["id"])
            relations.setdefault(key, []).append(f"{layer}_{src}")
        _extras(rec, layer, shp, where, where[(layer, rec["id"], shp.anchor)], extras, relations)
    result += extras
    for (src, dst), labels in relations.items():
        result.append(
            {
                "from_id": src,
                "to_id": dst,
                "type": "relation",
                "direction": "right",
                "labels": labels,
            }
        )
    return result


def _extras(
    rec: dict[str, Any],
    layer: str,
    shp: Shape,
    where: dict[tuple[str, str, str], dict[str, Any]],
    anchor: dict[str, Any],
    extras: list[dict[str, Any]],
    relations: dict[tuple[str, str], list[str]],
) -> None:
    def at(role: str) -> dict[str, Any]:
        return where.get((layer, rec["id"], role), anchor)

    for name in shp.attributes:
        if rec.get(name) is not None:
            reg = at(shp.anchor)
            value = {k: reg[k] for k in ("start", "end", "text")}
            extras.append(
                _item(reg["id"], f"{layer}_{name}", "choices", {**value, "choices": [rec[name]]})
            )
    for name in shp.texts:
        if rec.get(name) is not None:
            reg = at(shp.anchor)
            value = {"start": reg["start"], "end": reg["end"], "text": [rec[name]]}
            extras.append(_item(reg["id"], f"{layer}_{name}", "textarea", value))
    for name, (role, target) in shp.links.items():
        ref = rec.get(name)
        if ref is None:
            continue
        reg = at(role)
        if target == "entity":
            value = {"start": reg["start"], "end": reg["end"], "text": [ref]}
            extras.append(_item(reg["id"], f"{layer}_{name}", "textarea", value))
        else:
            target_id = ref  # mention ids and claim content ids are region ids
            relations.setdefault((reg["id"], target_id), []).append(f"{layer}_{name}")


def _item(rid: str, from_name: str, kind: str, value: dict[str, Any]) -> dict[str, Any]:
    return {"id": rid, "from_name": from_name, "to_name": TO_NAME, "type": kind, "value": value}


def labeling_config(schema: Schema) -> str:
    """Label Studio labeling config (XML) for the schema: one Labels control per layer,
    per-region Choices for attributes, TextAreas for text fields and entity links, and the
    relation labels."""
    lines = ["<View>", f'  <Text name="{TO_NAME}" value="$text"/>']
    rel_labels: list[str] = []
    for layer, shp in shapes(schema).items():
        values = schema.values(shp.vocabularies[shp.label]) if shp.label else [*shp.roles]
        lines.append(f'  <Labels name="{layer}" toName="{TO_NAME}">')
        lines += [f"    <Label value={quoteattr(v)}/>" for v in values]
        lines.append("  </Labels>")
        for name in shp.attributes:
            lines.append(
                f'  <Choices name="{layer}_{name}" toName="{TO_NAME}" perRegion="true"'
                ' choice="single">'
            )
            vocab = schema.values(shp.vocabularies[name])
            lines += [f"    <Choice value={quoteattr(v)}/>" for v in vocab]
            lines.append("  </Choices>")
        for name in shp.texts:
            lines.append(f'  <TextArea name="{layer}_{name}" toName="{TO_NAME}" perRegion="true"/>')
        for name, (_role, target) in shp.links.items():
            if target == "entity":
                lines.append(
                    f'  <TextArea name="{layer}_{name}" toName="{TO_NAME}" perRegion="true"/>'
                )
            else:
                rel_labels.append(f"{layer}_{name}")
        rel_labels += [f"{layer}_{r}" for r in shp.roles[1:]]
    lines.append("  <Relations>")
    lines += [f'    <Relation value="{v}"/>' for v in rel_labels]
    lines += ["  </Relations>", "</View>"]
    return "\n".join(lines) + "\n"


def export(
    inter: Interchange,
    predictions: dict[str, dict[str, list[dict[str, Any]]]] | None = None,
    model_version: str | None = None,
) -> ExportResult:
    """Tasks, labeling config and shared sidecars of ``inter`` (lossless); with
    ``predictions`` (doc_id -> layer -> predicted records), each task also holds them as a
    Label Studio prediction of ``model_version``."""
    tasks = []
    for doc in inter.documents:
        task = _task(doc, inter.schema)
        if predictions and doc.doc_id in predictions:
            mv = model_version or "predictions"
            task["predictions"] = [prediction(doc, predictions[doc.doc_id], mv, inter.schema)]
        tasks.append(task)
    data = json.dumps(tasks, ensure_ascii=False, indent=1) + "\n"
    files = {TASKS: data.encode("utf-8"), CONFIG: labeling_config(inter.schema).encode("utf-8")}
    files.update(shared_sidecars(inter))
    return ExportResult(files)
