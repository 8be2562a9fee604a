"""Validate an annotation set that is not written yet (the gold set ``--apply`` would write).

The files are laid out in a throw-away repository: the set's files as ``annotated/``, the raw
files of its documents as ``raw/`` and the repository's ``schema/``, and validated there with
the checks :func:`isf_claims.agreement.loading.check_annotation_set` applies to a set on disk
(everything but raw-unannotated and the raw history). Findings name ``<folder>/<file>``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from isf_claims.agreement.loading import NOT_ABOUT_A_SET
from isf_claims.errors import refuse
from isf_claims.repo import ANNOTATION_SUFFIX, CLUSTERS_FILE, ENTITIES_FILE, Repo

STAGED = "annotated/"


def require_valid_files(repo: Repo, folder: Path, files: Mapping[str, bytes], code: str) -> None:
    """Raise ``code`` (exit 1) naming every error when ``files`` (name -> bytes), meant for
    ``folder``, do not validate as an annotation set."""
    from isf_claims.validation import validate

    shared = (ENTITIES_FILE, CLUSTERS_FILE)
    doc_ids = [n[: -len(ANNOTATION_SUFFIX)] for n in files if n not in shared]
    with tempfile.TemporaryDirectory(prefix="isf-set-") as tmp:
        stage = Repo(Path(tmp))
        os.symlink(repo.schema_dir.resolve(), stage.schema_dir)
        stage.raw_dir.mkdir()
        for doc_id in doc_ids:
            for src in (repo.raw_path(doc_id), repo.meta_path(doc_id)):
                if src.is_file():  # a link would be refused as raw/ (symbolic-link)
                    _place(src, stage.raw_dir / src.name)
        stage.annotated_dir.mkdir()
        for name, data in files.items():
            (stage.annotated_dir / name).write_bytes(data)
        report = validate(stage)
    shown = repo.rel(folder).rstrip("/") + "/"
    errors = [
        replace(f, file=shown + f.file[len(STAGED) :]) if f.file.startswith(STAGED) else f
        for f in report.findings
        if f.severity == "error" and f.code not in NOT_ABOUT_A_SET
    ]
    if errors:
        raise refuse(
            code,
            path=repo.rel(folder),
            expected="a set that `isf-claims validate` accepts",
            found="\n" + replace(report, findings=errors).render(),
            n=len(errors),
        )


def _place(src: Path, dst: Path) -> None:
    """Put ``src`` at ``dst`` as a regular file: a hard link, or a copy across file systems."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)
