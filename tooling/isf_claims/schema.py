"""The versioned annotation schema under ``schema/<version>/schema.json``.

The schema is data: layers, their fields, vocabularies (label sets and attribute values)
and rules. Code reads it instead of repeating it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from isf_claims.errors import refuse

SCHEMA_FILE = "schema.json"
DOCUMENT_LAYERS = ("zone", "mention", "claim", "marker")
SPAN_KEYS = ("start", "end", "text")


@dataclass(frozen=True)
class Field:
    """One field of a layer's records."""

    name: str
    type: str
    required: bool
    description: str
    vocabulary: str | None = None
    pattern: str | None = None
    minimum: int | None = None
    const: str | None = None


@dataclass(frozen=True)
class Layer:
    """A record kind: its fields, key and overlap rule."""

    name: str
    description: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    id_prefix: str | None
    overlap: str | None

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    @property
    def span_fields(self) -> list[str]:
        return [f.name for f in self.fields if f.type == "span"]


@dataclass(frozen=True)
class Schema:
    """One version of the schema."""

    version: str
    path: Path
    raw: dict[str, Any]

    @property
    def vocabularies(self) -> dict[str, dict[str, str]]:
        """Vocabulary name -> {value: definition}, in schema order."""
        return {k: dict(v["values"]) for k, v in self.raw["vocabularies"].items()}

    def values(self, vocabulary: str) -> list[str]:
        return list(self.raw["vocabularies"][vocabulary]["values"])

    @property
    def layers(self) -> dict[str, Layer]:
        return _layers(self.path, self.version)

    def layer(self, name: str) -> Layer:
        return self.layers[name]

    @property
    def rules(self) -> dict[str, str]:
        return dict(self.raw.get("rules", {}))


@cache
def _layers(path: Path, version: str) -> dict[str, Layer]:
    raw = _read(path)
    out: dict[str, Layer] = {}
    for name, spec in raw["layers"].items():
        fields = tuple(
            Field(
                name=f["name"],
                type=f["type"],
                required=bool(f.get("required", False)),
                description=f.get("description", ""),
                vocabulary=f.get("vocabulary"),
                pattern=f.get("pattern"),
                minimum=f.get("minimum"),
                const=f.get("const"),
            )
            for f in spec["fields"]
        )
        out[name] = Layer(
            name=name,
            description=spec.get("description", ""),
            fields=fields,
            primary_key=tuple(spec.get("primary_key", ())),
            id_prefix=spec.get("id_prefix"),
            overlap=spec.get("overlap"),
        )
    return out


@cache
def _read(path: Path) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise refuse("schema-unreadable", path=str(path), error=exc) from exc
    return data


def _version_key(v: str) -> tuple[int, ...]:
    return tuple(int(p) for p in v.split("."))


def known_versions(schema_dir: Path) -> list[str]:
    """Every schema version the repository keeps, oldest first."""
    found = [
        p.parent.name
        for p in schema_dir.glob(f"*/{SCHEMA_FILE}")
        if all(part.isdigit() for part in p.parent.name.split("."))
    ]
    return sorted(found, key=_version_key)


def latest_version(schema_dir: Path) -> str:
    versions = known_versions(schema_dir)
    if not versions:
        raise refuse(
            "schema-missing",
            path=str(schema_dir),
            expected="schema/<MAJOR.MINOR.PATCH>/schema.json",
            found="none",
        )
    return versions[-1]


def load_schema(schema_dir: Path, version: str | None = None) -> Schema:
    """The schema of ``version`` (default: the latest kept)."""
    version = version or latest_version(schema_dir)
    path = (schema_dir / version / SCHEMA_FILE).resolve()
    if not path.is_file():
        raise refuse(
            "unknown-schema-version",
            path=str(schema_dir),
            expected="one of " + ", ".join(known_versions(schema_dir)),
            found=version,
            version=version,
        )
    return Schema(version=version, path=path, raw=_read(path))
