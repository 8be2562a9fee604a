"""Where things live in a corpus repository."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from isf_claims.errors import refuse

ENTITIES_FILE = "entities.jsonl"
CLUSTERS_FILE = "clusters.jsonl"
RAW_SUFFIX = ".txt"
META_SUFFIX = ".meta.json"
ANNOTATION_SUFFIX = ".jsonl"


@dataclass(frozen=True)
class Repo:
    """A corpus repository: ``raw/``, ``annotated/`` and ``schema/`` under one root."""

    root: Path

    @property
    def raw_dir(self) -> Path:
        return self.root / "raw"

    @property
    def annotated_dir(self) -> Path:
        return self.root / "annotated"

    @property
    def schema_dir(self) -> Path:
        return self.root / "schema"

    def raw_path(self, doc_id: str) -> Path:
        return self.raw_dir / f"{doc_id}{RAW_SUFFIX}"

    def meta_path(self, doc_id: str) -> Path:
        return self.raw_dir / f"{doc_id}{META_SUFFIX}"

    def annotation_path(self, doc_id: str) -> Path:
        return self.annotated_dir / f"{doc_id}{ANNOTATION_SUFFIX}"

    @property
    def entities_path(self) -> Path:
        return self.annotated_dir / ENTITIES_FILE

    @property
    def clusters_path(self) -> Path:
        return self.annotated_dir / CLUSTERS_FILE

    def raw_doc_ids(self) -> list[str]:
        """Ids of every raw document (by its metadata file), sorted."""
        if not self.raw_dir.is_dir():
            return []
        return sorted(p.name[: -len(META_SUFFIX)] for p in self.raw_dir.glob(f"*{META_SUFFIX}"))

    def annotation_files(self) -> list[Path]:
        """Every per-document annotation file, sorted by name."""
        if not self.annotated_dir.is_dir():
            return []
        shared = {ENTITIES_FILE, CLUSTERS_FILE}
        return sorted(
            p for p in self.annotated_dir.glob(f"*{ANNOTATION_SUFFIX}") if p.name not in shared
        )

    def rel(self, path: Path) -> str:
        """``path`` relative to the root when it is inside it (for messages)."""
        text, root = str(path), str(self.root)
        if text.startswith(root + os.sep) and ".." not in Path(text).parts:
            return Path(text[len(root) + 1 :]).as_posix()  # lexical: no file-system calls
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return str(path)


def find_repo(start: Path | None = None) -> Repo:
    """The repository containing ``start`` (default: $ISF_CLAIMS_ROOT or the working folder)."""
    env = os.environ.get("ISF_CLAIMS_ROOT")
    here = Path(start or env or Path.cwd()).resolve()
    for cand in (here, *here.parents):
        if (cand / "schema").is_dir() and (cand / "raw").is_dir():
            return Repo(cand)
    raise refuse(
        "repo-not-found",
        path=str(here),
        expected="a folder with schema/ and raw/ (or one of its parents)",
        found="neither",
    )
