"""Interchange with annotation tools and training formats.

A registry of small ``<src>_to_<dst>`` modules behind ``isf-claims export FORMAT`` and
``isf-claims import FORMAT``. Exporters turn the corpus into a tool's files and list what the
format could not hold; importers turn a tool's files back into annotation files, which are
validated in context before anything is written. Export then import of Label Studio and brat
gives back the annotation files byte for byte.

The registry is data: each format name maps to ``"module:function"``, imported on first use
(like spaCy's and Hugging Face's registries). Listing the formats (the CLI's help text, an
unknown-format error) therefore imports no converter, and with it none of polars, pyarrow or
the corpus model; importing a submodule such as :mod:`isf_claims.convert.tokens` does not
import the others either.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from isf_claims.errors import refuse

if TYPE_CHECKING:
    from isf_claims.convert.base import Dropped, ExportResult
    from isf_claims.convert.model import Interchange
    from isf_claims.repo import Repo


class LazyRegistry(Mapping[str, Callable[..., Any]]):
    """A read-only ``name -> function`` mapping whose functions are named as
    ``"package.module:function"`` and imported when first looked up. Iterating, ``len`` and
    ``in`` never import anything."""

    def __init__(self, targets: Mapping[str, str]) -> None:
        self.targets = dict(targets)
        self._resolved: dict[str, Callable[..., Any]] = {}

    def __getitem__(self, name: str) -> Callable[..., Any]:
        if name not in self._resolved:
            module, _, attr = self.targets[name].partition(":")
            self._resolved[name] = getattr(importlib.import_module(module), attr)
        return self._resolved[name]

    def __contains__(self, name: object) -> bool:
        return name in self.targets

    def __iter__(self) -> Iterator[str]:
        return iter(self.targets)

    def __len__(self) -> int:
        return len(self.targets)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.targets!r})"


#: Exporters: ``(Interchange) -> ExportResult``.
EXPORTERS = LazyRegistry(
    {
        "labelstudio": "isf_claims.convert.corpus_to_labelstudio:export",
        "brat": "isf_claims.convert.corpus_to_brat:export",
        "conll": "isf_claims.convert.corpus_to_conll:export",
        "docbin": "isf_claims.convert.corpus_to_docbin:export",
    }
)
#: Importers: ``(Repo, Path) -> Interchange``.
IMPORTERS = LazyRegistry(
    {
        "labelstudio": "isf_claims.convert.labelstudio_to_corpus:import_labelstudio",
        "brat": "isf_claims.convert.brat_to_corpus:import_brat",
    }
)
LOSS_REPORT = "dropped.jsonl"
#: Exporters that can carry a system's predictions (pre-annotation).
PREDICTIONS = ("labelstudio",)

# Names this package used to import eagerly, still importable from it (on first access).
_REEXPORTS = {
    "Dropped": "isf_claims.convert.base",
    "ExportResult": "isf_claims.convert.base",
    "load_interchange": "isf_claims.convert.base",
    "loss_report": "isf_claims.convert.base",
    "refuse_lossy": "isf_claims.convert.base",
    "Interchange": "isf_claims.convert.model",
    "to_files": "isf_claims.convert.model",
    "write_annotations": "isf_claims.convert.staging",
    "write_outputs": "isf_claims.convert.staging",
}


def __getattr__(name: str) -> Any:
    if name in _REEXPORTS:
        return getattr(importlib.import_module(_REEXPORTS[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass
class ExportReport:
    """What an export wrote and what it dropped."""

    written: list[Path]
    dropped: list[Dropped]


def _pick(registry: LazyRegistry, name: str, verb: str) -> Callable[..., Any]:
    if name not in registry:
        raise refuse(
            "unknown-format",
            expected="one of " + ", ".join(sorted(registry)),
            found=name,
            verb=verb,
            name=name,
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
    predictions: Path | None = None,
    model_version: str | None = None,
) -> ExportReport:
    """Export the corpus (or ``doc_ids``) as ``fmt`` into ``out``. Refuses, writing nothing,
    when the format would drop anything unless ``allow_lossy``; a lossy export writes
    ``dropped.jsonl`` naming every dropped thing. ``predictions`` (Label Studio only): a
    prediction file (the evaluation's format: mentions and claims, read and checked by
    :mod:`isf_claims.evaluate`) put into the tasks as predictions of ``model_version``
    (default: the file's name without extension)."""
    from isf_claims.convert.base import load_interchange, loss_report, refuse_lossy
    from isf_claims.convert.staging import write_outputs

    exporter = _pick(EXPORTERS, fmt, "export")
    if (predictions is not None or model_version is not None) and fmt not in PREDICTIONS:
        raise refuse(
            "predictions-unsupported",
            expected="--predictions with: " + ", ".join(PREDICTIONS),
            found=fmt,
            fmt=fmt,
        )
    inter = load_interchange(repo, doc_ids)
    if predictions is not None:
        from isf_claims.convert.predictions import read_predictions

        texts = {d.doc_id: d.text for d in inter.documents}
        preds = read_predictions(predictions, inter.schema, texts)
        result: ExportResult = exporter(inter, preds, model_version or predictions.stem)
    else:
        result = exporter(inter)
    refuse_lossy(fmt, result.dropped, allow_lossy)
    files = dict(result.files)
    if result.dropped:
        files[LOSS_REPORT] = loss_report(result.dropped)
    return ExportReport(write_outputs(out, files, force=force), result.dropped)


def import_annotations(repo: Repo, fmt: str, source: Path, *, force: bool = False) -> list[Path]:
    """Import ``source`` (a tool's export) as annotation files; returns the files changed.
    Validates the resulting corpus first; refuses to replace a file unless ``force``; on any
    error nothing is written."""
    from isf_claims.convert.model import to_files
    from isf_claims.convert.staging import write_annotations

    importer = _pick(IMPORTERS, fmt, "import")
    if not source.exists():
        raise refuse("file-not-found", path=str(source), what="file or folder")
    inter: Interchange = importer(repo, source)
    return write_annotations(repo, to_files(repo, inter), force=force)
