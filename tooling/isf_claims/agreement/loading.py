"""Load an annotation set from any folder of annotation files (same raw/ and schema/)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from isf_claims.corpus import Corpus, load_corpus
from isf_claims.errors import refuse
from isf_claims.repo import Repo

# Findings that do not concern an annotation set as such: a second set need not cover every
# raw document, and the raw texts' history is the main corpus's validation's business.
NOT_ABOUT_A_SET = frozenset({"raw-unannotated", "raw-edited", "raw-removed", "raw-renamed"})


@dataclass(frozen=True)
class FolderRepo(Repo):
    """``repo`` with its ``annotated/`` replaced by another folder."""

    folder: Path = Path("annotated")

    @property
    def annotated_dir(self) -> Path:
        return self.folder


def check_annotation_set(repo: Repo, folder: Path) -> None:
    """Validate ``folder`` as an annotation set with ``repo``'s raw texts and schema (every
    check of ``annotated/`` but raw-unannotated and the raw history); raise
    ``annotation-set-invalid`` with its findings when it has errors."""
    from isf_claims.validation import validate

    report = validate(FolderRepo(repo.root, folder.resolve()))
    errors = [f for f in report.findings if f.severity == "error" and f.code not in NOT_ABOUT_A_SET]
    if errors:
        raise refuse(
            "annotation-set-invalid",
            path=repo.rel(folder),
            expected="an annotation set that passes the checks annotated/ passes",
            found="\n" + replace(report, findings=errors).render(),
        )


def load_annotation_set(
    repo: Repo, folder: Path, doc_ids: list[str] | None = None, check: bool = True
) -> Corpus:
    """The corpus that ``folder``'s annotation files make with ``repo``'s raw texts, after
    :func:`check_annotation_set` (``check=False``: the caller has just validated it)."""
    if not folder.is_dir():
        raise refuse(
            "not-a-folder",
            path=str(folder),
            expected="a folder of <doc_id>.jsonl files (plus entities.jsonl, clusters.jsonl)",
            found="no such folder",
        )
    if check:
        check_annotation_set(repo, folder)
    return load_corpus(FolderRepo(repo.root, folder.resolve()), doc_ids)
