"""Corpus -> CoNLL-style IOB2 (export only): ``token<TAB>tag`` per line, a blank line between
sentences, ``-DOCSTART-`` before each document.

IOB2 holds one entity label per token, so it carries mention spans and labels only. It
cannot hold nested mentions (the outermost is kept), canonical entity links, zones, claims,
markers, entities or clusters: each is listed as dropped, and the export refuses unless
``--allow-lossy``. Tokens are cut at every mention edge, so no kept span is cut short.
"""

from __future__ import annotations

import numpy as np

from isf_claims.convert.base import Dropped, ExportResult
from isf_claims.convert.model import Document, Interchange, shape
from isf_claims.convert.tokens import sentence_ids, token_owners, tokenize
from isf_claims.schema import DOCUMENT_LAYERS

OUTPUT = "corpus.conll"
LAYER = "mention"


def iob2(doc: Document, label_field: str) -> tuple[list[str], list[str], np.ndarray, np.ndarray]:
    """Tokens, their IOB2 tags and sentence ids of ``doc``, and the mask of mentions kept."""
    recs = doc.records[LAYER]
    ms = np.array([r["start"] for r in recs], dtype=np.int64)
    me = np.array([r["end"] for r in recs], dtype=np.int64)
    labels = np.array([r[label_field] for r in recs], dtype=object)
    starts, ends = tokenize(doc.text, np.concatenate([ms, me]))
    owner, begins, keep = token_owners(starts, ends, ms, me)
    inside = owner >= 0
    tags = np.full(len(starts), "O", dtype=object)
    if inside.any():
        prefix = np.where(begins[inside], "B-", "I-")
        tags[inside] = np.char.add(prefix, labels[owner[inside]].astype(str))
    sents = sentence_ids(doc.text, starts, ends, (ms, me))
    tokens = [doc.text[a:b] for a, b in zip(starts.tolist(), ends.tolist(), strict=True)]
    return tokens, tags.tolist(), sents, keep


def export(inter: Interchange) -> ExportResult:
    """The IOB2 file and everything IOB2 cannot hold."""
    shp = shape(inter.schema, LAYER)
    label_field = shp.label or "label"
    out: list[str] = []
    dropped: list[Dropped] = []
    for doc in inter.documents:
        tokens, tags, sents, keep = iob2(doc, label_field)
        out += ["-DOCSTART-\tO", ""]
        if tokens:
            new_sent = np.concatenate([[False], np.diff(sents) > 0]).tolist()
            for tok, tag, brk in zip(tokens, tags, new_sent, strict=True):
                if brk:
                    out.append("")
                out.append(f"{tok}\t{tag}")
            out.append("")
        recs = doc.records[LAYER]
        for rec, kept in zip(recs, keep.tolist(), strict=True):
            if not kept:
                dropped.append(
                    Dropped(
                        doc.doc_id,
                        LAYER,
                        rec["id"],
                        "nested mention",
                        "IOB2 gives each token one tag; the outermost mention is kept",
                    )
                )
            for name in (*shp.attributes, *shp.texts, *shp.links):
                if rec.get(name) is not None:
                    dropped.append(
                        Dropped(
                            doc.doc_id,
                            LAYER,
                            rec["id"],
                            f"mention {name}",
                            "IOB2 holds labels only",
                        )
                    )
        for layer in DOCUMENT_LAYERS:
            if layer != LAYER:
                dropped += [
                    Dropped(
                        doc.doc_id, layer, r["id"], f"{layer} record", "IOB2 holds mentions only"
                    )
                    for r in doc.records[layer]
                ]
    for layer, shared in (("entity", inter.entities), ("cluster", inter.clusters)):
        dropped += [
            Dropped(None, layer, r["id"], f"{layer} record", "IOB2 holds mentions only")
            for r in shared or []
        ]
    return ExportResult({OUTPUT: ("\n".join(out) + "\n").encode("utf-8")}, dropped)
