"""Schema migration proven end to end on a test-only schema version (tests/fixtures/schema/
1.3.0): renamed, merged and split values, a renamed field and a new field with a default."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from conftest import snapshot
from isf_claims.cli import app
from isf_claims.convert import export_corpus, import_annotations
from isf_claims.convert.anchoring import check_corpus
from isf_claims.corpus import load_corpus
from isf_claims.migrate import plan
from isf_claims.repo import Repo

FIXTURE = Path(__file__).parent / "fixtures" / "schema" / "1.3.0"
runner = CliRunner()


@pytest.fixture
def repo12(repo_copy: Repo) -> Repo:
    """The real corpus (schema 1.2.0) in a repo that also keeps the test-only 1.3.0."""
    shutil.copytree(FIXTURE, repo_copy.schema_dir / "1.3.0")
    return repo_copy


def run(repo: Repo, *args: str) -> tuple[int, str, str]:
    res = runner.invoke(app, ["migrate", *args, "--root", str(repo.root)])
    return res.exit_code, res.stdout, res.stderr


def _claims(repo: Repo) -> pl.DataFrame:
    return pl.from_arrow(load_corpus(repo)["claims"])


def test_older_version_still_loads_when_a_newer_is_kept(repo12: Repo) -> None:
    corpus = load_corpus(repo12)
    assert corpus.schema.version == "1.2.0"
    check_corpus(corpus)


def test_migrate_end_to_end(repo12: Repo, tmp_path: Path) -> None:
    before = _claims(repo12)
    code, out, err = run(repo12, "--to", "1.3.0")
    assert code == 0, err
    assert "applied decision: merge_values" in out and "applied decision: split_value" in out
    corpus = load_corpus(repo12)
    assert corpus.schema.version == "1.3.0"
    check_corpus(corpus)
    for path in repo12.annotation_files():
        assert json.loads(path.read_text().splitlines()[0])["schema_version"] == "1.3.0"
    after = pl.from_arrow(corpus["claims"])
    assert after.height == before.height
    assert after["content_text"].to_list() == before["content_text"].to_list()
    assert after["comment"].to_list() == before["note"].to_list()
    assert set(after["certainty"].to_list()) == {"unstated"}
    old_cc = before["cue_commitment"].replace({"hedged": "hedging"}).to_list()
    assert after["cue_commitment"].to_list() == old_cc
    assert (
        after["claim_type"].to_list()
        == before["claim_type"].replace({"warning": "evaluation"}).to_list()
    )
    assert (
        after["source_type"].to_list()
        == before["source_type"].replace({"anonymous": "anonymous_other"}).to_list()
    )
    # mentions, zones, entities, clusters come through unchanged
    assert load_corpus(repo12)["mentions"].num_rows > 0
    # the converters follow the new schema: a Label Studio round trip is still lossless
    files = {p: p.read_bytes() for p in repo12.annotated_dir.iterdir()}
    export_corpus(repo12, "labelstudio", tmp_path / "ls")
    assert "claim_certainty" in (tmp_path / "ls" / "config.xml").read_text()
    assert import_annotations(repo12, "labelstudio", tmp_path / "ls") == []
    assert {p: p.read_bytes() for p in repo12.annotated_dir.iterdir()} == files
    # a second run has nothing to do; going back is refused
    assert "nothing to migrate" in run(repo12, "--to", "1.3.0")[1]
    code, _, err = run(repo12, "--to", "1.1.0")
    assert code == 2 and "migration-backwards" in err


def _edit_mapping(repo: Repo, edit) -> None:
    path = repo.schema_dir / "1.3.0" / "migration.json"
    spec = json.loads(path.read_text())
    edit(spec["changes"])
    path.write_text(json.dumps(spec))


@pytest.mark.parametrize(
    "edit, code, words",
    [
        (lambda ch: ch[1].pop("decision"), "migration-lossy", "merge_values) records no decision"),
        (lambda ch: ch[2].update(decision=" "), "migration-lossy", "split_value"),
        (lambda ch: ch.pop(0), "migration-invalid", "values hedged map to nothing"),
        (lambda ch: ch.pop(4), "migration-invalid", "claim.certainty is not declared"),
        (lambda ch: ch.pop(3), "migration-invalid", "claim.note has no place"),
        (lambda ch: ch[4].update(default="maybe"), "migration-invalid", "not in certainty"),
    ],
)
def test_bad_mappings_are_refused_and_nothing_changes(repo12: Repo, edit, code, words) -> None:
    _edit_mapping(repo12, edit)
    before = snapshot(repo12.root)
    rc, _, err = run(repo12, "--to", "1.3.0")
    assert rc == 1 and code in err and words in err, err
    assert snapshot(repo12.root) == before


def test_dry_run_writes_nothing(repo12: Repo) -> None:
    before = snapshot(repo12.root)
    code, out, _ = run(repo12, "--to", "1.3.0", "--dry-run")
    assert code == 0 and "would write annotated/" in out
    assert snapshot(repo12.root) == before


def test_migrate_another_annotation_folder_only(repo12: Repo) -> None:
    other = repo12.root / "annotator-b"
    shutil.copytree(repo12.annotated_dir, other)
    before = snapshot(repo12.annotated_dir)
    code, _, err = run(repo12, str(other), "--to", "1.3.0")
    assert code == 0, err
    assert snapshot(repo12.annotated_dir) == before
    first = next(
        p for p in other.glob("*.jsonl") if p.name not in ("entities.jsonl", "clusters.jsonl")
    )
    assert '"schema_version": "1.3.0"' in first.read_text().splitlines()[0]
    code, _, err = run(repo12, str(repo12.annotation_files()[0]), "--to", "1.3.0")
    assert code == 2 and "migrate-partial" in err


def test_plan_without_mapping_file_is_a_usage_error(repo12: Repo) -> None:
    (repo12.schema_dir / "1.3.0" / "migration.json").unlink()
    with pytest.raises(Exception) as err:
        plan(repo12.schema_dir, "1.2.0", "1.3.0")
    assert getattr(err.value, "code", None) == "migration-missing"


def test_project_validation_accepts_both_kept_versions(repo12: Repo) -> None:
    validation = pytest.importorskip("isf_claims.validation")
    if not hasattr(validation, "validate"):
        pytest.skip("isf_claims.validation has no validate() yet")
    assert validation.validate(repo12).ok  # files on 1.2.0 while 1.3.0 is kept
    assert run(repo12, "--to", "1.3.0")[0] == 0
    report = validation.validate(repo12)
    assert report.ok and report.schema_version == "1.3.0"


def test_a_folder_named_like_an_annotation_file_is_refused_with_its_code(
    repo_copy: Repo,
) -> None:
    """``annotated/x.jsonl`` as a folder: not-a-regular-file (exit 1), not an unknown
    document (exit 2); nothing written."""
    (repo_copy.annotated_dir / "x.jsonl").mkdir()
    before = snapshot(repo_copy.root)
    code, out, err = run(repo_copy, "--dry-run")
    assert code == 1, out + err
    assert "not-a-regular-file" in out + err
    assert "unknown-document" not in out + err
    assert snapshot(repo_copy.root) == before
