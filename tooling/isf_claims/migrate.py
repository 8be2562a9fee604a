"""Schema migration: rewrite annotation files from one kept schema version to a later one.

Every schema version after the first ships ``schema/<version>/migration.json``, a declared
mapping from the version before it::

    {"from": "1.0.0", "to": "1.1.0", "changes": [
      {"op": "rename_value", "vocabulary": "cue_commitment", "from": "hedged", "to": "hedging"},
      {"op": "merge_values", "vocabulary": "claim_type", "from": ["warning", "evaluation"],
       "to": "evaluation", "decision": "why folding the values is accepted"},
      {"op": "split_value", "vocabulary": "source_type", "from": "anonymous",
       "to": ["anonymous_official", "anonymous_other"], "default": "anonymous_other",
       "decision": "why every old value may take the default"},
      {"op": "rename_field", "layer": "claim", "from": "note", "to": "comment"},
      {"op": "add_field", "layer": "claim", "field": "certainty", "default": "unstated"},
      {"op": "remove_field", "layer": "claim", "field": "x", "decision": "why it may go"}]}

The mapping is checked against both schemas before anything is touched: every old field and
every old vocabulary value must land somewhere, every new field must be declared with a valid
default, and every step that loses or guesses information (merging values, splitting one,
removing a field) must record its decision. Migration is columnar over the corpus tables and
writes all files of a folder at once, atomically, after validating the result.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa

from isf_claims.corpus import LAYER_TABLES, Corpus, corpus_files, load_corpus
from isf_claims.errors import EXIT_USAGE, IsfError, refuse
from isf_claims.frames import frame_of
from isf_claims.repo import Repo
from isf_claims.schema import Schema, known_versions, load_schema
from isf_claims.tables import table_schema

MIGRATION_FILE = "migration.json"
LOSSY_OPS = {"merge_values", "split_value", "remove_field"}


@dataclass
class Step:
    """A checked mapping between two consecutive versions."""

    old: Schema
    new: Schema
    renames: dict[str, dict[str, str]] = field(default_factory=dict)
    removes: dict[str, set[str]] = field(default_factory=dict)
    adds: dict[str, dict[str, Any]] = field(default_factory=dict)
    values: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)
    decisions: list[str] = field(default_factory=list)

    @property
    def layers_touched(self) -> set[str]:
        touched = {*self.renames, *self.removes, *self.adds}
        return touched | {layer for layer, maps in self.values.items() if any(maps.values())}


def _invalid(path: Path, problems: list[str], lossy: bool) -> IsfError:
    return refuse(
        "migration-lossy" if lossy else "migration-invalid",
        path=str(path),
        expected="a mapping that places every field and value, with a decision for every loss",
        found="; ".join(problems),
    )


def load_step(schema_dir: Path, old_version: str, new_version: str) -> Step:
    """The checked mapping from ``old_version`` to ``new_version`` (consecutive versions)."""
    old, new = load_schema(schema_dir, old_version), load_schema(schema_dir, new_version)
    path = schema_dir / new_version / MIGRATION_FILE
    try:
        spec = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise refuse(
            "migration-missing",
            path=str(path),
            expected=f"{MIGRATION_FILE} beside the new schema",
            found=str(exc),
            old=old_version,
            new=new_version,
        ) from exc
    if (spec.get("from"), spec.get("to")) != (old_version, new_version):
        raise _invalid(path, [f"declares {spec.get('from')} -> {spec.get('to')}"], lossy=False)
    step = Step(old, new)
    problems, lossy = _read_changes(step, spec.get("changes") or [])
    problems += _check_fields(step)
    value_problems, value_lossy = _check_values(step, spec.get("changes") or [])
    problems += value_problems
    if lossy or value_lossy:
        raise _invalid(path, lossy + value_lossy + problems, lossy=True)
    if problems:
        raise _invalid(path, problems, lossy=False)
    return step


def _read_changes(step: Step, changes: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
    problems, lossy = [], []
    for i, ch in enumerate(changes):
        # A change without a layer (an incomplete mapping) files under "" (no layer's name).
        op, layer = ch.get("op"), ch.get("layer", "")
        if op in LOSSY_OPS and not str(ch.get("decision") or "").strip():
            lossy.append(f"change {i} ({op}) records no decision")
        elif op in LOSSY_OPS:
            step.decisions.append(f"{op}: {ch['decision']}")
        if op == "rename_field":
            step.renames.setdefault(layer, {})[ch["from"]] = ch["to"]
        elif op == "remove_field":
            step.removes.setdefault(layer, set()).add(ch["field"])
        elif op == "add_field":
            if "default" not in ch:
                problems.append(f"change {i}: add_field {layer}.{ch.get('field')} has no default")
            step.adds.setdefault(layer, {})[ch.get("field", "")] = ch.get("default")
        elif op not in ("rename_value", "merge_values", "split_value"):
            problems.append(f"change {i}: unknown op {op!r}")
    return problems, lossy


def _check_fields(step: Step) -> list[str]:
    problems = []
    for name, new_layer in step.new.layers.items():
        if name not in step.old.layers:
            continue
        old_layer = step.old.layer(name)
        renames = step.renames.get(name, {})
        landed = {renames.get(f.name, f.name) for f in old_layer.fields}
        landed -= {renames.get(f, f) for f in step.removes.get(name, set())}
        for f in old_layer.fields:
            target = renames.get(f.name, f.name)
            if f.name in step.removes.get(name, set()):
                continue
            if target not in new_layer.field_names:
                problems.append(f"{name}.{f.name} has no place in {step.new.version}")
            elif new_layer.field(target).type != f.type:
                problems.append(f"{name}.{f.name} changes type")
        for f in new_layer.fields:
            if f.name in landed:
                continue
            if f.name not in step.adds.get(name, {}):
                problems.append(f"new field {name}.{f.name} is not declared with add_field")
                continue
            default = step.adds[name][f.name]
            if default is None and f.required:
                problems.append(f"new required field {name}.{f.name} has a null default")
            if (
                f.vocabulary
                and default is not None
                and default not in step.new.values(f.vocabulary)
            ):
                problems.append(f"default of {name}.{f.name} is not in {f.vocabulary}")
            if f.type in ("span", "members") and default is not None:
                problems.append(f"new {f.type} field {name}.{f.name} can only default to null")
    for name in step.old.layers:
        if name not in step.new.layers:
            problems.append(f"layer {name} has no place in {step.new.version}")
    return problems


def _check_values(step: Step, changes: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
    """Build each vocabulary field's value map; every old value must land in the new
    vocabulary."""
    # old value -> new value as the mapping file gives it (a split's default may be missing)
    by_vocab: dict[str, dict[str, Any]] = {}
    for ch in changes:
        vocab, op = ch.get("vocabulary", ""), ch.get("op")
        if op == "rename_value":
            by_vocab.setdefault(vocab, {})[ch["from"]] = ch["to"]
        elif op == "merge_values":
            for v in ch["from"]:
                by_vocab.setdefault(vocab, {})[v] = ch["to"]
        elif op == "split_value":
            by_vocab.setdefault(vocab, {})[ch["from"]] = ch.get("default")
    problems: list[str] = []
    for name, old_layer in step.old.layers.items():
        renames = step.renames.get(name, {})
        for f in old_layer.fields:
            if not f.vocabulary or f.name in step.removes.get(name, set()):
                continue
            target = step.new.layer(name).field(renames.get(f.name, f.name))
            allowed = set(step.new.values(target.vocabulary)) if target.vocabulary else set()
            mapping = by_vocab.get(f.vocabulary, {})
            full = {v: mapping.get(v, v) for v in step.old.values(f.vocabulary)}
            lost = sorted(v for v, to in full.items() if to not in allowed)
            if lost:
                problems.append(f"{name}.{f.name} values {', '.join(lost)} map to nothing")
            step.values.setdefault(name, {})[target.name] = {
                k: v for k, v in full.items() if k != v
            }
    return problems, []


def plan(schema_dir: Path, from_version: str, to_version: str) -> list[Step]:
    """The checked steps from ``from_version`` up to ``to_version`` through every kept
    version in between."""
    versions = known_versions(schema_dir)
    for v in (from_version, to_version):
        if v not in versions:
            load_schema(schema_dir, v)  # raises unknown-schema-version
    i, j = versions.index(from_version), versions.index(to_version)
    if j < i:
        raise refuse(
            "migration-backwards", expected=f"a version after {from_version}", found=to_version
        )
    return [load_step(schema_dir, versions[k], versions[k + 1]) for k in range(i, j)]


def _columns(schema: Schema, layer: str, name: str) -> list[str]:
    f = schema.layer(layer).field(name)
    if f.type == "span":
        return [f"{name}_{k}" for k in ("start", "end", "text")]
    return [] if f.type == "members" else [name]


def apply_step(corpus: Corpus, step: Step) -> Corpus:
    """The corpus's tables rewritten by ``step`` (columnar)."""
    out: dict[str, pa.Table] = {}
    for table, layer in ((t, lay) for lay, t in LAYER_TABLES.items()):
        df = frame_of(corpus[table])
        for old, new in step.renames.get(layer, {}).items():
            cols = _columns(step.old, layer, old)
            df = df.rename({c: new + c[len(old) :] for c in cols})
        for name, mapping in step.values.get(layer, {}).items():
            if mapping:
                df = df.with_columns(pl.col(name).replace(mapping))
        for name, default in step.adds.get(layer, {}).items():
            for col in _columns(step.new, layer, name):
                df = df.with_columns(pl.lit(default).alias(col))
        if layer == "document":
            df = df.with_columns(pl.lit(step.new.version).alias("schema_version"))
        target = table_schema(step.new, table)
        out[table] = df.select(target.names).to_arrow().cast(target)
    return Corpus(corpus.repo, step.new, out)


@dataclass
class Migration:
    """What a migration did: files written (or that would be) and the decisions applied."""

    written: list[Path]
    steps: list[str]
    decisions: list[str]


def _folders(repo: Repo, paths: list[Path]) -> list[Path]:
    """Annotation folders to migrate; a file stands for its folder, which must then be given
    whole (a folder's files share one version)."""
    if not paths:
        return [repo.annotated_dir]
    folders: dict[Path, set[Path]] = {}
    for p in paths:
        p = p.resolve()
        if p.is_dir():
            folders.setdefault(p, set())
        elif p.is_file():
            folders.setdefault(p.parent, set()).add(p)
        else:
            raise refuse("file-not-found", path=str(p), what="file or folder")
    from isf_claims.agreement.loading import FolderRepo

    for folder, files in folders.items():
        every = set(FolderRepo(repo.root, folder).annotation_files())
        if files and files != every:
            raise refuse(
                "migrate-partial",
                path=str(folder),
                expected="every annotation file of the folder (or the folder itself)",
                found=f"{len(files)} of {len(every)} files",
            )
    return sorted(folders)


def migrate(
    repo: Repo,
    to_version: str | None = None,
    paths: list[Path] | None = None,
    *,
    dry_run: bool = False,
) -> Migration:
    """Migrate the annotation files of ``paths`` (default ``annotated/``) to ``to_version``
    (default: the latest kept). Checks every mapping, migrates in memory, validates the
    result, then writes each folder's files atomically; on any error nothing is written."""
    from isf_claims.agreement.loading import FolderRepo
    from isf_claims.convert.staging import changed_files, validate_staged
    from isf_claims.fsutil import atomic_write_many
    from isf_claims.schema import latest_version

    target = to_version or latest_version(repo.schema_dir)
    kept = known_versions(repo.schema_dir)
    if target not in kept:
        raise refuse(
            "unknown-schema-version",
            path=repo.rel(repo.schema_dir),
            expected="one of " + ", ".join(kept),
            found=target,
            exit_code=EXIT_USAGE,
            version=target,
        )
    pending: dict[Path, bytes] = {}
    steps_done: list[str] = []
    decisions: list[str] = []
    for folder in _folders(repo, list(paths or [])):
        frepo = FolderRepo(repo.root, folder)
        corpus = load_corpus(frepo)
        if not corpus.doc_ids or corpus.schema.version == target:
            continue
        for step in plan(repo.schema_dir, corpus.schema.version, target):
            corpus = apply_step(corpus, step)
            steps_done.append(f"{frepo.rel(folder)}: {step.old.version} -> {step.new.version}")
            decisions += step.decisions
        files = corpus_files(corpus)
        for shared in (frepo.entities_path, frepo.clusters_path):
            if not shared.exists() and files.get(shared) == b"":
                files.pop(shared)
        validate_staged(frepo, files)
        pending.update(changed_files(files))
    if not dry_run:
        atomic_write_many(sorted(pending.items()))
    return Migration(sorted(pending), steps_done, decisions)
