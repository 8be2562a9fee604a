"""Validation of a corpus: five levels, one contract, three engines (the third, Spark,
needs the ``spark`` extra).

``validate(repo)`` checks the whole corpus; ``validate(repo, paths)`` checks the given files
plus the corpus-wide checks they can affect (what the pre-commit hook runs). Nothing is ever
written. See :mod:`isf_claims.codebook` for every code.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast

from isf_claims.codebook import CHECKS, Check
from isf_claims.errors import refuse
from isf_claims.repo import Repo
from isf_claims.validation import backends, history
from isf_claims.validation.policy import finalize
from isf_claims.validation.report import DEFAULT_MAX_PER_CODE, Finding, Report

if TYPE_CHECKING:
    from isf_claims.corpus import Corpus
    from isf_claims.validation.reader import Inputs

DEFAULT_ENGINE = "pandera"


ENGINES = ("pandera", "frictionless")  # in-process engines, tested on every bad input
SPARK = "spark"  # the distributed engine (the ``spark`` extra; tests/test_validate_spark.py)


class Engine(Protocol):
    """What a backend (``isf_claims.validation.backends.<name>``) provides: ``run`` checks
    levels 1-5 and returns the inputs it read (scope, files, level-1 findings) and its own
    findings. Options such as ``master`` are keyword parameters of ``run``."""

    def run(self, repo: Repo, paths: Sequence[Path | str], /) -> tuple[Inputs, list[Finding]]:
        """Validate ``paths`` (all files when empty) of ``repo``."""
        ...


def engine_names() -> list[str]:
    """The engines found under ``backends/``, the default first."""
    found = sorted(m.name for m in pkgutil.iter_modules(backends.__path__))
    return sorted(found, key=lambda n: n != DEFAULT_ENGINE)


def _engine(name: str) -> Engine:
    """The engine's module, imported only when used (each engine's library is heavy)."""
    names = engine_names()
    if name not in names:
        raise refuse("unknown-engine", expected=" or ".join(names), found=name)
    return cast(Engine, importlib.import_module(f"{backends.__name__}.{name}"))


def validate(
    repo: Repo,
    paths: Sequence[Path | str] = (),
    engine: str = DEFAULT_ENGINE,
    master: str | None = None,
) -> Report:
    """Validate the corpus (or the given files) with ``engine``; never writes. ``master``
    is the Spark master of the spark engine (default ``local[*]``)."""
    backend = _engine(engine)
    options: dict[str, Any] = {}
    if master is not None:
        if "master" not in inspect.signature(backend.run).parameters:
            raise refuse(
                "master-without-spark", expected="--engine spark", found=f"--engine {engine}"
            )
        options["master"] = master
    inputs, found = backend.run(repo, paths, **options)
    return _report(repo, inputs, engine, found)


def validate_and_load(
    repo: Repo, on_corpus: Callable[[Corpus], None] | None = None
) -> tuple[Report, Corpus | None]:
    """Validate the whole corpus (pandera engine) and, when it has no errors, return the
    corpus model made from the same parse (texts and metadata included; equal to
    ``load_corpus(repo)``). The release build uses it, so the corpus is read once.

    ``on_corpus`` is called with the model as soon as it is made, before the checks of
    levels 2-5 run (not at all when level 1 already failed), so a caller can start work on
    it in another thread; that work must not be used unless the report is ok."""
    from isf_claims.validation.backends.pandera import load

    inputs, found, corpus = load(repo, on_corpus)
    report = _report(repo, inputs, DEFAULT_ENGINE, found)
    return report, corpus if report.ok else None


def _report(repo: Repo, inputs: Inputs, engine: str, engine_found: list[Finding]) -> Report:
    """The report of a run: the reader's, the history's and the engine's findings through
    the policy, restricted to what a partial run reports (each check's ``scope``)."""
    history_found = history.history_findings(repo, None if inputs.full else inputs.scope_ids)
    found = finalize(inputs.findings + history_found + engine_found)
    reported = inputs.reported_files()
    if reported is not None:
        found = [f for f in found if _in_scope(f, reported, inputs.scope_ids)]
    checked = len(inputs.files) if inputs.full else len(inputs.documents)
    return Report(
        engine=engine,
        schema_version=inputs.schema.version,
        scope="corpus" if inputs.full else "files",
        files_checked=checked,
        findings=found,
    )


def _in_scope(f: Finding, files: set[str], doc_ids: set[str]) -> bool:
    """Whether a partial run reports ``f`` (see :attr:`Check.scope`)."""
    scope = CHECKS[f.code].scope
    if scope == "always":
        return True
    return f.file in files or (scope == "document" and f.doc_id in doc_ids)


__all__ = [
    "CHECKS",
    "DEFAULT_ENGINE",
    "DEFAULT_MAX_PER_CODE",
    "ENGINES",
    "SPARK",
    "Check",
    "Engine",
    "Finding",
    "Report",
    "engine_names",
    "validate",
    "validate_and_load",
]
