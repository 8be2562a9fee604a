"""Corpus -> brat standoff: ``<doc_id>.txt`` + ``<doc_id>.ann`` per document and an
``annotation.conf`` made from the schema.

- T lines: one per span. Mentions keep their label as type (``PERSON``); other layers are
  qualified (``Zone-body``, ``Marker-scare_quotes``, ``Claim-content``/``-cue``/``-source``).
  A span that crosses line breaks is written as fragments split at the breaks.
- R lines: the claim structure (``claim_source``: source -> cue, or -> content when there is
  no cue; ``claim_cue``: cue -> content) and references (``claim_parent``,
  ``claim_source_mention``, ``marker_claim``).
- A lines: vocabulary attributes on the record's anchor span.
- N lines: canonical entity links, ``Reference T<n> <field>:<entity id>``.
- ``#`` AnnotatorNotes: the record id (``id: m3``) and free-text fields (``note: ...``).

Document headers and the shared entities and clusters travel beside the files as
``documents.jsonl``, ``entities.jsonl`` and ``clusters.jsonl``. Offsets are code points.
"""

from __future__ import annotations

import json
import re

from isf_claims.convert.base import HEADERS, ExportResult, header_sidecar, shared_sidecars
from isf_claims.convert.model import (
    TOP,
    Document,
    Interchange,
    present_spans,
    records_with_structure,
    shapes,
)
from isf_claims.errors import refuse
from isf_claims.schema import Schema

CONF = "annotation.conf"
BARE_LAYER = "mention"  # NER convention: entity types unqualified
_TYPE_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


def type_names(schema: Schema) -> dict[tuple[str, str, str | None], str]:
    """(layer, role, label) -> brat type name, for every span type the schema allows."""
    out: dict[tuple[str, str, str | None], str] = {}
    for layer, shp in shapes(schema).items():
        if shp.label:
            for value in schema.values(shp.vocabularies[shp.label]):
                name = value if layer == BARE_LAYER else f"{layer.capitalize()}-{value}"
                out[(layer, TOP, value)] = name
        else:
            for role in shp.roles:
                out[(layer, role, None)] = f"{layer.capitalize()}-{role}"
    bad = [n for n in out.values() if not _TYPE_RE.match(n)]
    if bad or len(set(out.values())) != len(out):
        raise refuse(
            "brat-type-clash",
            expected="distinct names of letters, digits, '_' and '-'",
            found=", ".join(bad) or "a duplicate name",
        )
    return out


def note_value(value: str) -> str:
    """A free-text value as it goes on one note line (JSON-quoted when it has to be)."""
    if any(c in value for c in "\n\r\t") or value.startswith('"') or value != value.strip():
        return json.dumps(value, ensure_ascii=False)
    return value


def fragments(text: str, start: int, end: int) -> str:
    """``start end`` offsets, split at line breaks (brat spans do not cross lines)."""
    parts, pos = [], start
    for m in re.finditer(r"[\n\r]+", text[start:end]):
        if m.start() + start > pos:
            parts.append((pos, start + m.start()))
        pos = start + m.end()
    if pos < end:
        parts.append((pos, end))
    return ";".join(f"{s} {e}" for s, e in parts or [(start, end)])


def _ann(doc: Document, schema: Schema) -> str:
    shps, types = shapes(schema), type_names(schema)
    lines: list[str] = []
    rels: list[tuple[str, str, str]] = []
    attrs, norms, notes = [], [], []
    tid: dict[tuple[str, str, str], str] = {}
    for rec, layer, role, span in present_spans(doc, shps):
        t = f"T{len(tid) + 1}"
        tid[(layer, rec["id"], role)] = t
        kind = types[(layer, role, shps[layer].label_of(rec) if role == TOP else None)]
        frags = fragments(doc.text, span["start"], span["end"])
        shown = " ".join(doc.text[int(a) : int(b)] for a, b in _pairs(frags))
        lines.append(f"{t}\t{kind} {frags}\t{shown}")
    for layer, shp, rec, links in records_with_structure(doc, shps, set(tid)):
        anchor = tid[(layer, rec["id"], shp.anchor)]
        for src, dst in links:
            rels.append(
                (f"{layer}_{src}", tid[(layer, rec["id"], src)], tid[(layer, rec["id"], dst)])
            )
        notes.append((anchor, f"id: {rec['id']}"))
        for name in shp.attributes:
            if rec.get(name) is not None:
                attrs.append(f"{name} {anchor} {rec[name]}")
        for name in shp.texts:
            if rec.get(name) is not None:
                notes.append((anchor, f"{name}: {note_value(rec[name])}"))
        for name, (role, target) in shp.links.items():
            ref = rec.get(name)
            if ref is None:
                continue
            at = tid.get((layer, rec["id"], role), anchor)
            if target == "entity":
                norms.append(f"Reference {at} {name}:{ref}")
            else:
                rels.append((f"{layer}_{name}", at, tid[(target, ref, shps[target].anchor)]))
    lines += [f"R{i}\t{k} Arg1:{a} Arg2:{b}" for i, (k, a, b) in enumerate(rels, 1)]
    lines += [f"A{i}\t{a}" for i, a in enumerate(attrs, 1)]
    lines += [f"N{i}\t{n}\t" for i, n in enumerate(norms, 1)]
    lines += [f"#{i}\tAnnotatorNotes {t}\t{n}" for i, (t, n) in enumerate(notes, 1)]
    return "".join(line + "\n" for line in lines)


def _pairs(frags: str) -> list[tuple[int, int]]:
    out = []
    for f in frags.split(";"):
        start, end = f.split()
        out.append((int(start), int(end)))
    return out


def annotation_conf(schema: Schema) -> str:
    """brat's annotation.conf: entity types, relations and attributes from the schema."""
    shps, types = shapes(schema), type_names(schema)

    def of(layer: str, role: str) -> str:
        return "|".join(n for (lay, r, _), n in types.items() if lay == layer and r == role)

    lines = ["# Generated by `isf-claims export brat` from the schema.", "[entities]"]
    lines += list(types.values())
    lines.append("[relations]")
    for layer, shp in shps.items():
        for i, role in enumerate(shp.roles[1:], start=1):
            goals = "|".join(of(layer, r) for r in shp.roles[:i])
            lines.append(f"{layer}_{role}\tArg1:{of(layer, role)}, Arg2:{goals}")
        for name, (role, target) in shp.links.items():
            if target != "entity":
                arg2 = of(target, shps[target].anchor)
                lines.append(f"{layer}_{name}\tArg1:{of(layer, role)}, Arg2:{arg2}")
    lines.append("<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>")
    lines += ["[events]", "[attributes]"]
    for layer, shp in shps.items():
        for name in shp.attributes:
            values = "|".join(schema.values(shp.vocabularies[name]))
            lines.append(f"{name}\tArg:{of(layer, shp.anchor)}, Value:{values}")
    return "\n".join(lines) + "\n"


def export(inter: Interchange) -> ExportResult:
    """brat files of ``inter`` (lossless)."""
    files: dict[str, bytes] = {CONF: annotation_conf(inter.schema).encode("utf-8")}
    for doc in inter.documents:
        files[f"{doc.doc_id}.txt"] = doc.text.encode("utf-8")
        files[f"{doc.doc_id}.ann"] = _ann(doc, inter.schema).encode("utf-8")
    files[HEADERS] = header_sidecar(inter)
    files.update(shared_sidecars(inter))
    return ExportResult(files)
