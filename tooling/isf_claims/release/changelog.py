"""``CHANGELOG.md`` entries made from a release diff.

Releasing turns the ``## Unreleased`` section (whatever was written there by hand) into
``## X.Y.Z``, adds the data changes computed by the diff under it, and leaves an empty
``## Unreleased`` above for the next changes.
"""

from __future__ import annotations

import re

from isf_claims.release.diff import DiffResult

UNRELEASED = "## Unreleased"
_SECTION = re.compile(r"^## ", re.MULTILINE)


def data_changes(d: DiffResult, previous: str | None) -> str:
    """The computed part of a changelog entry."""
    since = f"v{previous}" if previous else "nothing (first release)"
    lines = [f"### Data changes since {since}", ""]
    lines.append(
        f"- Version bump: {d.bump.upper()}"
        + (f" ({'; '.join(d.reasons)})." if d.reasons else " (same data, new serialisation).")
    )
    for table, counts in d.summary.items():
        parts = [f"{n} {k}" for k, n in counts.items() if n]
        if parts:
            lines.append(f"- {table}: {', '.join(parts)}.")
    for status in ("added", "removed", "document fields changed"):
        ids = [doc for doc, info in d.documents.items() if info["status"] == status]
        if ids:
            lines.append(f"- Documents {status}: {', '.join(ids)}.")
    moved = [
        f"{doc} ({i['split']['old']} -> {i['split']['new']})"
        for doc, i in d.documents.items()
        if i.get("split")
    ]
    if moved:
        lines.append(f"- Documents re-split: {', '.join(moved)}.")
    return "\n".join(lines) + "\n"


def updated(text: str, version: str, d: DiffResult, previous: str | None) -> str:
    """``text`` (the changelog) with the release of ``version`` recorded."""
    computed = data_changes(d, previous)
    start = text.find(UNRELEASED + "\n")
    if start < 0:
        m = _SECTION.search(text)
        cut = m.start() if m else len(text)
        head, notes, tail = text[:cut], "", text[cut:]
    else:
        body_start = start + len(UNRELEASED) + 1
        m = _SECTION.search(text, body_start)
        end = m.start() if m else len(text)
        head, notes, tail = text[:start], text[body_start:end].strip("\n"), text[end:]
    entry = f"## {version}\n\n" + (notes + "\n\n" if notes else "") + computed
    head = head.rstrip("\n") + "\n\n" if head.strip() else head
    return f"{head}{UNRELEASED}\n\n{entry}" + ("\n" + tail if tail else "")
