"""``isf-claims release --version X.Y.Z``: check the bump, record it, tag it, build it.

The bump is checked against the diff from the last ``vX.Y.Z`` tag to the working tree with
Croissant's meaning (MAJOR: records edited or removed, or documents re-split; MINOR:
additions only; PATCH: the same data), and a wrong one is refused. Then the release is
built (which validates), ``dataset.json`` (the version) and ``CHANGELOG.md`` are updated,
committed, and tagged. A refusal or failure leaves the repository as it was.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from isf_claims.errors import refuse
from isf_claims.fsutil import atomic_write_many
from isf_claims.release import changelog, gitref
from isf_claims.release.build import DEFAULT_OUT, build_release
from isf_claims.release.diff import WORKTREE, DiffResult, Snapshot, diff, snapshot
from isf_claims.release.metadata import DATASET_FILE, json_bytes, parse_version, read_dataset_meta
from isf_claims.repo import Repo

CHANGELOG = "CHANGELOG.md"


@dataclass(frozen=True)
class Released:
    """What ``release`` did."""

    version: str
    previous: str | None
    diff: DiffResult
    folder: Path
    summary: str


def next_version(previous: str, bump: str) -> str:
    """``previous`` bumped by ``bump`` (major, minor or patch)."""
    major, minor, patch = parse_version(previous)
    if bump == "major":
        return f"{major + 1}.0.0"
    if bump == "minor":
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"


def _empty(label: str) -> Snapshot:
    docs = pl.DataFrame(schema={"doc_id": pl.String, "split": pl.String})
    ids = pl.DataFrame(schema={"id": pl.String})
    return Snapshot(label, None, docs, ids, ids)


def check_bump(
    version: str, previous: str | None, d: DiffResult, declared: str | None = None
) -> None:
    """Refuse ``version`` unless it is ``previous`` bumped exactly as the diff requires; the
    first release (no ``previous``) must be ``declared``, dataset.json's version."""
    parse_version(version)
    if previous is None:
        if declared is not None and version != declared:
            raise refuse(
                "wrong-first-version",
                path=DATASET_FILE,
                expected=declared,
                found=version,
                declared=declared,
            )
        return
    expected = next_version(previous, d.bump)
    if version != expected:
        raise refuse(
            "wrong-version-bump",
            record=f"v{previous} -> {version}",
            expected=expected,
            found=version,
            previous=previous,
            bump=d.bump.upper(),
            next=expected,
            reasons="; ".join(d.reasons[:5]) or "the data is unchanged",
        )


def make_release(repo: Repo, version: str, out: Path = DEFAULT_OUT) -> Released:
    """Release ``version`` of the corpus at ``repo``."""
    root = repo.root
    parse_version(version)
    dirty = gitref.dirty_paths(root, (*gitref.CORPUS_PATHS, CHANGELOG))
    if dirty:
        raise refuse(
            "release-uncommitted",
            path=str(root),
            expected="a clean working tree for raw/, annotated/, schema/, dataset.json, "
            "DATACARD.md and CHANGELOG.md",
            found=", ".join(dirty[:10]),
        )
    tags = gitref.release_tags(root)
    previous = tags[-1] if tags else None
    old = snapshot(repo, f"{gitref.TAG_PREFIX}{previous}") if previous else _empty("nothing")
    d = diff(old, snapshot(repo, WORKTREE))
    meta = read_dataset_meta(root)
    check_bump(version, previous, d, meta.version)

    originals = {p: p.read_bytes() for p in (root / DATASET_FILE, root / CHANGELOG) if p.is_file()}
    log = originals.get(root / CHANGELOG, b"# Changelog\n").decode("utf-8")
    updates = {
        root / DATASET_FILE: json_bytes({**meta.raw, "version": version}),
        root / CHANGELOG: changelog.updated(log, version, d, previous).encode("utf-8"),
    }
    tag = f"{gitref.TAG_PREFIX}{version}"
    atomic_write_many(updates.items())
    built: Path | None = None
    try:
        result = build_release(repo, out)
        built = result.folder
        gitref.commit_and_tag(root, [DATASET_FILE, CHANGELOG], f"Release {tag}", tag)
    except BaseException:
        atomic_write_many((p, b) for p, b in originals.items())
        for p in set(updates) - set(originals):
            p.unlink(missing_ok=True)
        if built is not None:
            shutil.rmtree(built, ignore_errors=True)
        raise
    summary = (
        f"released {tag} ({d.bump.upper()} from "
        f"{'v' + previous if previous else 'nothing'}): CHANGELOG.md and dataset.json "
        f"committed, tagged {tag}, built {result.folder}"
    )
    return Released(version, previous, d, result.folder, summary)
