"""The colour palette of the review site and plots (``palette.json``), and WCAG contrast.

The palette is data: one colour per value of each vocabulary the site shows, keyed by the
schema's vocabulary names, so a label added to the schema needs a colour here and nowhere
else. Values the palette lacks get the neutral ``fallback`` colour instead of failing.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

PALETTE_FILE = "palette.json"
_SLUG = re.compile(r"[^A-Za-z0-9_-]")


@dataclass(frozen=True)
class Palette:
    """Colours by role: ``ui`` (page furniture), ``vocabularies`` (per label), ``series``."""

    raw: dict[str, Any]

    @property
    def ui(self) -> dict[str, str]:
        return dict(self.raw["ui"])

    @property
    def series(self) -> list[str]:
        return list(self.raw["series"])

    def vocabularies(self) -> dict[str, dict[str, str]]:
        """Vocabulary name -> {value: colour}."""
        return {k: dict(v["colours"]) for k, v in self.raw["vocabularies"].items()}

    def role(self, vocabulary: str) -> str:
        """``fill`` (a background under text) or ``line`` (an underline or outline)."""
        role: str = self.raw["vocabularies"][vocabulary]["role"]
        return role

    def colour(self, vocabulary: str, value: str | None) -> str:
        colours: dict[str | None, str] = (
            self.raw["vocabularies"].get(vocabulary, {}).get("colours", {})
        )
        fallback: str = self.raw["ui"]["fallback"]
        return colours.get(value, fallback)

    def series_colour(self, i: int) -> str:
        return self.series[i % len(self.series)]

    def css_class(self, vocabulary: str, value: str | None) -> str:
        """CSS class of a value (``entity_label-PERSON``); values without a colour share
        ``v-fallback``, so they never inherit the colour of an enclosing element."""
        colours = self.raw["vocabularies"].get(vocabulary, {}).get("colours", {})
        if value is None or value not in colours:
            return "v-fallback"
        return f"{_SLUG.sub('-', vocabulary)}-{_SLUG.sub('-', value)}"


@cache
def load_palette() -> Palette:
    """The palette shipped with the package."""
    text = resources.files(__package__).joinpath(PALETTE_FILE).read_text(encoding="utf-8")
    return Palette(json.loads(text))


def palette_css(palette: Palette) -> str:
    """CSS custom properties of the palette: ``--ui-*`` on :root, ``--c`` per value class."""
    lines = [":root {"]
    lines += [f"  --ui-{name}: {colour};" for name, colour in palette.ui.items()]
    lines.append("}")
    lines.append(f".v-fallback {{ --c: {palette.ui['fallback']}; }}")
    for vocabulary, colours in palette.vocabularies().items():
        for value, colour in colours.items():
            lines.append(f".{palette.css_class(vocabulary, value)} {{ --c: {colour}; }}")
    return "\n".join(lines) + "\n"


def relative_luminance(colour: str) -> float:
    """WCAG 2.x relative luminance of a ``#rrggbb`` colour."""
    h = colour.lstrip("#")
    if len(h) != 6:
        raise ValueError(f"expected #rrggbb, got {colour!r}")
    channels = []
    for i in (0, 2, 4):
        c = int(h[i : i + 2], 16) / 255
        channels.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    r, g, b = channels
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: str, b: str) -> float:
    """WCAG contrast ratio of two colours (1 to 21); AA asks 4.5 for text, 3 for graphics."""
    hi, lo = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)
