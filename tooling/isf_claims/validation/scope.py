"""Which documents a run concerns: the paths given on the command line (or none: the whole
corpus) as document ids."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from isf_claims.errors import refuse
from isf_claims.repo import (
    ANNOTATION_SUFFIX,
    CLUSTERS_FILE,
    ENTITIES_FILE,
    META_SUFFIX,
    RAW_SUFFIX,
    Repo,
)
from isf_claims.validation.rawfiles import Listing


def resolve_scope(repo: Repo, paths: Sequence[Path | str]) -> set[str] | None:
    """Document ids the given paths concern, or None for the whole corpus.

    Shared files (entities, clusters) and the schema affect every document, so they mean a
    full run; a raw file means the document annotated on it.
    """
    if not paths:
        return None
    root = repo.root.resolve()
    ids: set[str] = set()
    for raw_path in paths:
        path = Path(raw_path)
        if not os.path.lexists(path):
            raise refuse(
                "path-not-found",
                path=str(raw_path),
                expected="an existing corpus file",
                found="nothing at that path",
            )
        try:
            str(raw_path).encode("utf-8")
        except UnicodeEncodeError:
            shown = os.fsencode(raw_path).decode("utf-8", "backslashreplace")
            raise refuse(
                "not-a-corpus-path",
                path=shown,
                expected="a corpus file (named by its document id)",
                found=shown,
                note="the path is not UTF-8, so it names no corpus file",
            ) from None
        # The folders resolved, the name kept: a symbolic link is checked as the entry it
        # is (and refused), never followed out of the repository.
        absolute = Path(os.path.abspath(path))
        full = absolute.parent.resolve() / absolute.name if absolute.name else absolute
        try:
            rel = full.relative_to(root)
        except ValueError:
            raise refuse(
                "not-a-corpus-path",
                path=str(raw_path),
                expected=f"a file under {root}",
                found=str(full),
                note="path is outside the corpus repository",
            ) from None
        parts = rel.parts
        if not parts or parts in (("annotated",), ("raw",)) or parts[0] == "schema":
            return None
        if parts[0] == "annotated" and len(parts) == 2 and rel.name.endswith(ANNOTATION_SUFFIX):
            if rel.name in (ENTITIES_FILE, CLUSTERS_FILE):
                return None
            ids.add(rel.name[: -len(ANNOTATION_SUFFIX)])
        elif parts[0] == "raw" and len(parts) == 2 and rel.name.endswith(META_SUFFIX):
            ids.add(rel.name[: -len(META_SUFFIX)])
        elif parts[0] == "raw" and len(parts) == 2 and rel.name.endswith(RAW_SUFFIX):
            ids.add(rel.name[: -len(RAW_SUFFIX)])
        else:
            raise refuse(
                "not-a-corpus-path",
                path=str(raw_path),
                expected="annotated/*.jsonl, raw/*.txt, raw/*.meta.json or schema/**",
                found=rel.as_posix(),
                note="not an annotation, raw or schema file",
            )
    return ids


def raw_in_scope(listing: Listing, scope_ids: set[str], full: bool) -> list[str]:
    """Raw documents in scope (every one on a full run), sorted."""
    ids = listing.raw_ids()
    return sorted(ids if full else ids & scope_ids)
