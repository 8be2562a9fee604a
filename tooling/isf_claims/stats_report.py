"""Corpus statistics as text, as JSON and as plot files (what ``isf-claims stats`` prints).

By default everything is aggregated over documents (per outlet, the largest outlets apart
and the rest summed): the tables stay the same size at two documents or 100,000. Per-
document tables are added when asked for (``per_doc``, or when documents are named).
Statistics are computed from the narrow counts :mod:`isf_claims.stats_scan` reads, so no
text or span is loaded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from isf_claims.fsutil import atomic_write_many
from isf_claims.repo import Repo
from isf_claims.schema import Schema
from isf_claims.stats import (
    COUNTED,
    CorpusStats,
    aggregate_wide,
    check_selected,
    outlets_table,
    stats_json,
    stats_of,
    wide,
)


def _text_table(title: str, frame: pl.DataFrame) -> str:
    cells = [[str(c) for c in frame.columns]]
    cells += [["-" if v is None else str(v) for v in row] for row in frame.iter_rows()]
    widths = [max(len(r[i]) for r in cells) for i in range(len(cells[0]))]
    numeric = [dt.is_numeric() for dt in frame.dtypes]
    lines = [title]
    for r, row in enumerate(cells):
        lines.append(
            "  ".join(
                c.rjust(w) if num and r else c.ljust(w)
                for c, w, num in zip(row, widths, numeric, strict=True)
            ).rstrip()
        )
    return "\n".join(lines)


def format_stats(stats: CorpusStats, per_doc: bool = False) -> str:
    """The statistics as plain-text tables, aggregated over documents (per outlet, with a
    total); with ``per_doc`` also the tables per document (keyed D1, D2... as listed)."""
    vocab = stats.label_vocabulary
    parts = [
        _text_table("Corpus", stats.totals),
        _text_table("Outlets", outlets_table(stats)),
        _text_table(
            f"Mentions per label ({vocab}) and outlet",
            aggregate_wide(stats, stats.mention_labels, ["label"]),
        ),
        _text_table(
            "Claims per attribute value and outlet",
            aggregate_wide(stats, stats.claim_attributes, ["attribute", "value"]),
        ),
    ]
    if per_doc:
        docs = stats.documents.select(
            "key", "doc_id", "outlet", "published", "n_codepoints", *COUNTED, "clusters"
        )
        labels = wide(stats.mention_labels, ["label"], stats.documents)
        attributes = wide(stats.claim_attributes, ["attribute", "value"], stats.documents)
        parts += [
            _text_table("Documents", docs),
            _text_table(f"Mentions per label ({vocab}) and document", labels),
            _text_table("Claims per attribute value and document", attributes),
        ]
    return "\n\n".join(parts) + "\n"


def plot_files(
    stats: CorpusStats, schema: Schema, formats: tuple[str, ...] = ("png", "svg")
) -> dict[str, bytes]:
    """The plots as file name -> bytes (each in ``formats``), byte-identical on every run."""
    from isf_claims.render.plots import plot_files as draw

    return draw(stats, schema, formats)


def selected_stats(
    repo: Repo, doc_ids: list[str] | None, per_doc: bool = False
) -> tuple[CorpusStats, Schema]:
    """Statistics of ``doc_ids`` (default: every annotated document) from the narrow counts;
    label and attribute counts per document with ``per_doc``, else per outlet."""
    from isf_claims.stats_scan import counted_files

    counted, schema = counted_files(repo, check_selected(repo, doc_ids), per_doc)
    return stats_of(counted, schema), schema


def write_stats(
    repo: Repo, doc_ids: list[str] | None, plots_dir: Path | None, per_doc: bool = False
) -> tuple[str, dict[str, Any], list[Path]]:
    """Statistics of the selected documents as text and JSON (per-document tables with
    ``per_doc`` or named documents); writes the plots into ``plots_dir`` when given (all
    files or none) and returns their paths."""
    per_doc = per_doc or bool(doc_ids)
    stats, schema = selected_stats(repo, doc_ids, per_doc)
    written: list[Path] = []
    if plots_dir is not None:
        from isf_claims import progress

        with progress.task("statistics: drawing the plots"):
            drawn = plot_files(stats, schema)
        files = {plots_dir / name: data for name, data in drawn.items()}
        atomic_write_many(sorted(files.items()))
        written = sorted(files)
    return format_stats(stats, per_doc), stats_json(stats, per_doc), written
