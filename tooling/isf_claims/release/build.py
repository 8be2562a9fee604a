"""``isf-claims build``: a release folder from raw/ + annotated/ + schema/ (+ dataset.json
and DATACARD.md), refusing a corpus that does not validate.

The corpus is validated first, then read a batch of documents at a time, each data file
written as its rows come (:mod:`isf_claims.release.stream`), so memory does not grow with
the corpus; the folder is made as a temporary sibling renamed into place at the end, so a
failed build leaves ``dist/`` as it was. Two builds of the same inputs give the same bytes,
file by file, whatever the batch size.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from isf_claims.corpus import Corpus, load_corpus
from isf_claims.errors import IsfError, refuse
from isf_claims.fsutil import make_temp_dir
from isf_claims.release import card, checksums, croissant, datapackage, evaluation, features, stats
from isf_claims.release import splits as split_rule
from isf_claims.release import tokenize as tok
from isf_claims.release.datafiles import Shape
from isf_claims.release.memory import give_back_freed_memory
from isf_claims.release.metadata import DatasetMeta, json_bytes, read_dataset_meta
from isf_claims.release.parquet import WRITER
from isf_claims.release.stream import BATCH_DOCS, Streamed, batches, document_ids, stream_release
from isf_claims.release.tables import DEFAULT_CONFIG, ReleaseTables
from isf_claims.repo import Repo
from isf_claims.schema import Schema

if TYPE_CHECKING:
    from isf_claims.validation.report import Report

DATACARD = "DATACARD.md"
# A second, independent annotation set of some documents (same file format as annotated/);
# when it exists the card reports agreement with the main set.
SECOND_SET = "double-annotated"
REPORT_FILE = "build-report.json"
DEFAULT_OUT = Path("dist")


@dataclass(frozen=True)
class BuildResult:
    """A built release: its folder, version and files (relative path -> bytes, or where a
    data file was written)."""

    folder: Path
    version: str
    files: dict[str, Any]
    report: dict[str, Any]


def release_name(meta: DatasetMeta) -> str:
    """Folder name of a release: ``<name>-<version>``."""
    return f"{meta.name}-{meta.version}"


def check_valid(repo: Repo) -> dict[str, Any]:
    """Run the project's validation (pandera engine, whole corpus); raise when the corpus has
    errors. The one place the build calls validation. Returns the validation summary."""
    from isf_claims.validation import validate

    return _summary(repo, validate(repo))


def check_valid_and_load(repo: Repo) -> tuple[dict[str, Any], Corpus]:
    """:func:`check_valid`, and the corpus model (whole, in memory) validation made from its
    parse (for the in-memory builds: the standoff release, rehydration)."""
    from isf_claims.validation import validate_and_load

    report, corpus = validate_and_load(repo)
    summary = _summary(repo, report)
    assert corpus is not None  # validate_and_load returns the corpus of a valid report
    return summary, corpus


def _summary(repo: Repo, report: Report) -> dict[str, Any]:
    """The validation summary of a valid corpus; the refusal of an invalid one."""
    if not report.ok:
        raise refuse(
            "release-invalid-corpus",
            path=str(repo.root),
            expected="`isf-claims validate` passes",
            found="\n" + report.render(),
        )
    return {"engine": "pandera", "errors": 0, "warnings": len(report.warnings)}


def agreement_report(repo: Repo, validated: bool = False) -> dict[str, Any] | None:
    """Agreement of the second annotation set with ``annotated/``, if there is one (the
    second set is validated first; ``annotated/`` too unless ``validated``)."""
    second = repo.root / SECOND_SET
    if not second.is_dir() or not any(second.glob("*.jsonl")):
        return None
    from isf_claims.agreement import agreement_report as report

    return report(repo, repo.annotated_dir, second, a_validated=validated)


def _sources(docs: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The outlets of the documents (``outlet``, ``byline``, ``url`` each)."""
    seen: dict[str, dict[str, str]] = {}
    for d in docs:
        title = d["outlet"] or (
            f"Outlet not named (byline: {d['byline']})" if d["byline"] else "Outlet not named"
        )
        entry = {"title": title}
        if d["url"]:
            entry["path"] = d["url"]
        seen.setdefault(title + (d["url"] or ""), entry)
    return [seen[k] for k in sorted(seen)]


def _croissant(
    meta: DatasetMeta,
    schema: Schema,
    prose: str,
    layout: dict[str, dict[str, str]],
    digests: dict[str, tuple[str, int]],
    languages: list[str],
    schemas: dict[str, pa.Schema],
) -> dict[str, Any]:
    fields = {c: datapackage.table_fields(schema, c, schemas[c]) for c in layout}
    return croissant.croissant(
        meta,
        prose,
        schemas,
        layout,
        digests,
        keys={c: datapackage.primary_key(schema, c) for c in layout},
        references=datapackage.single_references(list(layout)),
        descriptions={
            c: {f["name"]: f["description"] for f in fields[c] if "description" in f}
            for c in layout
        },
        languages=languages,
    )


def _report(
    meta: DatasetMeta,
    s: Streamed,
    validation: dict[str, Any],
    numbers: dict[str, Any],
    agreement: dict[str, Any] | None,
    prose: str,
) -> dict[str, Any]:
    """``build-report.json``: what the build did, and why."""
    return {
        "name": meta.name,
        "version": meta.version,
        "schema_version": s.schema.version,
        "validation": validation,
        "splits": {
            "rule": split_rule.RULE_ID,
            "text": split_rule.RULE_TEXT,
            "documents": s.splits,
        },
        "rows": s.rows,
        "tokeniser": {"name": tok.NAME, "pattern": tok.PATTERN, "description": tok.DESCRIPTION},
        "ner": s.ner_report.to_dict(),
        "parquet": {"pyarrow": pa.__version__, "writer": WRITER},
        "card": {
            "datacard": DATACARD if prose else None,
            "statistics_marker": card.MARKER in prose,
            "rai_fields_missing_from_card": croissant.rai_fields(prose)[1],
        },
        "statistics": numbers,
        "agreement": agreement,
    }


@dataclass
class Artefacts:
    """Every file of a release but the two that depend on the validation summary
    (``build-report.json`` and ``SHA256SUMS``), and what the report is made of. A data file
    is its bytes, or where it is written (a streamed build)."""

    meta: DatasetMeta
    files: dict[str, Any]  # path in the release -> bytes | Path
    report: Callable[[dict[str, Any]], dict[str, Any]]  # validation summary -> report


def _empty(repo: Repo) -> IsfError:
    return refuse(
        "release-empty-corpus",
        path=repo.rel(repo.annotated_dir),
        expected="at least one annotated/<doc_id>.jsonl",
        found="none",
    )


def _digest(data: bytes | Path) -> tuple[str, int]:
    if isinstance(data, bytes):
        return checksums.sha256_hex(data), len(data)
    with data.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest(), data.stat().st_size


def release_artefacts(
    repo: Repo, corpus: Corpus, shaper: Callable[[ReleaseTables], Shape] | None = None
) -> Artefacts:
    """The release's data files, card and metadata from ``corpus``, in memory (``shaper``:
    for a variant of the release, what it does to the tables, made from them; see
    :mod:`isf_claims.release.standoff`)."""
    if not corpus.doc_ids:
        raise _empty(repo)
    return make_artefacts(repo, [corpus], None, shaper)


def make_artefacts(
    repo: Repo,
    corpora: Iterable[Corpus],
    folder: Path | None,
    shaper: Callable[[ReleaseTables], Shape] | None = None,
) -> Artefacts:
    """The release from ``corpora`` (batches of documents in ``doc_id`` order; see
    :mod:`isf_claims.release.stream`): data files written under ``folder`` (None: in
    memory), the other files in memory."""
    meta = read_dataset_meta(repo.root)
    whole: list[ReleaseTables] = []  # the release tables, when made from one batch
    s = stream_release(corpora, folder, shaper, whole.append if shaper is not None else None)
    files: dict[str, Any] = dict(s.files)
    digests = {p: _digest(b) for p, b in files.items()}
    # annotated/ is the build's corpus: validated by check_valid (or, with
    # validate=False, deliberately not); the second set is always validated
    agreement = agreement_report(repo, validated=True)
    numbers = stats.compute(s.tally, s.rows, s.clusters, s.ner_report.to_dict(), agreement)
    if whole:
        numbers["evaluation"] = evaluation.compute(whole[0], meta.version, repo.schema_dir)
    else:
        numbers["evaluation"] = evaluation.compute_files(
            files, s.layout, s.splits, s.schema, meta.version, repo.schema_dir
        )
    prose_path = repo.root / DATACARD
    prose = prose_path.read_text(encoding="utf-8") if prose_path.is_file() else ""
    prose = card.fill_agreement(prose, numbers["agreement"])  # the card and Croissant alike

    layout, schemas = s.layout, s.schemas
    feats = {c: features.table_features(s.schema, c, schemas[c]) for c in layout}
    files["README.md"] = card.render(
        card.front_matter(meta, numbers, layout, feats, DEFAULT_CONFIG, files),
        prose,
        card.statistics_markdown(numbers, meta.version) + "\n" + evaluation.section(numbers),
        card.release_markdown(meta, layout, s.rows, DEFAULT_CONFIG),
    ).encode("utf-8")
    files["datapackage.json"] = json_bytes(
        datapackage.datapackage(meta, s.schema, schemas, layout, digests, _sources(s.sources))
    )
    files["croissant.json"] = json_bytes(
        _croissant(
            meta, s.schema, prose, layout, digests, numbers["documents"]["languages"], schemas
        )
    )

    def report(validation: dict[str, Any]) -> dict[str, Any]:
        return _report(meta, s, validation, numbers, agreement, prose)

    return Artefacts(meta, files, report)


def finish(
    artefacts: Artefacts, validation: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Every file of the release: the artefacts plus the build report and SHA256SUMS (a
    data file: its bytes, or where it is written)."""
    report = artefacts.report(validation)
    files = {**artefacts.files, REPORT_FILE: json_bytes(report)}
    lines = [f"{_digest(files[p])[0]}  {p}\n" for p in sorted(files)]
    files[checksums.SUMS_FILE] = "".join(lines).encode("utf-8")
    return files, report


def release_files(
    repo: Repo, validation: dict[str, Any], corpus: Corpus | None = None
) -> tuple[DatasetMeta, dict[str, bytes], dict[str, Any]]:
    """Every file of the release, in memory, from ``corpus`` (default: loaded from
    ``repo``)."""
    artefacts = release_artefacts(repo, corpus if corpus is not None else load_corpus(repo))
    files, report = finish(artefacts, validation)
    return artefacts.meta, files, report


def _write_files(tmp: Path, files: dict[str, Any]) -> None:
    for rel, data in sorted(files.items()):
        if isinstance(data, bytes):
            path = tmp / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)


def _replace(folder: Path, tmp: Path) -> None:
    """Put the finished ``tmp`` in place of ``folder`` in one rename."""
    old = None
    if folder.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{folder.name}.old.", dir=folder.parent))
        os.replace(folder, old / "release")
    os.replace(tmp, folder)
    if old is not None:
        shutil.rmtree(old)


def write_folder(folder: Path, files: dict[str, bytes]) -> None:
    """Write ``files`` as ``folder``, replacing any previous folder in one rename."""
    tmp = make_temp_dir(folder.parent, f".{folder.name}.")
    try:
        _write_files(tmp, files)
        _replace(folder, tmp)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def build_release(
    repo: Repo, out: Path = DEFAULT_OUT, validate: bool = True, batch_docs: int = BATCH_DOCS
) -> BuildResult:
    """Validate, build every artefact, and write ``out/<name>-<version>/``.

    The corpus is validated first; then the documents are read ``batch_docs`` at a time and
    each data file is written as its rows come (:mod:`isf_claims.release.stream`), into a
    temporary sibling folder renamed into place at the end, so memory does not grow with the
    corpus and a refused or failed build leaves ``out`` as it was."""
    give_back_freed_memory()
    validation = check_valid(repo) if validate else {"engine": None, "note": "skipped"}
    if not document_ids(repo):
        raise _empty(repo)
    meta = read_dataset_meta(repo.root)
    out = out if out.is_absolute() else Path.cwd() / out
    folder = out / release_name(meta)
    out.mkdir(parents=True, exist_ok=True)
    tmp = make_temp_dir(out, f".{folder.name}.")
    try:
        artefacts = make_artefacts(repo, batches(repo, batch_docs), tmp)
        files, report = finish(artefacts, validation)
        _write_files(tmp, files)
        _replace(folder, tmp)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return BuildResult(folder, meta.version, files, report)


def _written(
    out: Path, meta: DatasetMeta, files: dict[str, bytes], report: dict[str, Any]
) -> BuildResult:
    out = out if out.is_absolute() else Path.cwd() / out
    folder = out / release_name(meta)
    write_folder(folder, files)
    return BuildResult(folder, meta.version, files, report)
