"""The frictionless engine: the reference implementation, plain and row by row.

One module per level, as every engine: :mod:`contract` (2: the Table Schema checked by
frictionless itself, and the row rules it cannot state), :mod:`anchoring` (3),
:mod:`references` (4) and :mod:`corpus` (5); :mod:`rows` turns the reader's records into
rows of the contract's tables, and :mod:`state` holds what the checks share. Level 1 is the
reader's. Tables are validated one after another, targets of references first; each level
checks only records with no finding at an earlier one.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from isf_claims.repo import Repo
from isf_claims.validation.reader import Inputs, open_inputs, parse_documents
from isf_claims.validation.report import Finding

if TYPE_CHECKING:
    from frictionless import Check

    from isf_claims.validation.backends.frictionless.state import State

__all__ = ["NAME", "check", "read", "run"]

Record = dict[str, Any]

NAME = "frictionless"
NO_LIMIT = 10**12
_LEVELS = f"{__name__}.contract"  # imports frictionless (slow): done while files are read


def run(repo: Repo, paths: Sequence[Path | str] = ()) -> tuple[Inputs, list[Finding]]:
    """Levels 1-5: the reader's inputs (with its level-1 findings) and the findings of
    levels 2-5."""
    loading = None
    if not paths:  # a few files: nothing to overlap the import with
        loading = threading.Thread(target=importlib.import_module, args=(_LEVELS,), daemon=True)
        loading.start()
    inputs, records = read(repo, paths)
    if loading is not None:
        loading.join()
    return inputs, check(inputs, records)


def read(repo: Repo, paths: Sequence[Path | str] = ()) -> tuple[Inputs, list[list[Record]]]:
    """Level 1 by the reader, and the records of every file that passed it, by file: as
    written for files read line by line, as typed by the fast path for the others (a typed
    parse takes no value of another JSON type, so they are as written too)."""
    version = None
    while True:
        inputs = open_inputs(repo, paths, version)
        index = {id(f): i for i, f in enumerate(inputs.files)}
        records: list[list[Record]] = [[] for _ in inputs.files]
        for batch in parse_documents(inputs, raw=True, keep_records=True):
            where = [index[id(f)] for f in batch.files]
            for i, rec in zip(batch.file_idx.tolist(), batch.records.to_pylist(), strict=True):
                records[where[i]].append(rec)
        if inputs.winner == inputs.schema.version:
            break
        version = inputs.winner
    for i, f in enumerate(inputs.files):
        if f.records is not None:
            records[i] = f.records
        elif f.table is not None:
            records[i] = f.table.to_pylist()
    return inputs, records


def _checks(state: State, table: str) -> list[Check]:
    """The custom checks of one table, in the order they run on each row."""
    from isf_claims.validation.backends.frictionless import anchoring, contract, references
    from isf_claims.validation.backends.frictionless.state import RowCheck

    out: list[Check] = [RowCheck(on_row=lambda row: contract.row_rules(state, table, row))]
    if table in anchoring.TABLES:
        level3 = anchoring.Anchoring(state, table)
        out.append(RowCheck(on_row=level3.row, on_end=level3.end))
    if table in references.TABLES:
        out.append(RowCheck(on_row=lambda row: references.references(state, table, row)))
    return out


def check(inputs: Inputs, records: list[list[Record]]) -> list[Finding]:
    """Levels 2-5 over what the reader loaded (``records``: see :func:`read`), table by
    table."""
    from frictionless import Checklist

    from isf_claims.validation.backends.frictionless import anchoring, contract, references
    from isf_claims.validation.backends.frictionless.corpus import corpus
    from isf_claims.validation.backends.frictionless.rows import build_rows
    from isf_claims.validation.backends.frictionless.state import State
    from isf_claims.validation.contract import TABLES
    from isf_claims.validation.policy import dirty_units

    rows = build_rows(inputs, records)
    state = State(inputs, rows)
    package = contract.package(inputs, rows)
    findings: list[Finding] = []
    for table in TABLES:
        resource = package.get_resource(contract.resource_name(table))
        checklist = Checklist(checks=_checks(state, table))
        report = resource.validate(checklist, limit_errors=NO_LIMIT)
        findings += contract.read_errors(state, table, report)
        if table == "entities":
            references.clean_entities(state, dirty_units(findings, 2))
        elif table in ("mentions", "claims"):
            start, end = (
                ("start", "end") if table == "mentions" else ("content_start", "content_end")
            )
            anchoring.clean_spans(state, table, dirty_units(findings, 3), start, end)
    return findings + corpus(state, findings)
