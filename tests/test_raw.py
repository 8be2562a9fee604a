"""The raw layer: verbatim bytes, metadata with unknowns left null, and ingest's refusals."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import SEEDS, snapshot
from isf_claims.cli import app
from isf_claims.ingest import ingest
from isf_claims.raw import META_FIELDS, read_meta, read_raw
from isf_claims.repo import Repo

# The seeds as they were given: file name -> sha256 of the bytes.
SEED_SHA256 = {
    "000_a592e5e37fee6a75.txt": "50f968fce2b9a1078356dfe3604947c60fc4bca24025f00456056fe1b8b0f9de",
    "003_6941f90235aa1bcb.txt": "c62a4b838c509350708c80d837eacaaa31467e0f1ad5579d45c9dd2714e71d2a",
}
KAZINFORM = "kazinform_uk-officers-join-gaza-stabilization-effort"
UNNAMED = "2025-10-16_us-pushes-international-force-gaza"
runner = CliRunner()


def test_every_seed_is_stored_byte_for_byte(repo: Repo) -> None:
    by_source = {read_meta(repo, d)["source_file"]: d for d in repo.raw_doc_ids()}
    assert set(by_source) == set(SEED_SHA256)
    for source, digest in SEED_SHA256.items():
        data = repo.raw_path(by_source[source]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == digest
        if SEEDS.is_dir():
            assert data == (SEEDS / source).read_bytes()


def test_metadata_records_what_is_known_and_nulls_the_rest(repo: Repo) -> None:
    for doc_id in repo.raw_doc_ids():
        meta = read_meta(repo, doc_id)
        assert list(meta) == list(META_FIELDS)
        data = repo.raw_path(doc_id).read_bytes()
        assert meta["sha256"] == hashlib.sha256(data).hexdigest()
        assert meta["n_bytes"] == len(data)
        assert meta["n_codepoints"] == len(data.decode("utf-8"))
        assert meta["url"] is None  # no source URL came with either article
        assert "publisher" in meta["rights"]
    kaz, other = read_meta(repo, KAZINFORM), read_meta(repo, UNNAMED)
    assert kaz["outlet"] == "Kazinform News Agency"
    assert kaz["published"] is None and kaz["published_basis"].startswith("unknown")
    assert other["outlet"] is None
    assert other["byline"] == "Staff, Agencies"
    assert other["published"] == "2025-10-16"


def test_raw_text_is_not_normalised(repo: Repo) -> None:
    doc = read_raw(repo, UNNAMED)
    assert doc.text.startswith(" date 2025-10-16")  # leading space kept
    assert not doc.text.endswith("\n")
    assert "\u2019" in doc.text and '"Israeli"' in doc.text


def _article(tmp_path: Path, data: bytes, name: str = "article.txt") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_ingest_adds_the_bytes_verbatim_with_metadata(repo_copy: Repo, tmp_path: Path) -> None:
    data = "Headline 😀 here\r\n\r\nBody with e\u0301 and CRLF.\r\n".encode()
    src = _article(tmp_path, data)
    result = runner.invoke(
        app,
        [
            "ingest",
            str(src),
            "--outlet",
            "Example Wire",
            "--date",
            "2025-10-20",
            "--root",
            str(repo_copy.root),
        ],
    )
    assert result.exit_code == 0, result.output
    doc_id = next(d for d in repo_copy.raw_doc_ids() if d.startswith("example-wire_2025-10-20_"))
    assert repo_copy.raw_path(doc_id).read_bytes() == data
    meta = read_meta(repo_copy, doc_id)
    assert meta["byline"] is None and meta["url"] is None
    assert meta["n_codepoints"] == len(data.decode("utf-8"))
    assert meta["source_file"] == "article.txt"


@pytest.mark.parametrize(
    ("data", "args", "code", "exit_code"),
    [
        (b"caf\xe9 au lait", [], "raw-not-utf8", 1),
        (None, ["--id", KAZINFORM], "doc-id-exists", 1),
        (None, ["--id", "a-new-id"], "raw-duplicate", 1),
        (b"   \n", [], "raw-empty", 1),
        (b"text", ["--date", "16/10/2025"], "bad-date", 2),
        (b"text", ["--id", "Bad Id!"], "bad-doc-id", 2),
        (b"text", ["--id", "../outside"], "bad-doc-id", 2),
        (b"text", ["--id", "entities"], "bad-doc-id", 2),
        (b"text", ["--id", "clusters"], "bad-doc-id", 2),
        (b"text", ["--date", "2025-13-45"], "bad-date", 2),
        (b"text", ["--date", "2025-02-30"], "bad-date", 2),
    ],
)
def test_ingest_refusals_write_nothing(
    repo_copy: Repo,
    tmp_path: Path,
    data: bytes | None,
    args: list[str],
    code: str,
    exit_code: int,
) -> None:
    if data is None:  # an article already stored
        data = repo_copy.raw_path(UNNAMED).read_bytes()
    src = _article(tmp_path, data)
    before = snapshot(repo_copy.root)
    result = runner.invoke(app, ["ingest", str(src), *args, "--root", str(repo_copy.root)])
    assert result.exit_code == exit_code
    assert f"error {code}:" in result.output
    assert "fix:" in result.output
    assert snapshot(repo_copy.root) == before


def test_not_utf8_names_the_byte_offset(repo_copy: Repo, tmp_path: Path) -> None:
    src = _article(tmp_path, b"ok \xff")
    result = runner.invoke(app, ["ingest", str(src), "--root", str(repo_copy.root)])
    assert "byte offset 3" in result.output


def test_ingest_library_call_matches_cli(repo_copy: Repo, tmp_path: Path) -> None:
    src = _article(tmp_path, b"A new article about Gaza.")
    doc = ingest(repo_copy, src, doc_id="new-article", added="2026-01-01")
    meta = json.loads(repo_copy.meta_path("new-article").read_text())
    assert meta == doc.meta and meta["added"] == "2026-01-01"
