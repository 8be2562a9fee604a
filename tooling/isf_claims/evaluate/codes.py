"""The codes of the errors ``evaluate`` (and ``baseline``) raise for bad predictions or a
bad call, as declared in the code book (:mod:`isf_claims.codebook.refusals`): each
bad-prediction code exits 1; a usage or environment error exits 2."""

from __future__ import annotations

from isf_claims.codebook.refusals import REFUSALS

#: Every code evaluate raises: (exit status, explanation), from the code book.
CODES: dict[str, tuple[int, str]] = {
    code: (r.exit_code, r.explanation)
    for code, r in REFUSALS.items()
    if code.startswith(("prediction-", "evaluate-"))
}

#: Codes only pre-annotation raises (``evaluate`` scores such spans as they are).
PREANNOTATION_ONLY = ("prediction-span-edge-whitespace",)
