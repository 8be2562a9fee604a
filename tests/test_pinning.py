"""Pinning a version: the first release must be dataset.json's version; a tag rebuilt from a
clone gives the same bytes; a release folder as the hub serves it (with its housekeeping
files) loads, while any other file not in SHA256SUMS is still refused."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import datasets
import pytest
from huggingface_hub import _local_folder as hub_local
from typer.testing import CliRunner

import isf_claims
from conftest import snapshot
from isf_claims.cli import app
from isf_claims.errors import IsfError
from isf_claims.release import checksums
from isf_claims.release.build import BuildResult, build_release
from isf_claims.release.versioning import make_release
from isf_claims.repo import Repo
from test_release_fixtures import copy_corpus

pytest_plugins = ["test_release_fixtures"]
runner = CliRunner()
HUB_GITATTRIBUTES = (
    "*.7z filter=lfs diff=lfs merge=lfs -text\n"
    "*.arrow filter=lfs diff=lfs merge=lfs -text\n"
    "*.parquet filter=lfs diff=lfs merge=lfs -text\n"
)


def git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def git_corpus(root: Path) -> Repo:
    """A copy of the real corpus (dataset.json says 1.0.0) committed in a new git repo."""
    repo = copy_corpus(root)
    (root / "CHANGELOG.md").write_text("# Changelog\n\n## Unreleased\n\n", encoding="utf-8")
    (root / ".gitignore").write_text("/dist/\n", encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "test@example.org")
    git(root, "config", "user.name", "Pinning Test")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "corpus")
    return repo


def test_the_first_release_is_dataset_json_s_version_and_a_tag_rebuilds_it(
    tmp_path: Path,
) -> None:
    repo = git_corpus(tmp_path / "corpus")
    declared = json.loads((repo.root / "dataset.json").read_text())["version"]
    assert declared == "1.0.0"
    before = snapshot(repo.root)
    with pytest.raises(IsfError) as err:
        make_release(repo, "2.0.0", repo.root / "dist")
    assert err.value.code == "wrong-first-version" and err.value.expected == "1.0.0"
    done = runner.invoke(app, ["release", "--version", "0.1.0", "--root", str(repo.root)])
    assert done.exit_code == 1 and "wrong-first-version" in done.output
    assert snapshot(repo.root) == before and git(repo.root, "tag", "--list") == ""

    released = make_release(repo, "1.0.0", repo.root / "dist")
    assert git(repo.root, "tag", "--list").split() == ["v1.0.0"]
    # Downstream, before the hub exists: clone the tag, build, get the same bytes.
    clone = tmp_path / "pinned"
    git(tmp_path, "clone", "-q", "--branch", "v1.0.0", str(repo.root), str(clone))
    rebuilt = build_release(Repo(clone), clone / "dist")
    assert rebuilt.folder.name == "isf-claims-1.0.0"
    sums = checksums.SUMS_FILE
    assert (rebuilt.folder / sums).read_bytes() == (released.folder / sums).read_bytes()


def hub_snapshot(release: BuildResult, dest: Path) -> Path:
    """``release`` as huggingface_hub's snapshot_download(local_dir=dest) leaves it: the
    hub's .gitattributes and the download metadata under .cache/huggingface/."""
    shutil.copytree(release.folder, dest)
    (dest / ".gitattributes").write_text(HUB_GITATTRIBUTES, encoding="utf-8")
    for rel in [*checksums.listed_files(dest)]:
        hub_local.get_local_download_paths(dest, rel)  # makes .cache/huggingface/ (.gitignore)
        hub_local.write_download_metadata(dest, rel, "0" * 40, "etag-" + rel.replace("/", "-"))
    return dest


def test_a_hub_snapshot_loads_and_other_files_are_refused(
    release: BuildResult, tmp_path: Path, hf_cache: Path
) -> None:
    folder = hub_snapshot(release, tmp_path / "snapshot")
    housekeeping = [p for p in checksums.listed_files(folder) if checksums.is_housekeeping(p)]
    assert ".gitattributes" in housekeeping and len(housekeeping) > 5
    assert any(p.startswith(".cache/huggingface/download/") for p in housekeeping)
    ds = isf_claims.load("mentions", path=folder, cache_dir=hf_cache)
    assert set(ds) == {"train", "validation", "test"}
    direct = datasets.load_dataset(str(folder), "documents", cache_dir=str(hf_cache))
    assert direct["train"].num_rows == ds_rows(release, "documents", "train")

    for extra in ("data/documents/extra.parquet", ".cache/other.txt", ".gitattributes.bak"):
        path = folder / extra
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
        with pytest.raises(IsfError) as err:
            isf_claims.load("mentions", path=folder, cache_dir=hf_cache)
        assert err.value.code == "release-tampered" and f"not listed: {extra}" in err.value.found
        path.unlink()


def ds_rows(release: BuildResult, config: str, split: str) -> int:
    report = json.loads((release.folder / "build-report.json").read_text())
    return report["rows"][config][split]


def test_load_takes_a_relative_path_such_as_the_current_folder(
    release: BuildResult, hf_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``path="."`` inside a release folder (its name is empty: datasets raised a ValueError)."""
    monkeypatch.chdir(release.folder)
    ds = isf_claims.load("documents", path=".", cache_dir=hf_cache)
    assert ds["train"].num_rows == ds_rows(release, "documents", "train")
