"""Written files follow the umask (0644 files and 0755 folders under umask 022), and a file
rewritten in place keeps its mode: fmt, ingest, build, release, render, stats plots and
exports, run in-process under a set umask."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from isf_claims.cli import app
from isf_claims.fsutil import atomic_write_bytes, umask
from isf_claims.release.versioning import make_release
from test_pinning import git_corpus
from test_release_fixtures import copy_corpus

runner = CliRunner()
KAZ = "kazinform_uk-officers-join-gaza-stabilization-effort"


@pytest.fixture
def mask022() -> Iterator[None]:
    old = os.umask(0o022)
    yield
    os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def modes(folder: Path) -> set[tuple[str, int]]:
    """(kind, mode) of the folder and everything under it."""
    out = {("dir", mode(folder))}
    for p in folder.rglob("*"):
        out.add(("dir" if p.is_dir() else "file", mode(p)))
    return out


def run(*args: str) -> None:
    done = runner.invoke(app, list(args))
    assert done.exit_code == 0, done.output


def test_umask_is_read_without_changing_it() -> None:
    old = os.umask(0o027)
    try:
        assert umask() == 0o027 and umask() == 0o027
        assert os.umask(0o027) == 0o027
    finally:
        os.umask(old)


def test_atomic_writes_follow_the_umask_and_keep_a_files_mode(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        atomic_write_bytes(tmp_path / "new" / "a.txt", b"a")
        assert mode(tmp_path / "new" / "a.txt") == 0o640 and mode(tmp_path / "new") == 0o750
        (tmp_path / "b.txt").write_bytes(b"b")
        os.chmod(tmp_path / "b.txt", 0o664)
        atomic_write_bytes(tmp_path / "b.txt", b"bb")
        assert mode(tmp_path / "b.txt") == 0o664
    finally:
        os.umask(old)


def test_every_command_that_writes(tmp_path: Path, mask022: None) -> None:
    repo = copy_corpus(tmp_path / "corpus")
    root = str(repo.root)
    # fmt rewrites a 0644 file that is not canonical: still 0644
    path = repo.annotation_path(KAZ)
    lines = [json.dumps(json.loads(line)) for line in path.read_text("utf-8").splitlines()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.chmod(path, 0o644)
    run("fmt", "--root", root)
    assert runner.invoke(app, ["fmt", "--check", "--root", root]).exit_code == 0
    assert mode(path) == 0o644
    # ingest: the raw file, its metadata and its annotation file
    src = tmp_path / "article.txt"
    src.write_bytes(b"An article.\n")
    os.chmod(src, 0o600)
    run("ingest", str(src), "--id", "new-article", "--root", root)
    written = [f("new-article") for f in (repo.raw_path, repo.meta_path, repo.annotation_path)]
    assert [mode(p) for p in written] == [0o644] * 3
    for p in written:
        p.unlink()
    # build, render, stats --plots, an export
    run("build", "--root", root, "--out", str(tmp_path / "dist"))
    run("render", "--root", root, "--out", str(tmp_path / "site"))
    run("stats", "--root", root, "--plots", str(tmp_path / "plots"))
    run("export", "labelstudio", "--root", root, "--out", str(tmp_path / "ls"))
    for out in ("dist", "site", "plots", "ls"):
        assert modes(tmp_path / out) == {("dir", 0o755), ("file", 0o644)}, out


def test_release_writes_changelog_and_dataset_json_readable(tmp_path: Path, mask022: None):
    repo = git_corpus(tmp_path / "corpus")
    released = make_release(repo, "1.0.0", repo.root / "dist")
    assert mode(repo.root / "CHANGELOG.md") == mode(repo.root / "dataset.json") == 0o644
    assert modes(released.folder) == {("dir", 0o755), ("file", 0o644)}
