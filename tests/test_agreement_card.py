"""A second annotation set (double-annotated/) is validated before `agree` or `build` use it,
and the card and Croissant's RAI fields say one thing about agreement."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import snapshot
from isf_claims.agreement.loading import FolderRepo
from isf_claims.cli import app
from isf_claims.release import card
from isf_claims.release.build import SECOND_SET, build_release
from isf_claims.repo import Repo
from test_release_fixtures import copy_corpus
from validation_cases import edit, rec

runner = CliRunner()
KAZ = "kazinform_uk-officers-join-gaza-stabilization-effort"
NONE = "No document has a second, independent annotation set"
SOME = "A second, independent annotation set covers 2 documents"


@pytest.fixture
def corpus(tmp_path: Path) -> Repo:
    return copy_corpus(tmp_path / "corpus")


def double(repo: Repo) -> Path:
    folder = repo.root / SECOND_SET
    shutil.copytree(repo.annotated_dir, folder)
    return folder


def said_about_agreement(folder: Path) -> tuple[str, str]:
    readme = (folder / "README.md").read_text(encoding="utf-8")
    rai = json.loads((folder / "croissant.json").read_text(encoding="utf-8"))
    rai_text = rai["rai:annotatorDemographics"] + rai["rai:dataLimitations"]
    return readme, rai_text


def test_one_annotation_set_the_card_and_croissant_agree(corpus: Repo, tmp_path: Path) -> None:
    readme, rai = said_about_agreement(build_release(corpus, tmp_path / "out").folder)
    assert readme.count(NONE) == 3 and NONE in rai  # two prose places and the statistics
    assert SOME[:40] not in readme + rai and card.AGREEMENT_MARKER not in readme


def test_two_annotation_sets_the_card_and_croissant_agree(corpus: Repo, tmp_path: Path) -> None:
    double(corpus)
    result = build_release(corpus, tmp_path / "out")
    readme, rai = said_about_agreement(result.folder)
    assert readme.count(SOME) == 3 and SOME in rai
    assert NONE not in readme + rai and "double-annotated" not in rai
    assert result.report["agreement"]["documents"] == [
        "2025-10-16_us-pushes-international-force-gaza",
        KAZ,
    ]


def test_an_invalid_second_set_is_refused_with_its_findings(corpus: Repo, tmp_path: Path) -> None:
    folder = double(corpus)
    second = FolderRepo(corpus.root, folder)
    edit(second, KAZ, lambda rs: rec(rs, "m1", "mention").update(label="PER"))
    before = snapshot(corpus.root)
    out = tmp_path / "out"
    done = runner.invoke(app, ["build", "--root", str(corpus.root), "--out", str(out)])
    assert done.exit_code == 1, done.output
    assert "annotation-set-invalid" in done.output and "not-in-vocabulary" in done.output
    assert f"{SECOND_SET}/{KAZ}.jsonl" in done.output
    assert not out.exists() or not any(out.iterdir())
    args = [str(corpus.annotated_dir), str(folder), "--root", str(corpus.root)]
    done = runner.invoke(app, ["agree", *args])
    assert done.exit_code == 1 and "annotation-set-invalid" in done.output
    assert snapshot(corpus.root) == before
