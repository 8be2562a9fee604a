"""Reading a batch of articles for :mod:`isf_claims.ingest`: a folder of ``.txt`` files with
a metadata table (``metadata.csv`` or ``metadata.jsonl``, one row per file), or a JSON-lines
file of ``{"text": ..., "outlet": ..., ...}`` records. Problems of single rows are collected
(so a refusal lists them all); a table that cannot be read at all is refused at once.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from isf_claims.errors import IsfError, refuse

#: Metadata an article may carry (a table column, a record field or a command-line option).
FIELDS = ("id", "topic", "outlet", "byline", "date", "date_basis", "url", "language")
TABLE_NAMES = ("metadata.csv", "metadata.jsonl")


@dataclass
class Article:
    """One article of a batch: its bytes, where it came from and its metadata (None for
    what is unknown)."""

    where: str
    data: bytes
    source_file: str
    fields: dict[str, str | None] = field(default_factory=dict)


def problem(code: str, where: str, found: str, **kw: Any) -> IsfError:
    """The refusal ``code`` of one article or row (``kw``: expected and the template's
    fields)."""
    return refuse(code, path=where, found=found, **kw)


def _text(path: Path, what: str) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise problem(
            "ingest-table-invalid",
            str(path),
            f"byte 0x{data[exc.start]:02x} ({exc.reason})",
            expected="UTF-8 text",
            note=f"{what} is not UTF-8 at byte offset {exc.start}",
        ) from exc


def _jsonl_rows(path: Path) -> list[tuple[str, Any]]:
    """``(where, record)`` of each non-blank line of a JSON-lines file."""
    rows = []
    for lineno, line in enumerate(_text(path, "the file").split("\n"), start=1):
        if not line.strip():
            continue
        where = f"{path}:{lineno}"
        try:
            rows.append((where, json.loads(line)))
        except (ValueError, RecursionError) as exc:
            raise problem(
                "ingest-table-invalid",
                where,
                line[:80],
                expected="a JSON object",
                note=f"line is not valid JSON: {exc}",
            ) from exc
    return rows


def _csv_rows(path: Path) -> list[tuple[str, Any]]:
    text = _text(path, "the metadata table")
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
        rows = [(f"{path}:{reader.line_num}", row) for row in reader]
        header = reader.fieldnames or []
    except csv.Error as exc:
        raise problem(
            "ingest-table-invalid",
            str(path),
            str(exc),
            expected="CSV with a header row",
            note=f"the metadata table is not valid CSV: {exc}",
        ) from exc
    if len(set(header)) != len(header):
        raise problem(
            "ingest-table-invalid",
            f"{path}:1",
            ", ".join(header),
            expected="distinct column names",
            note="a column name repeats in the header",
        )
    out = []
    for where, row in rows:
        if None in row or any(v is None for v in row.values()):
            raise problem(
                "ingest-table-invalid",
                where,
                repr(list(row.values()))[:80],
                expected=f"{len(header)} cells",
                note="row has another number of cells than the header",
            )
        out.append((where, {k: (v if v != "" else None) for k, v in row.items()}))
    return out


def _fields(
    where: str, rec: Any, allowed: tuple[str, ...], required: str
) -> tuple[dict[str, Any] | None, list[IsfError]]:
    """The record's known fields, or the problems with it (not an object, an unknown
    field, a value that is not a string, the required field missing)."""
    if not isinstance(rec, dict):
        return None, [
            problem(
                "ingest-table-invalid",
                where,
                type(rec).__name__,
                note="record is not a JSON object",
            )
        ]
    problems = []
    unknown = sorted(k for k in rec if k not in allowed)
    if unknown:
        problems.append(
            problem(
                "ingest-unknown-column",
                where,
                ", ".join(unknown),
                expected="fields among " + ", ".join(allowed),
            )
        )
    wrong = sorted(k for k, v in rec.items() if k in allowed and not isinstance(v, str | None))
    if wrong:
        problems.append(
            problem(
                "ingest-table-invalid",
                where,
                ", ".join(f"{k}={rec[k]!r}" for k in wrong)[:120],
                expected="strings or null",
                note="metadata values are text (or null when unknown)",
            )
        )
    if not isinstance(rec.get(required), str) or not rec[required]:
        problems.append(
            problem(
                "ingest-table-invalid",
                where,
                repr(rec.get(required))[:80],
                expected=f"a non-empty {required!r} string",
                note=f"record without its {required!r}",
            )
        )
    return ({k: v for k, v in rec.items() if k in allowed}, problems)


def find_table(folder: Path) -> Path:
    """The folder's metadata table (``metadata.csv`` or ``metadata.jsonl``)."""
    found = [folder / n for n in TABLE_NAMES if (folder / n).is_file()]
    if len(found) != 1:
        raise refuse(
            "ingest-no-table",
            path=str(folder),
            expected=" or ".join(TABLE_NAMES) + " in the folder, or --meta TABLE",
            found=", ".join(p.name for p in found) or "neither",
            note="a folder of articles needs one metadata table"
            + (" (found both)" if found else ""),
        )
    return found[0]


def read_folder(folder: Path, table: Path | None = None) -> tuple[list[Article], list[IsfError]]:
    """The articles of a folder of ``.txt`` files and its metadata table."""
    table = table or find_table(folder)
    allowed = ("file", *FIELDS)
    if table.suffix == ".jsonl":
        rows = _jsonl_rows(table)
    else:
        rows = _csv_rows(table)
        columns = list(rows[0][1]) if rows else []
        unknown = [c for c in columns if c not in allowed]
        if unknown:  # once for the table, not on every row
            return [], [
                problem(
                    "ingest-unknown-column",
                    f"{table}:1",
                    ", ".join(unknown),
                    expected="columns among " + ", ".join(allowed),
                )
            ]
    articles: list[Article] = []
    problems: list[IsfError] = []
    listed: dict[str, str] = {}
    mentioned: set[str] = set()
    for where, rec in rows:
        if isinstance(rec, dict) and isinstance(rec.get("file"), str):
            mentioned.add(rec["file"])
        meta, bad = _fields(where, rec, allowed, "file")
        problems += bad
        if meta is None or bad:
            continue
        name = meta.pop("file")
        path = folder / name
        if Path(name).name != name or name in (".", ".."):
            problems.append(
                problem(
                    "ingest-file-missing",
                    where,
                    name,
                    note="the file column names a path, not a file of the folder",
                )
            )
        elif name in listed:
            problems.append(
                problem(
                    "ingest-duplicate",
                    where,
                    f"{name} (also at {listed[name]})",
                    note="file listed twice in the metadata table",
                )
            )
        elif not path.is_file() or path.is_symlink():
            problems.append(
                problem(
                    "ingest-file-missing",
                    where,
                    name,
                    note="the metadata table lists a file the folder does not hold"
                    + (" (a symbolic link is not followed)" if path.is_symlink() else ""),
                )
            )
        else:
            listed[name] = where
            articles.append(Article(str(path), path.read_bytes(), name, meta))
    for path in sorted(folder.glob("*.txt")):
        if path.name not in mentioned:
            problems.append(problem("ingest-file-unlisted", str(path), path.name, table=table.name))
    return articles, problems


def read_records(path: Path) -> tuple[list[Article], list[IsfError]]:
    """The articles of a JSON-lines file of ``{"text": ..., "outlet": ..., ...}``."""
    articles: list[Article] = []
    problems: list[IsfError] = []
    for where, rec in _jsonl_rows(path):
        meta, bad = _fields(where, rec, ("text", *FIELDS), "text")
        problems += bad
        if meta is None or bad:
            continue
        text = meta.pop("text")
        try:
            data = text.encode("utf-8")
        except UnicodeEncodeError as exc:
            problems.append(
                problem(
                    "raw-not-utf8",
                    where,
                    repr(text[exc.start]),
                    expected="text that encodes as UTF-8",
                    note=f"a lone surrogate at code point {exc.start}",
                )
            )
            continue
        articles.append(Article(where, data, where.rsplit("/", 1)[-1], meta))
    return articles, problems


def read_batch(source: Path, table: Path | None = None) -> tuple[list[Article], list[IsfError]]:
    """A folder (with its metadata table) or a JSON-lines file of records."""
    if source.is_dir():
        return read_folder(source, table)
    if table is not None:
        raise refuse(
            "ingest-no-table",
            path=str(source),
            expected="a folder of .txt files",
            found="a file",
            note="--meta goes with a folder of articles",
        )
    return read_records(source)
