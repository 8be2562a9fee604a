"""What annotators and CI see: the text and JSON reports, capping, exit codes, the list of
checks and its docs page, partial (pre-commit) runs, the real corpus, and ``synth``."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import ROOT, snapshot
from isf_claims.cli import app
from isf_claims.codebook import CHECKS, REFUSALS, markdown
from isf_claims.errors import IsfError
from isf_claims.repo import Repo
from isf_claims.synth import synth_corpus
from isf_claims.validation import ENGINES, validate
from isf_claims.validation.rules import quote_hint
from validation_cases import ALPHA, edit, make_corpus, rec, write_raw

runner = CliRunner()
FINDING_LINE = re.compile(
    r"^(?P<path>[^\s:]+):(?P<line>\d+): (?P<level>error|warning) (?P<code>[a-z0-9-]+): .+"
)


@pytest.fixture
def corpus(tmp_path: Path) -> Repo:
    return make_corpus(tmp_path / "corpus")


def _many_bad_labels(repo: Repo, n: int) -> None:
    def add(records: list) -> None:
        start = ALPHA.index("Gaza")
        for i in range(n):
            records.append(
                {
                    "layer": "mention",
                    "id": f"m{10 + i}",
                    "label": "PER",
                    "start": start,
                    "end": start + 4,
                    "text": "Gaza",
                    "entity": None,
                }
            )

    edit(repo, "alpha", add)


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


# ------------------------------------------------------------------------------ reports


def test_text_findings_name_file_line_level_code_record_and_fix(corpus: Repo) -> None:
    edit(corpus, "beta", lambda rs: rec(rs, "m1").update(text="Gaze"))
    code, out = invoke("validate", "--root", str(corpus.root))
    assert code == 1
    lines = [ln for ln in out.splitlines() if FINDING_LINE.match(ln)]
    assert len(lines) == 1
    m = FINDING_LINE.match(lines[0])
    assert (m["path"], m["line"], m["level"], m["code"]) == (
        "annotated/beta.jsonl",
        "4",
        "error",
        "quote-mismatch",
    )
    assert "document beta, record m1" in out
    assert 'expected: "Gaza" (raw[0:4])' in out and 'found: "Gaze"' in out
    assert "fix: " in out
    assert "hint:" not in out and "as the hint says" not in out  # no hint, none promised


def test_findings_are_grouped_and_capped_per_code(corpus: Repo) -> None:
    _many_bad_labels(corpus, 7)
    edit(corpus, "beta", lambda rs: rec(rs, "m1").update(text="Gaze"))
    code, out = invoke("validate", "--root", str(corpus.root), "--max-per-code", "3")
    assert code == 1
    assert sum(1 for ln in out.splitlines() if " not-in-vocabulary: " in ln) == 3
    assert "... 4 more not-in-vocabulary findings suppressed" in out
    assert "quote-mismatch" in out
    _, everything = invoke("validate", "--root", str(corpus.root), "--max-per-code", "0")
    assert sum(1 for ln in everything.splitlines() if " not-in-vocabulary: " in ln) == 7


def test_json_report_is_the_library_report(corpus: Repo) -> None:
    _many_bad_labels(corpus, 5)
    code, out = invoke(
        "validate", "--root", str(corpus.root), "--format", "json", "--max-per-code", "2"
    )
    assert code == 1
    document = json.loads(out)
    assert document == validate(corpus).to_dict(max_per_code=2)
    (group,) = document["groups"]
    assert (group["code"], group["total"], group["suppressed"]) == ("not-in-vocabulary", 5, 3)
    assert set(group["findings"][0]) >= {
        "code",
        "file",
        "line",
        "record",
        "field",
        "doc_id",
        "message",
        "expected",
        "found",
        "hint",
        "severity",
        "level",
    }
    assert document["exit_code"] == 1 and document["errors"] == 5


def test_warnings_alone_exit_zero(corpus: Repo) -> None:
    edit(
        corpus,
        "entities",
        lambda rs: rs.append(
            {"id": "orphan", "label": "ORG", "name": "Orphan", "description": None}
        ),
    )
    code, out = invoke("validate", "--root", str(corpus.root))
    assert code == 0
    assert "warning entity-unused" in out


@pytest.mark.parametrize(
    "args",
    [
        ["validate", "--engine", "regex"],
        ["validate", "--format", "xml"],
        ["validate", "README.md"],
        ["validate", "/etc/hostname"],
        ["validate", "annotated/does-not-exist.jsonl"],
        ["validate", "raw/does-not-exist.txt"],
        ["validate", "annotated/../../outside.jsonl"],
    ],
)
def test_usage_errors_exit_two_and_write_nothing(
    corpus: Repo, args: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(ROOT / "README.md", corpus.root / "README.md")
    monkeypatch.chdir(corpus.root)
    before = snapshot(corpus.root)
    code, _ = invoke(*args, "--root", str(corpus.root))
    assert code == 2
    assert snapshot(corpus.root) == before


def test_outside_a_repository_is_a_usage_error(tmp_path: Path) -> None:
    code, out = invoke("validate", "--root", str(tmp_path))
    assert code == 2 and "repo-not-found" in out


# ------------------------------------------------------------------------------ checks


def test_checks_lists_every_code_with_its_explanation() -> None:
    code, out = invoke("checks", "--format", "json")
    assert code == 0
    listed = json.loads(out)
    assert [c["code"] for c in listed if c["kind"] == "finding"] == list(CHECKS)
    assert [c["code"] for c in listed if c["kind"] == "refusal"] == list(REFUSALS)
    for c in listed:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", c["code"])
        assert c["explanation"] and c["fix"] and c["severity"] in ("error", "warning")
        assert c["template"]


def test_the_docs_table_is_generated_from_the_code() -> None:
    assert (ROOT / "docs" / "checks.md").read_text(encoding="utf-8") == markdown()
    code, out = invoke("checks", "--format", "markdown")
    assert code == 0 and out == markdown()


# ------------------------------------------------------------------------------ scope


def test_a_partial_run_reports_the_given_files_only(corpus: Repo) -> None:
    edit(corpus, "alpha", lambda rs: rec(rs, "m1").update(label="PER"))
    edit(corpus, "beta", lambda rs: rec(rs, "m1").update(label="PER"))
    report = validate(corpus, [corpus.annotation_path("beta")])
    assert {(f.code, f.file) for f in report.findings} == {
        ("not-in-vocabulary", "annotated/beta.jsonl")
    }
    assert report.scope == "files" and report.files_checked == 1


def test_a_partial_run_sees_a_cluster_broken_by_a_removed_claim(corpus: Repo) -> None:
    edit(corpus, "beta", lambda rs: rs.remove(rec(rs, "c1")))
    for engine in ENGINES:
        report = validate(corpus, [corpus.annotation_path("beta")], engine=engine)
        assert [(f.code, f.file, f.field) for f in report.findings] == [
            ("dangling-member", "annotated/clusters.jsonl", "members[1].claim")
        ]


def test_a_raw_path_checks_the_document_annotated_on_it(corpus: Repo) -> None:
    corpus.raw_path("beta").write_bytes(corpus.raw_path("beta").read_bytes() + b"More.\n")
    report = validate(corpus, [corpus.raw_path("beta")])
    assert {(f.code, f.file) for f in report.findings} == {
        ("raw-changed", "annotated/beta.jsonl"),
        ("meta-sha256-mismatch", "raw/beta.meta.json"),
        ("meta-length-mismatch", "raw/beta.meta.json"),
    }


def test_a_deleted_annotation_file_leaves_its_raw_file_unannotated(corpus: Repo) -> None:
    corpus.annotation_path("beta").unlink()
    report = validate(corpus)
    assert {"dangling-member", "raw-unannotated"} <= {f.code for f in report.findings}
    with pytest.raises(IsfError) as err:  # named, it is a path that does not exist
        validate(corpus, [corpus.annotation_path("beta")])
    assert err.value.code == "path-not-found" and err.value.exit_code == 2


@pytest.mark.parametrize("engine", ENGINES)
def test_a_link_out_of_the_repository_is_refused_and_never_read(
    corpus: Repo, tmp_path: Path, engine: str
) -> None:
    secret = tmp_path / "secret.jsonl"
    secret.write_bytes(b'{"layer": "document", "doc_id": "SECRET-CONTENT"}\n')
    for link in (corpus.annotated_dir / "gamma.jsonl", corpus.raw_path("gamma")):
        link.symlink_to(secret)
    for args in ([], [str(corpus.annotated_dir / "gamma.jsonl")], [str(corpus.raw_path("gamma"))]):
        code, out = invoke("validate", *args, "--engine", engine, "--root", str(corpus.root))
        assert code == 1, out
        assert "SECRET-CONTENT" not in out
        assert "error symbolic-link" in out and f"a symbolic link to {secret}" in out
        assert "raw-unannotated" not in out and "raw-missing" not in out


def test_a_shared_file_means_the_whole_corpus(corpus: Repo) -> None:
    edit(corpus, "alpha", lambda rs: rec(rs, "m1").update(label="PER"))
    report = validate(corpus, [corpus.entities_path])
    assert report.scope == "corpus"
    assert [f.code for f in report.findings] == ["not-in-vocabulary"]


# ------------------------------------------------------------------------------ hints


@pytest.mark.parametrize(
    ("raw", "start", "end", "text", "hint"),
    [
        ("a 🙂 Gaza b", 5, 9, "Gaza", "UTF-16 code units"),
        ("é Gaza", 3, 7, "Gaza", "UTF-8 bytes"),
        ("one\r\ntwo", 0, 8, "one\ntwo", "line endings"),
        ("café", 0, 4, "cafe\u0301", "NFD"),
        ("the Gaza strip", 5, 9, "Gaza", "shifted by -1"),
        ("nothing alike", 0, 4, "Gaza", None),
    ],
)
def test_quote_mismatch_hints(raw: str, start: int, end: int, text: str, hint: str | None) -> None:
    found = quote_hint(raw, start, end, text)
    if hint is None:
        assert found is None
    else:
        assert found is not None and hint in found


# ------------------------------------------------------------------------------ real corpus


@pytest.mark.parametrize("engine", ENGINES)
def test_the_real_corpus_is_valid(repo: Repo, engine: str) -> None:
    report = validate(repo, engine=engine)
    assert report.errors == [], report.render()
    assert report.files_checked >= 4


def test_a_damaged_copy_of_the_real_corpus_is_caught(repo_copy: Repo) -> None:
    path = repo_copy.annotation_files()[0]
    lines = path.read_bytes().split(b"\n")
    record = json.loads(lines[3])
    record["start"] = record.get("start", 0) + 1
    lines[3] = json.dumps(record, ensure_ascii=False, separators=(", ", ": ")).encode()
    path.write_bytes(b"\n".join(lines))
    reports = [validate(repo_copy, engine=e) for e in ENGINES]
    assert reports[0].keys() == reports[1].keys()
    assert reports[0].exit_code == 1
    assert {f.line for f in reports[0].errors} == {4}


# ------------------------------------------------------------------------------ synth


def test_synth_is_deterministic_valid_and_in_the_repository_layout(tmp_path: Path) -> None:
    a = synth_corpus(Repo(ROOT), tmp_path / "a", docs=4, seed=3)
    b = synth_corpus(Repo(ROOT), tmp_path / "b", docs=4, seed=3)
    assert snapshot(a.path) == snapshot(b.path)
    assert a.mentions / a.docs > 50 and a.claims / a.docs > 5
    layout = Repo(a.path)
    assert len(layout.annotation_files()) == 4 and layout.entities_path.is_file()
    text = b"".join(p.read_bytes() for p in layout.raw_dir.glob("*.txt")).decode()
    assert any(ord(ch) > 0xFFFF for ch in text) or any(ord(ch) > 127 for ch in text)
    report = validate(layout)
    assert report.errors == [], report.render()


def test_synth_refuses_a_folder_with_files(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "keep.txt").write_text("x")
    code, out = invoke("synth", "--docs", "2", "--out", str(tmp_path / "out"), "--root", str(ROOT))
    assert code == 2 and "out-not-empty" in out
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["keep.txt"]


def test_an_unannotated_raw_file_is_an_error(corpus: Repo) -> None:
    write_raw(corpus, "gamma", b"Another article.\n")
    assert [f.code for f in validate(corpus).errors] == ["raw-unannotated"]


def test_a_named_file_whose_name_is_not_utf8_is_a_usage_error(corpus: Repo) -> None:
    path = os.path.join(os.fsencode(corpus.annotated_dir), b"\xff.jsonl")
    with open(path, "wb") as fh:
        fh.write(corpus.annotation_path("alpha").read_bytes())
    with pytest.raises(IsfError) as err:
        validate(corpus, [Path(os.fsdecode(path))])
    assert err.value.exit_code == 2 and "\\xff" in str(err.value.path)
    assert [f.code for f in validate(corpus).findings] == ["file-name-not-utf8"]
