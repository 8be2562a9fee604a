"""How findings of levels 2-5 are worded, one function per finding, shared by every engine
that reports them column-wise (pandera's polars backend, Spark).

Each function takes the failing row as a dict (the engines' column names: ``_s``/``_e`` for
a span's offsets, ``_o*`` for the other span of a pair, ``_elabel`` for the entity's label,
and so on) and returns the finding's ``message``, ``expected`` and ``found``.
"""

from __future__ import annotations

from typing import Any

from isf_claims.validation.contract import Reference

Row = dict[str, Any]


def duplicate(key: list[str], r: Row) -> Row:
    """``duplicate-id`` / ``duplicate-member``: a later record with a used key."""
    return {
        "message": "the id is already used by an earlier record",
        "expected": "an id not used before",
        "found": ", ".join(f"{k}={r[k]}" for k in key),
    }


def span_part_missing(span: str, part: str) -> Row:
    """``missing-value``: an optional span given without one of its parts."""
    return {
        "message": f"the {span} span has no {part}",
        "expected": "start, end and text (or no span at all)",
        "found": "null",
    }


def target_name(ref: Reference) -> str:
    """What a reference must name, in words."""
    if ref.target == "entities":
        return "a canonical entity in entities.jsonl"
    where = "of its document" if ref.table != "cluster_members" else "in that document"
    return f"a {ref.target[:-1]} {where}"


def dangling(ref: Reference, r: Row) -> Row:
    """``dangling-*``: a reference to nothing."""
    return {
        "message": f"{ref.field} {r[ref.field]!r} is not {target_name(ref)}",
        "expected": f"an id in {ref.target}",
        "found": str(r[ref.field]),
    }


def entity_label_mismatch(r: Row) -> Row:
    return {
        "message": f"mention is {r['label']}, its entity {r['entity']!r} is {r['_elabel']}",
        "expected": r["_elabel"],
        "found": r["label"],
    }


def source_mention_outside(r: Row) -> Row:
    """``source-mention-outside-source``; ``_ms``/``_me`` are the mention's offsets."""
    has_source = r["source_start"] is not None
    return {
        "message": f"source_mention {r['source_mention']} [{r['_ms']}, {r['_me']}) is not "
        "inside the source span",
        "expected": "inside "
        + (f"[{r['source_start']}, {r['source_end']})" if has_source else "a source span"),
        "found": f"[{r['_ms']}, {r['_me']})" + ("" if has_source else " and no source span"),
    }


def marker_outside(r: Row) -> Row:
    """``marker-outside-claim``; ``_cs``/``_ce`` are the claim content's offsets."""
    return {
        "message": f"marker [{r['start']}, {r['end']}) is outside the content of "
        f"{r['claim']} [{r['_cs']}, {r['_ce']})",
        "expected": f"inside [{r['_cs']}, {r['_ce']})",
        "found": f"[{r['start']}, {r['end']})",
    }


def label_inconsistent(r: Row) -> Row:
    """``label-inconsistent``: ``_major`` is the form's most frequent label, ``_nmajor`` its
    count, ``_total`` the form's mentions and ``_nd`` its documents."""
    return {
        "message": f"{r['text']!r} is {r['label']} here but {r['_major']} in "
        f"{r['_nmajor']} of its {r['_total']} mentions across {r['_nd']} documents",
        "expected": r["_major"],
        "found": r["label"],
    }


def entity_unused(r: Row) -> Row:
    return {
        "message": f"canonical entity {r['id']!r} is not referred to",
        "expected": "a mention or claim linked to it",
        "found": "none",
    }


def span_label(r: Row, s: str = "_s", e: str = "_e", i: str = "id") -> str:
    return f"{r[i]} [{r[s]}, {r[e]})"


def overlap(r: Row) -> Row:
    """``spans-overlap``: the span and the other (``_o*``) it overlaps."""
    return {
        "message": f"{span_label(r)} overlaps {span_label(r, '_os', '_oe', '_oid')}",
        "expected": "no overlap with another span of the layer",
        "found": f"overlap [{r['_s']}, {min(r['_e'], r['_oe'])})",
    }


def cross(r: Row) -> Row:
    """``spans-cross``: the span and the other (``_o*``) it crosses."""
    return {
        "message": f"{span_label(r)} crosses {span_label(r, '_os', '_oe', '_oid')}",
        "expected": "spans nested or apart",
        "found": f"{r['_oid']} ends at {r['_oe']}, inside {r['id']}",
    }
