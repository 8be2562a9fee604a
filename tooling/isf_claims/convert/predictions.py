"""A system's predictions read for Label Studio pre-annotation.

The predictions file is JSON lines, one predicted record per line, with code point offsets
into the raw text, half-open, as everywhere in the corpus:

- a mention: ``{"doc_id": "...", "start": 12, "end": 16, "label": "GPE"}`` (``"layer":
  "mention"`` may be given);
- a claim: ``{"doc_id": "...", "layer": "claim", "content": {"start": .., "end": ..}, "cue":
  {...}, "source": {...}}`` with any of the claim's span roles (``content`` required, the
  others optional) and any of its vocabulary attributes (``attribution``, ``source_type``,
  ``cue_commitment``, ``polarity``, ``claim_type``); without ``layer``, a line with a
  ``content`` is a claim.

These are the shapes of the evaluation's ``mentions`` and ``claims`` prediction files: their
optional ``id`` and ``text`` and a first line ``{"isf_claims": {...}}`` are accepted and not
used. An optional ``"score"`` between 0 and 1 is passed on. Every line is checked before anything
is written: a known document among those exported, integer offsets inside the text, no span
edge on whitespace, labels and attribute values of the schema's vocabularies, no line twice.
Predicted records get ids ``pm1``, ``pc1``, ... that are not record ids, so regions an
annotator accepts get fresh record ids on import.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from isf_claims.convert.model import shape
from isf_claims.errors import IsfError
from isf_claims.schema import Schema

MENTION_KEYS = ("doc_id", "start", "end", "label")
LAYERS = ("mention", "claim")
# Keys of the evaluation's prediction files that pre-annotation does not use.
IGNORED = ("id", "text")
HEADER_KEY = "isf_claims"


def _bad(path: Path, lineno: int, message: str, expected: str, found: Any) -> IsfError:
    return IsfError(
        code="predictions-invalid",
        message=message,
        path=f"{path}:{lineno}",
        expected=expected,
        found=str(found)[:200],
        fix="correct the predictions file (one JSON object per line: a mention "
        "{doc_id, start, end, label} or a claim {doc_id, layer: claim, content, ...})",
    )


def _int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


class _Line:
    """Checks of one line, reporting with its file and line number."""

    def __init__(self, path: Path, lineno: int, text: str) -> None:
        self.path, self.lineno, self.text = path, lineno, text

    def fail(self, message: str, expected: str, found: Any) -> IsfError:
        return _bad(self.path, self.lineno, message, expected, found)

    def span(self, name: str, value: Any) -> dict[str, Any]:
        if not isinstance(value, dict) or set(value) - {"start", "end", "text"}:
            raise self.fail(f"{name} is not a span", "an object {start, end}", value)
        start, end = value.get("start"), value.get("end")
        n = len(self.text)
        if not (_int(start) and _int(end) and 0 <= start < end <= n):
            raise self.fail(
                "offsets out of range",
                f"integers with 0 <= start < end <= {n} (code points)",
                f"{name}: start {start!r}, end {end!r}",
            )
        if self.text[start].isspace() or self.text[end - 1].isspace():
            raise self.fail(
                "span edge on whitespace", "no edge on whitespace", repr(self.text[start:end])
            )
        covered = self.text[start:end]
        if value.get("text") not in (None, covered):
            raise self.fail("span text is not the raw text at its offsets", covered, value["text"])
        return {"start": start, "end": end, "text": covered}

    def value(self, name: str, value: Any, allowed: list[str]) -> str:
        if value not in allowed:
            raise self.fail(f"unknown {name}", "one of " + ", ".join(allowed), value)
        return value


def _record(line: _Line, rec: dict[str, Any], schema: Schema) -> dict[str, Any]:
    rec = {k: v for k, v in rec.items() if k not in IGNORED}
    layer = rec.get("layer") or ("claim" if "content" in rec else "mention")
    if layer not in LAYERS:
        raise line.fail("unknown layer", " or ".join(LAYERS), layer)
    score = rec.get("score")
    if score is not None and not (
        isinstance(score, int | float) and not isinstance(score, bool) and 0 <= score <= 1
    ):
        raise line.fail("score out of range", "a number from 0 to 1", score)
    if layer == "mention":
        if any(k not in rec for k in MENTION_KEYS):
            raise line.fail("not a predicted mention", "keys " + ", ".join(MENTION_KEYS), rec)
        extra = set(rec) - {*MENTION_KEYS, "layer", "score"}
        if extra:
            raise line.fail("unknown key", ", ".join(MENTION_KEYS) + ", score", sorted(extra))
        span = line.span("mention", {"start": rec["start"], "end": rec["end"]})
        label = line.value("label", rec["label"], schema.values("entity_label"))
        return {"layer": layer, "label": label, **span, "entity": None, "_score": score}
    shp = shape(schema, "claim")
    known = {"doc_id", "layer", "score", *shp.roles, *shp.attributes}
    extra = set(rec) - known
    if extra:
        raise line.fail("unknown key", ", ".join(sorted(known)), sorted(extra))
    if rec.get("content") is None:
        raise line.fail("a predicted claim needs its content", "content {start, end}", rec)
    out: dict[str, Any] = {"layer": layer, "_score": score}
    for role in shp.roles:
        out[role] = None if rec.get(role) is None else line.span(role, rec[role])
    for name in shp.attributes:
        vocab = schema.values(shp.vocabularies[name])
        out[name] = None if rec.get(name) is None else line.value(name, rec[name], vocab)
    return out


def _key(rec: dict[str, Any]) -> str:
    return json.dumps({k: v for k, v in rec.items() if k != "_score"}, sort_keys=True)


def read_predictions(
    path: Path, schema: Schema, texts: dict[str, str]
) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """Predicted records by document and layer (only documents in ``texts``: doc_id -> raw
    text), in position order, with ids ``pm1``.../``pc1``... and their score as ``_score``."""
    if not path.is_file():
        raise IsfError(
            code="file-not-found",
            message="no such predictions file",
            path=str(path),
            fix="check the path",
            exit_code=2,
        )
    out: dict[str, dict[str, list[dict[str, Any]]]] = {}
    seen: set[tuple[str, str]] = set()
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            rec = json.loads(raw)
        except ValueError as exc:
            raise _bad(path, lineno, f"line is not JSON: {exc}", "a JSON object", raw) from exc
        if not isinstance(rec, dict):
            raise _bad(path, lineno, "not a predicted record", "a JSON object", raw)
        if lineno == 1 and set(rec) == {HEADER_KEY}:
            continue  # what the file was made on, as `isf-claims evaluate` reads it
        doc_id = rec.get("doc_id")
        if doc_id not in texts:
            raise _bad(path, lineno, "unknown document", "an exported document id", doc_id)
        record = _record(_Line(path, lineno, texts[doc_id]), rec, schema)
        key = (doc_id, _key(record))
        if key in seen:
            raise _bad(path, lineno, "the same prediction twice", "each prediction once", raw)
        seen.add(key)
        out.setdefault(doc_id, {layer: [] for layer in LAYERS})[record["layer"]].append(record)
    for layers in out.values():
        for layer, recs in layers.items():

            def position(r: dict[str, Any], lay: str = layer) -> tuple[int, int, str]:
                span = r["content"] if lay == "claim" else r
                return (span["start"], span["end"], _key(r))

            recs.sort(key=position)
            for i, r in enumerate(recs, start=1):
                r["id"] = f"p{layer[0]}{i}"
    return out
