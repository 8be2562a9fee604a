"""Raw is append-only across history: every raw text that was committed, or published in
the newest release under ``dist/``, keeps its bytes and its name.

Two baselines, each optional, both checked when present:

- **git** (the repository's history, HEAD and its ancestors): the blob each ``raw/*.txt``
  had when it was first committed, read with one ``git log --diff-filter=A``. A later edit,
  removal or rename, staged, committed or only in the working tree, is reported until the
  original bytes are back under the original name. A shallow clone knows the history only
  from its oldest commit on; a folder that is not a git work tree (or has no commit) has no
  git baseline.
- **the newest release** under ``dist/`` (highest ``<name>-X.Y.Z`` folder with a
  ``SHA256SUMS``): the ``doc_id`` and ``sha256`` columns of its documents table. This is the
  baseline of a plain folder or a shallow clone that holds a release.

Only the article texts are covered: ``raw/<doc_id>.meta.json`` records facts about the
article, which may be completed or corrected (its hash and lengths are checked against the
text). A full run checks every baseline file; a run on some files (the pre-commit hook)
checks the bytes of the documents in scope and the presence of every baseline file.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from isf_claims.fsutil import read_regular
from isf_claims.repo import RAW_SUFFIX, Repo
from isf_claims.validation.report import Finding, finding

CODES = ("raw-edited", "raw-removed", "raw-renamed")
RELEASES_DIR = "dist"
_RELEASE = re.compile(r"-(\d+)\.(\d+)\.(\d+)$")
# Variables a git hook may set that would point git at another repository or index.
_GIT_ENV = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_PREFIX", "GIT_COMMON_DIR")


@dataclass
class Baseline:
    """Raw texts that must not change: ``raw/<name>`` -> digest, and how digests are made."""

    source: str  # for messages: "git history" or "release 1.0.0 (dist/isf-claims-1.0.0)"
    algorithm: str  # "sha256" or git's object format ("sha1" / "sha256")
    git_blob: bool  # digest of git's "blob <size>\0" header + bytes
    files: dict[str, str] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        """What a digest is, for messages."""
        return f"git blob ({self.algorithm})" if self.git_blob else "sha256"

    @property
    def when(self) -> str:
        return "as first committed" if self.git_blob else "as released"

    def digest(self, data: bytes) -> str:
        h = hashlib.new(self.algorithm)
        if self.git_blob:
            h.update(b"blob %d\0" % len(data))
        h.update(data)
        return h.hexdigest()


def _git(root: Path, *args: str) -> str | None:
    """stdout of ``git -C root args`` or None (no git, not a work tree, no commit)."""
    env = {k: v for k, v in os.environ.items() if k not in _GIT_ENV}
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, env=env, check=False
        )
    except OSError:
        return None
    return done.stdout.decode("utf-8", "surrogateescape") if done.returncode == 0 else None


def git_baseline(repo: Repo) -> Baseline | None:
    """The blob every raw text had when it was first committed on HEAD's history."""
    out = _git(
        repo.root,
        "log",
        "--format=",
        "--raw",
        "-z",
        "--no-abbrev",
        "--no-renames",
        "--diff-filter=A",
        "--reverse",
        "--relative",
        "--",
        "raw/",
    )
    if out is None:
        return None
    base = Baseline("git history", "sha1", git_blob=True)
    tokens = iter(out.split("\0"))
    for meta in tokens:  # ":<mode> <mode> <blob> <blob> A", then the path
        parts = meta.lstrip("\n").split()
        if len(parts) < 5 or not parts[0].startswith(":"):
            continue  # the separator between two commits
        name = next(tokens, "").removeprefix("raw/")
        if "/" not in name and name.endswith(RAW_SUFFIX):
            base.files.setdefault(name, parts[3])
            base.algorithm = "sha256" if len(parts[3]) == 64 else "sha1"  # the object format
    return base if base.files else None


def newest_release(repo: Repo) -> Path | None:
    """The release folder under ``dist/`` with the highest version, if any."""
    folder = repo.root / RELEASES_DIR
    if not folder.is_dir():
        return None
    found = []
    for child in folder.iterdir():
        m = _RELEASE.search(child.name)
        if m and (child / "SHA256SUMS").is_file() and not child.is_symlink():
            found.append((tuple(int(g) for g in m.groups()), child))
    return max(found)[1] if found else None


def release_baseline(repo: Repo) -> Baseline | None:
    """The sha256 of every document of the newest release under ``dist/``."""
    folder = newest_release(repo)
    if folder is None:
        return None
    import pyarrow.parquet as pq

    base = Baseline(
        f"release {folder.name} ({repo.rel(folder)})", "sha256", git_blob=False, files={}
    )
    for path in sorted((folder / "data" / "documents").glob("*.parquet")):
        table = pq.read_table(path, columns=["doc_id", "sha256"])
        for doc_id, digest in zip(
            table["doc_id"].to_pylist(), table["sha256"].to_pylist(), strict=True
        ):
            base.files[f"{doc_id}{RAW_SUFFIX}"] = digest
    return base if base.files else None


def _current(repo: Repo) -> set[str]:
    """Names of the raw texts there now (regular files only)."""
    if not repo.raw_dir.is_dir():
        return set()
    with os.scandir(repo.raw_dir) as entries:
        return {
            e.name
            for e in entries
            if e.name.endswith(RAW_SUFFIX) and e.is_file(follow_symlinks=False)
        }


def _read(path: Path) -> bytes:
    """Never through a symbolic link (the listing refuses links; their targets are not
    read)."""
    return read_regular(path)


def check(base: Baseline, repo: Repo, current: set[str], scope: set[str] | None) -> list[Finding]:
    """Findings of the raw texts that differ from ``base`` (``scope``: doc ids whose bytes
    are compared; None for all)."""
    out: list[Finding] = []
    new: dict[str, str] | None = None  # digests of texts the baseline does not know
    for name, digest in sorted(base.files.items()):
        doc_id = name[: -len(RAW_SUFFIX)]
        path = repo.raw_dir / name
        rel = repo.rel(path)
        if name in current:
            if scope is not None and doc_id not in scope:
                continue
            now = base.digest(_read(path))
            if now != digest:
                out.append(
                    finding(
                        "raw-edited",
                        file=rel,
                        doc_id=doc_id,
                        source=base.source,
                        kind=base.kind,
                        before=digest,
                        when=base.when,
                        now=now,
                    )
                )
            continue
        if new is None:
            new = {
                base.digest(_read(repo.raw_dir / n)): n for n in sorted(current - set(base.files))
            }
        moved = new.get(digest)
        if moved is not None:
            out.append(
                finding("raw-renamed", file=rel, doc_id=doc_id, source=base.source, moved=moved)
            )
        else:
            out.append(
                finding(
                    "raw-removed",
                    file=rel,
                    doc_id=doc_id,
                    source=base.source,
                    kind=base.kind,
                    before=digest,
                    when=base.when,
                )
            )
    return out


def history_findings(repo: Repo, scope: set[str] | None = None) -> list[Finding]:
    """``raw-edited``, ``raw-removed`` and ``raw-renamed`` against git history and the newest
    release (one finding per file and code: the git one when both baselines see it)."""
    bases = [b for b in (git_baseline(repo), release_baseline(repo)) if b is not None]
    if not bases:
        return []
    current = _current(repo)
    seen: dict[tuple[str, str], Finding] = {}
    for base in bases:
        for f in check(base, repo, current, scope):
            seen.setdefault((f.code, f.file), f)
    return list(seen.values())
