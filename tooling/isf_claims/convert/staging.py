"""Validate-then-write for imported annotation files.

Imported files are staged in a throw-away copy of the repository (``raw/`` and ``schema/``
linked, ``annotated/`` copied, the new files laid over it) and the whole resulting corpus is
loaded and validated there. Only when that passes, and no existing file would be replaced
without ``force``, are the files written, all at once and atomically. On any error the
repository is left byte-identical.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from isf_claims.convert.anchoring import check_corpus
from isf_claims.corpus import Corpus, load_corpus
from isf_claims.errors import EXIT_USAGE, refuse, refuse_finding
from isf_claims.fsutil import atomic_write_bytes, atomic_write_many
from isf_claims.repo import Repo


def _project_validation(stage: Repo) -> None:
    """Run the project's validation (``isf_claims.validation.validate``) on the staged
    repository when it is installed; its first error becomes a refusal of the same code."""
    try:
        from isf_claims.validation import validate
    except ImportError:
        return
    report = validate(stage)
    if report.ok:
        return
    first, n = report.errors[0], len(report.errors)
    raise refuse_finding(first, more=n - 1)


def validate_staged(repo: Repo, files: dict[Path, bytes]) -> Corpus:
    """Load and validate the corpus ``repo`` would hold with ``files`` written."""
    with tempfile.TemporaryDirectory(prefix="isf-stage-") as tmp:
        stage = Repo(Path(tmp))
        os.symlink(repo.raw_dir.resolve(), stage.raw_dir)
        os.symlink(repo.schema_dir.resolve(), stage.schema_dir)
        if repo.annotated_dir.is_dir():  # links stay links: validation refuses them unread
            shutil.copytree(repo.annotated_dir, stage.annotated_dir, symlinks=True)
        stage.annotated_dir.mkdir(exist_ok=True)
        for path, data in files.items():
            rel = path.relative_to(repo.annotated_dir)  # lexical: a link is not followed
            target = stage.annotated_dir / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.is_symlink() or target.is_dir():
                continue  # what is there is reported by validation, never replaced unread
            target.write_bytes(data)
        corpus = load_corpus(stage)
        check_corpus(corpus)
        _project_validation(stage)
        return Corpus(repo, corpus.schema, corpus.tables)


def changed_files(files: dict[Path, bytes]) -> dict[Path, bytes]:
    """The subset of ``files`` whose bytes differ from what is on disk."""
    return {
        p: b
        for p, b in files.items()
        if p.is_symlink() or not p.is_file() or p.read_bytes() != b  # a link is never read
    }


def _fills_draft(path: Path, new: bytes) -> bool:
    """True when ``path`` holds only its document record and ``new`` keeps that record as
    it is and adds annotations: filling in a draft loses nothing."""
    if path.is_symlink() or not path.is_file():
        return False
    old = path.read_bytes()
    return old.count(b"\n") == 1 and old.endswith(b"\n") and new.startswith(old)


def write_annotations(repo: Repo, files: dict[Path, bytes], *, force: bool) -> list[Path]:
    """Validate ``files`` in context, then write those that change; returns them.

    Refuses (exit 1, nothing written) to replace an existing file with different bytes
    unless ``force``; a file holding only its document record (a draft just ingested) is
    filled in without ``force`` when its record stays the same.
    """
    changed = changed_files(files)
    existing = sorted(p for p in changed if os.path.lexists(p) and not _fills_draft(p, changed[p]))
    if existing and not force:
        raise refuse(
            "would-overwrite",
            path=repo.rel(existing[0]),
            expected="new files, or --force to replace",
            found=", ".join(repo.rel(p) for p in existing),
            what="import",
        )
    validate_staged(repo, files)
    atomic_write_many(sorted(changed.items()))
    return sorted(changed)


def write_outputs(out_dir: Path, files: dict[str, bytes], *, force: bool) -> list[Path]:
    """Write an export's files under ``out_dir``; refuse to replace different files unless
    ``force``."""
    targets = {out_dir / name: data for name, data in files.items()}
    clash = sorted(p for p, b in targets.items() if p.exists() and p.read_bytes() != b)
    if clash and not force:
        raise refuse(
            "would-overwrite",
            path=str(clash[0]),
            expected="an empty or new output folder, or --force",
            found=f"{len(clash)} file(s) with other content",
            exit_code=EXIT_USAGE,
            what="export",
        )
    if len(targets) == 1:
        ((path, data),) = targets.items()
        atomic_write_bytes(path, data)
    else:
        atomic_write_many(sorted(targets.items()))
    return sorted(targets)
