"""The corpus model: typed tables, the offset contract, and byte-identical write-back."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from conftest import snapshot
from isf_claims.corpus import Corpus, corpus_files, load_corpus
from isf_claims.errors import IsfError
from isf_claims.repo import Repo
from isf_claims.validation import validate_and_load

SPAN_COLUMNS = {
    "zones": [""],
    "mentions": [""],
    "markers": [""],
    "claims": ["content_", "cue_", "source_"],
}


@pytest.fixture(scope="module")
def corpus(repo: Repo) -> Corpus:
    return load_corpus(repo)


def test_every_document_is_annotated_and_loaded(corpus: Corpus, repo: Repo) -> None:
    assert sorted(corpus.doc_ids) == repo.raw_doc_ids()
    docs = corpus["documents"]
    assert pc.all(pc.equal(docs["raw_sha256"], docs["sha256"])).as_py()
    for name in ("zones", "mentions", "claims", "markers", "entities", "clusters"):
        assert corpus[name].num_rows > 0, name


def test_every_span_text_equals_the_raw_slice(corpus: Corpus) -> None:
    texts = dict(zip(corpus.doc_ids, corpus["documents"]["text"].to_pylist(), strict=True))
    checked = 0
    for table, prefixes in SPAN_COLUMNS.items():
        for row in corpus[table].to_pylist():
            for p in prefixes:
                if row[f"{p}start"] is None:
                    continue
                text = texts[row["doc_id"]]
                assert text[row[f"{p}start"] : row[f"{p}end"]] == row[f"{p}text"], row
                assert row[f"{p}text"] == row[f"{p}text"].strip(), row
                checked += 1
    assert checked > 100


def test_read_then_write_is_byte_identical(corpus: Corpus) -> None:
    files = corpus_files(corpus)
    assert len(files) == len(corpus.doc_ids) + 2
    for path, data in files.items():
        assert path.read_bytes() == data, path


def test_tables_are_typed(corpus: Corpus) -> None:
    assert corpus["mentions"].schema.field("start").type == pa.int64()
    assert corpus["claims"].schema.field("content_text").type == pa.string()
    assert corpus["documents"].schema.field("n_codepoints").type == pa.int64()


def test_write_back_canonicalises_order(repo_copy: Repo) -> None:
    path = repo_copy.annotation_files()[0]
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(lines[0] + b"".join(reversed(lines[1:])))
    files = corpus_files(load_corpus(repo_copy))
    assert files[path] == b"".join(lines)


KAZ = "kazinform_uk-officers-join-gaza-stabilization-effort"
UNN = "2025-10-16_us-pushes-international-force-gaza"


def _rows(corpus: Corpus, table: str, **where: object) -> list[dict]:
    return [r for r in corpus[table].to_pylist() if all(r.get(k) == v for k, v in where.items())]


def test_hand_checked_zones(corpus: Corpus) -> None:
    (z,) = _rows(corpus, "zones", doc_id=KAZ, text="Most popular")
    assert z["label"] == "boilerplate"
    (z,) = _rows(corpus, "zones", doc_id=UNN, text="By Staff, Agencies")
    assert z["label"] == "byline"
    (z,) = _rows(corpus, "zones", doc_id=UNN, label="dateline")
    assert (z["start"], z["text"]) == (1, "date 2025-10-16")


def test_hand_checked_mentions(corpus: Corpus) -> None:
    (m,) = _rows(corpus, "mentions", doc_id=KAZ, text="John Healey")
    assert (m["label"], m["entity"]) == ("PERSON", "john-healey")
    (m,) = _rows(corpus, "mentions", doc_id=KAZ, text="$67 billion")
    assert m["label"] == "MONEY" and m["entity"] is None
    washington = _rows(corpus, "mentions", doc_id=UNN, text="Washington")
    assert {(m["label"], m["entity"]) for m in washington} == {("GPE", "united-states")}
    (m,) = _rows(corpus, "mentions", doc_id=UNN, text="nearly 2,000")
    assert m["label"] == "CARDINAL"


def test_hand_checked_claims(corpus: Corpus) -> None:
    (c,) = _rows(corpus, "claims", doc_id=KAZ, cue_text="said", source_text="the spokesperson")
    assert c["attribution"] == "direct_quote" and c["source_type"] == "anonymous"
    assert c["content_text"].startswith("The UK continues to work with international partners")
    (c,) = _rows(corpus, "claims", doc_id=UNN, cue_text="claimed")
    assert (c["source_text"], c["cue_commitment"]) == ("American officials", "distancing")
    headlines = _rows(corpus, "claims", doc_id=UNN, attribution="unattributed")
    assert any(h["content_text"].startswith("US Pushes For So-Called") for h in headlines)
    assert all(h["cue_text"] is None and h["source_type"] == "outlet" for h in headlines)


def test_hand_checked_markers_entities_and_clusters(corpus: Corpus) -> None:
    (f,) = _rows(corpus, "markers", doc_id=UNN, text="So-Called")
    assert f["label"] == "so_called"
    (e,) = _rows(corpus, "entities", id="united-states")
    assert e["label"] == "GPE"
    members = _rows(corpus, "cluster_members", cluster_id="us-up-to-200-troops-not-in-gaza")
    assert {m["doc_id"] for m in members} == {KAZ, UNN}


def test_unknown_document_is_a_usage_error(repo: Repo) -> None:
    from isf_claims.errors import IsfError

    with pytest.raises(IsfError) as info:
        load_corpus(repo, ["no-such-document"])
    assert info.value.code == "unknown-document" and info.value.exit_code == 2


def test_validation_hands_the_build_the_same_corpus_as_load_corpus(repo: Repo) -> None:
    """The release build takes the corpus model from validation's parse instead of reading
    the corpus again; it must be exactly what load_corpus gives (texts, metadata, order)."""
    report, validated = validate_and_load(repo)
    assert report.ok and validated is not None
    loaded = load_corpus(repo)
    assert list(validated.tables) == list(loaded.tables)
    for name, table in loaded.tables.items():
        assert validated.tables[name].equals(table, check_metadata=True), name


def test_an_invalid_corpus_hands_over_no_corpus(repo_copy: Repo) -> None:
    path = repo_copy.annotation_path(repo_copy.annotation_files()[0].stem)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text(lines[0] + lines[1].replace('"start": ', '"start": 1', 1) + "".join(lines[2:]))
    report, validated = validate_and_load(repo_copy)
    assert not report.ok and validated is None


def test_a_metadata_file_that_is_not_json_is_a_clear_error(repo_copy: Repo) -> None:
    doc_id = repo_copy.annotation_files()[0].stem
    meta = repo_copy.meta_path(doc_id)
    meta.write_bytes(meta.read_bytes()[:-10])
    before = snapshot(repo_copy.root)
    with pytest.raises(IsfError) as err:
        load_corpus(repo_copy)
    assert err.value.code == "meta-invalid"
    assert err.value.path == f"raw/{doc_id}.meta.json"
    assert "restore" in err.value.fix
    assert snapshot(repo_copy.root) == before


@pytest.mark.parametrize(
    ("damage", "code"),
    [
        (None, None),
        (lambda b: b[: len(b) // 2], "meta-invalid"),
        (lambda b: None, "meta-missing"),
    ],
    ids=["zero-sha256", "cut-in-half", "deleted"],
)
def test_build_never_publishes_a_document_whose_metadata_is_wrong(
    repo_copy: Repo, tmp_path, damage, code
) -> None:
    from typer.testing import CliRunner

    from isf_claims.cli import app
    from isf_claims.raw import read_meta

    doc_id = repo_copy.annotation_files()[0].stem
    path = repo_copy.meta_path(doc_id)
    if code is None:  # the sha256 set to zeros, the file otherwise intact
        meta = read_meta(repo_copy, doc_id)
        new = path.read_bytes().replace(meta["sha256"].encode(), b"0" * 64)
        code = "meta-sha256-mismatch"
    else:
        new = damage(path.read_bytes())
    if new is None:
        path.unlink()
    else:
        path.write_bytes(new)
    report, validated = validate_and_load(repo_copy)
    assert validated is None
    assert {(f.code, f.file) for f in report.findings} == {(code, f"raw/{doc_id}.meta.json")}
    out = tmp_path / "release"
    done = CliRunner().invoke(app, ["build", "--root", str(repo_copy.root), "--out", str(out)])
    assert done.exit_code == 1 and code in done.output and not out.exists()


def test_build_refuses_a_lone_surrogate_escape_without_a_traceback(
    repo_copy: Repo, tmp_path
) -> None:
    from typer.testing import CliRunner

    from isf_claims.cli import app

    path = repo_copy.annotation_files()[0]
    path.write_bytes(path.read_bytes().replace(b'"note": null', b'"note": "x\\ud800"', 1))
    out = tmp_path / "release"
    done = CliRunner().invoke(app, ["build", "--root", str(repo_copy.root), "--out", str(out)])
    assert done.exit_code == 1 and "lone-surrogate" in done.output and not out.exists()
    assert done.exception is None or isinstance(done.exception, SystemExit)


@pytest.mark.parametrize(
    ("damage", "code", "line"),
    [
        (lambda lines: [lines[0], b"{not json", *lines[2:]], "json-invalid", 2),
        (lambda lines: [lines[0], b"", *lines[1:]], "blank-line", 2),
        (lambda lines: [lines[0], b"[1, 2]", *lines[2:]], "not-an-object", 2),
        (lambda lines: [lines[0], lines[1][:-1] + b', "colour": "red"}'], "unknown-field", 2),
        (lambda lines: [lines[0].replace(b'"doc_id": "', b'"doc_id": "x')], "doc-id-mismatch", 1),
        (lambda lines: [b"\xef\xbb\xbf" + lines[0], *lines[1:]], "bom", 1),
    ],
    ids=["json", "blank", "array", "unknown-field", "doc-id", "bom"],
)
def test_load_corpus_refuses_as_validation_reports(
    repo_copy: Repo, damage, code: str, line: int
) -> None:
    """load_corpus reads through validation's reader: a file it cannot read is refused with
    validation's code, place, wording and fix (no second set of refusal codes)."""
    from isf_claims.codebook import CHECKS
    from isf_claims.validation import validate

    path = repo_copy.annotation_files()[0]
    path.write_bytes(b"\n".join(damage(path.read_bytes().split(b"\n")[:-1])) + b"\n")
    with pytest.raises(IsfError) as info:
        load_corpus(repo_copy)
    err = info.value
    rel = repo_copy.rel(path)
    assert (err.code, err.path, err.exit_code) == (code, f"{rel}:{line}", 1)
    (finding,) = [f for f in validate(repo_copy).findings if f.code == code]
    assert (err.message, err.expected, err.found) == (
        finding.message,
        finding.expected,
        finding.found,
    )
    assert err.fix == CHECKS[code].fix


def test_load_corpus_refuses_a_value_of_another_type(repo_copy: Repo) -> None:
    path = repo_copy.annotation_files()[0]
    data = path.read_bytes()
    at = data.index(b'"start": ') + len(b'"start": ')
    end = data.index(b",", at)
    path.write_bytes(data[:at] + b'"' + data[at:end] + b'"' + data[end:])
    with pytest.raises(IsfError) as info:
        load_corpus(repo_copy)
    assert info.value.code == "wrong-type" and repo_copy.rel(path) in str(info.value.path)


def test_load_corpus_with_repair_reads_what_fmt_repairs(repo_copy: Repo) -> None:
    path = repo_copy.annotation_files()[0]
    good = load_corpus(repo_copy)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    with pytest.raises(IsfError):
        load_corpus(repo_copy)
    repaired = load_corpus(repo_copy, repair=True)
    for name, table in good.tables.items():
        assert repaired.tables[name].equals(table), name
