"""The parameters of findings of levels 2-5, one function per finding, shared by every engine
that reports them column-wise (pandera's polars backend, Spark); the words themselves are the
code book's templates (:func:`isf_claims.validation.report.words`).

Each function takes the failing row as a dict (the engines' column names: ``_s``/``_e`` for
a span's offsets, ``_o*`` for the other span of a pair, ``_elabel`` for the entity's label,
and so on) and returns the finding's ``message``, ``expected`` and ``found``.
"""

from __future__ import annotations

import json
from typing import Any

from isf_claims.validation.contract import Reference
from isf_claims.validation.report import words

Row = dict[str, Any]


def duplicate(key: list[str], r: Row, code: str = "duplicate-id") -> Row:
    """``duplicate-id`` / ``duplicate-member``: a later record with a used key."""
    return words(code, key=", ".join(f"{k}={r[k]}" for k in key))


def span_part_missing(span: str, part: str) -> Row:
    """``missing-value``: an optional span given without one of its parts."""
    return words("missing-value", field=f"{span}.{part}", need=SPAN_NEED)


#: What ``missing-value`` expects of a span part, a cluster's members and anything else.
SPAN_NEED = "start, end and text (or no span at all)"
MEMBERS_NEED = "a list of {doc_id, claim, note}"
VALUE_NEED = "a value"


def target_name(ref: Reference) -> str:
    """What a reference must name, in words."""
    if ref.target == "entities":
        return "a canonical entity in entities.jsonl"
    where = "of its document" if ref.table != "cluster_members" else "in that document"
    return f"a {ref.target[:-1]} {where}"


def dangling(ref: Reference, r: Row) -> Row:
    """``dangling-*``: a reference to nothing."""
    return words(
        ref.code,
        ref=ref.field,
        value=str(r[ref.field]),
        target=target_name(ref),
        table=ref.target,
    )


def entity_label_mismatch(r: Row) -> Row:
    return words(
        "entity-label-mismatch", label=r["label"], entity=r["entity"], entity_label=r["_elabel"]
    )


def source_mention_outside(r: Row) -> Row:
    """``source-mention-outside-source``; ``_ms``/``_me`` are the mention's offsets."""
    has_source = r["source_start"] is not None
    return words(
        "source-mention-outside-source",
        mention=r["source_mention"],
        start=r["_ms"],
        end=r["_me"],
        source=f"[{r['source_start']}, {r['source_end']})" if has_source else "a source span",
        absent="" if has_source else " and no source span",
    )


def marker_outside(r: Row) -> Row:
    """``marker-outside-claim``; ``_cs``/``_ce`` are the claim content's offsets."""
    return words(
        "marker-outside-claim",
        start=r["start"],
        end=r["end"],
        claim=r["claim"],
        claim_start=r["_cs"],
        claim_end=r["_ce"],
    )


def label_inconsistent(r: Row) -> Row:
    """``label-inconsistent``: ``_major`` is the form's most frequent label, ``_nmajor`` its
    count, ``_total`` the form's mentions and ``_nd`` its documents."""
    return words(
        "label-inconsistent",
        text=r["text"],
        label=r["label"],
        major=r["_major"],
        n_major=r["_nmajor"],
        total=r["_total"],
        n_docs=r["_nd"],
    )


def entity_unused(r: Row) -> Row:
    return words("entity-unused", id=r["id"])


def overlap(r: Row) -> Row:
    """``spans-overlap``: the span and the other (``_o*``) it overlaps."""
    return words(
        "spans-overlap",
        id=r["id"],
        start=r["_s"],
        end=r["_e"],
        other=r["_oid"],
        other_start=r["_os"],
        other_end=r["_oe"],
        overlap_end=min(r["_e"], r["_oe"]),
    )


def cross(r: Row) -> Row:
    """``spans-cross``: the span and the other (``_o*``) it crosses."""
    return words(
        "spans-cross",
        id=r["id"],
        start=r["_s"],
        end=r["_e"],
        other=r["_oid"],
        other_start=r["_os"],
        other_end=r["_oe"],
    )


def constraint(code: str, column: str, cons: dict[str, Any], value: Any) -> Row:
    """A Table Schema constraint broken by ``value`` in ``column`` (``cons``: the field's
    constraints): ``missing-value``, ``not-in-vocabulary``, ``pattern-mismatch`` or
    ``below-minimum``."""
    if code == "missing-value":
        return words(code, field=column, need=VALUE_NEED)
    if code == "not-in-vocabulary":
        return words(code, value=value, allowed=", ".join(cons["enum"]))
    if code == "pattern-mismatch":
        return words(code, value=value, pattern=cons["pattern"])
    return words(code, value=value, minimum=cons["minimum"])


def json_type(value: Any) -> str:
    """The JSON type of a parsed value, as a message names it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, str):
        return "string"
    if isinstance(value, int | float):
        return "number"
    return "array" if isinstance(value, list) else "object"


def wrong_type(field: str, expected: str, value: Any) -> Row:
    """``wrong-type``: ``field`` holds ``value`` where ``expected`` (a Table Schema type or an
    object's shape) belongs."""
    shown = json.dumps(value, ensure_ascii=False)[:80]
    return words("wrong-type", field=field, type=expected, actual=json_type(value), shown=shown)
