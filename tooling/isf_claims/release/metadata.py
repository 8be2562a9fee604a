"""The dataset's own metadata, kept in one place: ``dataset.json`` at the repository root.

It holds the dataset version (the one place it is written) and the release metadata no data
file can give: name, title, licences, Hugging Face card fields. Everything numeric in a
release is computed from the data instead.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from isf_claims.errors import refuse

DATASET_FILE = "dataset.json"
SEMVER_RE = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")


@dataclass(frozen=True)
class DatasetMeta:
    """``dataset.json``: the version and the release metadata."""

    raw: dict[str, Any]

    @property
    def version(self) -> str:
        return str(self.raw["version"])

    @property
    def name(self) -> str:
        return str(self.raw["name"])

    def get(self, key: str, default: Any = None) -> Any:
        return self.raw.get(key, default)


def parse_version(text: str, where: str = "version") -> tuple[int, int, int]:
    """``MAJOR.MINOR.PATCH`` as a tuple; anything else is a usage error."""
    m = SEMVER_RE.match(text or "")
    if not m:
        raise refuse(
            "bad-version", path=where, expected="MAJOR.MINOR.PATCH, e.g. 1.2.0", found=repr(text)
        )
    return int(m[1]), int(m[2]), int(m[3])


def read_meta_file(path: Path) -> DatasetMeta:
    """Read and check ``dataset.json``."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise refuse(
            "dataset-meta-missing",
            path=str(path),
            expected="a dataset.json at the repository root",
            found="no file",
        ) from None
    except ValueError as exc:
        raise refuse(
            "dataset-meta-invalid", path=str(path), note=f"dataset.json is not valid JSON: {exc}"
        ) from exc
    for key in ("version", "name"):
        if not isinstance(raw.get(key), str):
            raise refuse(
                "dataset-meta-invalid",
                path=str(path),
                expected=f'"{key}": "..."',
                found=repr(raw.get(key)),
                note=f"dataset.json has no string {key!r}",
            )
    parse_version(raw["version"], str(path))
    return DatasetMeta(raw)


def read_dataset_meta(root: Path) -> DatasetMeta:
    """``dataset.json`` of the repository at ``root``."""
    return read_meta_file(root / DATASET_FILE)


def json_bytes(doc: Any) -> bytes:
    """Canonical JSON bytes of every JSON file the release tooling writes (``dataset.json``
    and the release's metadata): keys in the order built, 2-space indent, UTF-8, final
    newline. Builders insert keys in a fixed order, so equal inputs give equal bytes."""
    return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
