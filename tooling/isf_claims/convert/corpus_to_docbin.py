"""Corpus -> spaCy ``DocBin`` (export only; needs the ``spacy`` extra).

Each document becomes a ``Doc`` whose text is the raw text exactly (tokens cut at every span
edge, whitespace kept as spaCy keeps it). Spans go to span groups named ``<layer>`` (zones,
mentions, markers) or ``<layer>_<role>`` (claim content, cue, source), with the record id as
``span.id_``, the label (or role) as ``label_`` and a canonical entity link as ``kb_id_``;
``doc.ents`` holds the outermost mentions. Every record, with its attributes, and the header
are kept whole as JSON in ``doc.user_data["isf"]``, so nothing is dropped.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from isf_claims.convert.base import ExportResult, shared_sidecars
from isf_claims.convert.model import TOP, Document, Interchange, present_spans, shapes, span_of
from isf_claims.convert.tokens import outermost, tokenize
from isf_claims.errors import refuse

OUTPUT = "corpus.spacy"


def _spacy() -> Any:
    try:
        import spacy
    except ImportError as exc:
        raise refuse(
            "spacy-missing", expected="the spacy package", found="ImportError: " + str(exc)
        ) from exc
    return spacy


def words_and_spaces(
    text: str, starts: np.ndarray, ends: np.ndarray
) -> tuple[list[str], list[bool]]:
    """spaCy's words/spaces for ``text`` cut into the given tokens; whitespace other than one
    space after a token becomes a token of its own, so the Doc's text is ``text``."""
    words: list[str] = []
    spaces: list[bool] = []
    bounds = [
        0,
        *[x for pair in zip(starts.tolist(), ends.tolist(), strict=True) for x in pair],
        len(text),
    ]
    for i in range(0, len(bounds), 2):
        gap = text[bounds[i] : bounds[i + 1]]
        if gap:
            if words and gap.startswith(" ") and not spaces[-1]:
                spaces[-1] = True
                gap = gap[1:]
            if gap:
                words.append(gap)
                spaces.append(False)
        if i + 2 < len(bounds):
            words.append(text[bounds[i + 1] : bounds[i + 2]])
            spaces.append(False)
    return words, spaces


def _doc(nlp: Any, doc: Document, schema: Any) -> Any:
    from spacy.tokens import Doc, Span

    shps = shapes(schema)
    edges = [x for *_, span in present_spans(doc, shps) for x in (span["start"], span["end"])]
    starts, ends = tokenize(doc.text, np.array(edges, dtype=np.int64))
    words, spaces = words_and_spaces(doc.text, starts, ends)
    sdoc = Doc(nlp.vocab, words=words, spaces=spaces)
    assert sdoc.text == doc.text, "token reconstruction must give the raw text back"
    for layer, shp in shps.items():
        for role in shp.roles:
            group = layer if role == TOP else f"{layer}_{role}"
            spans = []
            for rec in doc.records[layer]:
                span = span_of(rec, role)
                if not span or span.get("start") is None:
                    continue
                got = sdoc.char_span(span["start"], span["end"])
                if got is None:
                    raise refuse(
                        "docbin-misaligned",
                        record=f"{doc.doc_id}/{rec['id']}",
                        expected="span edges on token edges",
                        found=f"[{span['start']}, {span['end']})",
                    )
                label = shp.label_of(rec) if role == TOP else role
                if label is None:  # spaCy refuses a span without a label
                    raise TypeError(f"{layer} record {rec['id']} has no label")
                kb = next(
                    (rec.get(n) for n, (r, t) in shp.links.items() if t == "entity" and r == role),
                    None,
                )
                spans.append(
                    Span(sdoc, got.start, got.end, label=label, kb_id=kb or "", span_id=rec["id"])
                )
            sdoc.spans[group] = spans
    mentions = list(sdoc.spans.get("mention", []))
    if mentions:
        keep = outermost(np.array([s.start for s in mentions]), np.array([s.end for s in mentions]))
        sdoc.ents = [s for s, k in zip(mentions, keep.tolist(), strict=True) if k]
    sdoc.user_data["isf"] = json.dumps(
        {"header": doc.header, "records": doc.records}, ensure_ascii=False, sort_keys=True
    )
    return sdoc


def export(inter: Interchange) -> ExportResult:
    """A DocBin of every document (lossless: records ride along in user_data)."""
    spacy = _spacy()
    from spacy.tokens import DocBin

    nlp = spacy.blank("en")
    bin_ = DocBin(store_user_data=True)
    for doc in inter.documents:
        bin_.add(_doc(nlp, doc, inter.schema))
    files = {OUTPUT: bin_.to_bytes()}
    files.update(shared_sidecars(inter))
    return ExportResult(files)
