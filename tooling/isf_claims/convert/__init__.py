"""Interchange with annotation tools and training formats.

A registry of small ``<src>_to_<dst>`` modules behind ``isf-claims export FORMAT`` and
``isf-claims import FORMAT``. Exporters turn the corpus into a tool's files and list what the
format could not hold; importers turn a tool's files back into annotation files, which are
validated in context before anything is written. Export then import of Label Studio and brat
gives back the annotation files byte for byte.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from isf_claims.convert import (
    brat_to_corpus,
    corpus_to_brat,
    corpus_to_conll,
    corpus_to_docbin,
    corpus_to_labelstudio,
    labelstudio_to_corpus,
)
from isf_claims.convert.base import (
    Dropped,
    ExportResult,
    load_interchange,
    loss_report,
    refuse_lossy,
)
from isf_claims.convert.model import Interchange, to_files
from isf_claims.convert.staging import write_annotations, write_outputs
from isf_claims.errors import usage_error
from isf_claims.repo import Repo

EXPORTERS: dict[str, Callable[[Interchange], ExportResult]] = {
    "labelstudio": corpus_to_labelstudio.export,
    "brat": corpus_to_brat.export,
    "conll": corpus_to_conll.export,
    "docbin": corpus_to_docbin.export,
}
IMPORTERS: dict[str, Callable[[Repo, Path], Interchange]] = {
    "labelstudio": labelstudio_to_corpus.import_labelstudio,
    "brat": brat_to_corpus.import_brat,
}
LOSS_REPORT = "dropped.jsonl"


@dataclass
class ExportReport:
    """What an export wrote and what it dropped."""

    written: list[Path]
    dropped: list[Dropped]


def _pick(registry: dict, name: str, verb: str):  # type: ignore[no-untyped-def]
    if name not in registry:
        raise usage_error(
            "unknown-format",
            f"no {verb} for format {name!r}",
            expected="one of " + ", ".join(sorted(registry)),
            found=name,
            fix=f"pick a format `isf-claims {verb}` knows",
        )
    return registry[name]


def export_corpus(
    repo: Repo,
    fmt: str,
    out: Path,
    *,
    doc_ids: list[str] | None = None,
    allow_lossy: bool = False,
    force: bool = False,
) -> ExportReport:
    """Export the corpus (or ``doc_ids``) as ``fmt`` into ``out``. Refuses, writing nothing,
    when the format would drop anything unless ``allow_lossy``; a lossy export writes
    ``dropped.jsonl`` naming every dropped thing."""
    exporter = _pick(EXPORTERS, fmt, "export")
    result = exporter(load_interchange(repo, doc_ids))
    refuse_lossy(fmt, result.dropped, allow_lossy)
    files = dict(result.files)
    if result.dropped:
        files[LOSS_REPORT] = loss_report(result.dropped)
    return ExportReport(write_outputs(out, files, force=force), result.dropped)


def import_annotations(repo: Repo, fmt: str, source: Path, *, force: bool = False) -> list[Path]:
    """Import ``source`` (a tool's export) as annotation files; returns the files changed.
    Validates the resulting corpus first; refuses to replace a file unless ``force``; on any
    error nothing is written."""
    importer = _pick(IMPORTERS, fmt, "import")
    if not source.exists():
        raise usage_error(
            "file-not-found", "no such file or folder", path=str(source), fix="check the path"
        )
    return write_annotations(repo, to_files(repo, importer(repo, source)), force=force)
