"""The default engine checks documents a group of files at a time and keeps narrow
columns for the checks across documents: with one file per group it reports exactly what
it reports with every file in one group, on every case of the bad-input suite whose codes
are of levels 3-5 (where documents meet raw files and each other), and when the files are
read twice (most of them declare another schema version than the first)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from isf_claims.codebook import CHECKS
from isf_claims.repo import Repo
from isf_claims.validation import fastparse, validate
from validation_cases import CASES, make_corpus


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_corpus(tmp_path_factory.mktemp("base") / "corpus").root


SELECTED = [
    c
    for c in CASES
    if c.name == "mixed-schema-versions" or any(CHECKS[x].level >= 3 for x in c.codes)
]


@pytest.mark.parametrize("case", SELECTED, ids=lambda c: c.name)
def test_one_file_per_group_reports_the_same(
    case, base: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(base, tmp_path / "corpus")
    repo = Repo(tmp_path / "corpus")
    case.mutate(repo)
    whole = validate(repo)
    monkeypatch.setattr(fastparse, "GROUP_BYTES", 1)
    grouped = validate(repo)
    assert grouped.to_dict() == whole.to_dict()
    assert {f.code for f in grouped.findings} == case.codes
