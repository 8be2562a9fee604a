"""One root cause, one finding: the reporting rules both engines' findings go through.

1. One finding per (code, file, line, record, field).
2. A value of the wrong type is reported as such, not also as missing or out of range.
3. Per record, only the findings of the lowest level are kept: later levels run on what
   passed the earlier ones. (Each member of a cluster is a record of its own.)

Engines also skip, themselves, the work whose input failed (a span with an inverted range
is never sliced); these rules make the reported set exact however an engine orders its work.
"""

from __future__ import annotations

from collections.abc import Iterable

from isf_claims.validation.report import Finding, sort_key

Unit = tuple[str, int | None, str | None]


def unit(f: Finding) -> Unit:
    """The record a finding belongs to: file, line, and the cluster member if any."""
    member = None
    if f.field and f.field.startswith("members["):
        member = f.field.split("]", 1)[0] + "]"
    return (f.file, f.line, member)


def _covered(field: str | None, typed: set[str]) -> bool:
    if field is None:
        return False
    return any(field == t or field.startswith(t + ".") for t in typed)


def finalize(findings: Iterable[Finding]) -> list[Finding]:
    """Apply the rules above; the result is sorted."""
    by_key: dict[tuple[object, ...], Finding] = {}
    for f in sorted(findings, key=sort_key):
        by_key.setdefault(f.key, f)
    unique = list(by_key.values())
    typed: dict[tuple[str, int | None], set[str]] = {}
    for f in unique:
        if f.code == "wrong-type" and f.field:
            typed.setdefault((f.file, f.line), set()).add(f.field)
    kept = [
        f
        for f in unique
        if not (
            f.level == 2
            and f.code != "wrong-type"
            and _covered(f.field, typed.get((f.file, f.line), set()))
        )
    ]
    lowest: dict[Unit, int] = {}
    for f in kept:
        u = unit(f)
        lowest[u] = min(lowest.get(u, 9), f.level)
    return sorted((f for f in kept if f.level == lowest[unit(f)]), key=sort_key)


def dirty_units(findings: Iterable[Finding], max_level: int) -> set[Unit]:
    """Records with a finding at ``max_level`` or below (not clean enough to be relied on
    by another record's check)."""
    return {unit(f) for f in findings if f.level <= max_level}
