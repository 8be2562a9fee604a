"""Label Studio tasks JSON -> corpus records (the inverse of :mod:`corpus_to_labelstudio`).

Regions keep their record ids through the round trip; regions made in Label Studio (random
ids) get fresh ids after the highest in their layer, and their claim is found by the
structure relations (source -> cue -> content). UTF-16 offsets are converted back to code
points and every region's text is checked against the raw text.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from isf_claims.convert.assemble import Parsed, Region, assemble, role_of
from isf_claims.convert.base import own_id, raw_text, read_shared, require_header
from isf_claims.convert.corpus_to_labelstudio import TASKS
from isf_claims.convert.model import Document, Interchange, shapes
from isf_claims.convert.offsets import OffsetMap
from isf_claims.errors import IsfError
from isf_claims.repo import Repo
from isf_claims.schema import Schema, load_schema


def _bad(where: str, message: str, found: str, fix: str, record: str | None = None) -> IsfError:
    return IsfError(
        code="labelstudio-invalid",
        message=message,
        path=where,
        record=record,
        expected="Label Studio tasks as exported by `isf-claims export labelstudio`",
        found=found,
        fix=fix,
    )


def _load_tasks(path: Path) -> tuple[list[dict[str, Any]], Path]:
    file = path / TASKS if path.is_dir() else path
    try:
        tasks = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise _bad(
            str(file), f"cannot read the tasks: {exc}", "unreadable JSON", "re-export"
        ) from exc
    if isinstance(tasks, dict):
        tasks = [tasks]
    if not isinstance(tasks, list) or not all(isinstance(t, dict) for t in tasks):
        raise _bad(
            str(file), "tasks must be a JSON list of objects", type(tasks).__name__, "re-export"
        )
    return tasks, file


def import_labelstudio(repo: Repo, path: Path) -> Interchange:
    """Records of every task in ``path`` (a tasks file or an export folder)."""
    tasks, file = _load_tasks(path)
    headers = [(t.get("data") or {}).get("isf") or {} for t in tasks]
    versions = {h.get("schema_version") for h in headers} - {None}
    if len(versions) > 1:
        raise _bad(
            str(file),
            "tasks declare several schema versions",
            ", ".join(sorted(versions)),
            "migrate first, then export and import one version",
        )
    schema = load_schema(repo.schema_dir, next(iter(versions)) if versions else None)
    docs = [
        _document(repo, schema, task, f"{file}#task{i}")
        for i, task in enumerate(tasks)
        if _annotated(task)  # a task nobody annotated changes nothing
    ]
    ents, clus = read_shared(file.parent)
    return Interchange(schema, docs, ents, clus)


def _annotated(task: dict[str, Any]) -> bool:
    return any(not a.get("was_cancelled") for a in task.get("annotations") or [])


def _annotation(task: dict[str, Any], where: str) -> list[dict[str, Any]]:
    anns = [a for a in task.get("annotations") or [] if not a.get("was_cancelled")]
    if len(anns) != 1:
        raise _bad(
            where,
            "a task must have exactly one annotation",
            f"{len(anns)} annotations",
            "export each annotator's annotations separately",
        )
    return list(anns[0].get("result") or [])


def _document(repo: Repo, schema: Schema, task: dict[str, Any], where: str) -> Document:
    data = task.get("data") or {}
    doc_id = data.get("doc_id")
    if not isinstance(doc_id, str):
        raise _bad(where, "task has no data.doc_id", repr(doc_id), "keep data.doc_id")
    text = raw_text(repo, doc_id, data.get("text"), where)
    header = require_header(repo, doc_id, data.get("isf"))
    result = _annotation(task, where)

    def fail(message: str, found: str, fix: str) -> IsfError:
        return _bad(where, message, found, fix, doc_id)

    return assemble(schema, header, text, _parse(schema, text, result, fail), fail)


def _parse(schema: Schema, text: str, result: list[dict[str, Any]], fail) -> Parsed:
    shps = shapes(schema)
    fields: dict[str, tuple[str, str]] = {}
    structure: set[str] = set()
    for layer, shp in shapes(schema).items():
        for name in (*shp.attributes, *shp.texts, *shp.links):
            fields[f"{layer}_{name}"] = (layer, name)
        structure |= {f"{layer}_{r}" for r in shp.roles[1:]}
    spans = [r for r in result if r.get("type") == "labels"]
    omap = OffsetMap.of(text)
    try:
        starts = omap.to_codepoints([r.get("value", {}).get("start", -1) for r in spans])
        ends = omap.to_codepoints([r.get("value", {}).get("end", -1) for r in spans])
    except IsfError as err:
        raise fail(err.message, str(err.found), str(err.fix)) from err
    parsed = Parsed()
    for r, s, e in zip(spans, starts, ends, strict=True):
        rid, layer, value = r.get("id"), r.get("from_name"), r["value"]
        label = (value.get("labels") or [None])[0]
        if layer not in shps:
            raise fail("labels region of an unknown layer", str(layer), "use the export's config")
        shp = shps[layer]
        role = role_of(shp, label)
        if role not in shp.roles:
            raise fail(f"unknown {layer} role", repr(label), "use the export's config")
        covered = text[int(s) : int(e)]
        if value.get("text") not in (None, covered):
            raise fail(
                "region text is not the raw text at its offsets",
                repr(value["text"]),
                "annotate on the exported text, unchanged",
            )
        prefix = schema.layer(layer).id_prefix or ""
        owner = rid.removesuffix(f"-{role}") if role != shp.anchor else None
        parsed.regions[rid] = Region(
            rid,
            layer,
            role,
            label,
            int(s),
            int(e),
            covered,
            record_id=rid if own_id(rid, prefix) else None,
            owner=owner,
        )
    for r in result:
        kind = r.get("type")
        if kind == "relation":
            src, dst = r.get("from_id"), r.get("to_id")
            if r.get("direction") == "left":
                src, dst = dst, src
            for lab in r.get("labels") or []:
                if lab in structure:
                    parsed.edges[src] = dst
                elif lab in fields:
                    parsed.refs.append((src, fields[lab][1], dst))
                else:
                    raise fail("unknown relation label", str(lab), "use the export's config")
        elif kind in ("choices", "textarea"):
            name = r.get("from_name")
            if name not in fields:
                raise fail(f"{kind} of an unknown field", str(name), "use the export's config")
            value = r.get("value") or {}
            vals = value.get("choices") if kind == "choices" else value.get("text")
            if not isinstance(vals, list) or len(vals) != 1:
                raise fail(f"{name} must hold exactly one value", repr(vals), "pick one")
            parsed.values.append((r.get("id"), fields[name][1], vals[0]))
        elif kind != "labels":
            raise fail("result item of an unsupported type", str(kind), "use the export's config")
    return parsed
