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

from isf_claims.convert.assemble import Fail, Parsed, Region, assemble, role_of
from isf_claims.convert.base import (
    CLUSTERS,
    ENTITIES,
    HEADERS,
    check_doc_id,
    kept_schema,
    own_id,
    raw_text,
    read_shared,
    read_utf8,
    require_header,
)
from isf_claims.convert.corpus_to_labelstudio import TASKS
from isf_claims.convert.model import Document, Interchange, shapes
from isf_claims.convert.offsets import OffsetMap
from isf_claims.errors import IsfError, refuse
from isf_claims.repo import Repo
from isf_claims.schema import Schema


def _bad(
    where: str,
    found: str,
    record: str | None = None,
    code: str = "labelstudio-invalid",
    **params: Any,
) -> IsfError:
    return refuse(
        code,
        path=where,
        record=record,
        expected="Label Studio tasks as exported by `isf-claims export labelstudio`",
        found=found,
        **params,
    )


def _tasks_file(path: Path) -> Path:
    """The tasks file of ``path``: the file itself, or in a folder ``tasks.json`` or else
    its only ``.json`` file (Label Studio names its exports ``project-N-at-...json``)."""
    if not path.is_dir():
        return path
    if (path / TASKS).is_file():
        return path / TASKS
    shared = {ENTITIES, CLUSTERS, HEADERS}
    found = sorted(p for p in path.glob("*.json") if p.is_file() and p.name not in shared)
    if len(found) == 1:
        return found[0]
    raise refuse(
        "labelstudio-no-tasks",
        path=str(path),
        expected=f"{TASKS}, or exactly one .json file (a Label Studio JSON export)",
        found=", ".join(p.name for p in found) if found else "no .json file",
    )


def _load_tasks(path: Path) -> tuple[list[dict[str, Any]], Path]:
    file = _tasks_file(path)
    try:
        tasks = json.loads(read_utf8(file))
    except (ValueError, RecursionError) as exc:
        raise _bad(str(file), "unreadable JSON", note=f"cannot read the tasks: {exc}") from exc
    if isinstance(tasks, dict):
        tasks = [tasks]
    if not isinstance(tasks, list) or not all(isinstance(t, dict) for t in tasks):
        raise _bad(
            str(file), type(tasks).__name__, note="tasks must be a JSON list of objects (re-export)"
        )
    return tasks, file


def import_labelstudio(repo: Repo, path: Path) -> Interchange:
    """Records of every task in ``path`` (a tasks file or an export folder)."""
    tasks, file = _load_tasks(path)
    headers = [_obj(_obj(t.get("data")).get("isf")) for t in tasks]
    versions = {str(h.get("schema_version")) for h in headers if h.get("schema_version")}
    if len(versions) > 1:
        raise _bad(
            str(file),
            ", ".join(sorted(versions)),
            note="tasks declare several schema versions (migrate first, then export and "
            "import one version)",
        )
    schema = kept_schema(repo, next(iter(versions)) if versions else None, str(file))
    docs = [
        _document(repo, schema, task, f"{file}#task{i}")
        for i, task in enumerate(tasks)
        if _annotated(task)  # a task nobody annotated changes nothing
    ]
    ents, clus = read_shared(file.parent)
    return Interchange(schema, docs, ents, clus)


def _obj(value: Any) -> dict[str, Any]:
    """``value`` when it is a JSON object, else an empty one (shape checked where used)."""
    return value if isinstance(value, dict) else {}


def _annotated(task: dict[str, Any]) -> bool:
    """Whether a task holds an annotation that was not cancelled (a malformed
    ``annotations`` counts, so that :func:`_annotation` refuses it)."""
    anns = task.get("annotations") or []
    if not isinstance(anns, list):
        return True
    return any(not isinstance(a, dict) or not a.get("was_cancelled") for a in anns)


def _annotation(task: dict[str, Any], where: str) -> list[dict[str, Any]]:
    given = task.get("annotations") or []
    anns = [a for a in given if isinstance(a, dict) and not a.get("was_cancelled")]
    if not isinstance(given, list) or len(anns) != 1:
        raise _bad(
            where,
            f"{len(anns)} annotations",
            note="a task must have exactly one annotation (export each annotator's separately)",
        )
    result = anns[0].get("result") or []
    if not isinstance(result, list) or not all(isinstance(r, dict) for r in result):
        raise _bad(
            where, repr(result)[:80], note="an annotation's result must be a list of objects"
        )
    return result


def _document(repo: Repo, schema: Schema, task: dict[str, Any], where: str) -> Document:
    data = _obj(task.get("data"))
    doc_id = check_doc_id(data.get("doc_id"), f"{where} data.doc_id")
    given = data.get("text")
    text = raw_text(repo, doc_id, given if isinstance(given, str) else None, where)
    isf = data.get("isf")
    header = require_header(repo, doc_id, isf if isinstance(isf, dict) and isf else None)
    result = _annotation(task, where)

    def fail(found: str, code: str = "labelstudio-invalid", **params: Any) -> IsfError:
        return _bad(where, found, doc_id, code, **params)

    return assemble(schema, header, text, _parse(schema, text, result, fail), fail)


def _offsets(spans: list[dict[str, Any]], key: str, fail: Fail) -> list[int]:
    """The ``key`` offsets of ``spans``; anything but a JSON integer is refused (a string
    or a fraction is never coerced or truncated)."""
    out = []
    for r in spans:
        v = r["value"].get(key)
        if type(v) is not int:
            raise fail(f"{r.get('id')}: {v!r}", code="offset-not-integer", key=key)
        out.append(v)
    return out


def _parse(schema: Schema, text: str, result: list[dict[str, Any]], fail: Fail) -> Parsed:
    shps = shapes(schema)
    fields: dict[str, tuple[str, str]] = {}
    structure: set[str] = set()
    for layer_name, layer_shape in shps.items():
        for field_name in (*layer_shape.attributes, *layer_shape.texts, *layer_shape.links):
            fields[f"{layer_name}_{field_name}"] = (layer_name, field_name)
        structure |= {f"{layer_name}_{r}" for r in layer_shape.roles[1:]}
    spans = [r for r in result if r.get("type") == "labels"]
    for r in spans:
        if not isinstance(r.get("value"), dict) or not isinstance(r.get("id"), str):
            raise fail(repr(r)[:80], note="labels region without an id and a value object")
    omap = OffsetMap.of(text)
    try:
        starts = omap.to_codepoints(_offsets(spans, "start", fail))
        ends = omap.to_codepoints(_offsets(spans, "end", fail))
    except IsfError as err:
        if err.code == "offset-not-integer":
            raise
        raise fail(str(err.found), note=err.message) from err
    parsed = Parsed()
    for r, s, e in zip(spans, starts, ends, strict=True):
        rid, layer, value = r["id"], r.get("from_name"), r["value"]
        labels = value.get("labels")
        label = labels[0] if isinstance(labels, list) and len(labels) == 1 else None
        if not isinstance(label, str):
            raise fail(repr(labels), note="a region must carry exactly one label")
        if not isinstance(layer, str) or layer not in shps:
            raise fail(str(layer), note="labels region of an unknown layer")
        shp = shps[layer]
        role = role_of(shp, label)
        if role not in shp.roles:
            raise fail(repr(label), note=f"unknown {layer} role")
        covered = text[int(s) : int(e)]
        if value.get("text") not in (None, covered):
            raise fail(repr(value["text"]), note="region text is not the raw text at its offsets")
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
            unknown = [x for x in (src, dst) if not isinstance(x, str) or x not in parsed.regions]
            if unknown or not isinstance(src, str) or not isinstance(dst, str):
                raise fail(
                    f"{r.get('from_id')!r} -> {r.get('to_id')!r}: no region {unknown[0]!r}",
                    code="relation-unknown-region",
                    what="region",
                    place="annotation",
                )
            labels = r.get("labels")
            if not isinstance(labels, list) or not labels:
                raise fail(f"{src} -> {dst}", note="relation without a label")
            for lab in labels:
                if not isinstance(lab, str):
                    raise fail(repr(lab), note="relation label is not a string")
                if lab in structure:
                    parsed.edges[src] = dst
                elif lab in fields:
                    parsed.refs.append((src, fields[lab][1], dst))
                else:
                    raise fail(str(lab), note="unknown relation label")
        elif kind in ("choices", "textarea"):
            name, item_id = r.get("from_name"), r.get("id")
            if not isinstance(name, str) or name not in fields:
                raise fail(str(name), note=f"{kind} of an unknown field")
            value = _obj(r.get("value"))
            vals = value.get("choices") if kind == "choices" else value.get("text")
            if not isinstance(vals, list) or len(vals) != 1:
                raise fail(repr(vals), note=f"{name} must hold exactly one value")
            if not isinstance(item_id, str):
                raise fail(repr(item_id), note=f"{kind} without a region id")
            parsed.values.append((item_id, fields[name][1], vals[0]))
        elif kind != "labels":
            raise fail(str(kind), note="result item of an unsupported type")
    return parsed
