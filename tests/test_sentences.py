"""Sentences of the token-level exports come from pySBD: abbreviations ("U.S.", "Dr.",
"Mr."), initials and quotations do not end a sentence; line breaks do; a sentence never
ends inside a mention."""

from __future__ import annotations

import numpy as np
import pytest

from isf_claims.convert.tokens import sentence_ids, sentence_starts, tokenize


def sentences(text: str, protect: tuple[int, int] | None = None) -> list[str]:
    starts, ends = tokenize(text)
    guard = None if protect is None else (np.array([protect[0]]), np.array([protect[1]]))
    ids = sentence_ids(text, starts, ends, guard)
    out: dict[int, list[str]] = {}
    for s, e, i in zip(starts.tolist(), ends.tolist(), ids.tolist(), strict=True):
        out.setdefault(i, []).append(text[s:e])
    return [" ".join(words) for words in out.values()]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "The U.S. Army said it would send troops. Officials in Gaza agreed.",
            ["The U . S . Army said it would send troops .", "Officials in Gaza agreed ."],
        ),
        (
            "Dr. Amal Haddad told reporters the plan was ready. She left at noon.",
            ["Dr . Amal Haddad told reporters the plan was ready .", "She left at noon ."],
        ),
        (
            "J. R. Healey wrote it. Marco Rubio, a U.S. senator, spoke.",
            ["J . R . Healey wrote it .", "Marco Rubio , a U . S . senator , spoke ."],
        ),
        (
            "“We will go,” Mr. Healey said. “The plan is fine.” He left.",
            ["“ We will go , ” Mr . Healey said .", "“ The plan is fine . ”", "He left ."],
        ),
        ("Talks began\nin Cairo. Then", ["Talks began", "in Cairo .", "Then"]),
    ],
    ids=["U.S.", "Dr.", "initials", "quotes", "line-break"],
)
def test_sentences(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


def test_a_sentence_never_ends_inside_a_mention() -> None:
    text = "Talks began. Later they ended."
    # a (made-up) mention across the boundary keeps both parts in one sentence
    assert sentences(text, (text.index("began"), text.index("Later") + 5)) == [
        "Talks began . Later they ended ."
    ]


def test_sentence_starts_are_code_point_offsets() -> None:
    text = "Señor Núñez 😀 said so. Dr. Ana agreed."
    starts = sentence_starts(text).tolist()
    assert starts[0] == 0 and text[starts[1] :].startswith("Dr. Ana")
