"""Batch ingest: a folder with a metadata table, or a JSON-lines file of records, goes in with
one command, all or nothing; each new article gets its annotation file (document record,
raw_sha256 filled, status draft)."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import snapshot
from isf_claims import fsutil
from isf_claims.cli import app
from isf_claims.raw import read_meta, sha256_bytes
from isf_claims.repo import Repo
from isf_claims.schema import latest_version
from isf_claims.validation import validate
from validation_cases import make_corpus

runner = CliRunner()
OUTLETS = ["Example Wire", "Gaza Daily", None]


def article(i: int) -> str:
    return (
        f"Article {i}: talks on the stabilization force continue\n\n"
        f"Officials said on day {i} that the mission would expand. “Plan {i}” 🙂\n"
    )


def write_folder(folder: Path, n: int, fmt: str = "csv") -> list[dict[str, str | None]]:
    """``n`` articles as ``NNN.txt`` with a metadata table; returns the rows."""
    folder.mkdir(parents=True)
    rows = []
    for i in range(n):
        name = f"{i:03d}.txt"
        (folder / name).write_bytes(article(i).encode("utf-8"))
        rows.append(
            {
                "file": name,
                "outlet": OUTLETS[i % 3],
                "byline": f"Reporter {i % 7}" if i % 2 else None,
                "date": f"2025-10-{1 + i % 28:02d}" if i % 5 else None,
                "url": f"https://example.org/{i}" if i % 4 else None,
            }
        )
    if fmt == "csv":
        with (folder / "metadata.csv").open("w", encoding="utf-8", newline="") as fh:
            out = csv.DictWriter(fh, fieldnames=list(rows[0]))
            out.writeheader()
            out.writerows({k: v or "" for k, v in r.items()} for r in rows)
    else:
        (folder / "metadata.jsonl").write_text(
            "".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8"
        )
    return rows


@pytest.fixture
def corpus(tmp_path: Path) -> Repo:
    return make_corpus(tmp_path / "corpus")


def ingest(repo: Repo, *args: str) -> tuple[int, str, str]:
    res = runner.invoke(app, ["ingest", *args, "--root", str(repo.root)])
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    return res.exit_code, res.stdout, res.stderr


def test_two_hundred_articles_in_one_command(corpus: Repo, tmp_path: Path) -> None:
    rows = write_folder(tmp_path / "batch", 200)
    code, out, err = ingest(corpus, str(tmp_path / "batch"), "--format", "json")
    assert code == 0, err
    added = json.loads(out)["added"]
    assert len(added) == len(set(added)) == 200
    for doc_id, row in zip(added, rows, strict=True):
        data = corpus.raw_path(doc_id).read_bytes()
        assert data == (tmp_path / "batch" / row["file"]).read_bytes()
        meta = read_meta(corpus, doc_id)
        assert (meta["outlet"], meta["byline"], meta["published"], meta["url"]) == (
            row["outlet"],
            row["byline"],
            row["date"],
            row["url"],
        )
        assert meta["source_file"] == row["file"] and meta["sha256"] == sha256_bytes(data)
        header = json.loads(corpus.annotation_path(doc_id).read_text(encoding="utf-8"))
        assert {k: v for k, v in header.items() if v is not None} == {
            "layer": "document",
            "doc_id": doc_id,
            "schema_version": latest_version(corpus.schema_dir),
            "raw_sha256": sha256_bytes(data),
            "status": "draft",
            "annotators": "unassigned",
        }
    report = validate(corpus)
    assert report.ok, report.render()


def test_records_file_and_text_output(corpus: Repo, tmp_path: Path) -> None:
    records = tmp_path / "articles.jsonl"
    recs = [
        {"text": article(1), "outlet": "Example Wire", "date": "2025-10-16", "id": "wire-1"},
        {"text": article(2), "url": None, "byline": "Jane Doe", "language": "fr"},
    ]
    records.write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")
    code, out, err = ingest(corpus, str(records), "--annotators", "team A")
    assert code == 0, err
    assert "added wire-1 " in out and "added 2 articles" in out
    meta = read_meta(corpus, "wire-1")
    assert meta["source_file"] == "articles.jsonl:1" and meta["published"] == "2025-10-16"
    other = next(d for d in corpus.raw_doc_ids() if d.startswith("article-2"))
    assert read_meta(corpus, other)["language"] == "fr"
    assert corpus.raw_path(other).read_bytes() == article(2).encode("utf-8")
    assert '"annotators": "team A"' in corpus.annotation_path(other).read_text()


def test_jsonl_metadata_table(corpus: Repo, tmp_path: Path) -> None:
    write_folder(tmp_path / "batch", 3, fmt="jsonl")
    code, out, err = ingest(corpus, str(tmp_path / "batch"), "--format", "json")
    assert code == 0 and len(json.loads(out)["added"]) == 3, err


def test_one_bad_article_in_two_hundred_writes_nothing(corpus: Repo, tmp_path: Path) -> None:
    write_folder(tmp_path / "batch", 200)
    (tmp_path / "batch" / "150.txt").write_bytes(b"Caf\xe9 talks resume\n")
    before = snapshot(corpus.root)
    code, _out, err = ingest(corpus, str(tmp_path / "batch"))
    assert code == 1
    assert "error ingest-refused:" in err and "error raw-not-utf8:" in err
    assert "150.txt" in err and "byte offset 3" in err
    assert snapshot(corpus.root) == before


def _csv(text: str):
    return lambda folder: (folder / "metadata.csv").write_text(text, encoding="utf-8")


def _add_file(name: str, data: bytes):
    return lambda folder: (folder / name).write_bytes(data)


def _append_row(row: str):
    def apply(folder: Path) -> None:
        with (folder / "metadata.csv").open("a", encoding="utf-8") as fh:
            fh.write(row + "\n")

    return apply


def _link(folder: Path) -> None:
    """000.txt becomes a link to a file outside the folder (its target is never read)."""
    outside = folder.parent / "outside.txt"
    (folder / "000.txt").rename(outside)
    (folder / "000.txt").symlink_to(outside)


BAD_BATCHES = {
    "file-is-a-link": (_link, "ingest-file-missing"),
    "unknown-column": (_csv("file,outlet,section\n000.txt,Wire,World\n"), "ingest-unknown-column"),
    "non-iso-date": (_append_row("001.txt,Wire,,16/10/2025,"), "bad-date"),
    "impossible-date": (_append_row("001.txt,Wire,,2025-02-30,"), "bad-date"),
    "same-text-twice": (_append_row("001.txt,,,,"), "ingest-duplicate"),
    "same-file-twice": (_append_row("000.txt,,,,"), "ingest-duplicate"),
    "listed-file-missing": (_append_row("404.txt,,,,"), "ingest-file-missing"),
    "file-is-a-path": (_append_row("../000.txt,,,,"), "ingest-file-missing"),
    "file-unlisted": (_add_file("zzz.txt", b"An unlisted article.\n"), "ingest-file-unlisted"),
    "empty-text": (lambda f: (f / "000.txt").write_bytes(b" \n"), "raw-empty"),
    "ragged-row": (_append_row("001.txt,Wire"), "ingest-table-invalid"),
    "reserved-id": (_csv("file,id\n000.txt,clusters\n"), "bad-doc-id"),
}


@pytest.mark.parametrize("name", BAD_BATCHES)
def test_bad_batch_writes_nothing(name: str, corpus: Repo, tmp_path: Path) -> None:
    edit, code = BAD_BATCHES[name]
    folder = tmp_path / "batch"
    write_folder(folder, 1)
    if name in ("non-iso-date", "impossible-date", "ragged-row"):
        (folder / "001.txt").write_bytes(b"Another article.\n")
    if name == "same-text-twice":
        (folder / "001.txt").write_bytes(article(0).encode("utf-8"))
    edit(folder)
    before = snapshot(corpus.root)
    exit_code, _out, err = ingest(corpus, str(folder))
    assert exit_code == 1 and f"error {code}:" in err, err
    assert snapshot(corpus.root) == before


def test_stored_text_and_existing_id(corpus: Repo, tmp_path: Path) -> None:
    records = tmp_path / "r.jsonl"
    stored = corpus.raw_path("alpha").read_text(encoding="utf-8")
    lines = [{"text": stored, "id": "copy"}, {"text": "New text.\n", "id": "beta"}]
    records.write_text("".join(json.dumps(r) + "\n" for r in lines), encoding="utf-8")
    before = snapshot(corpus.root)
    code, out, _err = ingest(corpus, str(records), "--format", "json")
    assert code == 1 and snapshot(corpus.root) == before
    error = json.loads(out)["error"]
    assert [p["code"] for p in error["problems"]] == ["raw-duplicate", "doc-id-exists"]
    assert error["problems"][0]["record"] == "alpha"


def _empty(folder: Path) -> None:
    for path in folder.glob("*.txt"):
        path.unlink()
    (folder / "metadata.csv").write_text("file\n", encoding="utf-8")


@pytest.mark.parametrize(
    ("setup", "args", "code"),
    [
        (lambda f: (f / "metadata.csv").unlink(), [], "ingest-no-table"),
        (lambda f: None, ["--outlet", "Wire"], "ingest-option-per-article"),
        (_empty, [], "ingest-empty-batch"),
    ],
)
def test_batch_usage_errors(setup, args: list[str], code: str, corpus: Repo, tmp_path) -> None:
    write_folder(tmp_path / "batch", 2)
    setup(tmp_path / "batch")
    exit_code, _out, err = ingest(corpus, str(tmp_path / "batch"), *args)
    assert exit_code == 2 and f"error {code}:" in err


def test_a_failure_while_renaming_removes_what_was_written(
    corpus: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fault injection: the disk fails on the 7th rename; the files already renamed are
    removed again and no temporary file is left behind."""
    write_folder(tmp_path / "batch", 5)
    calls = {"n": 0}
    real = os.replace

    def failing(src: str, dst: Path) -> None:
        calls["n"] += 1
        if calls["n"] == 7:
            raise OSError(28, "No space left on device")
        real(src, dst)

    monkeypatch.setattr(fsutil.os, "replace", failing)
    before = snapshot(corpus.root)
    with pytest.raises(OSError):
        from isf_claims.ingest import ingest_source

        ingest_source(corpus, tmp_path / "batch")
    assert calls["n"] == 7
    assert snapshot(corpus.root) == before


def test_progress_is_not_drawn_off_a_terminal(corpus: Repo, tmp_path: Path) -> None:
    write_folder(tmp_path / "batch", 3)
    code, out, err = ingest(corpus, str(tmp_path / "batch"))
    lines = out.splitlines()
    assert code == 0 and err == "" and len(lines) == 4 and lines[-1] == "added 3 articles"


def test_one_article_with_json_output_starts_its_annotation_file(corpus: Repo, tmp_path) -> None:
    src = tmp_path / "one.txt"
    src.write_bytes(article(7).encode("utf-8"))
    code, out, _err = ingest(corpus, str(src), "--id", "one", "--format", "json")
    assert code == 0 and json.loads(out) == {"ok": True, "added": ["one"]}
    header = json.loads(corpus.annotation_path("one").read_text(encoding="utf-8"))
    assert header["raw_sha256"] == sha256_bytes(src.read_bytes()) and header["status"] == "draft"
    code, out, _err = ingest(corpus, str(src), "--id", "two", "--format", "json")
    assert code == 1 and json.loads(out)["error"]["code"] == "raw-duplicate"
