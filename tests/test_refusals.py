"""Refusals that no other test triggers: each one from the call that makes it, with the code,
the exit status and the fix of its code-book entry (cheap: no corpus is validated)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from isf_claims.cli import app
from isf_claims.codebook import REFUSALS, fix_of
from isf_claims.errors import IsfError

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


def _refused(code: str, call: Callable[[], object]) -> IsfError:
    with pytest.raises(IsfError) as info:
        call()
    err = info.value
    assert err.code == code, err.render()
    assert err.exit_code in REFUSALS[code].exit_codes
    return err


def _cli(code: str, *args: str) -> None:
    res = runner.invoke(app, list(args))
    assert res.exit_code == REFUSALS[code].exit_code, res.output
    assert f"error {code}: " in res.stderr, res.output


def test_bad_format() -> None:
    _cli("bad-format", "checks", "--format", "xml")


def test_unknown_engine() -> None:
    _cli("unknown-engine", "validate", "--root", str(ROOT), "--engine", "nope")


def test_not_a_corpus_path() -> None:
    _cli("not-a-corpus-path", "validate", "--root", str(ROOT), str(ROOT / "README.md"))


def test_bad_docs(tmp_path: Path) -> None:
    _cli("bad-docs", "synth", "--docs", "0", "--out", str(tmp_path / "out"))


def test_bad_version() -> None:
    from isf_claims.release.metadata import parse_version

    err = _refused("bad-version", lambda: parse_version("1.x"))
    assert err.fix == fix_of("bad-version")


def test_dataset_meta_missing_and_invalid(tmp_path: Path) -> None:
    from isf_claims.release.metadata import read_meta_file

    _refused("dataset-meta-missing", lambda: read_meta_file(tmp_path / "dataset.json"))
    (tmp_path / "dataset.json").write_text("{", encoding="utf-8")
    _refused("dataset-meta-invalid", lambda: read_meta_file(tmp_path / "dataset.json"))
    (tmp_path / "dataset.json").write_text(json.dumps({"version": 1}), encoding="utf-8")
    err = _refused("dataset-meta-invalid", lambda: read_meta_file(tmp_path / "dataset.json"))
    assert "'version'" in err.message


def test_schema_missing(tmp_path: Path) -> None:
    from isf_claims.schema import latest_version

    _refused("schema-missing", lambda: latest_version(tmp_path))


def test_release_checksums(tmp_path: Path) -> None:
    from isf_claims.release.checksums import parse_sums

    _refused("release-no-checksums", lambda: parse_sums(tmp_path))
    (tmp_path / "SHA256SUMS").write_text("not a line\n", encoding="utf-8")
    _refused("release-checksums-invalid", lambda: parse_sums(tmp_path))


def test_release_not_found(tmp_path: Path) -> None:
    from isf_claims.release.load import resolve

    _refused("release-not-found", lambda: resolve(path=tmp_path))


def test_texts_not_found(tmp_path: Path) -> None:
    from isf_claims.release.texts import prove

    _refused("texts-not-found", lambda: prove(tmp_path / "nothing", []))


def test_bad_arguments() -> None:
    _cli("bad-arguments", "adjudicate", "--root", str(ROOT))


def test_unknown_spark_master() -> None:
    from isf_claims.validation.backends.spark.session import check_master

    _refused("unknown-spark-master", lambda: check_master("yarn"))


def test_bad_repo_id() -> None:
    from isf_claims.release.publish import plan_publish

    _refused("bad-repo-id", lambda: plan_publish("no-owner", None, None))


def test_cue_lexicon_missing(tmp_path: Path) -> None:
    from isf_claims.baselines.claims_rules import load_lexicon

    err = _refused("cue-lexicon-missing", lambda: load_lexicon(tmp_path))
    assert "schema/cue_lexicon.json" in err.fix


def test_texts_invalid(tmp_path: Path) -> None:
    from isf_claims.release.texts import prove

    texts = tmp_path / "texts.jsonl"
    texts.write_text('{"doc_id": 1}\n', encoding="utf-8")
    _refused("texts-invalid", lambda: prove(texts, []))
