"""Raw is append-only across history: in a git repository (edits uncommitted, staged or
committed, renames, removals, the pre-commit path), in a fresh and a shallow clone, and in a
plain folder (against the newest release under dist/), in temporary repositories."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from isf_claims.cli import app
from isf_claims.raw import sha256_bytes
from isf_claims.repo import Repo
from isf_claims.validation import validate
from validation_cases import BETA, edit, make_corpus, write_raw, write_release_listing

runner = CliRunner()


def git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def commit(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


def codes(repo: Repo, paths: tuple[str, ...] = ()) -> dict[str, set[str]]:
    """Code -> files of the findings (``paths`` relative to the repository)."""
    findings = validate(repo, [repo.root / p for p in paths]).findings
    return {f.code: {x.file for x in findings if x.code == f.code} for f in findings}


def change_beta(repo: Repo) -> None:
    """Edit beta's text and make its metadata and annotation agree with the edit."""
    data = BETA.replace("Monday.", "Monday. Updated.").encode("utf-8")
    write_raw(repo, "beta", data)
    edit(repo, "beta", lambda rs: rs[0].update(raw_sha256=sha256_bytes(data)))


@pytest.fixture
def git_repo(tmp_path: Path) -> Repo:
    repo = make_corpus(tmp_path / "corpus")
    git(repo.root, "init", "-q", "-b", "main")
    git(repo.root, "config", "user.email", "test@example.org")
    git(repo.root, "config", "user.name", "History Test")
    commit(repo.root, "corpus")
    return repo


def test_an_edit_is_an_error_until_the_bytes_are_back(git_repo: Repo) -> None:
    root = git_repo.root
    assert validate(git_repo).findings == []
    original = git_repo.raw_path("beta").read_bytes()
    change_beta(git_repo)
    assert codes(git_repo) == {"raw-edited": {"raw/beta.txt"}}  # working tree only
    # the pre-commit path: the staged raw file alone
    git(root, "add", "-A")
    assert codes(git_repo, ("raw/beta.txt",)) == {"raw-edited": {"raw/beta.txt"}}
    done = runner.invoke(app, ["validate", "--root", str(root), str(git_repo.raw_path("beta"))])
    assert done.exit_code == 1 and " raw-edited: " in done.output
    # committed anyway (--no-verify): HEAD has the edit, history still knows the original
    git(root, "commit", "-q", "-m", "edit raw")
    assert codes(git_repo) == {"raw-edited": {"raw/beta.txt"}}
    write_raw(git_repo, "beta", original)
    edit(git_repo, "beta", lambda rs: rs[0].update(raw_sha256=sha256_bytes(original)))
    assert validate(git_repo).findings == []


def test_a_rename_and_a_removal(git_repo: Repo) -> None:
    root = git_repo.root
    git(root, "mv", "raw/beta.txt", "raw/gamma.txt")
    found = codes(git_repo, ("raw/gamma.txt",))  # what the hook passes for a rename
    assert found["raw-renamed"] == {"raw/beta.txt"}
    git(root, "mv", "raw/gamma.txt", "raw/beta.txt")
    git(root, "rm", "-q", "raw/beta.txt")
    assert codes(git_repo)["raw-removed"] == {"raw/beta.txt"}


def test_an_added_document_is_fine(git_repo: Repo) -> None:
    write_raw(git_repo, "gamma", b"Gamma.\n")
    assert "raw-edited" not in codes(git_repo) and "raw-removed" not in codes(git_repo)


def test_a_fresh_clone_and_a_shallow_clone(git_repo: Repo, tmp_path: Path) -> None:
    change_beta(git_repo)
    commit(git_repo.root, "edit raw")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(git_repo.root), str(clone)], check=True)
    assert codes(Repo(clone)) == {"raw-edited": {"raw/beta.txt"}}
    # A shallow clone knows history from its oldest commit: the edit is its baseline ...
    shallow = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{git_repo.root}", str(shallow)],
        check=True,
    )
    assert validate(Repo(shallow)).findings == []
    # ... unless a release under dist/ lists the original bytes.
    write_release_listing(Repo(shallow), {"beta": BETA.encode("utf-8")})
    assert codes(Repo(shallow)) == {"raw-edited": {"raw/beta.txt"}}


def test_a_plain_folder_checks_against_the_newest_release(tmp_path: Path) -> None:
    repo = make_corpus(tmp_path / "plain")
    change_beta(repo)
    assert validate(repo).findings == []  # no history, no release: nothing to compare
    write_release_listing(repo, {"beta": b"old\n"}, version="0.9.0")
    write_release_listing(repo, {"beta": BETA.encode("utf-8")}, version="0.10.0")
    assert codes(repo) == {"raw-edited": {"raw/beta.txt"}}
    shutil.rmtree(repo.root / "dist" / "isf-claims-0.10.0")
    assert codes(repo) == {"raw-edited": {"raw/beta.txt"}}  # 0.9.0 is now the newest


def test_build_refuses_an_edited_raw_text(git_repo: Repo, tmp_path: Path) -> None:
    change_beta(git_repo)
    done = runner.invoke(app, ["build", "--root", str(git_repo.root), "--out", str(tmp_path)])
    assert done.exit_code == 1 and "raw-edited" in done.output
    assert not any(tmp_path.glob("isf-claims-*"))
