"""The standoff release (no article texts) and rehydration, read by the real clients.

The standoff release must carry no passage of any article (checked on every file, Parquet
decompressed); a fully rehydrated release must be byte-identical to the full release; damaged
copies are refused with their cause; a partial rehydration is labelled; ``publish`` follows
the dataset's rights.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path
from typing import Any

import datasets
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml
from typer.testing import CliRunner

import isf_claims
from isf_claims.cli import app
from isf_claims.errors import IsfError
from isf_claims.release.build import SECOND_SET, BuildResult, build_release
from isf_claims.release.publish import plan_publish
from isf_claims.release.quotes import SEAL_PREFIX, WORDS, unseal
from isf_claims.release.rehydrate import rehydrate
from isf_claims.release.standoff import build_standoff
from isf_claims.release.textproof import diagnose
from isf_claims.repo import Repo
from test_release_fixtures import copy_corpus

pytest_plugins = ["test_release_fixtures"]

BIN = Path(sys.executable).parent
os.environ.setdefault("HF_HUB_OFFLINE", "1")
WORD = re.compile(r"\w+")
_CACHE: dict[str, Any] = {}


@pytest.fixture(scope="module")
def standoff(release_corpus: Repo, tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """The standoff release of the test corpus, built once."""
    if "standoff" not in _CACHE:
        _CACHE["standoff"] = build_standoff(release_corpus, tmp_path_factory.mktemp("so"))
    return _CACHE["standoff"]


def articles(repo: Repo) -> dict[str, bytes]:
    return {p.name[: -len(".txt")]: p.read_bytes() for p in sorted(repo.raw_dir.glob("*.txt"))}


def passages(text: str) -> set[tuple[str, ...]]:
    words = WORD.findall(text)
    return {tuple(words[i : i + WORDS]) for i in range(len(words) - WORDS + 1)}


def file_texts(folder: Path) -> dict[str, str]:
    """Every file of ``folder`` as text; Parquet files decompressed (every value and the
    footer's metadata)."""
    out: dict[str, str] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder).as_posix()
        if path.suffix == ".parquet":
            table = pq.read_table(path)
            meta = pq.ParquetFile(path).metadata.metadata or {}
            values = json.dumps(table.to_pylist(), ensure_ascii=False)
            out[rel] = values + " ".join(v.decode("utf-8", "replace") for v in meta.values())
        else:
            out[rel] = path.read_bytes().decode("utf-8")
    return out


def sums(folder: Path) -> str:
    return (folder / "SHA256SUMS").read_text(encoding="utf-8")


# ----------------------------------------------------------------------------- the release


def test_no_file_of_the_standoff_release_carries_a_passage_of_an_article(
    release_corpus: Repo, release: BuildResult, standoff: BuildResult
):
    found = set().union(*(passages(t.decode("utf-8")) for t in articles(release_corpus).values()))
    assert found
    texts = file_texts(standoff.folder)
    assert {"README.md", "croissant.json", "datapackage.json", "build-report.json"} <= set(texts)
    assert any(rel.endswith(".parquet") for rel in texts)
    for rel, text in texts.items():
        leaked = passages(text) & found
        assert not leaked, (rel, sorted(" ".join(p) for p in leaked)[:3])
    # The full release built from the same corpus does carry them (the test can see a leak).
    full = file_texts(release.folder)
    assert passages(full["data/documents/train.parquet"]) & found


def test_standoff_tables_keep_offsets_and_identify_each_text(standoff: BuildResult):
    folder = standoff.folder
    docs = pq.read_table(folder / "data/documents/train.parquet")
    assert docs.schema.field("text").type == pa.null()
    zones = docs.schema.field("zones").type.value_type
    assert zones.field("text").type == pa.null() and zones.field("start").type == pa.int64()
    for name in ("sha256", "n_bytes", "n_codepoints", "outlet", "published", "url"):
        assert name in docs.column_names
    row = docs.to_pylist()[0]
    assert row["text_access"] == (
        row["url"] or json.loads((folder / "standoff/dataset.json").read_text())["text_access"]
    )
    ner = pq.read_table(folder / "data/ner/train.parquet")
    assert "tokens" not in ner.column_names and ner.schema.field("text").type == pa.null()
    assert ner["ner_tags"].to_pylist()[0] and ner["token_offsets"].to_pylist()[0]
    card = (folder / "README.md").read_text(encoding="utf-8")
    info = {c["config_name"]: c for c in yaml.safe_load(card.split("---\n", 2)[1])["dataset_info"]}
    ner_features = {f["name"]: f for f in info["ner"]["features"]}
    assert ner_features["text"]["dtype"] == "null" and "tokens" not in ner_features
    assert "## Standoff release: the article texts are not included" in card
    assert "isf-claims rehydrate" in card
    croissant = json.loads((folder / "croissant.json").read_text())
    assert "isf-claims rehydrate" in croissant["rai:dataCollection"]
    assert (
        "not included" in croissant["rai:dataLimitations"]
        or "carries none" in (croissant["rai:dataLimitations"])
    )
    report = json.loads((folder / "build-report.json").read_text())
    assert report["release"]["kind"] == "standoff"
    clusters = pq.read_table(folder / "data/clusters/full.parquet").to_pylist()
    assert any(str(c["differences"]).startswith(SEAL_PREFIX) for c in clusters)


def test_every_client_reads_both_kinds(release: BuildResult, standoff: BuildResult, hf_cache: Path):
    import mlcroissant as mlc
    from frictionless import validate

    for folder in (release.folder, standoff.folder):
        rows = json.loads((folder / "build-report.json").read_text())["rows"]
        for config in ("documents", "ner", "clusters"):
            ds = datasets.load_dataset(str(folder), config, cache_dir=str(hf_cache))
            assert {s: ds[s].num_rows for s in ds} == rows[config]
        result = validate(str(folder / "datapackage.json"))
        assert result.valid, result.flatten(["rowNumber", "fieldName", "type", "note"])
        done = subprocess.run(
            [str(BIN / "mlcroissant"), "validate", "--jsonld", "croissant.json"],
            cwd=folder,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        records = list(mlc.Dataset(str(folder / "croissant.json")).records("documents"))
        assert len(records) == sum(rows["documents"].values())
    plain = isf_claims.load("documents", path=release.folder.parent, cache_dir=hf_cache)
    assert plain["train"][0]["text"]
    both = release.folder.parent.parent / "both"
    if not both.exists():
        both.mkdir()
        shutil.copytree(release.folder, both / release.folder.name)
        shutil.copytree(standoff.folder, both / standoff.folder.name)
    bare = isf_claims.load("documents", path=both, standoff=True, cache_dir=hf_cache)
    assert bare["train"][0]["text"] is None and bare["train"][0]["sha256"]
    assert isf_claims.load("mentions", path=both, cache_dir=hf_cache)["train"][0]["text"]
    with pytest.raises(IsfError) as err:
        isf_claims.load("documents", path=standoff.folder, standoff=False)
    assert err.value.code == "release-kind-mismatch"


# -------------------------------------------------------------------------- rehydration


def test_rehydration_from_the_raw_files_is_byte_identical(
    release_corpus: Repo, release: BuildResult, standoff: BuildResult, tmp_path: Path
):
    done = CliRunner().invoke(
        app,
        [
            "rehydrate",
            str(standoff.folder),
            "--texts",
            str(release_corpus.raw_dir),
            "--out",
            str(tmp_path / "out"),
        ],
    )
    assert done.exit_code == 0, done.output
    assert "byte-identical to the full release" in done.output
    folder = tmp_path / "out" / release.folder.name
    assert sums(folder) == sums(release.folder)
    assert sorted(p.name for p in folder.rglob("*")) == sorted(
        p.name for p in release.folder.rglob("*")
    )
    # From a JSON-lines file of {doc_id, text}, too.
    jsonl = tmp_path / "texts.jsonl"
    jsonl.write_text(
        "".join(
            json.dumps({"doc_id": d, "text": b.decode("utf-8")}) + "\n"
            for d, b in articles(release_corpus).items()
        ),
        encoding="utf-8",
    )
    again = rehydrate(standoff.folder, jsonl, tmp_path / "again")
    assert again.identical and sums(again.folder) == sums(release.folder)


def _damaged_texts(repo: Repo, dest: Path) -> tuple[str, str]:
    """Copies of the articles: one renamed (found by sha256), one with CR LF, one missing."""
    dest.mkdir()
    texts = articles(repo)
    ids = sorted(texts)
    crlf, missing, renamed = ids[0], ids[1], ids[2]
    for doc_id, data in texts.items():
        if doc_id == missing:
            continue
        name = "my copy.txt" if doc_id == renamed else f"{doc_id}.txt"
        (dest / name).write_bytes(data.replace(b"\n", b"\r\n") if doc_id == crlf else data)
    return crlf, missing


def test_damaged_copies_are_refused_then_a_partial_release_is_labelled(
    release_corpus: Repo, standoff: BuildResult, tmp_path: Path, hf_cache: Path
):
    crlf, missing = _damaged_texts(release_corpus, tmp_path / "texts")
    out = tmp_path / "out"
    args = [
        "rehydrate",
        str(standoff.folder),
        "--texts",
        str(tmp_path / "texts"),
        "--out",
        str(out),
    ]
    done = CliRunner().invoke(app, args)
    assert done.exit_code == 1
    assert "rehydrate-unproven" in done.output and "2 of " in done.output
    assert f"{crlf}: expected sha256" in done.output and "CR LF line endings" in done.output
    assert "first difference at code point" in done.output
    assert f"{missing}: no copy" in done.output
    assert not out.exists()  # a refusal writes nothing

    done = CliRunner().invoke(app, [*args, "--allow-partial", "--format", "json"])
    assert done.exit_code == 0, done.output
    result = json.loads(done.output)
    assert result["partial"] and not result["identical_to_full_release"]
    assert result["missing"] == [missing] and result["damaged"][0]["causes"] == ["crlf"]
    folder = out / "isf-claims-1.0.0-partial"
    card = (folder / "README.md").read_text(encoding="utf-8")
    assert "## Partial release: 2 documents left out" in card and f"`{missing}`" in card
    report = json.loads((folder / "build-report.json").read_text())
    assert report["release"]["kind"] == "partial"
    assert report["release"]["documents_left_out"] == sorted([crlf, missing])
    docs = isf_claims.load("documents", path=folder, cache_dir=hf_cache)
    kept = {d for split in docs for d in docs[split]["doc_id"]}
    assert kept and not kept & {crlf, missing}
    subprocess.run(["sha256sum", "--quiet", "-c", "SHA256SUMS"], cwd=folder, check=True)


def test_the_cause_of_a_damaged_copy_is_proven_with_its_first_offset():
    original = "Intro line\n“Quoted,” he said — it’s café.\nLast line\n".encode()
    sha = hashlib.sha256(original).hexdigest()
    text = original.decode()
    cases = {
        "bom": (b"\xef\xbb\xbf" + original, 0),
        "crlf": (original.replace(b"\n", b"\r\n"), 10),
        "nfd": (unicodedata.normalize("NFD", text).encode(), text.index("é")),
        "trailing-newline": (original[:-1], len(text) - 1),
        "quote-straightened": (text.replace("’", "'").encode(), text.index("’")),
        "quote-mojibake": (text.replace("’", "’".encode().decode("cp1252")).encode(), None),
    }
    for cause, (copy, offset) in cases.items():
        found = diagnose("d", copy, sha, len(original))
        assert found.proven, (cause, found.describe())
        assert found.causes == [cause]
        if offset is not None:
            assert found.first_difference == offset, (cause, found.first_difference)
        assert found.byte_difference == len(copy) - len(original)
    plain = b"plain text, not quoted\n"
    windows = diagnose(
        "w",
        plain.replace(b"plain", b"pl\xe9in"),
        hashlib.sha256("pléin text, not quoted\n".encode()).hexdigest(),
        len(plain) + 1,
    )
    assert windows.proven and windows.causes == ["not-utf8"]
    other = diagnose("o", b"another text\n", sha, len(original))
    assert not other.proven and "not proven" in other.describe()


def test_sealed_values_open_only_with_the_article(release_corpus: Repo, standoff: BuildResult):
    texts = articles(release_corpus)
    clusters = pq.read_table(standoff.folder / "data/clusters/full.parquet").to_pylist()
    sealed = next(
        c["differences"] for c in clusters if str(c["differences"]).startswith(SEAL_PREFIX)
    )
    opened = unseal(sealed, texts)
    assert opened and not opened.startswith(SEAL_PREFIX)
    needed = sealed[len(SEAL_PREFIX) :].split(":")[1].split(",")
    assert unseal(sealed, {d: t for d, t in texts.items() if d != needed[0]}) is None
    wrong = {d: (t + b" ") if d == needed[0] else t for d, t in texts.items()}
    assert unseal(sealed, wrong) != opened


def test_standoff_build_refuses_prose_quoting_an_article(release_corpus: Repo, tmp_path: Path):
    repo = Repo(tmp_path / "copy")
    shutil.copytree(release_corpus.root, repo.root, ignore=shutil.ignore_patterns("dist"))
    words = WORD.findall(
        articles(repo)["kazinform_uk-officers-join-gaza-stabilization-effort"].decode()
    )
    quote = " ".join(words[10 : 10 + WORDS + 2])
    card = repo.root / "DATACARD.md"
    card.write_text(card.read_text() + f"\nAn example: {quote}.\n", encoding="utf-8")
    with pytest.raises(IsfError) as err:
        build_standoff(repo, tmp_path / "out")
    assert err.value.code == "standoff-quotes-article" and err.value.path == "README.md"
    assert not (tmp_path / "out").exists()


# ------------------------------------------------------------------------------ publish


def test_publish_sends_the_standoff_release_unless_texts_may_be_published(
    release_corpus: Repo, release: BuildResult, standoff: BuildResult, tmp_path: Path
):
    both = tmp_path / "dist"
    shutil.copytree(release.folder, both / release.folder.name)
    shutil.copytree(standoff.folder, both / standoff.folder.name)
    plan = plan_publish("someone/isf-claims", None, both, repo=release_corpus)
    assert plan.standoff and plan.folder.name.endswith("-standoff")
    with pytest.raises(IsfError) as err:
        plan_publish("someone/isf-claims", None, release.folder, repo=release_corpus)
    assert err.value.code == "publish-full-texts-refused" and err.value.exit_code == 2
    told = plan_publish("someone/isf-claims", None, both, full_texts=True, repo=release_corpus)
    assert not told.standoff
    relicensed = Repo(tmp_path / "relicensed")
    shutil.copytree(release_corpus.root, relicensed.root, ignore=shutil.ignore_patterns("dist"))
    meta = json.loads((relicensed.root / "dataset.json").read_text())
    (relicensed.root / "dataset.json").write_text(json.dumps({**meta, "texts_relicensed": True}))
    assert not plan_publish("someone/isf-claims", None, both, repo=relicensed).standoff
    done = CliRunner().invoke(
        app,
        [
            "publish",
            "--repo-id",
            "a/b",
            "--path",
            str(both),
            "--dry-run",
            "--root",
            str(relicensed.root),
        ],
    )
    assert done.exit_code == 0 and "full release" in done.output


def test_a_second_annotation_set_travels_so_agreement_is_reproduced(tmp_path: Path):
    repo = copy_corpus(tmp_path / "corpus")
    second = repo.root / SECOND_SET
    shutil.copytree(repo.annotated_dir, second)
    doc = second / "kazinform_uk-officers-join-gaza-stabilization-effort.jsonl"
    lines = doc.read_text(encoding="utf-8").splitlines()
    mention = next(i for i, line in enumerate(lines) if '"layer": "mention"' in line)
    del lines[mention]  # the second annotator missed a mention: agreement below 1
    doc.write_text("\n".join(lines) + "\n", encoding="utf-8")
    full = build_release(repo, tmp_path / "full")
    assert full.report["agreement"]
    standoff = build_standoff(repo, tmp_path / "so")
    assert (standoff.folder / "standoff" / SECOND_SET / "documents.parquet").is_file()
    texts = {d: b for d, b in articles(repo).items()}
    for passage in set().union(*(passages(t.decode()) for t in texts.values())):
        for rel, text in file_texts(standoff.folder).items():
            assert passage not in passages(text), rel
    done = rehydrate(standoff.folder, repo.raw_dir, tmp_path / "out")
    assert done.identical and sums(done.folder) == sums(full.folder)
