"""brat standoff -> corpus records (the inverse of :mod:`corpus_to_brat`).

Reads every ``<doc_id>.ann`` in a folder (with its ``.txt``, which must equal the raw text),
the ``documents.jsonl`` headers and the shared ``entities.jsonl`` / ``clusters.jsonl`` when
present. Spans made in brat without an ``id:`` note get fresh ids; a cue or source finds its
claim through the ``claim_cue`` / ``claim_source`` relations.
"""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path
from typing import Any

from isf_claims.convert.assemble import Fail, Parsed, Region, assemble
from isf_claims.convert.base import (
    HEADERS,
    check_doc_id,
    kept_schema,
    raw_text,
    read_headers,
    read_shared,
    read_utf8,
    require_header,
)
from isf_claims.convert.corpus_to_brat import type_names
from isf_claims.convert.model import Document, Interchange, shapes
from isf_claims.errors import EXIT_USAGE, IsfError, refuse
from isf_claims.repo import Repo
from isf_claims.schema import Schema

_T = re.compile(r"^(T\d+)\t(\S+) (\d+ \d+(?:;\d+ \d+)*)\t(.*)$")
_R = re.compile(r"^(R\d+)\t(\S+) Arg1:(T\d+) Arg2:(T\d+)\s*$")
_A = re.compile(r"^(A\d+)\t(\S+) (T\d+) (\S+)\s*$")
_N = re.compile(r"^(N\d+)\tReference (T\d+) ([^:\s]+):(\S+)\t.*$")
_NOTE = re.compile(r"^(#\d+)\tAnnotatorNotes (T\d+)\t([A-Za-z_]+): (.*)$")


def import_brat(repo: Repo, folder: Path) -> Interchange:
    """Records of every ``.ann`` file in ``folder``."""
    if not folder.is_dir():
        raise refuse(
            "brat-invalid",
            path=str(folder),
            expected="a folder with <doc_id>.ann and <doc_id>.txt",
            found="no such folder",
            exit_code=EXIT_USAGE,
            note="not a folder of brat files",
        )
    headers = {}
    if (folder / HEADERS).is_file():
        headers = read_headers(folder / HEADERS)
    versions = {str(v) for h in headers.values() if (v := h.get("schema_version"))}
    if len(versions) > 1:
        raise refuse(
            "brat-invalid",
            path=str(folder / HEADERS),
            expected="one schema version",
            found=", ".join(sorted(versions)),
            note="documents declare several schema versions",
        )
    schema = kept_schema(repo, next(iter(versions)) if versions else None, str(folder / HEADERS))
    docs = [
        _document(repo, schema, ann, headers.get(ann.stem))
        for ann in sorted(folder.glob("*.ann"))
        if ann.is_file()
    ]
    ents, clus = read_shared(folder)
    return Interchange(schema, docs, ents, clus)


def _document(repo: Repo, schema: Schema, ann: Path, header: dict[str, Any] | None) -> Document:
    doc_id = check_doc_id(ann.stem, str(ann))
    txt = ann.with_suffix(".txt")
    given = read_utf8(txt) if txt.is_file() else None
    text = raw_text(repo, doc_id, given, str(txt))
    header = require_header(
        repo, doc_id, {k: v for k, v in (header or {}).items() if k != "layer"} or None
    )
    parsed, lineno = Parsed(), 0
    relations: list[tuple[str, str, str]] = []

    def fail(found: str, code: str = "brat-invalid", **params: Any) -> IsfError:
        return refuse(
            code,
            path=f"{ann}:{lineno}" if lineno else str(ann),
            record=doc_id,
            expected="brat standoff as `isf-claims export brat` writes it",
            found=found,
            **params,
        )

    kinds = {name: key for key, name in type_names(schema).items()}
    shps = shapes(schema)
    fields = {f"{layer}_{n}": n for layer, s in shps.items() for n in s.links}
    structure = {f"{layer}_{r}" for layer, s in shps.items() for r in s.roles[1:]}
    attributes = {n for s in shps.values() for n in s.attributes}
    texts = {n for s in shps.values() for n in s.texts}
    entity_links = {n for s in shps.values() for n, (_r, t) in s.links.items() if t == "entity"}
    for lineno, line in enumerate(read_utf8(ann).split("\n"), start=1):  # noqa: B007
        line = line.removesuffix("\r")
        if not line.strip():
            continue
        if m := _T.match(line):
            key, kind, frags, shown = m.groups()
            if kind not in kinds:
                raise fail(kind, note=f"unknown span type (see {ann.parent}/annotation.conf)")
            layer, role, label = kinds[kind]
            start, end = _span(text, frags, shown, fail)
            parsed.regions[key] = Region(key, layer, role, label, start, end, text[start:end])
        elif m := _R.match(line):
            _rid, kind, a, b = m.groups()
            relations.append((a, b, line))
            if kind in structure:
                parsed.edges[a] = b
            elif kind in fields:
                parsed.refs.append((a, fields[kind], b))
            else:
                raise fail(kind, note="unknown relation type")
        elif m := _A.match(line):
            _aid, name, target, value = m.groups()
            if name not in attributes:
                raise fail(name, note="unknown attribute")
            parsed.values.append((target, name, value))
        elif m := _N.match(line):
            _nid, target, name, value = m.groups()
            if name not in entity_links:
                raise fail(
                    name,
                    note="unknown normalization database (known: "
                    + ", ".join(sorted(entity_links))
                    + ")",
                )
            parsed.values.append((target, name, value))
        elif m := _NOTE.match(line):
            _nid, target, name, value = m.groups()
            if value.startswith('"'):
                try:
                    value = json.loads(value)
                except ValueError as exc:
                    raise fail(value, note="note value is not a JSON string") from exc
            if name == "id":
                if target not in parsed.regions:
                    raise fail(target, note="id note on an unknown span")
                parsed.regions[target].record_id = value
            elif name in texts:
                parsed.values.append((target, name, value))
            else:
                raise fail(name, note="unknown note field")
        else:
            raise fail(
                line[:80], note="unsupported or malformed line (only T, R, A, N and # lines)"
            )
    lineno = 0
    for a, b, line in relations:
        if a not in parsed.regions or b not in parsed.regions:
            raise fail(
                f"{line[:80]}: no {a if a not in parsed.regions else b}",
                code="relation-unknown-region",
                what="span",
                place="file",
            )
    return assemble(schema, header, text, parsed, fail)


def _span(text: str, frags: str, shown: str, fail: Fail) -> tuple[int, int]:
    """``(start, end)`` of a T line's fragments. Fragments are kept only as the exporter
    writes them: each ``start < end``, in order, separated by line breaks alone (brat spans
    do not cross lines). An inverted or empty fragment, or a gap over other text, is refused,
    never normalised; the text column must equal the raw text the fragments cover."""
    pairs = [tuple(int(x) for x in f.split(" ")) for f in frags.split(";")]
    for s, e in pairs:
        if s >= e:
            raise fail(f"{s} {e}", code="brat-span-inverted")
        if e > len(text):
            raise fail(frags, note="span outside the text")
    for (_s1, e1), (s2, _e2) in itertools.pairwise(pairs):
        if s2 <= e1 or text[e1:s2].strip("\r\n"):
            raise fail(
                f"{frags} (gap {text[e1:s2]!r})" if s2 > e1 else frags,
                code="brat-span-discontinuous",
            )
    covered = " ".join(text[s:e] for s, e in pairs)
    if shown != covered:
        raise fail(f"{shown!r} (the raw text there is {covered!r})", code="brat-text-mismatch")
    return pairs[0][0], pairs[-1][1]
