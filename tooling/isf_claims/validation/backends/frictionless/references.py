"""Level 4, references, on frictionless: the foreign keys are frictionless's own (declared
in the Table Schema, read back in :mod:`contract`); here are the references a key cannot
state: a mention's label against its canonical entity, a claim's source mention inside its
source span, a marker inside its claim. Only records clean up to level 3 are referred to.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from isf_claims.validation import wording
from isf_claims.validation.backends.frictionless.state import Payload, State, payload
from isf_claims.validation.policy import Unit

TABLES = ("mentions", "claims", "markers")  # tables with references checked here


def references(state: State, table: str, row: Any) -> Iterator[Payload]:
    """The level-4 findings of one row."""
    doc = row["doc_id"]
    if table == "mentions":
        label = state.clean_entities.get(row["entity"]) if isinstance(row["entity"], str) else None
        if label is not None and row["label"] is not None and row["label"] != label:
            found = {"label": row["label"], "entity": row["entity"], "_elabel": label}
            yield payload("entity-label-mismatch", "label", wording.entity_label_mismatch(found))
    elif table == "claims" and isinstance(row["source_mention"], str):
        m = state.clean_spans["mentions"].get((doc, row["source_mention"]))
        if m is None:
            return
        ss, se = row["source_start"], row["source_end"]
        if ss is None or (se is not None and (m[0] < ss or m[1] > se)):
            found = {
                "source_mention": row["source_mention"],
                "_ms": m[0],
                "_me": m[1],
                "source_start": ss,
                "source_end": se,
            }
            yield payload(
                "source-mention-outside-source",
                "source_mention",
                wording.source_mention_outside(found),
            )
    elif table == "markers" and isinstance(row["claim"], str):
        c = state.clean_spans["claims"].get((doc, row["claim"]))
        s, e = row["start"], row["end"]
        if c is not None and s is not None and e is not None and (s < c[0] or e > c[1]):
            found = {"start": s, "end": e, "claim": row["claim"], "_cs": c[0], "_ce": c[1]}
            yield payload("marker-outside-claim", "claim", wording.marker_outside(found))


def clean_entities(state: State, dirty: set[Unit]) -> None:
    """Remember the labels of canonical entities with no finding at level 2."""
    rows = state.rows["entities"]
    idx = {c: i for i, c in enumerate(rows.columns)}
    for cells, origin in zip(rows.cells, rows.origins, strict=True):
        if (origin.file, origin.line, None) not in dirty and isinstance(cells[idx["id"]], str):
            state.clean_entities.setdefault(cells[idx["id"]], cells[idx["label"]])
