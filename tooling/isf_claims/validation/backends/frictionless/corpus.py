"""Level 5, the corpus, on frictionless: raw files without annotations (the reader's
listing, as for every engine), and on full runs the two warnings: a surface form labelled
differently across documents, and canonical entities nothing refers to."""

from __future__ import annotations

from collections import Counter

from isf_claims.validation import wording
from isf_claims.validation.backends.frictionless.state import State, at
from isf_claims.validation.policy import dirty_units
from isf_claims.validation.report import Finding


def corpus(state: State, findings: list[Finding]) -> list[Finding]:
    """Corpus-wide findings, given the findings of levels 2-4 (records with one are left
    out)."""
    inputs = state.inputs
    out = inputs.unannotated()
    if not inputs.complete:
        return out
    dirty = dirty_units(findings, 4)
    mentions = state.rows["mentions"]
    idx = {c: i for i, c in enumerate(mentions.columns)}
    clean = [
        (cells, o)
        for cells, o in zip(mentions.cells, mentions.origins, strict=True)
        if (o.file, o.line, None) not in dirty
    ]
    labels: dict[str, Counter[str]] = {}
    docs: dict[str, set[str | None]] = {}
    for cells, o in clean:
        text = cells[idx["text"]]
        labels.setdefault(text, Counter())[cells[idx["label"]]] += 1
        docs.setdefault(text, set()).add(o.doc_id)
    for cells, o in clean:
        text, label = cells[idx["text"]], cells[idx["label"]]
        counts = labels[text]
        major = min(counts, key=lambda lab: (-counts[lab], lab))
        if len(counts) > 1 and len(docs[text]) > 1 and label != major:
            form = {
                "text": text,
                "label": label,
                "_major": major,
                "_nmajor": counts[major],
                "_total": sum(counts.values()),
                "_nd": len(docs[text]),
            }
            out.append(at(o, "label-inconsistent", "label", **wording.label_inconsistent(form)))
    claims = state.rows["claims"]
    refs = [c[mentions.columns.index("entity")] for c in mentions.cells]
    refs += [c[claims.columns.index("source_entity")] for c in claims.cells]
    used = {r for r in refs if isinstance(r, str)}
    entities = state.rows["entities"]
    for cells, o in zip(entities.cells, entities.origins, strict=True):
        eid = cells[entities.columns.index("id")]
        if isinstance(eid, str) and eid not in used:
            out.append(at(o, "entity-unused", **wording.entity_unused({"id": eid})))
    return out
