"""``synth`` at scale: a complete repository that ``build`` takes as it is, and the same
bytes for a seed however many worker processes make the documents."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import ROOT, snapshot
from isf_claims import synth
from isf_claims.cli import app
from isf_claims.repo import Repo
from isf_claims.synth import synth_corpus


def test_synth_writes_a_repository_that_build_runs_on(tmp_path: Path) -> None:
    out = tmp_path / "corpus"
    runner = CliRunner()
    res = runner.invoke(app, ["synth", "--docs", "6", "--out", str(out), "--root", str(ROOT)])
    assert res.exit_code == 0, res.output
    meta = json.loads((out / "dataset.json").read_text(encoding="utf-8"))
    assert meta["name"].endswith("-synthetic") and "synthetic" in meta["description"].lower()
    res = runner.invoke(app, ["build", "--root", str(out), "--out", str(tmp_path / "dist")])
    assert res.exit_code == 0, res.output
    folder = tmp_path / "dist" / f"{meta['name']}-{meta['version']}"
    assert (folder / "SHA256SUMS").is_file() and (folder / "README.md").is_file()


def test_worker_processes_give_the_same_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    one = synth_corpus(Repo(ROOT), tmp_path / "one", docs=5, seed=7, workers=1)
    monkeypatch.setattr(synth, "_PARALLEL_FROM", 1)
    monkeypatch.setattr(synth, "_CHUNK", 2)
    two = synth_corpus(Repo(ROOT), tmp_path / "two", docs=5, seed=7, workers=2)
    assert snapshot(one.path) == snapshot(two.path)
    other = synth_corpus(Repo(ROOT), tmp_path / "other", docs=5, seed=8, workers=1)
    assert snapshot(other.path) != snapshot(one.path)
