"""Shared fixtures: the real repository, throw-away copies of it, and byte snapshots."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from isf_claims.repo import Repo

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (relative path -> bytes), to prove nothing was modified."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.parts
    }


@pytest.fixture(scope="session")
def repo() -> Repo:
    """The real corpus repository (read only)."""
    return Repo(ROOT)


@pytest.fixture
def repo_copy(tmp_path: Path) -> Repo:
    """A writable copy of the corpus (raw/, annotated/, schema/)."""
    dest = tmp_path / "corpus"
    for name in ("raw", "annotated", "schema"):
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, dest / name)
    (dest / "annotated").mkdir(exist_ok=True)
    return Repo(dest)
