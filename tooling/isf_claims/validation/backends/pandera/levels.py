"""The pandera engine's levels 2-5 in order, one group of documents at a time.

Per group (the reader's batches): the contract of the document tables and the row rules
(:mod:`contract`), anchoring (:mod:`anchoring`), and the references of the group's records
into its own documents and the shared tables (:mod:`references`); then the group's frames
are dropped, keeping only narrow columns. At the end: the shared tables' references into
every document, and the corpus-wide checks (:mod:`corpus`). The shared tables (entities,
clusters) are small and checked first. Memory stays that of a group plus the narrow columns.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl
import pyarrow as pa

from isf_claims.validation.backends.pandera import anchoring, contract, corpus, references
from isf_claims.validation.backends.pandera.frames import (
    DOCUMENT_TABLES,
    SHARED_TABLES,
    Frames,
    group_frames,
    polars_tables,
    raw_frame,
    shared_tables,
)
from isf_claims.validation.contract import Reference
from isf_claims.validation.fastparse import release_memory
from isf_claims.validation.policy import dirty_units
from isf_claims.validation.reader import Batch, Inputs, RawTexts, parse_documents
from isf_claims.validation.report import Finding

if TYPE_CHECKING:
    from isf_claims.corpus import Corpus


class Run:
    """One run of levels 2-5 over the reader's batches."""

    def __init__(self, inputs: Inputs) -> None:
        self.inputs = inputs
        arrow, found = shared_tables(inputs)
        self.shared_arrow = arrow
        self.shared = polars_tables(arrow)
        self.shared_found = found + contract.table_contract(
            inputs.schema, self.shared, SHARED_TABLES
        )
        self.found: list[Finding] = []
        self.narrow = corpus.Narrow()
        self.keys: dict[Reference, list[pl.DataFrame]] = {}

    def group(self, batch: Batch) -> None:
        """Levels 2-4 of one batch's documents."""
        self._check(group_frames(self.inputs, batch, self.shared))
        release_memory()

    def _check(self, frames: Frames) -> None:
        inputs, schema = self.inputs, self.inputs.schema
        out = frames.findings + contract.table_contract(schema, frames.tables, DOCUMENT_TABLES)
        out += contract.row_rules(schema, frames, out)
        dirty2 = dirty_units(out, 2)
        anchored, found = anchoring.documents(schema, frames, dirty2)
        out += found
        out += anchoring.spans(schema, frames, anchored, dirty2)
        out += references.references(inputs, frames, self.shared_found + out)
        self.narrow.add(frames, out)
        for ref, keys in references.across(frames).items():
            self.keys.setdefault(ref, []).append(keys)
        self.found += out

    def whole(self, on_corpus: Callable[[Corpus], None] | None = None) -> Corpus:
        """Every batch at once, as the corpus model (texts and metadata included, equal to
        ``load_corpus``), checked as one group. ``on_corpus`` gets the model before the
        checks run, unless level 1 already failed."""
        from isf_claims.corpus import corpus_from_records

        inputs = self.inputs
        index = {id(f): i for i, f in enumerate(inputs.files)}
        tables, file_idx, lines, typed, raws = [], [], [], [], []
        metas: dict[str, dict[str, Any]] = {}
        for batch in parse_documents(inputs):
            where = np.array([index[id(f)] for f in batch.files], dtype=np.int32)
            tables.append(batch.records)
            file_idx.append(where[batch.file_idx] if len(where) else batch.file_idx)
            lines.append(batch.lines)
            typed += batch.typed
            if batch.raw is not None:
                raws.append(batch.raw)
            metas.update(batch.metas)
        raw = _concat(raws)
        ids = [f.doc_id for f in inputs.documents if f.ok and f.doc_id is not None]
        corpus_model = corpus_from_records(
            inputs.repo,
            inputs.schema,
            pa.concat_tables(tables) if tables else _empty(inputs),
            np.concatenate(file_idx) if file_idx else np.zeros(0, np.int32),
            np.concatenate(lines) if lines else np.zeros(0, np.int32),
            [f.rel for f in inputs.files],
            texts=pa.table({"doc_id": pa.array(raw.doc_ids, pa.string()), "text": raw.text}),
            metadata={d: metas.get(d, {}) for d in ids},
            shared={},
        )
        del tables
        corpus_model.tables.update(self.shared_arrow)
        release_memory()
        if on_corpus is not None and not any(f.severity == "error" for f in inputs.findings):
            on_corpus(corpus_model)  # the caller may start on it now, in another thread
        frames = polars_tables({t: corpus_model.tables[t] for t in DOCUMENT_TABLES})
        frames.update(self.shared)
        self._check(Frames(frames, raw_frame(raw, inputs.raw_refused), typed))
        return corpus_model

    def finish(self) -> list[Finding]:
        """The shared tables' references into every document, and the corpus level."""
        inputs = self.inputs
        keys = {ref: pl.concat(parts).unique() for ref, parts in self.keys.items()}
        out = self.shared_found + self.found
        out += references.shared_references(inputs, self.shared, keys)
        out += corpus.corpus(inputs, self.shared["entities"], self.narrow)
        return out


def _concat(raws: list[RawTexts]) -> RawTexts:
    chunks = [r.text for r in raws] or [pa.array([], pa.string())]
    return RawTexts(
        [d for r in raws for d in r.doc_ids],
        [p for r in raws for p in r.present],
        [s for r in raws for s in r.sha256],
        pa.chunked_array(chunks, pa.string()),
    )


def _empty(inputs: Inputs) -> pa.Table:
    from isf_claims.tables import record_schema

    return record_schema(inputs.schema).empty_table()
