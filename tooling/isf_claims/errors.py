"""Errors the tooling raises for bad input or a bad environment.

Every error carries a stable kebab-case code, the file (and record) it concerns, what was
expected, what was found and how to fix it, and the exit code the CLI uses: 1 for invalid
data, 2 for usage or environment errors.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

EXIT_INVALID = 1
EXIT_USAGE = 2


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


def usage_error(code: str, message: str, **kw: object) -> IsfError:
    """An error in how the tool was called or in its environment (exit 2)."""
    return IsfError(code=code, message=message, exit_code=EXIT_USAGE, **kw)  # type: ignore[arg-type]
