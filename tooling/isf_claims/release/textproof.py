"""Proving a user's copy of an article, and saying why a copy is not the article.

A copy is accepted only when its bytes hash to the recorded sha256. When they do not, the
usual damage is tried in turn and in pairs (a byte-order mark, CR LF line endings, NFC or NFD
normalisation, a trailing newline added or lost, quote marks straightened, curled or
re-encoded as Windows-1252): a repair whose result hashes to the recorded sha256 *proves* the
cause, and then the first differing offset is exact. Otherwise the symptoms found are listed
as the likely cause.
"""

from __future__ import annotations

import hashlib
import itertools
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

BOM = b"\xef\xbb\xbf"
_MAX_REPAIRS = 3


def _text(data: bytes) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _on_text(fn: Callable[[str], str]) -> Callable[[bytes], bytes | None]:
    def repair(data: bytes) -> bytes | None:
        text = _text(data)
        if text is None:
            return None
        out = fn(text)
        return None if out == text else out.encode("utf-8")

    return repair


def _curl(text: str) -> str:
    out, double_open = [], True
    for ch in text:
        if ch == "'":
            out.append("\u2019")
        elif ch == '"':
            out.append("\u201c" if double_open else "\u201d")
            double_open = not double_open
        else:
            out.append(ch)
    return "".join(out)


def _straighten(text: str) -> str:
    return text.translate({0x2018: "'", 0x2019: "'", 0x201C: '"', 0x201D: '"'})


_PUNCTUATION = "\u2018\u2019\u201c\u201d\u2013\u2014\u2026\u00a0"
# A punctuation mark whose UTF-8 bytes were read as Windows-1252 and written again as UTF-8.
_MOJIBAKE = {
    ch.encode("utf-8").decode(codec, "ignore"): ch
    for codec in ("cp1252", "latin-1")
    for ch in _PUNCTUATION
}


def _unmojibake(text: str) -> str:
    for bad, good in _MOJIBAKE.items():
        text = text.replace(bad, good)
    return text


def _from_cp1252(data: bytes) -> bytes | None:
    if _text(data) is not None:
        return None
    try:
        return data.decode("cp1252").encode("utf-8")
    except UnicodeDecodeError:
        return None


def _trailing_newline(data: bytes) -> bytes | None:
    return data[:-1] if data.endswith(b"\n") else data + b"\n"


# name -> (what the copy has, repair): each repair undoes one kind of damage, or returns None
# when it does not apply to the copy.
REPAIRS: dict[str, tuple[str, Callable[[bytes], bytes | None]]] = {
    "not-utf8": ("is encoded as Windows-1252, not UTF-8", _from_cp1252),
    "bom": ("starts with a UTF-8 byte-order mark", lambda d: d[3:] if d.startswith(BOM) else None),
    "crlf": (
        "has CR LF line endings",
        lambda d: d.replace(b"\r\n", b"\n") if b"\r\n" in d else None,
    ),
    "nfc": (
        "is NFC-normalised (the original is not)",
        _on_text(lambda t: unicodedata.normalize("NFD", t)),
    ),
    "nfd": (
        "is NFD-normalised (the original is not)",
        _on_text(lambda t: unicodedata.normalize("NFC", t)),
    ),
    "quote-mojibake": (
        "has quote marks re-encoded through Windows-1252 (e.g. â€™ for ’)",
        _on_text(_unmojibake),
    ),
    "quote-straightened": (
        "has straight quote marks where the original has curly ones",
        _on_text(_curl),
    ),
    "quote-curled": (
        "has curly quote marks where the original has straight ones",
        _on_text(_straighten),
    ),
    "trailing-newline": ("has a trailing newline added or lost", _trailing_newline),
}


@dataclass(frozen=True)
class Diagnosis:
    """Why a copy is not the recorded article."""

    doc_id: str
    expected_sha256: str
    found_sha256: str
    byte_difference: int  # copy's bytes minus the article's
    causes: list[str]  # REPAIRS names
    proven: bool  # the repairs give back exactly the recorded bytes
    first_difference: int | None  # code point offset in the copy
    first_difference_byte: int | None

    def describe(self) -> str:
        what = "; ".join(REPAIRS[c][0] for c in self.causes) or "differs in its wording"
        cause = ("the copy " if self.proven else "likely cause: the copy ") + what
        where = (
            f"; first difference at code point {self.first_difference} "
            f"(byte {self.first_difference_byte})"
            if self.first_difference is not None
            else ""
        )
        sign = "+" if self.byte_difference > 0 else ""
        return (
            f"{self.doc_id}: expected sha256 {self.expected_sha256}, found {self.found_sha256} "
            f"({sign}{self.byte_difference} bytes); {cause}{where}"
            + ("" if self.proven else " (not proven: no repair gives the recorded bytes)")
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "doc_id": self.doc_id,
            "expected_sha256": self.expected_sha256,
            "found_sha256": self.found_sha256,
            "byte_difference": self.byte_difference,
            "causes": self.causes,
            "proven": self.proven,
            "first_difference": self.first_difference,
            "first_difference_byte": self.first_difference_byte,
            "message": self.describe(),
        }


def _common_prefix(a: bytes, b: bytes) -> int:
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:  # binary search on prefix equality: fast on long texts
        mid = (lo + hi + 1) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _first_difference(copy: bytes, original: bytes) -> tuple[int, int]:
    """Code point and byte offset in ``copy`` of the first character that differs."""
    byte = _common_prefix(copy, original)
    while 0 < byte < len(copy) and (copy[byte] & 0xC0) == 0x80:
        byte -= 1  # back to the first byte of the character
    return len(copy[:byte].decode("utf-8", "replace")), byte


def _symptom_offset(copy: bytes, causes: list[str]) -> tuple[int | None, int | None]:
    marks = {"bom": BOM, "crlf": b"\r\n", "quote-mojibake": b"\xc3\xa2\xe2\x82\xac"}
    found = [copy.find(marks[c]) for c in causes if c in marks and copy.find(marks[c]) >= 0]
    if not found:
        return None, None
    byte = min(found)
    return len(copy[:byte].decode("utf-8", "replace")), byte


def diagnose(doc_id: str, copy: bytes, expected_sha256: str, expected_bytes: int) -> Diagnosis:
    """Why ``copy`` does not hash to ``expected_sha256``."""
    applicable = [name for name, (_, fn) in REPAIRS.items() if fn(copy) is not None]
    found = hashlib.sha256(copy).hexdigest()
    diff = len(copy) - expected_bytes
    for size in range(1, min(_MAX_REPAIRS, len(applicable)) + 1):
        for combo in itertools.combinations(applicable, size):
            data: bytes | None = copy
            for name in combo:
                data = REPAIRS[name][1](data) if data is not None else None
            if data is not None and hashlib.sha256(data).hexdigest() == expected_sha256:
                cp, byte = _first_difference(copy, data)
                return Diagnosis(doc_id, expected_sha256, found, diff, list(combo), True, cp, byte)
    # Repairs that apply to almost any text are no symptom on their own.
    common = ("nfc", "trailing-newline", "quote-straightened", "quote-curled")
    likely = [c for c in applicable if c not in common]
    at_cp, at_byte = _symptom_offset(copy, likely)
    return Diagnosis(doc_id, expected_sha256, found, diff, likely, False, at_cp, at_byte)
