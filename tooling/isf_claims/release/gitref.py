"""The git operations releases need: export a ref's corpus, list release tags, commit, tag.

A ref's corpus is exported with ``git archive`` (raw/, annotated/, schema/, dataset.json,
DATACARD.md: whichever exist at that ref) into a temporary folder, so nothing in the working
tree is touched.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
from pathlib import Path

from isf_claims.errors import refuse
from isf_claims.release.metadata import SEMVER_RE, parse_version

CORPUS_PATHS = ("raw", "annotated", "schema", "dataset.json", "DATACARD.md")
TAG_PREFIX = "v"


def git(root: Path, *args: str, data: bytes | None = None) -> bytes:
    """Run git in ``root``; a failure is a usage error carrying git's message."""
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args], input=data, capture_output=True, check=False
        )
    except FileNotFoundError as exc:
        raise refuse("git-missing") from exc
    if done.returncode != 0:
        raise refuse(
            "git-failed",
            path=str(root),
            found=done.stderr.decode("utf-8", "replace").strip()[:500],
            command=" ".join(args[:2]),
        )
    return done.stdout


def is_ref(root: Path, ref: str) -> bool:
    """Whether ``ref`` names a commit in the repository at ``root``."""
    done = subprocess.run(
        ["git", "-C", str(root), "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"],
        capture_output=True,
        check=False,
    )
    return done.returncode == 0


def export_ref(root: Path, ref: str, dest: Path) -> Path:
    """Extract the corpus files of ``ref`` into ``dest``; return ``dest``."""
    if not is_ref(root, ref):
        raise refuse(
            "unknown-ref",
            path=str(root),
            expected="a release folder, a tag such as v1.0.0, a branch or a commit",
            found=ref,
            ref=ref,
        )
    listed = git(root, "ls-tree", "--name-only", ref).decode().split()
    paths = [p for p in CORPUS_PATHS if p in listed]
    dest.mkdir(parents=True, exist_ok=True)
    if paths:
        data = git(root, "archive", "--format=tar", ref, "--", *paths)
        with tarfile.open(fileobj=io.BytesIO(data)) as tar:
            tar.extractall(dest, filter="data")
    for name in ("raw", "annotated", "schema"):
        (dest / name).mkdir(exist_ok=True)
    return dest


def release_tags(root: Path) -> list[str]:
    """Versions with a ``vX.Y.Z`` tag, oldest first."""
    tags = git(root, "tag", "--list", f"{TAG_PREFIX}*").decode().split()
    versions = [t[len(TAG_PREFIX) :] for t in tags if SEMVER_RE.match(t[len(TAG_PREFIX) :])]
    return sorted(versions, key=parse_version)


def dirty_paths(root: Path, paths: tuple[str, ...]) -> list[str]:
    """Uncommitted changes (tracked or not) under ``paths``."""
    out = git(root, "status", "--porcelain", "--untracked-files=all", "--", *paths)
    return [line[3:] for line in out.decode().splitlines() if line.strip()]


def commit_and_tag(root: Path, paths: list[str], message: str, tag: str) -> None:
    """Commit ``paths`` (only them) and put an annotated tag on that commit."""
    if tag in git(root, "tag", "--list", tag).decode().split():
        raise refuse("tag-exists", path=str(root), found=tag, tag=tag)
    git(root, "add", "--", *paths)
    git(root, "commit", "--quiet", "-m", message, "--", *paths)
    git(root, "tag", "-a", tag, "-m", message)
