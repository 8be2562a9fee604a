"""The Spark engine: the same contract as the pandera engine, on Apache Spark.

One module per level: :mod:`structure` (1, on the executors, by the reference reader),
:mod:`contract` (2, pandera's pyspark backend and the row rules), :mod:`anchoring` (3),
:mod:`references` (4) and :mod:`corpus` (5); :mod:`session` makes the Spark session for
``--master`` (``local[N]``, ``spark://host:port``, ``sc://host:port``). Each level checks
only records with no finding at an earlier level, and findings are worded by the same
functions as the pandera engine's, so both report the same text.

:func:`validate_many` checks several corpora (repositories) in one pass: their rows are
tagged with a corpus key, so one set of Spark jobs (about ten) serves them all; on small
corpora a run waits on job scheduling far more than it computes.

What stays on the driver: listing the files in scope, the schema, the schema-version vote,
entities.jsonl and clusters.jsonl (read and typed by the shared reader), the list of
findings and the records that have one (to leave them out of later levels), and the few
failing rows that are worded. Annotation files, raw texts and every table of records stay
on the executors.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from isf_claims.repo import Repo
from isf_claims.validation.backends.spark import anchoring, contract, corpus, references
from isf_claims.validation.backends.spark.frames import build_frames
from isf_claims.validation.backends.spark.session import DEFAULT_MASTER, get_session, tune
from isf_claims.validation.backends.spark.structure import (
    Part,
    prepare,
    read_structure,
    records_of,
    schema_key,
    unqualify,
)
from isf_claims.validation.policy import dirty_units
from isf_claims.validation.reader import Inputs
from isf_claims.validation.report import Finding

if TYPE_CHECKING:
    from isf_claims.validation.report import Report

__all__ = ["DEFAULT_MASTER", "run", "run_many", "validate_many"]

Target = tuple[Repo, Sequence[Path | str]]


def run(
    repo: Repo, paths: Sequence[Path | str] = (), master: str = DEFAULT_MASTER
) -> tuple[Inputs, list[Finding]]:
    """Levels 1-5 on Spark: the inputs (with the level-1 findings, as the reader gives
    them to the other engines) and the findings of levels 2-5."""
    return run_many([(repo, paths)], master)[0]


def run_many(
    targets: Sequence[Target], master: str = DEFAULT_MASTER
) -> list[tuple[Inputs, list[Finding]]]:
    """:func:`run` for several corpora (each a repository and its given files, none for the
    whole corpus) in one pass."""
    spark = get_session(master)
    with ThreadPoolExecutor(max_workers=2) as pool:  # the metadata checks, on the driver
        parts = [prepare(repo, paths, key, pool) for key, (repo, paths) in enumerate(targets)]
        tune(spark, parts)
        persisted = read_structure(spark, parts)
        found: dict[int, list[Finding]] = {p.key: [] for p in parts}
        try:
            groups: dict[object, list[Part]] = {}
            for part in parts:
                groups.setdefault(schema_key(part), []).append(part)
            for group in groups.values():
                for f in _levels(spark, group):
                    key, finding = unqualify(f)
                    found[key].append(finding)
        finally:
            for frame in persisted:
                frame.unpersist()
        out = []
        for p in parts:
            assert p.inputs is not None
            p.inputs.findings += p.meta_check.result().findings
            out.append((p.inputs, found[p.key]))
        return out


def _levels(spark: object, group: list[Part]) -> list[Finding]:
    """Levels 2-5 of corpora that share a schema (findings with qualified files)."""
    schema = group[0].schema
    assert schema is not None
    frames = build_frames(spark, schema, group, records_of(group))
    out = [f for p in group for f in p.typed] + frames.findings
    out += contract.contract(spark, frames, out)
    out += anchoring.anchoring(spark, frames, dirty_units(out, 2))
    out += references.references(spark, frames, out)
    out += corpus.corpus(spark, frames, out)
    return out


def validate_many(targets: Sequence[Target], master: str | None = None) -> list[Report]:
    """The report of each corpus, as ``validate(repo, paths, engine="spark")`` gives it, from
    one Spark pass over all of them (e.g. many repositories of one team)."""
    from isf_claims.validation import _report

    return [
        _report(inputs.repo, inputs, "spark", found)
        for inputs, found in run_many(targets, master or DEFAULT_MASTER)
    ]
