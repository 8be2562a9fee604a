"""Level 1 for document files at speed: read them in groups of about ``GROUP_BYTES``,
check the bytes (UTF-8 validated by Arrow for the whole group), parse each group in one
typed pyarrow pass, and bisect a group that fails down to the files that need the line-by-
line path (:mod:`structure`, the reference). Column-wise checks then find what a typed
parse cannot see. Used by :mod:`reader` only (which it never imports).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj

from isf_claims.raw_columns import is_utf8
from isf_claims.schema import DOCUMENT_LAYERS, Schema
from isf_claims.tables import read_json_lines, record_schema, shared_schema
from isf_claims.validation.report import Finding
from isf_claims.validation.rules import layer_of
from isf_claims.validation.structure import (
    DOCUMENT,
    ENTITIES,
    SourceFile,
    allowed,
    bytes_ok,
    header_problem,
    read_lines,
)

T = TypeVar("T")


@dataclass
class Parsed:
    """Typed records of the files of a group that passed the fast path."""

    table: pa.Table
    file_idx: np.ndarray  # index into the group's files, per row
    lines: np.ndarray  # 1-based line number, per row


@dataclass
class Group:
    """A group of files as read from disk: each file's bytes, and all of them joined."""

    loaded: list[tuple[SourceFile, bytes]]
    joined: tuple[bytes, list[int], np.ndarray]


def release_memory() -> None:
    """Hand memory Arrow freed back to the system (its allocator keeps it otherwise, and
    peaks add up across the stages of a run)."""
    pa.default_memory_pool().release_unused()


LAYERS = (DOCUMENT, *DOCUMENT_LAYERS)
GROUP_BYTES = 32 << 20  # files are read and parsed in groups of about this size
Loaded = tuple[SourceFile, bytes]
Joined = tuple[bytes, list[int], np.ndarray]  # the group's bytes, line counts, file offsets


def _joined(group: list[Loaded]) -> Joined:
    """The group's bytes as one buffer (each file ending with a newline), its line counts
    and the byte offset of each file."""
    chunks = [d if d.endswith(b"\n") else d + b"\n" for _, d in group]
    counts = [c.count(b"\n") for c in chunks]  # memchr speed; no per-byte array
    sizes = np.fromiter((len(c) for c in chunks), dtype=np.int64, count=len(chunks))
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    return b"".join(chunks), counts, offsets


def _utf8_flags(group: list[Loaded], buffer: bytes, offsets: np.ndarray) -> list[bool]:
    """Whether each file is valid UTF-8: one Arrow validation of the whole group, file by
    file only when it fails."""
    array = pa.StringArray.from_buffers(
        len(group), pa.py_buffer(offsets.astype(np.int32)), pa.py_buffer(buffer)
    )
    try:
        array.validate(full=True)
        return [True] * len(group)
    except pa.ArrowInvalid:
        return [is_utf8(d) for _, d in group]


def _try_parse(
    group: list[Loaded],
    schema: pa.Schema,
    joined: Joined | None = None,
) -> tuple[pa.Table, list[int]] | None:
    """Parse ``group`` in one pyarrow pass; None unless every line became one record."""
    buffer, counts, _ = joined or _joined(group)
    options = pj.ParseOptions(explicit_schema=schema, unexpected_field_behavior="error")
    try:
        table = read_json_lines(buffer, options, block_size=4 << 20)
    except (pa.ArrowInvalid, UnicodeDecodeError):
        return None
    return (table, counts) if table.num_rows == sum(counts) else None


def _bisect(
    group: list[Loaded],
    schema: pa.Schema,
    joined: Joined | None = None,
) -> tuple[list[tuple[list[Loaded], pa.Table, list[int]]], list[Loaded]]:
    """Sub-groups of files that parse, and the single files that do not."""
    if not group:
        return [], []
    got = _try_parse(group, schema, joined)
    if got is not None:
        return [(group, *got)], []
    if len(group) == 1:
        return [], group
    mid = len(group) // 2
    good_a, bad_a = _bisect(group[:mid], schema)
    good_b, bad_b = _bisect(group[mid:], schema)
    return good_a + good_b, bad_a + bad_b


def _groups(files: list[SourceFile]) -> Iterator[list[Loaded]]:
    group: list[Loaded] = []
    size = 0
    for f in files:
        data = f.read()
        group.append((f, data))
        size += len(data)
        if size >= GROUP_BYTES:
            yield group
            group, size = [], 0
    if group:
        yield group


def read_ahead(files: list[SourceFile], work: Callable[[Group], T]) -> Iterator[T]:
    """``work(group)`` for each group of files read from disk, in a background thread: the
    next group is read and worked on (parsed, its raw texts read and hashed) while the
    caller checks the current one. File reads and hashing release the GIL and the parse
    runs in Arrow's threads, so the two overlap. At most two groups are in memory."""
    groups = _groups(files)

    def load() -> tuple[T] | None:
        group = next(groups, None)
        return None if group is None else (work(Group(group, _joined(group))),)

    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(load)
        while (item := pending.result()) is not None:
            pending = pool.submit(load)
            yield item[0]


def shared_fast(f: SourceFile, data: bytes, schema: Schema, findings: list[Finding]) -> bool:
    """Level 1 for ``entities.jsonl`` / ``clusters.jsonl`` at speed: the byte checks, then
    one typed pyarrow parse (which refuses invalid JSON, repeated keys, unknown fields at
    any depth and wrong types). True when the file is settled here: clean (its bytes are
    kept in ``f.data`` and go to the engines as they are) or failing a byte check. False
    sends it to the line-by-line path, which says exactly what is wrong."""
    if not bytes_ok(f, data, findings):
        f.ok = False
        return True
    layer = layer_of(schema, "entity" if f.kind == ENTITIES else "cluster")
    options = pj.ParseOptions(
        explicit_schema=shared_schema(layer), unexpected_field_behavior="error"
    )
    try:
        table = read_json_lines(data, options)
    except (pa.ArrowInvalid, UnicodeDecodeError):
        return False
    if table.num_rows != data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0):
        return False  # blank lines: the parser skips them, the slow path reports them
    for field in layer.fields:
        if field.type == "members" and (
            table[field.name].null_count or pc.list_flatten(table[field.name]).null_count
        ):
            return False  # a missing list or a null member: no column the contract sees
    f.ok, f.records, f.data, f.table = True, None, data, table
    return True


def parse_group(
    group: Group, schema: Schema, kept: list[str], findings: list[Finding]
) -> tuple[Parsed | None, Counter[str]]:
    """Level 1 of one group: typed records of the files that pass the fast path; files
    that fail the byte checks get their findings, files that fail the typed parse (or the
    checks after it) go the line-by-line path (``SourceFile.records`` is set when they pass
    it). Also counts the schema versions the files declare."""
    declared: Counter[str] = Counter()
    arrow_schema = record_schema(schema)
    loaded, joined = group.loaded, group.joined
    flags = _utf8_flags(loaded, joined[0], joined[2])
    readable = []
    for (f, data), utf8 in zip(loaded, flags, strict=True):
        if bytes_ok(f, data, findings, utf8=utf8):
            readable.append((f, data))
        else:
            f.ok = False
    good, bad = _bisect(readable, arrow_schema, joined if len(readable) == len(loaded) else None)
    for f, data in bad:
        version = read_lines(f, data, schema, kept, findings)
        if version in kept:
            declared[version] += 1
    if not good:
        return None, declared
    index = {id(f): i for i, (f, _) in enumerate(loaded)}
    tables, file_idx, lines = [], [], []
    for sub, table, counts in good:
        tables.append(table.select(arrow_schema.names))
        idx = np.array([index[id(f)] for f, _ in sub], dtype=np.int32)
        file_idx.append(np.repeat(idx, counts))
        starts = np.repeat(np.cumsum([0, *counts[:-1]]), counts)
        lines.append((np.arange(sum(counts)) - starts + 1).astype(np.int32))
    parsed = Parsed(pa.concat_tables(tables), np.concatenate(file_idx), np.concatenate(lines))
    return _recheck(loaded, schema, parsed, kept, declared, findings), declared


def _recheck(
    loaded: list[tuple[SourceFile, bytes]],
    schema: Schema,
    parsed: Parsed,
    kept: list[str],
    declared: Counter[str],
    findings: list[Finding],
) -> Parsed | None:
    """Level-1 problems a typed parse cannot see: a document record that is not first, or
    names another document or schema version; unknown layer values; fields of another
    layer. Files that have them are dropped from ``parsed`` (and re-read line by line for
    all but the document record's problems)."""
    table = parsed.table
    layer = table["layer"]
    first = pa.array(parsed.lines == 1)
    is_doc = pc.equal(layer, DOCUMENT)
    misplaced = pc.not_equal(is_doc, first)
    bad_rows = pc.or_(pc.invert(pc.fill_null(pc.is_in(layer, pa.array(LAYERS)), False)), misplaced)
    for name in LAYERS:
        foreign = [c for c in table.column_names if c not in allowed(schema, name)]
        if not foreign:
            continue
        given = pc.is_valid(table[foreign[0]])
        for c in foreign[1:]:
            given = pc.or_(given, pc.is_valid(table[c]))
        bad_rows = pc.or_(bad_rows, pc.and_(pc.equal(layer, name), given))
    bad_rows = pc.fill_null(bad_rows, True).to_numpy(zero_copy_only=False)
    relined = set(np.unique(parsed.file_idx[bad_rows]).tolist())
    # Document records (first lines) that name another file or schema version.
    heads = np.flatnonzero(pc.and_(is_doc, first).to_numpy(zero_copy_only=False))
    versions = table["schema_version"].take(pa.array(heads))
    for i, v in zip(parsed.file_idx[heads].tolist(), versions.to_pylist(), strict=True):
        if v in kept and i not in relined:
            declared[v] += 1
    names = pa.array([loaded[i][0].doc_id for i in parsed.file_idx[heads]], pa.string())
    odd = pc.or_(
        pc.invert(pc.fill_null(pc.equal(versions, schema.version), False)),
        pc.invert(pc.fill_null(pc.equal(table["doc_id"].take(pa.array(heads)), names), False)),
    )
    dropped = set()
    for row in np.flatnonzero(odd.to_numpy(zero_copy_only=False)):
        i = int(parsed.file_idx[heads[row]])
        f = loaded[i][0]
        problem = header_problem(
            f,
            table["doc_id"][int(heads[row])].as_py(),
            versions[int(row)].as_py(),
            schema,
            kept,
        )
        if problem is not None:
            findings.append(problem)
            f.ok = False
            dropped.add(i)
    for i in sorted(relined - dropped):
        f, data = loaded[i]
        version = read_lines(f, data, schema, kept, findings)
        if version in kept:
            declared[version] += 1
    gone = np.array(sorted(relined | dropped), dtype=np.int64)
    if not len(gone):
        return parsed
    keep = ~np.isin(parsed.file_idx, gone)
    if not keep.any():
        return None
    return Parsed(table.filter(pa.array(keep)), parsed.file_idx[keep], parsed.lines[keep])
