"""Ingest articles into ``raw/``, one or many at once, all or nothing.

A batch is a folder of ``.txt`` files with a metadata table (``metadata.csv`` or
``metadata.jsonl``: one row per file) or a JSON-lines file of ``{"text": ..., ...}`` records.
Every article is checked before anything is written: its bytes are UTF-8 (the byte offset of
the first bad byte is named), its text is not empty, its date is a real ISO 8601 date, its id
is valid and new, its text is not stored already under another id, and nothing in the batch
repeats. One problem anywhere refuses the whole batch, listing every problem, with nothing
written. Otherwise each article's raw bytes, metadata and (for the command line) its
annotation file holding the document record (``raw_sha256`` filled, status ``draft``) are
staged as temporary files and renamed into place; a failure while writing removes what was
staged and renamed.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from isf_claims.batch import Article, problem, read_batch
from isf_claims.errors import EXIT_INVALID, EXIT_USAGE, IsfError, refuse
from isf_claims.raw import (
    DEFAULT_RIGHTS,
    RawDocument,
    check_date,
    check_new_doc_id,
    decode_utf8,
    make_doc_id,
    meta_bytes,
    read_meta,
    sha256_bytes,
)
from isf_claims.repo import Repo

DEFAULT_ANNOTATORS = "unassigned"

Advance = Callable[..., None]

__all__ = [
    "Article",
    "IngestRefused",
    "ingest",
    "ingest_articles",
    "ingest_source",
    "plan",
    "write_new",
]


@dataclass
class IngestRefused(IsfError):
    """Every problem of a refused batch (nothing was written)."""

    problems: list[IsfError] = field(default_factory=list)

    def render(self) -> str:
        head = super().render()
        return "\n".join([head, *(p.render() for p in self.problems)])

    def to_dict(self) -> dict[str, object]:
        return {**super().to_dict(), "problems": [p.to_dict() for p in self.problems]}


def _order(err: IsfError) -> tuple[str, int]:
    """File order: by path, then line number (``path:LINE``)."""
    path, _, line = str(err.path or "").rpartition(":")
    return (path, int(line)) if line.isdigit() else (str(err.path or ""), 0)


def refused(problems: list[IsfError], total: int) -> IngestRefused:
    problems = sorted(problems, key=_order)
    counts = Counter(p.code for p in problems)
    data = any(p.exit_code == EXIT_INVALID for p in problems)
    err = refuse(
        "ingest-refused",
        expected="every article valid and new",
        found=", ".join(f"{n} x {code}" for code, n in sorted(counts.items())),
        exit_code=EXIT_INVALID if data else EXIT_USAGE,
        cls=IngestRefused,
        n=len(problems),
        total=total,
    )
    assert isinstance(err, IngestRefused)
    err.problems = problems
    return err


# ------------------------------------------------------------------ checking and writing


def corpus_schema_version(repo: Repo) -> str:
    """The schema version most annotation files declare (the newest on a tie; the latest
    kept when there is none): the version a new annotation file follows."""
    from isf_claims.schema import known_versions, latest_version
    from isf_claims.validation.structure import read_header

    kept = known_versions(repo.schema_dir)
    counts: Counter[str] = Counter()
    for path in repo.annotation_files():
        if path.is_symlink() or not path.is_file():
            continue  # validation reports it; its target is never read
        version = (read_header(path) or {}).get("schema_version")
        if version in kept:
            counts[version] += 1
    if not counts:
        return latest_version(repo.schema_dir)
    return max(counts, key=lambda v: (counts[v], kept.index(v)))


@dataclass
class Planned:
    """An article that passed every check, with the files it becomes."""

    doc: RawDocument
    files: list[tuple[Path, bytes]]


def _check(
    repo: Repo,
    art: Article,
    usage: bool,
    stored: dict[str, str],
    seen_ids: dict[str, str],
    seen_texts: dict[str, str],
) -> tuple[str, str, str] | IsfError:
    """``(doc_id, text, sha256)`` of an article, or its first problem."""
    f = art.fields
    try:
        check_date(f.get("date"), art.where)
        text = decode_utf8(art.data, art.where)
    except IsfError as err:
        if not usage:
            err.exit_code = EXIT_INVALID
        return err
    if not text.strip():
        return problem(
            "raw-empty",
            art.where,
            f"{len(art.data)} bytes of whitespace" if art.data else "an empty text",
            expected="a non-empty article",
        )
    digest = sha256_bytes(art.data)
    doc_id = f.get("id")
    if doc_id is None:
        first_line = next((ln for ln in text.splitlines() if ln.strip()), "")
        doc_id = make_doc_id(f.get("outlet"), f.get("date"), f.get("topic") or first_line)
    try:
        check_new_doc_id(doc_id, art.where)
    except IsfError as err:
        if not usage:
            err.exit_code = EXIT_INVALID
        return err
    paths = (repo.raw_path(doc_id), repo.meta_path(doc_id), repo.annotation_path(doc_id))
    if any(os.path.lexists(p) for p in paths):  # a link, even a dangling one, is there
        return problem(
            "doc-id-exists",
            art.where,
            "an existing raw document or annotation file with that id",
            record=doc_id,
            expected="a new id",
            doc_id=doc_id,
        )
    if digest in stored:
        return problem(
            "raw-duplicate",
            art.where,
            f"identical bytes (sha256 {digest}) stored as {stored[digest]!r}",
            record=stored[digest],
            expected="an article not yet in raw/",
        )
    for key, seen, what in ((doc_id, seen_ids, "id"), (digest, seen_texts, "text")):
        if key in seen:
            return problem(
                "ingest-duplicate",
                art.where,
                f"{doc_id!r}: the same {what} as at {seen[key]}",
                record=doc_id,
                expected=f"each {what} once",
                note=f"the same {what} twice in the batch",
            )
    seen_ids[doc_id], seen_texts[digest] = art.where, art.where
    return doc_id, text, digest


def plan(
    repo: Repo,
    articles: list[Article],
    *,
    usage: bool = False,
    annotate: bool = True,
    annotators: str = DEFAULT_ANNOTATORS,
    added: str | None = None,
    rights: str = DEFAULT_RIGHTS,
    advance: Advance | None = None,
) -> tuple[list[Planned], list[IsfError]]:
    """Check every article (``usage``: its metadata came from command-line options, so a
    bad date or id is a usage error) and make the files of those that pass."""
    from isf_claims import annotations as fmt
    from isf_claims.schema import load_schema

    stored: dict[str, str] = {}
    for other in repo.raw_doc_ids():
        digest = read_meta(repo, other).get("sha256")
        if isinstance(digest, str):
            stored.setdefault(digest, other)
    schema = load_schema(repo.schema_dir, corpus_schema_version(repo)) if annotate else None
    today = added or dt.date.today().isoformat()
    seen_ids: dict[str, str] = {}
    seen_texts: dict[str, str] = {}
    planned: list[Planned] = []
    problems: list[IsfError] = []
    for art in articles:
        checked = _check(repo, art, usage, stored, seen_ids, seen_texts)
        if advance is not None:
            advance(1)
        if isinstance(checked, IsfError):
            problems.append(checked)
            continue
        doc_id, text, digest = checked
        f = art.fields
        date = f.get("date")
        basis = f.get("date_basis") or (
            "given at ingest" if date else "unknown: no publication date was given at ingest"
        )
        meta = {
            "doc_id": doc_id,
            "source_file": art.source_file,
            "outlet": f.get("outlet"),
            "byline": f.get("byline"),
            "published": date,
            "published_basis": basis,
            "language": f.get("language") or "en",
            "url": f.get("url"),
            "added": today,
            "rights": rights,
            "sha256": digest,
            "n_bytes": len(art.data),
            "n_codepoints": len(text),
        }
        files = [(repo.raw_path(doc_id), art.data), (repo.meta_path(doc_id), meta_bytes(meta))]
        if schema is not None:
            header = {
                "doc_id": doc_id,
                "schema_version": schema.version,
                "raw_sha256": digest,
                "status": "draft",
                "annotators": annotators,
            }
            files.append(
                (repo.annotation_path(doc_id), fmt.to_bytes(fmt.document_lines(schema, header, [])))
            )
        planned.append(Planned(RawDocument(doc_id, text, meta), files))
    return planned, problems


def write_new(files: Iterable[tuple[Path, bytes]]) -> None:
    """Write files that do not exist yet, all or none: staged as temporary files, then
    renamed; on any failure every target written is removed again."""
    from isf_claims.fsutil import atomic_write_many

    files = list(files)
    try:
        atomic_write_many(files)
    except BaseException:
        for path, _ in files:
            path.unlink(missing_ok=True)
        raise


def ingest_articles(
    repo: Repo,
    articles: list[Article],
    *,
    usage: bool = False,
    annotate: bool = True,
    annotators: str = DEFAULT_ANNOTATORS,
    added: str | None = None,
    rights: str = DEFAULT_RIGHTS,
    advance: Advance | None = None,
    problems: list[IsfError] | None = None,
) -> list[RawDocument]:
    """Check ``articles`` (plus ``problems`` already found reading them), then write them
    all; any problem refuses the batch (:class:`IngestRefused`, or for a single article its
    own error) and writes nothing."""
    planned, found = plan(
        repo,
        articles,
        usage=usage,
        annotate=annotate,
        annotators=annotators,
        added=added,
        rights=rights,
        advance=advance,
    )
    found = [*(problems or []), *found]
    if len(found) == 1 and len(articles) + len(problems or []) == 1:
        raise found[0]
    if found:
        raise refused(found, len(articles) + len(problems or []))
    if not planned:
        raise refuse("ingest-empty-batch", expected="at least one article", found="none")
    write_new(f for p in planned for f in p.files)
    return [p.doc for p in planned]


def ingest_source(
    repo: Repo,
    source: Path,
    *,
    table: Path | None = None,
    options: dict[str, str | None] | None = None,
    language: str | None = None,
    annotators: str = DEFAULT_ANNOTATORS,
    added: str | None = None,
) -> list[RawDocument]:
    """What ``isf-claims ingest SOURCE`` does: one article file with its metadata in
    ``options`` (``--outlet`` ...), or a batch (a folder with its metadata table, or a
    ``.jsonl`` file of records), where ``options`` must be unset and ``language`` is the
    default of rows that give none. Writes each article's annotation file too."""
    options = options or {}
    if not source.exists():
        raise refuse("file-not-found", path=str(source), what="file or folder")
    if not source.is_dir() and source.suffix != ".jsonl":
        if table is not None:
            read_batch(source, table)  # the usage error for --meta with one file
        opts = {k.lstrip("-").replace("-", "_"): v for k, v in options.items()}
        doc = ingest(
            repo,
            source,
            doc_id=opts.get("id"),
            topic=opts.get("topic"),
            outlet=opts.get("outlet"),
            byline=opts.get("byline"),
            date=opts.get("date"),
            date_basis=opts.get("date_basis"),
            url=opts.get("url"),
            language=language or "en",
            added=added,
            annotate=True,
            annotators=annotators,
        )
        return [doc]
    given = sorted(k for k, v in options.items() if v is not None)
    if given:
        raise refuse(
            "ingest-option-per-article",
            path=str(source),
            expected="metadata in the table (columns) or the records (fields)",
            found=", ".join(given),
        )
    articles, problems = read_batch(source, table)
    if language is not None:
        for art in articles:
            art.fields["language"] = art.fields.get("language") or language
    from isf_claims import progress

    with progress.task("ingest: checking and writing articles", total=len(articles)) as advance:
        return ingest_articles(
            repo,
            articles,
            annotators=annotators,
            added=added,
            advance=advance,
            problems=problems,
        )


def ingest(
    repo: Repo,
    file: Path,
    *,
    doc_id: str | None = None,
    topic: str | None = None,
    outlet: str | None = None,
    byline: str | None = None,
    date: str | None = None,
    date_basis: str | None = None,
    url: str | None = None,
    language: str = "en",
    rights: str = DEFAULT_RIGHTS,
    added: str | None = None,
    annotate: bool = False,
    annotators: str | None = None,
) -> RawDocument:
    """Add ``file`` to ``raw/`` verbatim with its metadata; refuse (writing nothing) when the
    bytes are not UTF-8, the id exists, or the same text is already stored. With
    ``annotate`` also write ``annotated/<doc_id>.jsonl`` holding the document record (what
    the command line does); :func:`ingest_articles` does batches."""
    if not file.is_file():
        raise refuse("file-not-found", path=str(file), what="file")
    fields = {
        "id": doc_id,
        "topic": topic,
        "outlet": outlet,
        "byline": byline,
        "date": date,
        "date_basis": date_basis,
        "url": url,
        "language": language,
    }
    article = Article(str(file), file.read_bytes(), file.name, fields)
    return ingest_articles(
        repo,
        [article],
        usage=True,
        annotate=annotate,
        annotators=annotators or DEFAULT_ANNOTATORS,
        added=added,
        rights=rights,
    )[0]
