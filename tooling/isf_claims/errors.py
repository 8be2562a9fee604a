"""Errors the tooling raises for bad input or a bad environment.

Every error carries a stable kebab-case code, the file (and record) it concerns, what was
expected, what was found and how to fix it, and the exit code the CLI uses: 1 for invalid
data, 2 for usage or environment errors. :func:`refuse` makes one from its entry in the code
book (:mod:`isf_claims.codebook.refusals`): message, fix and exit status come from there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from isf_claims.codebook.common import EXIT_INVALID, EXIT_USAGE, fill
from isf_claims.codebook.findings import CHECKS
from isf_claims.codebook.refusals import REFUSALS

__all__ = ["EXIT_INVALID", "EXIT_USAGE", "IsfError", "refuse", "refuse_finding"]


@dataclass
class IsfError(Exception):
    """A refusal with everything a user needs to act on it."""

    code: str
    message: str
    path: Path | str | None = None
    record: str | None = None
    expected: str | None = None
    found: str | None = None
    fix: str | None = None
    exit_code: int = EXIT_INVALID
    extra: dict[str, object] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.render()

    def render(self) -> str:
        where = str(self.path) if self.path is not None else "isf-claims"
        head = f"{where}: error {self.code}: {self.message}"
        lines = [head]
        if self.record:
            lines.append(f"  record: {self.record}")
        if self.expected is not None:
            lines.append(f"  expected: {self.expected}")
        if self.found is not None:
            lines.append(f"  found: {self.found}")
        if self.fix:
            lines.append(f"  fix: {self.fix}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "message": self.message,
            "path": str(self.path) if self.path is not None else None,
            "record": self.record,
            "expected": self.expected,
            "found": self.found,
            "fix": self.fix,
            "exit_code": self.exit_code,
        }


def refuse(
    code: str,
    *,
    path: Path | str | None = None,
    record: str | None = None,
    expected: str | None = None,
    found: str | None = None,
    exit_code: int | None = None,
    cls: type[IsfError] | None = None,
    extra: dict[str, object] | None = None,
    **params: Any,
) -> IsfError:
    """The refusal ``code`` of the code book: its message is the entry's template filled from
    ``params`` (and ``path`` and ``record``), its fix and exit status the entry's.
    ``exit_code`` picks one of the statuses the entry declares (for the few codes that have
    two); ``cls`` a subclass to build."""
    entry = REFUSALS[code]
    if exit_code is None:
        exit_code = entry.exit_code
    elif exit_code not in entry.exit_codes:
        raise ValueError(f"{code} exits {entry.exit_codes}, not {exit_code}")
    fix = entry.fix if entry.fix is not None else CHECKS[code].fix
    params = {"path": path, "record": record, **params}
    return (cls or IsfError)(
        code=code,
        message=fill(code, entry.template, params),
        path=path,
        record=record,
        expected=expected,
        found=found,
        fix=fill(code, fix, params),
        exit_code=exit_code,
        extra=extra or {},
    )


def refuse_finding(finding: Any, more: int = 0) -> IsfError:
    """A validation finding (``isf_claims.validation.Finding``) turned into a refusal of the
    same code and fix (exit 1), for commands that stop on the first finding."""
    return IsfError(
        code=finding.code,
        message=(finding.message or CHECKS[finding.code].title)
        + (f" ({finding.hint})" if finding.hint else "")
        + (f" (and {more} more errors)" if more else ""),
        path=finding.where,
        record=finding.record,
        expected=finding.expected,
        found=finding.found,
        fix=CHECKS[finding.code].fix,
        exit_code=EXIT_INVALID,
    )
