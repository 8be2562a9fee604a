"""Findings and the validation report: collected, grouped by code, capped per code.

A finding reads ``path:line: LEVEL code: message`` followed by the document, the record id,
what was expected, what was found and a hint. ``Report.to_dict`` is the JSON document the
CLI prints with ``--format json``; ``Report.render`` is the text form of the same data.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from isf_claims.codebook import CHECKS, ERROR, LEVELS, WARNING

DEFAULT_MAX_PER_CODE = 20
REPORT_FORMAT = 1
RENDER_LIMIT = 400  # characters of an expected, found or hint value in the text report


@dataclass(frozen=True)
class Finding:
    """One problem in one record (or file)."""

    code: str
    file: str
    line: int | None = None
    record: str | None = None
    field: str | None = None
    doc_id: str | None = None
    message: str = ""
    expected: str | None = None
    found: str | None = None
    hint: str | None = None

    @property
    def severity(self) -> str:
        return CHECKS[self.code].severity

    @property
    def level(self) -> int:
        return CHECKS[self.code].level

    @property
    def key(self) -> tuple[str, str, int | None, str | None, str | None]:
        """What two engines must agree on: code, file, line, record and field."""
        return (self.code, self.file, self.line, self.record, self.field)

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["severity"] = self.severity
        out["level"] = self.level
        return out

    def render(self) -> str:
        lines = [f"{self.where}: {self.severity} {self.code}: {self.message}"]
        ids = []
        if self.doc_id:
            ids.append(f"document {self.doc_id}")
        if self.record:
            ids.append(f"record {self.record}")
        if self.field:
            ids.append(f"field {self.field}")
        if ids:
            lines.append("    " + ", ".join(ids))
        for label, value in (
            ("expected", self.expected),
            ("found", self.found),
            ("hint", self.hint),
        ):
            if value is not None:
                lines.append(f"    {label}: {_clip(value)}")
        lines.append(f"    fix: {CHECKS[self.code].fix}")
        return "\n".join(lines)


def words(code: str, **params: Any) -> dict[str, Any]:
    """Message, expected and found of a ``code`` finding: its templates in the code book
    filled from ``params``. Every engine words its findings through here, so one bad input
    reads the same whichever engine found it."""
    return CHECKS[code].words(params)


def finding(
    code: str,
    *,
    file: str,
    line: int | None = None,
    record: str | None = None,
    field: str | None = None,
    doc_id: str | None = None,
    hint: str | None = None,
    **params: Any,
) -> Finding:
    """A ``code`` finding at ``file`` (line, record, field, document), worded from the code
    book with ``params`` (which also see ``file``, ``field`` and ``doc_id``)."""
    where = {"file": file, "field": field, "doc_id": doc_id, "record": record}
    return Finding(
        code=code,
        file=file,
        line=line,
        record=record,
        field=field,
        doc_id=doc_id,
        hint=hint,
        **words(code, **{**where, **params}),
    )


def _clip(value: str, n: int = RENDER_LIMIT) -> str:
    """``value`` cut to ``n`` characters for the text report (a 20 MB span text would
    otherwise be printed whole); the JSON report keeps the full value."""
    if len(value) <= n:
        return value
    return f"{value[:n]}… ({len(value) - n} more characters)"


def sort_key(f: Finding) -> tuple[Any, ...]:
    return (
        f.level,
        f.code,
        f.file,
        f.line or 0,
        f.record or "",
        f.field or "",
        f.doc_id or "",
        f.message,
        f.expected or "",
        f.found or "",
        f.hint or "",
    )


@dataclass
class Report:
    """Everything one validation run found."""

    engine: str
    schema_version: str | None
    scope: str
    files_checked: int
    findings: list[Finding] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.findings = sorted(set(self.findings), key=sort_key)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == WARNING]

    @property
    def ok(self) -> bool:
        """True when there are no errors (warnings allowed)."""
        return not self.errors

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1

    def keys(self) -> set[tuple[str, str, int | None, str | None, str | None]]:
        return {f.key for f in self.findings}

    def groups(self) -> dict[str, list[Finding]]:
        """Findings by code, codes in level order."""
        out: dict[str, list[Finding]] = {}
        for f in self.findings:
            out.setdefault(f.code, []).append(f)
        return out

    def to_dict(self, max_per_code: int = DEFAULT_MAX_PER_CODE) -> dict[str, Any]:
        """The JSON report: counts, then one group per code with at most ``max_per_code``
        findings and the number suppressed."""
        groups = []
        for code, found in self.groups().items():
            chk = CHECKS[code]
            shown = found[:max_per_code] if max_per_code > 0 else found
            groups.append(
                {
                    "code": code,
                    "level": chk.level,
                    "level_name": LEVELS[chk.level],
                    "severity": chk.severity,
                    "title": chk.title,
                    "fix": chk.fix,
                    "total": len(found),
                    "suppressed": len(found) - len(shown),
                    "findings": [f.to_dict() for f in shown],
                }
            )
        return {
            "report_format": REPORT_FORMAT,
            "engine": self.engine,
            "schema_version": self.schema_version,
            "scope": self.scope,
            "files_checked": self.files_checked,
            "ok": self.ok,
            "exit_code": self.exit_code,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "max_per_code": max_per_code,
            "groups": groups,
        }

    def render(self, max_per_code: int = DEFAULT_MAX_PER_CODE) -> str:
        """Text report: findings grouped by code, capped, then a summary line."""
        out: list[str] = []
        suppressed: dict[str, int] = {}
        for code, found in self.groups().items():
            chk = CHECKS[code]
            out.append(f"== {code} ({chk.level_name}, {chk.severity}): {chk.title} ({len(found)})")
            shown = found[:max_per_code] if max_per_code > 0 else found
            out.extend(f.render() for f in shown)
            if len(found) > len(shown):
                suppressed[code] = len(found) - len(shown)
                out.append(
                    f"... {suppressed[code]} more {code} findings suppressed "
                    f"(--max-per-code {max_per_code}; --max-per-code 0 shows all)"
                )
            out.append("")
        n_err, n_warn = len(self.errors), len(self.warnings)
        summary = (
            f"{'ok' if self.ok else 'invalid'}: {n_err} error{'s' * (n_err != 1)}, "
            f"{n_warn} warning{'s' * (n_warn != 1)} in {self.files_checked} file"
            f"{'s' * (self.files_checked != 1)} ({self.scope}, schema {self.schema_version}, "
            f"engine {self.engine})"
        )
        if suppressed:
            summary += f"; {sum(suppressed.values())} suppressed"
        out.append(summary)
        return "\n".join(out)
