"""What "the engines agree" means, for any set of engines: the same text report and the same
JSON report once the engine's name is taken out. Cheap (it compares reports already made),
so every differential test can call it: the bad-input suite, the hypothesis test, Spark's.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from isf_claims.validation import Report


def text_of(report: Report, max_per_code: int = 0) -> str:
    """The text report without the engine's name (every finding shown)."""
    return re.sub(r", engine [\w-]+\)", ", engine -)", report.render(max_per_code))


def json_of(report: Report, max_per_code: int = 0) -> dict[str, Any]:
    """The JSON report without the engine's name."""
    out = report.to_dict(max_per_code)
    out.pop("engine")
    return out


def assert_same_reports(reports: dict[str, Report], context: str = "") -> None:
    """Every report reads the same as the first one: text and JSON (engine name aside)."""
    (first, ref), *others = reports.items()
    for engine, report in others:
        a, b = text_of(ref), text_of(report)
        if a != b:
            diff = "\n".join(difflib.unified_diff(a.splitlines(), b.splitlines(), first, engine))
            raise AssertionError(f"{context}: {first} and {engine} word it differently\n{diff}")
        assert json_of(ref) == json_of(report), (context, first, engine)
