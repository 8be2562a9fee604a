"""``isf-claims build --standoff``: the release without the articles' text.

The standoff release ``<name>-<version>-standoff/`` has the full release's configs, splits,
card, ``datapackage.json``, ``croissant.json`` and ``SHA256SUMS``, made by the same build code
with the tables shaped by :mod:`isf_claims.release.standoff_tables` (every ``text`` null, the
``ner`` tokens gone, values quoting an article sealed). Its ``standoff/`` folder holds what
rehydration needs besides the tables and the texts: ``dataset.json``, ``DATACARD.md`` and the
schema file (each sealed when it quotes an article) and ``manifest.json``, which also records
the full release's ``SHA256SUMS`` so that a rehydrated release can be proven identical to it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from isf_claims.corpus import Corpus
from isf_claims.errors import refuse
from isf_claims.release import checksums
from isf_claims.release.build import (
    DATACARD,
    DEFAULT_OUT,
    REPORT_FILE,
    SECOND_SET,
    BuildResult,
    check_valid_and_load,
    finish,
    release_artefacts,
    release_name,
    write_folder,
)
from isf_claims.release.datafiles import Shape
from isf_claims.release.metadata import DATASET_FILE, DatasetMeta, json_bytes, read_dataset_meta
from isf_claims.release.parquet import parquet_bytes
from isf_claims.release.quotes import WORDS, ArticlePassages, seal
from isf_claims.release.rights import text_access
from isf_claims.release.standoff_tables import (
    ACCESS_FIELD,
    SealPlan,
    access_column,
    seal_plan,
    standoff_table,
)
from isf_claims.release.tables import DROPPED_DOC_FIELDS, ReleaseTables, release_tables
from isf_claims.repo import Repo

SUFFIX = "-standoff"
KIT = "standoff"
MANIFEST = f"{KIT}/manifest.json"
# Document-record fields the release does not publish as columns (e.g. annotator_count),
# which rehydration needs to write the annotation files back.
HEADERS = f"{KIT}/headers.parquet"
# The second annotation set (double-annotated/), when there is one: its tables, shaped.
SECOND = f"{KIT}/{SECOND_SET}"
SEALED_SUFFIX = ".sealed"
KIND = "standoff"
WITHHELD = [
    "documents.text",
    "documents.zones.text",
    "documents.mentions.text",
    "documents.markers.text",
    "documents.claims.{content,cue,source,addressee}.text",
    "mentions.text",
    "claims.{content,cue,source,addressee}.text",
    "ner.text",
    "ner.tokens",
]
TEXT_NOTE = (
    "Withheld in the standoff release (null): the article texts are not redistributed. "
    "`isf-claims rehydrate` restores it from your own copy of the article."
)
ACCESS_NOTE = (
    "Where the article's text can be obtained: its URL when known, else the dataset's "
    "statement of how to get it (standoff release only)."
)


def standoff_name(meta: DatasetMeta) -> str:
    """Folder name of a standoff release: ``<name>-<version>-standoff``."""
    return release_name(meta) + SUFFIX


@dataclass
class _Shaper:
    """Makes the standoff shape of the tables (and keeps what it learnt for the card)."""

    meta: DatasetMeta
    texts: dict[str, bytes] = field(default_factory=dict)
    passages: ArticlePassages | None = None
    plan: SealPlan | None = None

    def __call__(self, rt: ReleaseTables) -> Shape:
        docs = rt.tables["documents"]
        ids, texts = docs["doc_id"].to_pylist(), docs["text"].to_pylist()
        self.texts = {d: t.encode("utf-8") for d, t in zip(ids, texts, strict=True)}
        self.passages = ArticlePassages(ids, docs["text"].combine_chunks().to_pylist())
        plan = self.plan = seal_plan(rt, self.texts, self.passages)
        access = access_column(docs, text_access(self.meta))

        def shape(config: str, table: pa.Table) -> pa.Table:
            return standoff_table(config, table, plan, access)

        return shape


def card_section(meta: DatasetMeta, sealed: int) -> str:
    """The card's section on what the standoff release leaves out and how to get it."""
    full = release_name(meta)
    return "\n".join(
        [
            "## Standoff release: the article texts are not included",
            "",
            "The article texts belong to their publishers and are not relicensed, so this "
            "release carries none of them: the documents' `text`, the `text` of every zone, "
            "mention, marker and claim span, and the `ner` config's segment `text` and "
            "`tokens` are absent (Arrow type and feature `null`). Offsets, labels, ids, "
            "attributes, IOB2 tags and every other field are as in the full release. "
            f"{sealed} annotation values that quote an article (more than {WORDS - 1} "
            "consecutive words of it, as cluster notes sometimes do) are sealed "
            "(`isf-sealed:v1:...`, encrypted with a key derived from the article's bytes); "
            "rehydration restores them.",
            "",
            "Each document row identifies its text exactly: `sha256` of its bytes, `n_bytes`, "
            "`n_codepoints`, `outlet`, `published`, `url` (null when unknown) and "
            "`text_access` (where the text can be obtained).",
            "",
            "To get the full release, bring your own copies of the articles and rehydrate "
            "(with the `isf-claims` package):",
            "",
            "```sh",
            f"isf-claims rehydrate path/to/{standoff_name(meta)} --texts MY_TEXTS --out dist/",
            "```",
            "",
            "`MY_TEXTS` is a folder of text files, named `<doc_id>.txt` or named anything "
            '(matched by sha256), or a JSON-lines file of `{"doc_id": ..., "text": ...}`. A '
            "text is used only when its bytes hash to the recorded sha256; a copy that "
            "differs (CR LF line endings, a byte-order mark, NFC/NFD normalisation, a "
            "trailing newline, a re-encoded quote mark) is refused with the likely cause and "
            "the first differing offset. With every text proven, the result is byte-identical "
            f"to the full release `{full}` (`standoff/manifest.json` holds its `SHA256SUMS`); "
            "`--allow-partial` leaves out the documents that could not be proven and labels "
            "the result a partial release.",
            "",
        ]
    )


def _with_section(card_text: str, section: str) -> str:
    anchor = "\n## Loading and pinning release"
    if anchor in card_text:
        return card_text.replace(anchor, "\n" + section.rstrip("\n") + "\n" + anchor, 1)
    return card_text.rstrip("\n") + "\n\n" + section


def _describe_fields(fields: list[dict[str, Any]], key: str) -> None:
    for f in fields:
        if f.get("name") == "text":
            f["description"] = TEXT_NOTE
            f.pop("constraints", None)  # null in every row
        elif f.get("name") == ACCESS_FIELD:
            f["description"] = ACCESS_NOTE
        _describe_fields(f.get(key, []), key)


def _croissant(data: bytes, section: str) -> bytes:
    doc = json.loads(data)
    for rs in doc.get("recordSet", []):
        _describe_fields(rs.get("field", []), "subField")
    body = section.split("\n", 2)[2].strip()
    for prop in ("rai:dataCollection", "rai:dataLimitations"):
        doc[prop] = (doc[prop] + "\n\n" if doc.get(prop) else "") + body
    return json_bytes(doc)


def _datapackage(data: bytes) -> bytes:
    doc = json.loads(data)
    for res in doc.get("resources", []):
        _describe_fields(res["schema"]["fields"], "fields")
    return json_bytes(doc)


def _strings(doc: Any) -> list[str]:
    if isinstance(doc, str):
        return [doc]
    if isinstance(doc, dict):
        return [s for v in doc.values() for s in _strings(v)]
    if isinstance(doc, list):
        return [s for v in doc for s in _strings(v)]
    return []


def map_strings(doc: Any, fn: Callable[[str], str]) -> Any:
    """``doc`` (parsed JSON) with ``fn`` applied to every string value."""
    if isinstance(doc, str):
        return fn(doc)
    if isinstance(doc, dict):
        return {k: map_strings(v, fn) for k, v in doc.items()}
    if isinstance(doc, list):
        return [map_strings(v, fn) for v in doc]
    return doc


def _sealed_json(
    data: bytes, passages: ArticlePassages, texts: dict[str, bytes], nonce: str
) -> bytes:
    """A JSON file with every string that quotes an article sealed (as it is when none
    does)."""
    doc = json.loads(data)
    found = passages.quoted(_strings(doc))
    if not found:
        return data
    sealed = {
        v: seal(v, f"{nonce}-{n}", found[v], texts) for n, v in enumerate(sorted(found), start=1)
    }
    return json_bytes(map_strings(doc, lambda v: sealed.get(v, v)))


def kit_files(repo: Repo, corpus: Corpus, shaper: _Shaper) -> dict[str, bytes]:
    """The repository files rehydration needs besides the tables. In a JSON file each string
    that quotes an article is sealed (so a partial rehydration can still read the rest);
    another file that quotes one is sealed whole (``<path>.sealed``)."""
    sources = {
        f"{KIT}/{DATASET_FILE}": repo.root / DATASET_FILE,
        f"{KIT}/{DATACARD}": repo.root / DATACARD,
        f"{KIT}/schema/{corpus.schema.version}/{corpus.schema.path.name}": corpus.schema.path,
        # the claims baseline's data: the card's Evaluation section needs it on rehydration
        f"{KIT}/schema/cue_lexicon.json": repo.schema_dir / "cue_lexicon.json",
    }
    passages, texts = shaper.passages, shaper.texts
    assert passages is not None
    out: dict[str, bytes] = {}
    for rel, path in sources.items():
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        nonce = "file-" + rel.replace(":", "_")
        if rel.endswith(".json"):
            out[rel] = _sealed_json(path.read_bytes(), passages, texts, nonce)
            continue
        docs = passages.quoted([text]).get(text)
        if docs:
            out[rel + SEALED_SUFFIX] = seal(text, nonce, docs, texts).encode("utf-8")
        else:
            out[rel] = path.read_bytes()
    return out


def headers_file(corpus: Corpus) -> bytes:
    """``doc_id`` and every document-record field the documents config leaves out."""
    docs = corpus["documents"]
    fields = [f.name for f in corpus.schema.layer("document").fields]
    extra = [n for n in fields if n in DROPPED_DOC_FIELDS and n not in ("layer", "raw_sha256")]
    table = docs.select(["doc_id", *extra])
    return parquet_bytes(table.take(pc.sort_indices(table, [("doc_id", "ascending")])))


def second_set_files(repo: Repo, shaper: _Shaper) -> dict[str, bytes]:
    """The second annotation set's tables (standoff-shaped), so that rehydration reproduces
    the agreement figures; none without a second set."""
    folder = repo.root / SECOND_SET
    if not folder.is_dir() or not any(folder.glob("*.jsonl")):
        return {}
    from isf_claims.agreement.loading import load_annotation_set

    second = load_annotation_set(repo, folder, check=False)  # the build has checked it
    rt = release_tables(second)
    assert shaper.passages is not None
    plan = seal_plan(rt, shaper.texts, shaper.passages, prefix="second-")
    out = {
        f"{SECOND}/{name}.parquet": parquet_bytes(standoff_table(name, rt.tables[name], plan, None))
        for name in ("documents", "entities", "clusters")
    }
    out[f"{SECOND}/headers.parquet"] = headers_file(second)
    return out


def _check_clean(files: dict[str, bytes], passages: ArticlePassages) -> None:
    """Refuse when a text file of the standoff release quotes an article (the prose of
    ``DATACARD.md``, say): the standoff release must not carry the texts."""
    for rel in sorted(files):
        if rel.endswith((".parquet", SEALED_SUFFIX)):
            continue
        text = files[rel].decode("utf-8")
        runs = passages.passages(text)
        if runs:
            raise refuse(
                "standoff-quotes-article",
                path=rel,
                expected=f"no run of {WORDS} consecutive words of an article",
                found="; ".join(repr(r) for r in runs[:3]),
            )


def standoff_files(
    repo: Repo, corpus: Corpus, validation: dict[str, Any]
) -> tuple[DatasetMeta, dict[str, bytes], dict[str, Any]]:
    """Every file of the standoff release, in memory."""
    meta = read_dataset_meta(repo.root)
    full_files, _ = finish(release_artefacts(repo, corpus), validation)
    shaper = _Shaper(meta)
    artefacts = release_artefacts(repo, corpus, shaper)
    assert shaper.plan is not None and shaper.passages is not None
    section = card_section(meta, shaper.plan.count)
    files = dict(artefacts.files)
    files["README.md"] = _with_section(files["README.md"].decode("utf-8"), section).encode()
    files["croissant.json"] = _croissant(files["croissant.json"], section)
    files["datapackage.json"] = _datapackage(files["datapackage.json"])
    files.update(kit_files(repo, corpus, shaper))
    files[HEADERS] = headers_file(corpus)
    files.update(second_set_files(repo, shaper))
    release = {
        "kind": KIND,
        "full_release": release_name(meta),
        "withheld": WITHHELD,
        "passage_words": WORDS,
        "sealed_values": shaper.plan.count,
    }
    manifest = {
        **release,
        "name": meta.name,
        "version": meta.version,
        "schema_version": corpus.schema.version,
        "documents": len(corpus.doc_ids),
        "kit": sorted(k for k in files if k.startswith(KIT + "/")),
        "full_release_sha256sums": full_files[checksums.SUMS_FILE].decode("utf-8"),
    }
    files[MANIFEST] = json_bytes(manifest)
    report = {**artefacts.report(validation), "release": release}
    files[REPORT_FILE] = json_bytes(report)
    _check_clean(files, shaper.passages)
    files[checksums.SUMS_FILE] = checksums.sums_bytes(files)
    return meta, files, report


def build_standoff(repo: Repo, out: Path = DEFAULT_OUT) -> BuildResult:
    """Validate, then write ``out/<name>-<version>-standoff/``."""
    validation, corpus = check_valid_and_load(repo)
    meta, files, report = standoff_files(repo, corpus, validation)
    out = out if out.is_absolute() else Path.cwd() / out
    folder = out / standoff_name(meta)
    write_folder(folder, files)
    return BuildResult(folder, meta.version, files, report)
