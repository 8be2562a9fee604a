"""Validate an annotation set: a folder shaped like ``annotated/`` holding some documents.

A set (one annotator's files, a second annotation in ``double-annotated/``, an adjudicated
gold set) is validated as a corpus of its own documents: a throw-away repository is made with
the set's annotation files as ``annotated/``, the raw files of those documents (and only
those) as ``raw/``, and the repository's ``schema/``. A set that carries no
``entities.jsonl`` is checked against the repository's canonical entities; one without
``clusters.jsonl`` has no clusters. Findings name the set's own files.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from isf_claims.errors import IsfError, usage_error
from isf_claims.repo import ANNOTATION_SUFFIX, CLUSTERS_FILE, ENTITIES_FILE, Repo

STAGED = "annotated"


def require_folder(folder: Path) -> None:
    if not folder.is_dir():
        raise usage_error(
            "not-a-folder",
            "annotation set is not a folder",
            path=str(folder),
            expected="a folder of <doc_id>.jsonl files (plus entities.jsonl, clusters.jsonl)",
            found="no such folder",
            fix="pass folders of annotation files",
        )


def set_files(folder: Path) -> dict[str, bytes]:
    """File name -> bytes of every annotation file in ``folder`` (shared files included)."""
    require_folder(folder)
    return {
        p.name: p.read_bytes() for p in sorted(folder.glob(f"*{ANNOTATION_SUFFIX}")) if p.is_file()
    }


def validate_files(repo: Repo, files: Mapping[str, bytes], shown: str):  # -> Report
    """Validate the set made of ``files`` (name -> bytes) against ``repo``'s raw texts and
    schema; findings name ``shown/<file>``. Returns the validation report."""
    from isf_claims.validation import validate

    doc_ids = [
        n[: -len(ANNOTATION_SUFFIX)] for n in files if n not in (ENTITIES_FILE, CLUSTERS_FILE)
    ]
    with tempfile.TemporaryDirectory(prefix="isf-set-") as tmp:
        stage = Repo(Path(tmp))
        os.symlink(repo.schema_dir.resolve(), stage.schema_dir)
        stage.raw_dir.mkdir()
        for doc_id in doc_ids:
            for src in (repo.raw_path(doc_id), repo.meta_path(doc_id)):
                if src.is_file():
                    os.symlink(src.resolve(), stage.raw_dir / src.name)
        stage.annotated_dir.mkdir()
        for name, data in files.items():
            (stage.annotated_dir / name).write_bytes(data)
        if ENTITIES_FILE not in files and repo.entities_path.is_file():
            shutil.copyfile(repo.entities_path, stage.entities_path)
        report = validate(stage)
    prefix = STAGED + "/"
    report.findings = [
        replace(f, file=shown.rstrip("/") + "/" + f.file[len(prefix) :])
        if f.file.startswith(prefix)
        else f
        for f in report.findings
    ]
    return report


def require_valid(
    repo: Repo,
    folder: Path,
    files: Mapping[str, bytes] | None = None,
    code: str = "annotation-set-invalid",
) -> None:
    """Raise ``code`` (exit 1) naming every finding when the set in ``folder`` (or
    ``files`` meant for it) does not validate."""
    files = set_files(folder) if files is None else files
    shown = repo.rel(folder)
    if not any(n not in (ENTITIES_FILE, CLUSTERS_FILE) for n in files):
        raise IsfError(
            code="annotation-set-empty",
            message="the annotation set holds no document",
            path=shown,
            expected="<doc_id>.jsonl annotation files",
            found="none",
            fix="pass a folder of annotation files shaped like annotated/",
        )
    report = validate_files(repo, files, shown)
    if not report.ok:
        raise IsfError(
            code=code,
            message=f"the annotation set does not validate ({len(report.errors)} errors)",
            path=shown,
            expected="a set that `isf-claims validate` accepts",
            found="\n" + report.render(),
            fix="fix the findings above in the set's files, then run the command again",
        )
