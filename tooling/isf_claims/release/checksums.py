"""``SHA256SUMS``: the sha256 of every file of a release, and checking a folder against it.

The format is the one ``sha256sum -c`` reads: ``<hex digest>  <path>`` per line, paths
relative to the release folder with ``/`` separators, sorted. ``SHA256SUMS`` does not list
itself. Verification hashes files in parallel (hashlib releases the GIL) and refuses a
changed, missing or unlisted file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from isf_claims.errors import refuse

SUMS_FILE = "SHA256SUMS"
# Files the Hugging Face hub adds to a release it serves: its git attributes at the top, and
# the download metadata huggingface_hub keeps in a local copy. They are not part of the
# release; verification ignores them (and only them).
HUB_HOUSEKEEPING = (".gitattributes", ".cache/huggingface/")


def is_housekeeping(rel: str) -> bool:
    """Whether the release-relative path ``rel`` is one of :data:`HUB_HOUSEKEEPING`."""
    return any(rel.startswith(h) if h.endswith("/") else rel == h for h in HUB_HOUSEKEEPING)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sums_bytes(files: Mapping[str, bytes]) -> bytes:
    """``SHA256SUMS`` for ``files`` (release-relative path -> bytes)."""
    lines = [f"{sha256_hex(files[p])}  {p}\n" for p in sorted(files) if p != SUMS_FILE]
    return "".join(lines).encode("utf-8")


def parse_sums(folder: Path) -> dict[str, str]:
    """Path -> expected digest, from ``folder/SHA256SUMS``."""
    path = folder / SUMS_FILE
    if not path.is_file():
        raise refuse(
            "release-no-checksums",
            path=str(folder),
            expected=f"{SUMS_FILE} in the release folder",
            found="no such file",
        )
    out: dict[str, str] = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        digest, sep, name = line.partition("  ")
        if not sep or len(digest) != 64 or not name:
            raise refuse("release-checksums-invalid", path=f"{path}:{n}", found=line[:120])
        out[name] = digest
    return out


def _file_digest(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def listed_files(folder: Path) -> list[str]:
    """Every file under ``folder`` (relative, ``/``-separated), sorted."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def verify(folder: Path, workers: int = 4) -> dict[str, str]:
    """Check every file of ``folder`` against its ``SHA256SUMS``; return path -> digest.

    Raises :class:`IsfError` (``release-tampered``) naming every changed, missing or unlisted
    file; the hub's :data:`HUB_HOUSEKEEPING` files are ignored.
    """
    expected = parse_sums(folder)
    present = {p for p in listed_files(folder) if not is_housekeeping(p)} - {SUMS_FILE}
    missing = sorted(set(expected) - present)
    unlisted = sorted(present - set(expected))
    names = sorted(set(expected) & present)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        digests = dict(zip(names, pool.map(lambda n: _file_digest(folder / n), names), strict=True))
    changed = [n for n in names if digests[n] != expected[n]]
    if changed or missing or unlisted:
        found = [f"changed: {n}" for n in changed] + [f"missing: {n}" for n in missing]
        found += [f"not listed: {n}" for n in unlisted]
        raise refuse(
            "release-tampered",
            path=str(folder),
            expected="every file exactly as listed in SHA256SUMS",
            found="; ".join(found),
        )
    return digests
