"""Level 1, structure, one file at a time: bytes (empty, BOM, UTF-8, line endings), the
document record, and line by line JSON, layers and fields: the reference path of the one
reader of ``annotated/*.jsonl`` (:mod:`fastparse` is its fast path, :mod:`reader` decides
which files need this one).

Also what other commands need from an annotation file without a whole read: its document
record (:func:`read_header`), and a level-1 finding as a refusal (:func:`refusal`).
"""

from __future__ import annotations

import json
import os
import re
import stat
from dataclasses import dataclass
from json import JSONDecodeError
from pathlib import Path
from typing import Any

from isf_claims.errors import IsfError, refuse_finding
from isf_claims.fsutil import read_regular
from isf_claims.raw import has_lone_surrogate
from isf_claims.schema import DOCUMENT_LAYERS, SPAN_KEYS, Schema
from isf_claims.validation.report import Finding
from isf_claims.validation.report import finding as worded
from isf_claims.validation.rules import layer_of

BOM = b"\xef\xbb\xbf"
DOCUMENT = "document"
ENTITIES = "entities"
CLUSTERS = "clusters"
MEMBER_KEYS = ("doc_id", "claim", "note")
# Arrays and objects a record may nest (the schema needs 3: cluster, members, member).
MAX_DEPTH = 32
# A JSON escape of a UTF-16 surrogate (paired or not): the cheap test before a closer look.
SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


@dataclass
class SourceFile:
    """An annotation file in scope: its bytes and whether it passed level 1."""

    path: Path
    rel: str
    kind: str  # "document", "entities" or "clusters"
    doc_id: str | None
    ok: bool = True
    records: list[dict[str, Any]] | None = None  # set when read line by line
    data: bytes | None = None  # a shared file that passed the typed parse: its bytes
    table: Any = None  # ... and its typed records (a pyarrow Table)
    refused: bool = False  # not a regular file (reported by the listing): never opened
    repair: bool = False  # read with what ``fmt`` repairs repaired (see :func:`repaired`)

    def read(self) -> bytes:
        """The file's bytes, read when needed (files are not kept in memory); never
        through a symbolic link."""
        data = read_regular(self.path)
        return repaired(data) if self.repair else data


def repaired(data: bytes) -> bytes:
    """What ``fmt`` repairs: a byte-order mark dropped, CR LF and CR line endings made LF
    (JSON holds a CR only as whitespace between values, never inside a string)."""
    if data.startswith(BOM):
        data = data[len(BOM) :]
    return data.replace(b"\r\n", b"\n").replace(b"\r", b"\n") if b"\r" in data else data


def finding(f: SourceFile, code: str, **kw: Any) -> Finding:
    """A ``code`` finding on ``f``, worded by the code book from ``kw``."""
    return worded(code, file=f.rel, doc_id=f.doc_id, **kw)


def bytes_ok(f: SourceFile, data: bytes, findings: list[Finding], utf8: bool = False) -> bool:
    """File-level checks on the bytes: empty, BOM, UTF-8 (unless ``utf8``: known valid),
    line endings."""
    if (not data or data.isspace()) and f.kind == DOCUMENT:
        findings.append(
            finding(f, "empty-file", size=f"{len(data)} bytes" + (" of whitespace" if data else ""))
        )
        return False
    if data.startswith(BOM):
        findings.append(finding(f, "bom", line=1))
        return False
    try:
        if not utf8:
            data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        findings.append(
            finding(
                f,
                "not-utf8",
                line=line,
                offset=exc.start,
                reason=exc.reason,
                byte=data[exc.start],
            )
        )
        return False
    if b"\r" in data:
        pos = data.index(b"\r")
        findings.append(
            finding(
                f,
                "crlf-line-endings",
                line=data.count(b"\n", 0, pos) + 1,
                ending="CR LF" if data[pos : pos + 2] == b"\r\n" else "CR",
            )
        )
        return False
    return True


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise ValueError(f"key {k!r} appears twice in one object")
        out[k] = v
    return out


class TooDeep(ValueError):
    """JSON nested deeper than the parser's recursion limit."""


def loads(line: bytes) -> Any:
    """Strict JSON: no NaN/Infinity, no repeated keys; :class:`TooDeep` (a ValueError)
    instead of a RecursionError for nesting too deep to parse."""
    try:
        return json.loads(
            line, parse_constant=_reject_constant, object_pairs_hook=_no_duplicate_keys
        )
    except RecursionError:
        raise TooDeep(f"nested more than {MAX_DEPTH} levels deep") from None


def read_header(path: Path) -> dict[str, Any] | None:
    """The document record of an annotation file (its first line, read strictly), or None
    when that line is not a JSON object or the file is not a regular one (a link is never
    followed)."""
    if not stat.S_ISREG(os.lstat(path).st_mode):
        return None
    with path.open("rb") as fh:
        first = fh.readline()
    try:
        rec = loads(first)
    except ValueError:
        return None
    return rec if isinstance(rec, dict) else None


def refusal(f: Finding) -> IsfError:
    """A finding as the refusal of a command that cannot go on (exit 1): the same code,
    place, wording and fix as validation reports it."""
    return refuse_finding(f)


def _shown(text: str, n: int = 80) -> str:
    """A string value for a message: surrogates escaped, long ones cut."""
    shown = _escaped(text)
    return repr(shown if len(shown) <= n else shown[:n] + "…")


def _escaped(text: str) -> str:
    """``text`` with lone surrogates written as escapes (safe to print and encode)."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def value_problem(rec: Any, line: bytes) -> tuple[str, str | None, str] | None:
    """``("json-too-deep", field, found)`` when a parsed record nests more than
    ``MAX_DEPTH`` arrays and objects, ``("lone-surrogate", field, found)`` when a string (or
    key) holds a lone surrogate escape; None when neither. Iterative: safe at any depth."""
    surrogates = SURROGATE_ESCAPE.search(line) is not None
    stack: list[tuple[Any, str, int]] = [(rec, "", 1)]
    while stack:
        value, path, depth = stack.pop()
        if isinstance(value, (dict, list)):
            if depth > MAX_DEPTH:
                top = path.split(".", 1)[0].split("[", 1)[0] or None
                return "json-too-deep", top, f"more than {MAX_DEPTH} levels at {path}"
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for k, v in reversed(list(items)):
                if isinstance(k, str):
                    if surrogates and has_lone_surrogate(k):
                        sub = (path + "." if path else "") + _escaped(k)
                        return "lone-surrogate", sub, f"the key {_escaped(k)!r}"
                    sub = f"{path}.{k}" if path else k
                else:
                    sub = f"{path}[{k}]"
                stack.append((v, sub, depth + 1))
        elif surrogates and isinstance(value, str) and has_lone_surrogate(value):
            return "lone-surrogate", path or None, _shown(value)
    return None


def header_problem(
    f: SourceFile, doc_id: Any, version: Any, schema: Schema, kept: list[str]
) -> Finding | None:
    """What is wrong with a document record's identity: an unknown schema version, another
    kept version than the corpus's, or a document id other than the file name."""
    if not isinstance(version, str) or version not in kept:
        return finding(
            f,
            "unknown-schema-version",
            line=1,
            field="schema_version",
            version=version,
            kept=", ".join(kept),
            shown=json.dumps(version, ensure_ascii=False),
        )
    if version != schema.version:
        return finding(
            f,
            "mixed-schema-versions",
            line=1,
            field="schema_version",
            version=version,
            corpus=schema.version,
        )
    if doc_id != f.doc_id:
        return finding(
            f,
            "doc-id-mismatch",
            line=1,
            field="doc_id",
            expected_id=json.dumps(f.doc_id),
            shown=json.dumps(doc_id, ensure_ascii=False),
        )
    return None


def allowed(schema: Schema, layer: str) -> frozenset[str]:
    """Field names of ``layer`` (cached: called for every record on the slow path)."""
    return _allowed(str(schema.path), layer, schema)


_ALLOWED: dict[tuple[str, str], frozenset[str]] = {}


def _allowed(path: str, layer: str, schema: Schema) -> frozenset[str]:
    key = (path, layer)
    if key not in _ALLOWED:
        _ALLOWED[key] = frozenset(layer_of(schema, layer).field_names)
    return _ALLOWED[key]


def _record_problems(
    f: SourceFile, schema: Schema, lineno: int, rec: dict[str, Any]
) -> list[Finding]:
    """Level-1 problems of one parsed record (layer, header position, unknown fields)."""
    out: list[Finding] = []
    if f.kind == DOCUMENT:
        layer = rec.get("layer")
        if lineno == 1 and layer != DOCUMENT:
            return [
                finding(
                    f,
                    "header-missing",
                    line=1,
                    record=_rid(rec),
                    shown=f"layer {json.dumps(layer)}",
                )
            ]
        if lineno > 1 and layer == DOCUMENT:
            return [
                finding(
                    f,
                    "header-repeated",
                    line=lineno,
                    shown=f"document record for {json.dumps(rec.get('doc_id'))}",
                )
            ]
        if layer not in (DOCUMENT, *DOCUMENT_LAYERS):
            return [
                finding(
                    f,
                    "unknown-layer",
                    line=lineno,
                    record=_rid(rec),
                    field="layer",
                    layers=", ".join((DOCUMENT, *DOCUMENT_LAYERS)),
                    shown=json.dumps(layer, ensure_ascii=False),
                )
            ]
    else:
        layer = "entity" if f.kind == ENTITIES else "cluster"
    layer_spec = layer_of(schema, layer)
    unknown = [
        k
        for k in rec
        if k not in allowed(schema, layer) and not _null_union_field(schema, f, k, rec[k])
    ]
    for name in layer_spec.span_fields:
        value = rec.get(name)
        if isinstance(value, dict):
            unknown += [f"{name}.{k}" for k in value if k not in SPAN_KEYS]
    if layer == "cluster" and isinstance(rec.get("members"), list):
        for i, m in enumerate(rec["members"]):
            if isinstance(m, dict):
                unknown += [f"members[{i}].{k}" for k in m if k not in MEMBER_KEYS]
    for name in unknown:
        out.append(
            finding(
                f,
                "unknown-field",
                line=lineno,
                record=_rid(rec),
                field=name,
                layer=layer,
                name=name,
                fields=", ".join(layer_spec.field_names),
            )
        )
    return out


def _null_union_field(schema: Schema, f: SourceFile, key: str, value: Any) -> bool:
    """A null field of another document layer: the typed parse (one schema for every layer)
    cannot tell it from an absent one, so neither path reports it."""
    if f.kind != DOCUMENT or value is not None:
        return False
    return any(key in allowed(schema, lay) for lay in (DOCUMENT, *DOCUMENT_LAYERS))


def _rid(rec: dict[str, Any]) -> str | None:
    rid = rec.get("id")
    return rid if isinstance(rid, str) and not has_lone_surrogate(rid) else None


def read_lines(
    f: SourceFile, data: bytes, schema: Schema, kept: list[str], findings: list[Finding]
) -> str | None:
    """The slow path: parse ``data`` (the bytes of ``f``) line by line, report every level-1
    problem, and keep the records when there is none. Returns the schema version the file
    declares (None if it declares none readable)."""
    if f.kind != DOCUMENT and not bytes_ok(f, data, findings):
        f.ok = False
        return None
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    declared = None
    if f.kind == DOCUMENT and lines:
        try:
            header = loads(lines[0])
        except ValueError:
            header = None
        if isinstance(header, dict) and value_problem(header, lines[0]) is not None:
            header = None  # reported with the other lines below
        if isinstance(header, dict) and header.get("layer") == DOCUMENT:
            declared = header.get("schema_version")
            problem = header_problem(f, header.get("doc_id"), declared, schema, kept)
            if problem is not None:
                findings.append(problem)
                f.ok = False
                return declared if isinstance(declared, str) else None
    records: list[dict[str, Any]] = []
    problems: list[Finding] = []
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            problems.append(finding(f, "blank-line", line=lineno))
            continue
        try:
            rec = loads(line)
        except TooDeep:
            problems.append(
                finding(
                    f,
                    "json-too-deep",
                    line=lineno,
                    what="line's JSON",
                    depth=MAX_DEPTH,
                    shown=_excerpt(line),
                )
            )
            continue
        except ValueError as exc:
            why = f"{exc.msg} (column {exc.colno})" if isinstance(exc, JSONDecodeError) else exc
            problems.append(
                finding(f, "json-invalid", line=lineno, error=why, excerpt=_excerpt(line))
            )
            continue
        bad_value = value_problem(rec, line)
        if bad_value is not None:
            code, name, shown = bad_value
            problems.append(
                finding(
                    f,
                    code,
                    line=lineno,
                    record=_rid(rec) if isinstance(rec, dict) else None,
                    field=name,
                    what="record",
                    depth=MAX_DEPTH,
                    shown=shown,
                )
            )
            continue
        if not isinstance(rec, dict):
            problems.append(
                finding(
                    f, "not-an-object", line=lineno, kind=type(rec).__name__, excerpt=_excerpt(line)
                )
            )
            continue
        problems += _record_problems(f, schema, lineno, rec)
        records.append(rec)
    if f.kind == DOCUMENT and not lines:
        problems.append(finding(f, "empty-file", size="no lines"))
    findings.extend(problems)
    f.ok = not problems
    f.records = records if f.ok else None
    return declared if isinstance(declared, str) else None


def _excerpt(line: bytes, n: int = 80) -> str:
    text = line.decode("utf-8", "replace")
    return text if len(text) <= n else text[:n] + "…"
