"""The pandera engine (the default): the contract checked column-wise by pandera's polars
backend, and the semantic checks as polars expressions and numpy, in process.

One module per level, as every engine: :mod:`contract` (2: pandera's table contract and
the row rules), :mod:`anchoring` (3: raw files, offsets, quotes, edges, overlaps,
crossings), :mod:`references` (4) and :mod:`corpus` (5); :mod:`frames` makes the polars
frames of every table from what the reader parsed (level 1 is the reader's). Each level
checks only records with no finding at an earlier level, so one root cause is reported once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from isf_claims.repo import Repo
from isf_claims.validation.reader import Inputs, open_inputs, parse_documents
from isf_claims.validation.report import Finding

if TYPE_CHECKING:
    from isf_claims.corpus import Corpus

__all__ = ["load", "run"]


def _import_levels() -> None:
    from isf_claims.validation.backends.pandera import (  # noqa: F401
        anchoring,
        contract,
        corpus,
        references,
    )


def _preload() -> threading.Thread:
    """Import the levels (pandera, polars) in the background while the files are read and
    parsed (the parse runs in Arrow's threads, without the GIL)."""
    thread = threading.Thread(target=_import_levels, daemon=True)
    thread.start()
    return thread


def run(repo: Repo, paths: Sequence[Path | str] = ()) -> tuple[Inputs, list[Finding]]:
    """Levels 1-5: the inputs (with the reader's findings) and the findings of levels 2-5."""
    inputs, found, _ = _validate(repo, paths, keep_corpus=False)
    return inputs, found


def load(
    repo: Repo, on_corpus: Callable[[Corpus], None] | None = None
) -> tuple[Inputs, list[Finding], Corpus | None]:
    """:func:`run` on the whole corpus, also returning the corpus model made from the same
    parse (see :func:`isf_claims.validation.validate_and_load`)."""
    return _validate(repo, (), keep_corpus=True, on_corpus=on_corpus)


def _validate(
    repo: Repo,
    paths: Sequence[Path | str],
    keep_corpus: bool,
    on_corpus: Callable[[Corpus], None] | None = None,
) -> tuple[Inputs, list[Finding], Corpus | None]:
    loading = None if paths else _preload()  # a few files: nothing to overlap with
    version = None
    while True:
        inputs = open_inputs(repo, paths, version)
        if loading is not None:
            loading.join()
        from isf_claims.validation.backends.pandera.levels import Run

        checks = Run(inputs)
        corpus = None
        if keep_corpus:
            corpus = checks.whole(on_corpus)
        else:
            for batch in parse_documents(inputs):
                checks.group(batch)
        found = checks.finish()
        if inputs.winner == inputs.schema.version:
            return inputs, found, corpus
        version = inputs.winner  # most files declare another version: read them with it
