"""A system's predicted mentions as Label Studio ``predictions`` (pre-annotation).

The predictions file is JSON lines, one predicted mention per line::

    {"doc_id": "...", "start": 12, "end": 16, "label": "GPE"}

with code point offsets into the raw text, half-open, as everywhere in the corpus (an
optional ``"score"`` between 0 and 1 is passed on). Every line is checked before anything
is written: a known document among those exported, integer offsets inside the text, a label
of the schema's ``entity_label``, no span edge on whitespace, no line twice. In the tasks the
regions carry UTF-16 offsets, the text they cover and ids ``p1``, ``p2``, ... that are not
record ids, so regions an annotator accepts get fresh record ids on import.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from isf_claims.convert.offsets import OffsetMap
from isf_claims.errors import IsfError
from isf_claims.schema import Schema

KEYS = ("doc_id", "start", "end", "label")
OPTIONAL = ("score",)


@dataclass(frozen=True)
class Predicted:
    doc_id: str
    start: int
    end: int
    label: str
    score: float | None = None


def _bad(path: Path, lineno: int, message: str, expected: str, found: Any) -> IsfError:
    return IsfError(
        code="predictions-invalid",
        message=message,
        path=f"{path}:{lineno}",
        expected=expected,
        found=str(found)[:200],
        fix="correct the predictions file (one JSON object per line: doc_id, start, end, label)",
    )


def _int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def read_predictions(
    path: Path, schema: Schema, texts: dict[str, str]
) -> dict[str, list[Predicted]]:
    """Predicted mentions by document (only documents in ``texts``: doc_id -> raw text)."""
    if not path.is_file():
        raise IsfError(
            code="file-not-found",
            message="no such predictions file",
            path=str(path),
            fix="check the path",
            exit_code=2,
        )
    labels = set(schema.values("entity_label"))
    out: dict[str, list[Predicted]] = {}
    seen: set[tuple[str, int, int, str]] = set()
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except ValueError as exc:
            raise _bad(path, lineno, f"line is not JSON: {exc}", "a JSON object", line) from exc
        if not isinstance(rec, dict) or any(k not in rec for k in KEYS):
            raise _bad(path, lineno, "not a predicted mention", "keys " + ", ".join(KEYS), line)
        extra = set(rec) - set(KEYS) - set(OPTIONAL)
        if extra:
            raise _bad(path, lineno, "unknown key", ", ".join(KEYS + OPTIONAL), sorted(extra))
        doc_id, start, end, label = (rec[k] for k in KEYS)
        if doc_id not in texts:
            raise _bad(path, lineno, "unknown document", "an exported document id", doc_id)
        text = texts[doc_id]
        if not (_int(start) and _int(end) and 0 <= start < end <= len(text)):
            raise _bad(
                path,
                lineno,
                "offsets out of range",
                f"integers with 0 <= start < end <= {len(text)} (code points)",
                f"start {start!r}, end {end!r}",
            )
        if text[start].isspace() or text[end - 1].isspace():
            raise _bad(
                path,
                lineno,
                "span edge on whitespace",
                "no edge on whitespace",
                repr(text[start:end]),
            )
        if label not in labels:
            raise _bad(path, lineno, "unknown label", "one of " + ", ".join(sorted(labels)), label)
        score = rec.get("score")
        if score is not None and not (isinstance(score, int | float) and 0 <= score <= 1):
            raise _bad(path, lineno, "score out of range", "a number from 0 to 1", score)
        key = (doc_id, start, end, label)
        if key in seen:
            raise _bad(path, lineno, "the same prediction twice", "each prediction once", key)
        seen.add(key)
        out.setdefault(doc_id, []).append(Predicted(doc_id, start, end, label, score))
    return out


def prediction(text: str, preds: list[Predicted], model_version: str) -> dict[str, Any]:
    """The Label Studio prediction of one task: mention regions with UTF-16 offsets."""
    preds = sorted(preds, key=lambda p: (p.start, p.end, p.label))
    omap = OffsetMap.of(text)
    starts = omap.to_utf16([p.start for p in preds])
    ends = omap.to_utf16([p.end for p in preds])
    result = []
    for i, (p, s, e) in enumerate(zip(preds, starts, ends, strict=True), start=1):
        item: dict[str, Any] = {
            "id": f"p{i}",
            "from_name": "mention",
            "to_name": "text",
            "type": "labels",
            "value": {
                "start": int(s),
                "end": int(e),
                "text": text[p.start : p.end],
                "labels": [p.label],
            },
        }
        if p.score is not None:
            item["score"] = p.score
        result.append(item)
    out: dict[str, Any] = {"model_version": model_version, "result": result}
    scores = [p.score for p in preds if p.score is not None]
    if scores:
        out["score"] = sum(scores) / len(scores)
    return out
