"""Load an annotation set from any folder of annotation files (same raw/ and schema/)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from isf_claims.corpus import Corpus, load_corpus
from isf_claims.errors import usage_error
from isf_claims.repo import Repo


@dataclass(frozen=True)
class FolderRepo(Repo):
    """``repo`` with its ``annotated/`` replaced by another folder."""

    folder: Path = Path("annotated")

    @property
    def annotated_dir(self) -> Path:
        return self.folder


def load_annotation_set(repo: Repo, folder: Path, doc_ids: list[str] | None = None) -> Corpus:
    """The corpus that ``folder``'s annotation files make with ``repo``'s raw texts."""
    if not folder.is_dir():
        raise usage_error(
            "not-a-folder",
            "annotation set is not a folder",
            path=str(folder),
            expected="a folder of <doc_id>.jsonl files (plus entities.jsonl, clusters.jsonl)",
            found="no such folder",
            fix="pass two folders of annotation files",
        )
    return load_corpus(FolderRepo(repo.root, folder.resolve()), doc_ids)
