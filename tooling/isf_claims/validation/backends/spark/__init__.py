"""The Spark engine: the same contract as the pandera engine, on Apache Spark.

One module per level: :mod:`structure` (1, on the executors, by the reference reader),
:mod:`contract` (2, pandera's pyspark backend and the row rules), :mod:`anchoring` (3),
:mod:`references` (4) and :mod:`corpus` (5); :mod:`session` makes the Spark session for
``--master`` (``local[N]``, ``spark://host:port``, ``sc://host:port``). Each level checks
only records with no finding at an earlier level, and findings are worded by the same
functions as the pandera engine's, so both report the same text.

What stays on the driver: listing the files in scope, the schema, the schema-version vote,
entities.jsonl and clusters.jsonl (read and typed by the shared reader), the list of
findings and the records that have one (to leave them out of later levels), and the few
failing rows that are worded. Annotation files, raw texts and every table of records stay
on the executors.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from isf_claims.repo import Repo
from isf_claims.validation.backends.spark import anchoring, contract, corpus, references
from isf_claims.validation.backends.spark.frames import build_frames
from isf_claims.validation.backends.spark.session import DEFAULT_MASTER, get_session
from isf_claims.validation.backends.spark.structure import read_structure
from isf_claims.validation.policy import dirty_units
from isf_claims.validation.reader import Inputs
from isf_claims.validation.report import Finding

__all__ = ["DEFAULT_MASTER", "run"]


def run(
    repo: Repo, paths: Sequence[Path | str] = (), master: str = DEFAULT_MASTER
) -> tuple[Inputs, list[Finding]]:
    """Levels 1-5 on Spark: the inputs (with the level-1 findings, as the reader gives
    them to the other engines) and the findings of levels 2-5."""
    spark = get_session(master)
    inputs, records, typed = read_structure(spark, repo, list(paths))
    try:
        frames = build_frames(spark, inputs, records)
        schema = inputs.schema
        out = typed + frames.findings + contract.table_contract(schema, frames)
        out += contract.row_rules(spark, schema, frames, out)
        dirty2 = dirty_units(out, 2)
        anchored, found = anchoring.documents(spark, schema, frames, dirty2)
        out += found
        out += anchoring.spans(spark, schema, frames, anchored, dirty2)
        out += references.references(spark, inputs, frames, out)
        out += corpus.corpus(spark, inputs, frames, out)
    finally:
        if records is not None:
            records.unpersist()
    return inputs, out
