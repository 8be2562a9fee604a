"""Stable codes of the errors ``evaluate`` (and ``baseline``) raise for bad predictions or
a bad call. Each bad-prediction code exits 1; a usage or environment error exits 2."""

from __future__ import annotations

from typing import Any

from isf_claims.errors import EXIT_INVALID, EXIT_USAGE, IsfError

CODES: dict[str, tuple[int, str]] = {
    "prediction-unreadable": (
        EXIT_INVALID,
        "The prediction file cannot be read as JSON lines or Parquet (or a JSON line is not "
        "an object).",
    ),
    "prediction-field-invalid": (
        EXIT_INVALID,
        "A field the task needs is missing, null or of the wrong type.",
    ),
    "prediction-unknown-document": (
        EXIT_INVALID,
        "A prediction names a doc_id the release does not have.",
    ),
    "prediction-unknown-segment": (
        EXIT_INVALID,
        "A ner prediction names a segment (doc_id, start) the release's ner config lacks.",
    ),
    "prediction-unknown-claim": (
        EXIT_INVALID,
        "A cluster member names a claim (doc_id, claim) the release's claims config lacks.",
    ),
    "prediction-offsets-out-of-range": (
        EXIT_INVALID,
        "A span does not satisfy 0 <= start < end <= the document's length in code points.",
    ),
    "prediction-tag-count": (
        EXIT_INVALID,
        "A ner prediction has a different number of tags than the segment has tokens.",
    ),
    "prediction-label-not-in-schema": (
        EXIT_INVALID,
        "A label, IOB2 tag or claim attribute value is not one of the schema's values.",
    ),
    "prediction-duplicate": (
        EXIT_INVALID,
        "The same prediction appears twice (same mention, same claim content span, same "
        "segment, same cluster id, or a claim twice in one cluster).",
    ),
    "prediction-span-edge-whitespace": (
        EXIT_INVALID,
        "A span predicted for Label Studio pre-annotation (`export labelstudio --predictions`) "
        "starts or ends on whitespace, which no annotation may.",
    ),
    "prediction-release-mismatch": (
        EXIT_INVALID,
        "The prediction file declares another release version or SHA256SUMS digest than "
        "the release it is scored against.",
    ),
    "prediction-split-mismatch": (
        EXIT_INVALID,
        "The prediction file declares another split than the one asked for.",
    ),
    "evaluate-unknown-task": (EXIT_USAGE, "The task is not ner, mentions, claims or clusters."),
    "evaluate-unknown-split": (EXIT_USAGE, "The split is not one the release has."),
    "evaluate-unknown-document": (
        EXIT_USAGE,
        "A document given with --docs is not in the release.",
    ),
    "evaluate-needs-extra": (
        EXIT_USAGE,
        "Scoring ner needs seqeval: pip install 'isf-claims[eval]'.",
    ),
}

#: Codes only pre-annotation raises (``evaluate`` scores such spans as they are).
PREANNOTATION_ONLY = ("prediction-span-edge-whitespace",)


def bad(code: str, message: str, **kw: Any) -> IsfError:
    """The error for ``code`` (its exit code comes from :data:`CODES`)."""
    exit_code, _ = CODES[code]
    return IsfError(code=code, message=message, exit_code=exit_code, **kw)
