"""``isf-claims build``: a release folder from raw/ + annotated/ + schema/ (+ dataset.json
and DATACARD.md), refusing a corpus that does not validate.

Every artefact is computed in memory first, then the folder is written in one step (a
temporary sibling folder renamed into place), so a failed build leaves ``dist/`` as it was.
Two builds of the same inputs give the same bytes, file by file.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from isf_claims.corpus import Corpus, load_corpus
from isf_claims.errors import refuse
from isf_claims.fsutil import make_temp_dir
from isf_claims.release import card, checksums, croissant, datapackage, evaluation, features, stats
from isf_claims.release import splits as split_rule
from isf_claims.release import tokenize as tok
from isf_claims.release.datafiles import Shape, data_files, shaped
from isf_claims.release.metadata import DatasetMeta, json_bytes, read_dataset_meta
from isf_claims.release.parquet import WRITER
from isf_claims.release.tables import CONFIGS, DEFAULT_CONFIG, ReleaseTables, release_tables
from isf_claims.repo import Repo
from isf_claims.stats import corpus_stats

DATACARD = "DATACARD.md"
# A second, independent annotation set of some documents (same file format as annotated/);
# when it exists the card reports agreement with the main set.
SECOND_SET = "double-annotated"
REPORT_FILE = "build-report.json"
DEFAULT_OUT = Path("dist")


@dataclass(frozen=True)
class BuildResult:
    """A built release: its folder, version and files (relative path -> bytes)."""

    folder: Path
    version: str
    files: dict[str, bytes]
    report: dict[str, Any]


def release_name(meta: DatasetMeta) -> str:
    """Folder name of a release: ``<name>-<version>``."""
    return f"{meta.name}-{meta.version}"


def check_valid(
    repo: Repo, on_corpus: Callable[[Corpus], None] | None = None
) -> tuple[dict[str, Any], Corpus]:
    """Run the project's validation (pandera engine, whole corpus); raise when the corpus has
    errors. The one place the build calls validation. Returns the validation summary and
    the corpus model validation made from its parse (so the build reads the corpus once);
    ``on_corpus`` gets that model as soon as it is made, before the checks run."""
    from isf_claims.validation import validate_and_load

    report, corpus = validate_and_load(repo, on_corpus)
    if not report.ok or corpus is None:
        raise refuse(
            "release-invalid-corpus",
            path=str(repo.root),
            expected="`isf-claims validate` passes",
            found="\n" + report.render(),
        )
    return {"engine": "pandera", "errors": 0, "warnings": len(report.warnings)}, corpus


def agreement_report(repo: Repo, validated: bool = False) -> dict[str, Any] | None:
    """Agreement of the second annotation set with ``annotated/``, if there is one (the
    second set is validated first; ``annotated/`` too unless ``validated``)."""
    second = repo.root / SECOND_SET
    if not second.is_dir() or not any(second.glob("*.jsonl")):
        return None
    from isf_claims.agreement import agreement_report as report

    return report(repo, repo.annotated_dir, second, a_validated=validated)


def _sources(rt: ReleaseTables) -> list[dict[str, str]]:
    docs = rt.tables["documents"].select(["outlet", "byline", "url"]).to_pylist()
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
    rt: ReleaseTables,
    prose: str,
    layout: dict[str, dict[str, str]],
    digests: dict[str, tuple[str, int]],
    languages: list[str],
    schemas: dict[str, pa.Schema],
) -> dict[str, Any]:
    fields = {c: datapackage.table_fields(rt.schema, c, schemas[c]) for c in layout}
    return croissant.croissant(
        meta,
        prose,
        schemas,
        layout,
        digests,
        keys={c: datapackage.primary_key(rt.schema, c) for c in layout},
        references=datapackage.single_references(list(layout)),
        descriptions={
            c: {f["name"]: f["description"] for f in fields[c] if "description" in f}
            for c in layout
        },
        languages=languages,
    )


def _report(
    meta: DatasetMeta,
    rt: ReleaseTables,
    validation: dict[str, Any],
    ner_report: dict[str, Any],
    numbers: dict[str, Any],
    agreement: dict[str, Any] | None,
    prose: str,
) -> dict[str, Any]:
    """``build-report.json``: what the build did, and why."""
    ids, names = rt.splits["doc_id"].to_pylist(), rt.splits["split"].to_pylist()
    return {
        "name": meta.name,
        "version": meta.version,
        "schema_version": rt.schema.version,
        "validation": validation,
        "splits": {
            "rule": split_rule.RULE_ID,
            "text": split_rule.RULE_TEXT,
            "documents": dict(zip(ids, names, strict=True)),
        },
        "rows": stats.configs_rows(rt),
        "tokeniser": {"name": tok.NAME, "pattern": tok.PATTERN, "description": tok.DESCRIPTION},
        "ner": ner_report,
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
    (``build-report.json`` and ``SHA256SUMS``), and what the report is made of."""

    meta: DatasetMeta
    files: dict[str, bytes]
    report: Callable[[dict[str, Any]], dict[str, Any]]  # validation summary -> report


def release_artefacts(
    repo: Repo, corpus: Corpus, shaper: Callable[[ReleaseTables], Shape] | None = None
) -> Artefacts:
    """The release's data files, card and metadata from ``corpus``, in memory (``shaper``:
    for a variant of the release, what it does to the tables, made from them; see
    :mod:`isf_claims.release.standoff`)."""
    meta = read_dataset_meta(repo.root)
    if not corpus.doc_ids:
        raise refuse(
            "release-empty-corpus",
            path=repo.rel(repo.annotated_dir),
            expected="at least one annotated/<doc_id>.jsonl",
            found="none",
        )
    with ThreadPoolExecutor(max_workers=1) as pool:  # statistics beside the data files
        counted = pool.submit(corpus_stats, corpus)
        rt = release_tables(corpus)
        shape = shaper(rt) if shaper is not None else None
        files, layout, ner_report = data_files(rt, shape)
        rt.tables = {name: rt.tables[name] for name in CONFIGS}
        digests = {p: (checksums.sha256_hex(b), len(b)) for p, b in files.items()}
        schemas = {c: shaped(shape, c, rt.tables[c].slice(0, 0)).schema for c in layout}
        # annotated/ is the build's corpus: validated by check_valid (or, with
        # validate=False, deliberately not); the second set is always validated
        agreement = agreement_report(repo, validated=True)
        numbers = stats.compute(corpus, rt, ner_report.to_dict(), agreement, counted.result())
        numbers["evaluation"] = evaluation.compute(rt, meta.version, repo.schema_dir)
    prose_path = repo.root / DATACARD
    prose = prose_path.read_text(encoding="utf-8") if prose_path.is_file() else ""
    prose = card.fill_agreement(prose, numbers["agreement"])  # the card and Croissant alike

    feats = {c: features.table_features(rt.schema, c, schemas[c]) for c in layout}
    files["README.md"] = card.render(
        card.front_matter(meta, numbers, layout, feats, DEFAULT_CONFIG, files),
        prose,
        card.statistics_markdown(numbers, meta.version) + "\n" + evaluation.section(numbers),
        card.release_markdown(meta, layout, stats.configs_rows(rt), DEFAULT_CONFIG),
    ).encode("utf-8")
    files["datapackage.json"] = json_bytes(
        datapackage.datapackage(meta, rt.schema, schemas, layout, digests, _sources(rt))
    )
    files["croissant.json"] = json_bytes(
        _croissant(meta, rt, prose, layout, digests, numbers["documents"]["languages"], schemas)
    )

    def report(validation: dict[str, Any]) -> dict[str, Any]:
        return _report(meta, rt, validation, ner_report.to_dict(), numbers, agreement, prose)

    return Artefacts(meta, files, report)


def finish(artefacts: Artefacts, validation: dict[str, Any]) -> tuple[dict[str, bytes], dict]:
    """Every file of the release: the artefacts plus the build report and SHA256SUMS."""
    report = artefacts.report(validation)
    files = {**artefacts.files, REPORT_FILE: json_bytes(report)}
    files[checksums.SUMS_FILE] = checksums.sums_bytes(files)
    return files, report


def release_files(
    repo: Repo, validation: dict[str, Any], corpus: Corpus | None = None
) -> tuple[DatasetMeta, dict[str, bytes], dict[str, Any]]:
    """Every file of the release, in memory, from ``corpus`` (default: loaded from
    ``repo``)."""
    artefacts = release_artefacts(repo, corpus if corpus is not None else load_corpus(repo))
    files, report = finish(artefacts, validation)
    return artefacts.meta, files, report


def write_folder(folder: Path, files: dict[str, bytes]) -> None:
    """Write ``files`` as ``folder``, replacing any previous folder in one rename."""
    tmp = make_temp_dir(folder.parent, f".{folder.name}.")
    try:
        for rel, data in sorted(files.items()):
            path = tmp / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        old = None
        if folder.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{folder.name}.old.", dir=folder.parent))
            os.replace(folder, old / "release")
        os.replace(tmp, folder)
        if old is not None:
            shutil.rmtree(old)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def build_release(repo: Repo, out: Path = DEFAULT_OUT, validate: bool = True) -> BuildResult:
    """Validate, build every artefact, and write ``out/<name>-<version>/``.

    The artefacts are made in a second thread from the corpus model validation hands over
    as soon as it has parsed the corpus, while validation's checks go on; they are used only
    once the corpus has validated, and nothing is written before that."""
    if not validate:
        meta, files, report = release_files(repo, {"engine": None, "note": "skipped"})
        return _written(out, meta, files, report)
    pool = ThreadPoolExecutor(max_workers=1)
    started: list[Future[Artefacts]] = []
    try:
        validation, corpus = check_valid(
            repo, lambda c: started.append(pool.submit(release_artefacts, repo, c))
        )
        artefacts = started[0].result() if started else release_artefacts(repo, corpus)
    finally:
        pool.shutdown(wait=True)  # a refused corpus: the artefacts made so far are dropped
    files, report = finish(artefacts, validation)
    return _written(out, artefacts.meta, files, report)


def _written(
    out: Path, meta: DatasetMeta, files: dict[str, bytes], report: dict[str, Any]
) -> BuildResult:
    out = out if out.is_absolute() else Path.cwd() / out
    folder = out / release_name(meta)
    write_folder(folder, files)
    return BuildResult(folder, meta.version, files, report)
