"""A user's own copies of the articles, for rehydration: a folder of files (named
``<doc_id>.txt``, or named anything and matched by sha256) or a JSON-lines file of
``{"doc_id": ..., "text": ...}``. Each copy is proven against the recorded sha256 or
diagnosed (:mod:`isf_claims.release.textproof`)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from isf_claims.errors import refuse
from isf_claims.release.textproof import Diagnosis, diagnose


@dataclass
class Proofs:
    """Which documents' texts were proven, which copies are damaged, which are missing."""

    texts: dict[str, bytes] = field(default_factory=dict)  # proven: doc_id -> bytes
    matched: dict[str, str] = field(default_factory=dict)  # doc_id -> "name" or "sha256"
    damaged: list[Diagnosis] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    @property
    def unproven(self) -> list[str]:
        return sorted([d.doc_id for d in self.damaged] + self.missing)

    def to_dict(self) -> dict[str, Any]:
        return {
            "proven": sorted(self.texts),
            "matched_by": dict(sorted(self.matched.items())),
            "damaged": [d.to_dict() for d in self.damaged],
            "missing": self.missing,
        }


def _read_folder(src: Path) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """(file name stem -> bytes, sha256 -> bytes) of every file under ``src``."""
    paths = sorted(p for p in src.rglob("*") if p.is_file() and not p.name.startswith("."))

    def read(p: Path) -> tuple[str, bytes, str]:
        data = p.read_bytes()
        return p.name, data, hashlib.sha256(data).hexdigest()

    by_name: dict[str, bytes] = {}
    by_sha: dict[str, bytes] = {}
    with ThreadPoolExecutor(max_workers=4) as pool:
        for name, data, digest in pool.map(read, paths):
            stem = name[:-4] if name.endswith(".txt") else name
            by_name.setdefault(stem, data)
            by_sha.setdefault(digest, data)
    return by_name, by_sha


def _read_jsonl(src: Path) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    for n, line in enumerate(src.read_text(encoding="utf-8").split("\n"), start=1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except ValueError as exc:
            rec, problem = None, f"not JSON: {exc}"
        else:
            problem = "not an object with string doc_id and text"
        if (
            not isinstance(rec, dict)
            or not isinstance(rec.get("doc_id"), str)
            or not isinstance(rec.get("text"), str)
        ):
            raise refuse(
                "texts-invalid",
                path=f"{src}:{n}",
                expected='{"doc_id": "...", "text": "..."} per line',
                found=line[:120],
                note=f"a line of the texts file is {problem}",
            )
        out.setdefault(rec["doc_id"], rec["text"].encode("utf-8"))
    return out


def prove(src: Path, docs: Sequence[tuple[str, str, int]]) -> Proofs:
    """Prove the copies in ``src`` against ``docs`` (doc_id, sha256, byte length)."""
    if not src.exists():
        raise refuse(
            "texts-not-found",
            path=str(src),
            expected="a folder of text files or a JSON-lines file of {doc_id, text}",
            found="nothing",
        )
    if src.is_dir():
        by_name, by_sha = _read_folder(src)
    else:
        by_name = _read_jsonl(src)
        by_sha = {hashlib.sha256(b).hexdigest(): b for b in by_name.values()}
    proofs = Proofs()
    for doc_id, sha, size in docs:
        named = by_name.get(doc_id)
        if sha in by_sha:
            proofs.texts[doc_id] = by_sha[sha]
            proofs.matched[doc_id] = (
                "name" if named is not None and named == by_sha[sha] else "sha256"
            )
        elif named is not None:
            proofs.damaged.append(diagnose(doc_id, named, sha, size))
        else:
            proofs.missing.append(doc_id)
    return proofs


def render(proofs: Proofs) -> str:
    """The documents that could not be proven, one line each."""
    lines = [d.describe() for d in proofs.damaged]
    lines += [
        f"{d}: no copy (no file named {d}.txt, and no file with its sha256)" for d in proofs.missing
    ]
    return "\n".join(lines)
