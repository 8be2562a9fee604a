"""``isf_claims.load``: a release as a ``datasets.DatasetDict``, verified before it is read.

Every file of the release is checked against its ``SHA256SUMS`` first; a changed, missing or
unlisted file, an unknown version or an unknown config is an error, never a silent load.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from isf_claims.errors import refuse
from isf_claims.release import checksums
from isf_claims.release.build import DEFAULT_OUT, REPORT_FILE
from isf_claims.release.metadata import parse_version
from isf_claims.repo import find_repo

_VERSIONED = re.compile(r"-(\d+\.\d+\.\d+)$")
_STANDOFF_VERSIONED = re.compile(r"-(\d+\.\d+\.\d+)-standoff$")
STANDOFF_MANIFEST = "standoff/manifest.json"


def is_standoff(folder: Path) -> bool:
    """Whether ``folder`` is a standoff release (no article texts)."""
    return (folder / STANDOFF_MANIFEST).is_file()


def release_folders(path: Path, standoff: bool = False) -> dict[str, Path]:
    """Version -> release folder, for ``path`` itself (a release) or the releases in it
    (``standoff``: the standoff releases ``<name>-<version>-standoff`` instead of the full
    ones)."""
    if (path / checksums.SUMS_FILE).is_file():
        return {_declared_version(path): path}
    out: dict[str, Path] = {}
    pattern = _STANDOFF_VERSIONED if standoff else _VERSIONED
    if path.is_dir():
        for child in sorted(path.iterdir()):
            m = pattern.search(child.name)
            if m and (child / checksums.SUMS_FILE).is_file():
                out[m[1]] = child
    return out


def _declared_version(folder: Path) -> str:
    try:
        return str(json.loads((folder / REPORT_FILE).read_text(encoding="utf-8"))["version"])
    except (OSError, ValueError, KeyError):
        m = _VERSIONED.search(folder.name)
        return m[1] if m else "unknown"


def default_path() -> Path:
    """``$ISF_CLAIMS_DIST``, else ``dist/`` of the repository around the working folder."""
    env = os.environ.get("ISF_CLAIMS_DIST")
    return Path(env) if env else find_repo().root / DEFAULT_OUT


def resolve(
    version: str | None = None, path: str | Path | None = None, standoff: bool | None = None
) -> Path:
    """The release folder of ``version`` (default: the latest) under ``path``: the full
    release, or the standoff one when ``standoff`` is true (``path`` naming a release folder
    itself must then be of that kind)."""
    base = Path(path).resolve() if path is not None else default_path()  # "." has no name
    found = release_folders(base, bool(standoff))
    here = (base / checksums.SUMS_FILE).is_file()
    if here and standoff is not None and is_standoff(base) != standoff:
        want, have = ("standoff", "full") if standoff else ("full", "standoff")
        raise refuse(
            "release-kind-mismatch",
            path=str(base),
            expected=f"a {want} release",
            found=f"a {have} release",
            have=have,
            want=want,
        )
    if not found:
        raise refuse(
            "release-not-found",
            path=str(base),
            expected="a release folder (with SHA256SUMS) or a folder of them",
            found="none",
        )
    if version is None:
        return found[max(found, key=parse_version)]
    parse_version(version)
    if version not in found:
        raise refuse(
            "unknown-release-version",
            path=str(base),
            expected="one of " + ", ".join(sorted(found, key=parse_version)),
            found=version,
            version=version,
        )
    return found[version]


def configs(folder: Path) -> list[str]:
    """The configs a (verified) release folder declares."""
    report = json.loads((folder / REPORT_FILE).read_text(encoding="utf-8"))
    return list(report["rows"])


def load(
    config: str = "documents",
    version: str | None = None,
    path: str | Path | None = None,
    cache_dir: str | Path | None = None,
    standoff: bool | None = None,
) -> Any:
    """Load ``config`` of a release as a ``datasets.DatasetDict``, after verifying every file
    against ``SHA256SUMS`` (``cache_dir``: the ``datasets`` cache to use; ``standoff``: load
    the standoff release, whose text fields are null, instead of the full one; None: the
    release ``path`` names, or the full one in a folder of releases)."""
    folder = resolve(version, path, standoff)
    checksums.verify(folder)
    known = configs(folder)
    if config not in known:
        raise refuse(
            "unknown-config",
            path=str(folder),
            expected="one of " + ", ".join(known),
            found=config,
            config=config,
        )
    import datasets

    return datasets.load_dataset(
        str(folder), config, cache_dir=str(cache_dir) if cache_dir else None
    )
