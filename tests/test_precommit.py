"""The pre-commit hook, with the real ``pre-commit`` tool in a temporary git repository: a bad
annotation blocks the commit and names the finding, a good one passes, nothing is rewritten.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, snapshot
from isf_claims.raw import sha256_bytes
from isf_claims.repo import Repo
from validation_cases import edit, make_corpus, rec, write_raw

HOOKS = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
CONFIG = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
BIN = ROOT / ".venv" / "bin"
pytestmark = pytest.mark.skipif(not shutil.which("git"), reason="git is needed")


def _hook() -> dict:
    (hook,) = [h for h in HOOKS if h["id"] == "isf-claims-validate"]
    return hook


def _run(cmd: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def _git_env(tmp_path: Path, path: str) -> dict[str, str]:
    """Environment for git and pre-commit in a temporary repository: a private pre-commit
    home, a committer identity, ``path`` as PATH, no corpus root from outside."""
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.invalid",
        "PATH": path,
    }
    env.pop("ISF_CLAIMS_ROOT", None)
    return env


@pytest.fixture
def git_repo(tmp_path: Path) -> tuple[Repo, dict[str, str]]:
    """A corpus under git with pre-commit installed, using the hook as published (only the
    entry points at this checkout's installed command instead of a pre-commit-built env)."""
    repo = make_corpus(tmp_path / "corpus")
    hook = {**_hook(), "language": "unsupported", "entry": f"{BIN / 'isf-claims'} validate"}
    config = {"repos": [{"repo": "local", "hooks": [hook]}]}
    (repo.root / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    env = _git_env(tmp_path, f"{BIN}:{os.environ.get('PATH', '')}")
    for cmd in (
        ["git", "init", "-q", "-b", "main"],
        [str(BIN / "pre-commit"), "install"],
        ["git", "add", "-A"],
        ["git", "commit", "-q", "-m", "corpus"],
    ):
        done = _run(cmd, repo.root, env)
        assert done.returncode == 0, done.stdout + done.stderr
    return repo, env


def test_a_bad_annotation_blocks_the_commit(git_repo: tuple[Repo, dict[str, str]]) -> None:
    repo, env = git_repo
    head = _run(["git", "rev-parse", "HEAD"], repo.root, env).stdout
    edit(repo, "beta", lambda rs: rec(rs, "m2").update(label="COUNTRY"))
    _run(["git", "add", "annotated/beta.jsonl"], repo.root, env)
    before = snapshot(repo.root)
    done = _run(["git", "commit", "-m", "bad label"], repo.root, env)
    out = done.stdout + done.stderr  # git shows hook output on stderr
    assert done.returncode != 0
    assert "annotated/beta.jsonl:" in out
    assert "not-in-vocabulary" in out
    assert _run(["git", "rev-parse", "HEAD"], repo.root, env).stdout == head
    assert snapshot(repo.root) == before


def test_a_good_annotation_passes(git_repo: tuple[Repo, dict[str, str]]) -> None:
    repo, env = git_repo
    edit(repo, "beta", lambda rs: rec(rs, "c1").update(note="Checked against the guidelines."))
    _run(["git", "add", "annotated/beta.jsonl"], repo.root, env)
    done = _run(["git", "commit", "-m", "note"], repo.root, env)
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    assert "isf-claims validate" in out and "Passed" in out


def test_a_changed_raw_file_blocks_the_commit(git_repo: tuple[Repo, dict[str, str]]) -> None:
    repo, env = git_repo
    repo.raw_path("beta").write_bytes(repo.raw_path("beta").read_bytes() + b"Edited.\n")
    _run(["git", "add", "raw/beta.txt"], repo.root, env)
    done = _run(["git", "commit", "-m", "edit raw"], repo.root, env)
    assert done.returncode != 0
    assert "raw-changed" in done.stdout + done.stderr


def test_an_edited_raw_text_blocks_the_commit_whatever_the_annotation_says(
    git_repo: tuple[Repo, dict[str, str]],
) -> None:
    repo, env = git_repo
    data = repo.raw_path("beta").read_bytes() + b"Edited.\n"
    write_raw(repo, "beta", data)
    edit(repo, "beta", lambda rs: rs[0].update(raw_sha256=sha256_bytes(data)))
    _run(["git", "add", "-A"], repo.root, env)
    done = _run(["git", "commit", "-m", "edit raw"], repo.root, env)
    out = done.stdout + done.stderr
    assert done.returncode != 0 and "raw-edited" in out and "raw-changed" not in out


def test_the_hook_matches_corpus_files_only() -> None:
    files = re.compile(_hook()["files"])
    for path in (
        "annotated/a.jsonl",
        "annotated/entities.jsonl",
        "raw/a.txt",
        "raw/a.meta.json",
        "schema/1.0.0/schema.json",
    ):
        assert files.search(path), path
    for path in ("README.md", "tests/x.jsonl", "annotated/sub/a.jsonl", "raw/a.pdf"):
        assert not files.search(path), path
    assert _hook()["require_serial"] is True


def test_this_repository_uses_the_hook_and_keeps_fixers_off_raw() -> None:
    assert [r["repo"] for r in CONFIG["repos"]] == ["local"]  # nothing fetched: works offline
    hooks = CONFIG["repos"][0]["hooks"]
    (hook,) = [h for h in hooks if h["id"] == "isf-claims-validate"]
    for key in ("files", "pass_filenames", "require_serial"):
        assert hook[key] == _hook()[key]
    fixers = [h for h in hooks if h["id"] != "isf-claims-validate"]
    fixer_ids = {"trailing-whitespace", "end-of-file-fixer", "mixed-line-ending"}
    assert {h["id"] for h in fixers} == fixer_ids
    for h in fixers:
        assert re.search(h["exclude"], "raw/2025-10-16_x.txt"), h["id"]
        assert not re.search(h["exclude"], "annotated/x.jsonl"), h["id"]
        assert (ROOT / h["entry"]).is_file(), h["entry"]  # installed by the dev extra


def test_the_repository_config_runs_offline(tmp_path: Path) -> None:
    """`pre-commit run --all-files` on this repository's tracked files with its own config,
    an empty pre-commit home and every proxy pointing at a closed port: nothing can be
    fetched, and every hook runs and passes; a trailing space is then fixed (outside raw/
    only)."""
    listed = _run(["git", "ls-files", "-z"], ROOT, dict(os.environ))
    if listed.returncode != 0:
        pytest.skip("this project is not a git checkout")
    copy = tmp_path / "repo"
    for rel in filter(None, listed.stdout.split("\0")):
        if (ROOT / rel).is_file():
            (copy / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / rel, copy / rel)
    (copy / ".venv").symlink_to(ROOT / ".venv")
    env = _git_env(tmp_path, os.environ.get("PATH", ""))
    closed = "http://127.0.0.1:9"
    env.update({k: closed for k in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY")})
    env.update({"ALL_PROXY": closed, "GIT_ALLOW_PROTOCOL": "file", "PIP_NO_INDEX": "1"})
    for cmd in (["git", "init", "-q", "-b", "main"], ["git", "add", "-A"]):
        assert _run(cmd, copy, env).returncode == 0
    (copy / ".git" / "info" / "exclude").write_text(".venv\n")
    _run(["git", "rm", "-q", "--cached", ".venv"], copy, env)
    pre_commit = [str(BIN / "pre-commit"), "run", "--all-files"]
    done = _run(pre_commit, copy, env)
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    for name in ("trim trailing whitespace", "fix end of files", "mixed line ending"):
        assert re.search(rf"{name}\.+Passed", out), out
    assert re.search(r"isf-claims validate\.+Passed", out), out
    assert not (tmp_path / "pre-commit-home" / "repos").exists()
    raw = next((copy / "raw").glob("*.txt"))
    raw_before = raw.read_bytes()
    (copy / "notes.md").write_text("trailing space \n")
    _run(["git", "add", "-A"], copy, env)
    done = _run(pre_commit, copy, env)
    assert done.returncode == 1 and (copy / "notes.md").read_text() == "trailing space\n"
    assert raw.read_bytes() == raw_before


def test_the_published_hook_installs_itself_and_blocks_a_bad_commit(tmp_path: Path) -> None:
    """What another repository gets from ``.pre-commit-hooks.yaml``: pre-commit clones this
    repository at a commit, installs it into a virtualenv of its own (``language: python``,
    from the package registry) and runs the hook there, with nothing of this checkout's
    .venv on the PATH."""
    head = _run(["git", "rev-parse", "HEAD"], ROOT, dict(os.environ))
    if head.returncode != 0:
        pytest.skip("this project is not a git checkout")
    repo = make_corpus(tmp_path / "corpus")
    config = {
        "repos": [{"repo": str(ROOT), "rev": head.stdout.strip(), "hooks": [{"id": _hook()["id"]}]}]
    }
    (repo.root / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    path = [p for p in os.environ.get("PATH", "").split(os.pathsep) if Path(p) != BIN]
    env = _git_env(tmp_path, os.pathsep.join(path))
    env.pop("VIRTUAL_ENV", None)
    pre_commit = str(BIN / "pre-commit")
    for cmd in (
        ["git", "init", "-q", "-b", "main"],
        [pre_commit, "install"],
        [pre_commit, "install-hooks"],  # builds the hook's own environment
        ["git", "add", "-A"],
        ["git", "commit", "-q", "-m", "corpus"],  # the hook runs on every file and passes
    ):
        done = subprocess.run(
            cmd, cwd=repo.root, env=env, capture_output=True, text=True, timeout=1500
        )
        assert done.returncode == 0, (cmd, done.stdout + done.stderr)
    edit(repo, "beta", lambda rs: rec(rs, "m2").update(label="COUNTRY"))
    _run(["git", "add", "annotated/beta.jsonl"], repo.root, env)
    done = _run(["git", "commit", "-m", "bad label"], repo.root, env)
    assert done.returncode != 0
    assert "not-in-vocabulary" in done.stdout + done.stderr
