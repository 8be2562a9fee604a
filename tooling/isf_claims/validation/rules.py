"""What both engines share besides the Table Schemas: the schema rules' constants, the
definition of whitespace, and the wording of a quote mismatch (with its hint).

Detection is each engine's own; only the explanation of a mismatch, which is computed for
the few spans that failed, is shared so that both engines say the same thing.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

from isf_claims.schema import Layer, Schema
from isf_claims.validation.report import words

# Unicode White_Space (PropList.txt): what the schema's span_edges rule means by whitespace.
WHITE_SPACE = frozenset(
    [chr(c) for c in range(0x09, 0x0E)]
    + [chr(c) for c in (0x20, 0x85, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000)]
    + [chr(c) for c in range(0x2000, 0x200B)]
)
WHITE_SPACE_CLASS = "[" + "".join(f"\\x{{{ord(c):x}}}" for c in sorted(WHITE_SPACE)) + "]"
EDGE_WHITESPACE_RE = f"^{WHITE_SPACE_CLASS}|{WHITE_SPACE_CLASS}$"

# Values named by the rule ``unattributed_has_no_source``.
UNATTRIBUTED = "unattributed"
OUTLET = "outlet"
NO_CUE = "none"
INT64 = (-(2**63), 2**63 - 1)


def check_rule_values(schema: Schema) -> None:
    """The values the rules name must exist in the schema's vocabularies."""
    assert UNATTRIBUTED in schema.values("attribution_type")
    assert OUTLET in schema.values("source_type")
    assert NO_CUE in schema.values("cue_commitment")


def attribution_problems(
    attribution: str | None,
    source_type: str | None,
    cue_commitment: str | None,
    has_cue: bool,
    has_source: bool,
) -> list[str]:
    """What breaks ``unattributed_has_no_source`` for one claim (empty: nothing).

    Reference wording for both engines; the pandera engine evaluates the same conditions
    column-wise and calls this only to word the findings.
    """
    out = []
    if attribution == UNATTRIBUTED:
        if has_cue:
            out.append("has a cue")
        if has_source:
            out.append("has a source span")
        if source_type != OUTLET:
            out.append(f"source_type is {source_type!r}, not {OUTLET!r}")
        if cue_commitment != NO_CUE:
            out.append(f"cue_commitment is {cue_commitment!r}, not {NO_CUE!r}")
    elif not has_cue:
        out.append("has no cue")
    return out


def describe_attribution(attribution: str | None, problems: list[str]) -> dict[str, Any]:
    """Message, expected and found of an ``attribution-inconsistent`` finding."""
    need = (
        f"no cue, no source, source_type {OUTLET}, cue_commitment {NO_CUE}"
        if attribution == UNATTRIBUTED
        else "a cue span"
    )
    return words(
        "attribution-inconsistent", attribution=attribution, problems="; ".join(problems), need=need
    )


def show(text: str | None) -> str:
    return json.dumps(text, ensure_ascii=False)


def show_pair(expected: str, found: str) -> tuple[str, str]:
    """Both texts quoted; escaped when they would print identically (NFC vs NFD)."""
    a, b = show(expected), show(found)
    if a == b or unicodedata.normalize("NFC", expected) == unicodedata.normalize("NFC", found):
        return json.dumps(expected, ensure_ascii=True), json.dumps(found, ensure_ascii=True)
    return a, b


def _unit_offsets(raw: str, encoding: str, width: int, start: int, end: int) -> tuple[int, int]:
    """Code-point offsets of ``start``/``end`` read as ``encoding`` code units (or -1)."""
    positions = {0: 0}
    units = 0
    for i, ch in enumerate(raw, start=1):
        units += len(ch.encode(encoding)) // width
        positions[units] = i
        if units > end:
            break
    return positions.get(start, -1), positions.get(end, -1)


def quote_hint(raw: str, start: int, end: int, text: str) -> str | None:
    """Why ``text`` differs from ``raw[start:end]``, when the cause is a common one."""
    actual = raw[start:end]
    nfc = unicodedata.normalize
    for encoding, width, name in (
        ("utf-16-le", 2, "UTF-16 code units (JavaScript string indices)"),
        ("utf-8", 1, "UTF-8 bytes"),
    ):
        s, e = _unit_offsets(raw, encoding, width, start, end)
        if s >= 0 and e > s and raw[s:e] == text:
            return f"the offsets look like {name}; in code points the span is [{s}, {e})"
    if actual.replace("\r\n", "\n") == text.replace("\r\n", "\n"):
        which = "stored text" if "\r\n" in text else "raw text"
        return f"only line endings differ: the {which} has CR LF where the other has LF"
    if nfc("NFC", actual) == nfc("NFC", text):
        form = "NFD" if nfc("NFD", text) == text else "another normalisation form"
        return (
            f"only Unicode normalisation differs: the stored text is in {form}, the raw text "
            "is not; copy the text from raw[start:end] without normalising"
        )
    found = _nearest(raw, text, start)
    if found is not None:
        shift = found - start
        return f"the text occurs at [{found}, {found + len(text)}) (offsets shifted by {shift:+d})"
    if nfc("NFC", text) != text or nfc("NFD", text) != text:
        found = _nearest(nfc("NFC", raw), nfc("NFC", text), start)
        if found is not None:
            return "the text matches the raw text only after Unicode normalisation (NFC/NFD)"
    return None


def _nearest(raw: str, text: str, start: int) -> int | None:
    if not text:
        return None
    best = None
    for m in re.finditer(re.escape(text), raw):
        if best is None or abs(m.start() - start) < abs(best - start):
            best = m.start()
    return best


def span_what(layer: str, prefix: str | None) -> str:
    """How messages name a span: ``mention`` or ``claim content span``."""
    return f"{layer} {prefix} span" if prefix else layer


def describe_span(code: str, what: str, raw: str, s: int, e: int, t: str) -> dict[str, Any]:
    """Message, expected, found and hint of an anchoring finding on one span."""
    n = len(raw)
    params: dict[str, Any] = {"what": what, "start": s, "end": e, "length": n}
    if code == "span-inverted":
        return words(code, **params)
    if code == "span-out-of-range":
        return {**words(code, **params), "hint": quote_hint(raw, s, min(e, n), t)}
    if code == "quote-mismatch":
        expected, found = show_pair(raw[s:e], t)
        return {**words(code, raw=expected, text=found, **params), "hint": quote_hint(raw, s, e, t)}
    side = "starts" if t[:1] in WHITE_SPACE else "ends"
    return words(code, side=side, text=show(t), **params)


def describe_raw(
    code: str, doc_id: str, declared: str | None, actual: str | None
) -> dict[str, Any]:
    """Message, expected and found of a raw-file finding (``raw-missing``, ``raw-changed``,
    ``raw-not-utf8``)."""
    return words(code, doc_id=doc_id, declared=declared, actual=actual)


_LAYERS: dict[tuple[str, str], Layer] = {}


def layer_of(schema: Schema, name: str) -> Layer:
    """``schema.layer(name)``, memoised by path and name (it is looked up per record)."""
    key = (str(schema.path), name)
    found = _LAYERS.get(key)
    if found is None:
        found = _LAYERS[key] = schema.layer(name)
    return found
