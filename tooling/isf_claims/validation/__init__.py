"""Validation of a corpus: five levels, one contract, three engines (the third, Spark,
needs the ``spark`` extra).

``validate(repo)`` checks the whole corpus; ``validate(repo, paths)`` checks the given files
plus the corpus-wide checks they can affect (what the pre-commit hook runs). Nothing is ever
written. See :mod:`isf_claims.validation.checks` for every code.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from isf_claims.errors import usage_error
from isf_claims.repo import Repo
from isf_claims.validation import history
from isf_claims.validation.checks import CHECKS, Check
from isf_claims.validation.policy import finalize
from isf_claims.validation.reader import DOCUMENT, Inputs, read_inputs
from isf_claims.validation.report import DEFAULT_MAX_PER_CODE, Finding, Report

if TYPE_CHECKING:
    from isf_claims.corpus import Corpus

DEFAULT_ENGINE = "pandera"


ENGINES = ("pandera", "frictionless")  # in-process engines, tested on every bad input
SPARK = "spark"  # the distributed engine (the ``spark`` extra; tests/test_validate_spark.py)


def _engine(name: str) -> Callable[[Inputs], list[Finding]]:
    """The engine's ``run``, imported only when used (each engine's library is heavy)."""
    module = importlib.import_module(f"isf_claims.validation.{name}_engine")
    return module.run


def _preload(name: str) -> threading.Thread:
    """Import the engine in the background while the files are read and parsed (the parse
    runs in Arrow's threads, without the GIL)."""
    thread = threading.Thread(target=_engine, args=(name,), daemon=True)
    thread.start()
    return thread


def validate(
    repo: Repo,
    paths: Sequence[Path | str] = (),
    engine: str = DEFAULT_ENGINE,
    master: str | None = None,
) -> Report:
    """Validate the corpus (or the given files) with ``engine``; never writes. ``master``
    is the Spark master of the spark engine (default ``local[*]``)."""
    return _run(repo, paths, engine, keep_corpus=False, master=master)[0]


def validate_and_load(
    repo: Repo, on_corpus: Callable[[Corpus], None] | None = None
) -> tuple[Report, Corpus | None]:
    """Validate the whole corpus (pandera engine) and, when it has no errors, return the
    corpus model made from the same parse (texts and metadata included; equal to
    ``load_corpus(repo)``). The release build uses it, so the corpus is read once.

    ``on_corpus`` is called with the model as soon as it is made, before the checks of
    levels 2-5 run (not at all when level 1 already failed), so a caller can start work on
    it in another thread; that work must not be used unless the report is ok."""
    report, corpus = _run(repo, (), DEFAULT_ENGINE, keep_corpus=True, on_corpus=on_corpus)
    return report, corpus if report.ok else None


def _run(
    repo: Repo,
    paths: Sequence[Path | str],
    engine: str,
    keep_corpus: bool,
    on_corpus: Callable[[Corpus], None] | None = None,
    master: str | None = None,
) -> tuple[Report, Corpus | None]:
    if engine not in (*ENGINES, SPARK):
        raise usage_error(
            "unknown-engine",
            "unknown validation engine",
            expected=" or ".join((*ENGINES, SPARK)),
            found=engine,
            fix="pass --engine pandera (default), frictionless or spark",
        )
    if master is not None and engine != SPARK:
        raise usage_error(
            "master-without-spark",
            "--master applies to the spark engine only",
            expected="--engine spark",
            found=f"--engine {engine}",
            fix="add --engine spark, or drop --master",
        )
    if engine == SPARK:
        from isf_claims.validation.backends.spark import validate_many

        return validate_many([(repo, paths)], master)[0], None
    loading = None if paths else _preload(engine)  # a few files: nothing to overlap with
    fast = engine == "pandera"
    inputs = read_inputs(repo, paths, prefetch_raw=fast)
    inputs.keep_corpus = keep_corpus
    inputs.findings += history.history_findings(repo, None if inputs.full else inputs.scope_ids)
    if not any(f.severity == "error" for f in inputs.findings):
        inputs.on_corpus = on_corpus
    if loading is not None:
        loading.join()
    found = _engine(engine)(inputs) + inputs.meta_result().findings
    return _report(inputs, engine, found), inputs.corpus


def _report(inputs: Inputs, engine: str, engine_found: list[Finding]) -> Report:
    """The report of a run: the reader's and the engine's findings through the policy,
    restricted to the files a partial run reports."""
    found = finalize(inputs.findings + engine_found)
    reported = inputs.reported_files()
    if reported is not None:
        found = [
            f
            for f in found
            if f.file in reported
            or (f.code == "dangling-member" and f.doc_id in inputs.scope_ids)
            or f.code in history.CODES  # a removed or renamed file is in nobody's scope
        ]
    checked = sum(1 for f in inputs.files if f.kind == DOCUMENT or inputs.full)
    return Report(
        engine=engine,
        schema_version=inputs.schema.version,
        scope="corpus" if inputs.full else "files",
        files_checked=checked,
        findings=found,
    )


__all__ = [
    "CHECKS",
    "DEFAULT_ENGINE",
    "DEFAULT_MAX_PER_CODE",
    "ENGINES",
    "SPARK",
    "Check",
    "Finding",
    "Report",
    "validate",
    "validate_and_load",
]
