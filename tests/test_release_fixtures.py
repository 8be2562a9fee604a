"""Shared fixtures of the release tests: a small corpus and its release, built once.

The corpus is the real repository's (raw/, annotated/, schema/, dataset.json, DATACARD.md)
plus synthetic documents chosen so that every split has one, each with a nested mention, a
mention ending inside a token ("Israel" in "Israeli") and an astral character (an emoji)
before its spans, so code-point offsets differ from UTF-16 ones. Other release test modules
import the fixtures from here; the release is built once per session.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from isf_claims import annotations as fmt
from isf_claims.ingest import ingest
from isf_claims.release.build import BuildResult, build_release
from isf_claims.release.splits import SPLITS, split_of
from isf_claims.repo import Repo
from isf_claims.schema import load_schema

ROOT = Path(__file__).resolve().parents[1]
COPIED = ("raw", "annotated", "schema", "dataset.json", "DATACARD.md")
BODY = "The United States Army said on Monday that Israeli officials met in Gaza."
_CACHE: dict[str, Any] = {}


def copy_corpus(dest: Path) -> Repo:
    """A copy of the real corpus (and the release metadata) at ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in COPIED:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name)
        elif src.is_file():
            shutil.copy2(src, dest / name)
    return Repo(dest)


def _span(text: str, part: str, after: int = 0) -> dict[str, Any]:
    start = text.index(part, after)
    return {"start": start, "end": start + len(part), "text": part}


def add_synthetic_doc(repo: Repo, doc_id: str, n: int) -> None:
    """Ingest and annotate one synthetic document (status ``synthetic``)."""
    headline = f"Synthetic report {n} \N{SLIGHTLY SMILING FACE} on the stabilization force"
    text = f"{headline}\n\n{BODY}\n"
    src = repo.root / f"{doc_id}.src.txt"
    src.write_text(text, encoding="utf-8", newline="")
    doc = ingest(
        repo, src, doc_id=doc_id, outlet="Synthetic Outlet", date="2025-10-20", added="2025-11-01"
    )
    src.unlink()
    body = text.index(BODY)
    israeli = _span(text, "Israeli")
    records = [
        {"layer": "zone", "id": "z1", "label": "headline", **_span(text, headline)},
        {"layer": "zone", "id": "z2", "label": "body", **_span(text, BODY)},
        {"layer": "mention", "id": "m1", "label": "ORG", **_span(text, "United States Army")},
        {"layer": "mention", "id": "m2", "label": "GPE", **_span(text, "United States")},
        {"layer": "mention", "id": "m3", "label": "DATE", **_span(text, "Monday")},
        {
            "layer": "mention",
            "id": "m4",
            "label": "GPE",
            "start": israeli["start"],
            "end": israeli["start"] + 6,
            "text": "Israel",
        },
        {"layer": "mention", "id": "m5", "label": "GPE", **_span(text, "Gaza", body)},
        {
            "layer": "claim",
            "id": "c1",
            "content": _span(text, "Israeli officials met in Gaza"),
            "cue": _span(text, "said"),
            "source": _span(text, "The United States Army"),
            "source_mention": "m1",
            "attribution": "indirect",
            "source_type": "named",
            "cue_commitment": "neutral",
            "polarity": "positive",
            "claim_type": "factual",
        },
    ]
    schema = load_schema(repo.schema_dir)
    header = {
        "doc_id": doc_id,
        "schema_version": schema.version,
        "raw_sha256": doc.meta["sha256"],
        "status": "synthetic",
        "annotators": "release test fixture",
    }
    repo.annotation_path(doc_id).write_bytes(
        fmt.to_bytes(fmt.document_lines(schema, header, records))
    )


def synthetic_ids(per_split: int = 1) -> list[str]:
    """The first ``per_split`` ids ``synthetic-NNN`` of every split, in id order."""
    found: dict[str, list[str]] = {s: [] for s in SPLITS}
    i = 0
    while any(len(v) < per_split for v in found.values()):
        doc_id = f"synthetic-{i:03d}"
        if len(found[split_of(doc_id)]) < per_split:
            found[split_of(doc_id)].append(doc_id)
        i += 1
    return sorted(d for ids in found.values() for d in ids)


def make_corpus(dest: Path, doc_ids: list[str] | None = None) -> Repo:
    """The test corpus: the real one plus synthetic documents (default: one per split)."""
    repo = copy_corpus(dest)
    for n, doc_id in enumerate(doc_ids if doc_ids is not None else synthetic_ids()):
        add_synthetic_doc(repo, doc_id, n)
    return repo


def _built(factory: pytest.TempPathFactory) -> tuple[Repo, BuildResult]:
    if "release" not in _CACHE:
        repo = make_corpus(factory.mktemp("release-corpus") / "corpus")
        _CACHE["release"] = (repo, build_release(repo, repo.root / "dist"))
    return _CACHE["release"]


@pytest.fixture(scope="session")
def release_corpus(tmp_path_factory: pytest.TempPathFactory) -> Repo:
    """The small test corpus (read only: copy it before changing anything)."""
    return _built(tmp_path_factory)[0]


@pytest.fixture(scope="session")
def release(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """The release built from :func:`release_corpus` (read only)."""
    return _built(tmp_path_factory)[1]


@pytest.fixture(scope="session")
def hf_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private ``datasets`` cache for the session."""
    return tmp_path_factory.mktemp("hf-cache")
