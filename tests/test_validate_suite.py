"""The bad-input suite: every corruption gives exactly its code (no cascade), the same
findings from both engines, the right exit code from the CLI, and no file changes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import snapshot
from engine_agreement import assert_same_reports
from isf_claims.cli import app
from isf_claims.codebook import CHECKS
from isf_claims.repo import Repo
from isf_claims.validation import ENGINES, validate
from validation_cases import CASES, alpha_file, edit_bytes, make_corpus

runner = CliRunner()


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_corpus(tmp_path_factory.mktemp("base") / "corpus").root


def fresh(base: Path, tmp_path: Path) -> Repo:
    shutil.copytree(base, tmp_path / "corpus")
    return Repo(tmp_path / "corpus")


@pytest.mark.parametrize("engine", ENGINES)
def test_the_fixture_corpus_is_clean(base: Path, engine: str) -> None:
    report = validate(Repo(base), engine=engine)
    assert report.findings == []
    assert report.exit_code == 0


def test_every_code_has_a_fixture() -> None:
    covered = set().union(*(case.codes for case in CASES))
    assert covered == set(CHECKS)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_bad_input(case, base: Path, tmp_path: Path) -> None:
    repo = fresh(base, tmp_path)
    case.mutate(repo)
    before = snapshot(repo.root)
    reports = {engine: validate(repo, engine=engine) for engine in ENGINES}
    for engine, report in reports.items():
        assert {f.code for f in report.findings} == case.codes, (engine, report.render())
        assert report.exit_code == case.exit_code
    assert reports["pandera"].keys() == reports["frictionless"].keys()
    assert_same_reports(reports, case.name)  # the same words, not only the same codes
    result = runner.invoke(app, ["validate", "--root", str(repo.root)])
    assert result.exit_code == case.exit_code, result.output
    for code in case.codes:
        assert f" {code}: " in result.output
    assert snapshot(repo.root) == before


def test_a_very_long_valid_line_is_accepted_by_both_engines(base: Path, tmp_path: Path) -> None:
    """A line longer than the parser's blocks (Arrow's "straddling object") is valid JSON."""
    repo = fresh(base, tmp_path)
    long_note = b'"note": "' + b"x" * (6 << 20) + b'"'
    edit_bytes(alpha_file, lambda b: b.replace(b'"note": null', long_note, 1))(repo)
    for engine in ENGINES:
        report = validate(repo, engine=engine)
        assert report.findings == [], report.render()


def test_a_huge_span_text_is_clipped_in_the_text_report(base: Path, tmp_path: Path) -> None:
    """A 20 MB span text with a quote mismatch is reported, not printed whole (the JSON
    report keeps the value)."""
    repo = fresh(base, tmp_path)
    huge = "x" * (2 << 20)
    edit_bytes(alpha_file, lambda b: b + _zone_line(huge).encode())(repo)
    result = runner.invoke(app, ["validate", "--root", str(repo.root)])
    assert result.exit_code == 1, result.output[:2000]
    assert " quote-mismatch: " in result.output
    assert len(result.output) < 20_000
    assert "more characters)" in result.output
    report = validate(repo)
    assert any(f.found and len(f.found) > len(huge) for f in report.findings)


def _zone_line(text: str) -> str:
    import json

    rec = {"layer": "zone", "id": "z99", "label": "body", "start": 0, "end": 4, "text": text}
    return json.dumps(rec) + "\n"
