"""What every entry of the code book shares: severities, levels and exit statuses."""

from __future__ import annotations

import string

ERROR = "error"
WARNING = "warning"

#: Exit status of a refusal of invalid data, and of a usage or environment error.
EXIT_INVALID = 1
EXIT_USAGE = 2

LEVELS = {
    1: "structure",
    2: "contract",
    3: "anchoring",
    4: "references",
    5: "corpus",
}


def fields_of(template: str) -> tuple[str, ...]:
    """The ``{name}`` fields a template needs, in order of first use."""
    out: list[str] = []
    for _, name, _, _ in string.Formatter().parse(template):
        if name and name not in out:
            out.append(name)
    return tuple(out)


def fill(code: str, template: str, params: dict[str, object]) -> str:
    """``template`` filled from ``params``; a missing field names the code and the field."""
    try:
        return template.format_map(params)
    except KeyError as exc:
        raise KeyError(f"{code}: the template needs {exc.args[0]!r}") from None


def squash(text: str) -> str:
    """``text`` on one line (the declarations wrap their prose)."""
    return " ".join(text.split())
