"""The palette: one colour per vocabulary value of every schema version kept, and WCAG AA
contrast for every pairing the site and the plots draw."""

from __future__ import annotations

from pathlib import Path

import pytest

from isf_claims.render.palette import contrast_ratio, load_palette, palette_css
from isf_claims.repo import Repo
from isf_claims.schema import known_versions, load_schema

AA_TEXT, AA_GRAPHICS = 4.5, 3.0
# Layer fields the site colours by value: (layer, field).
COLOURED_FIELDS = [
    ("zone", "label"),
    ("mention", "label"),
    ("marker", "label"),
    ("claim", "attribution"),
]
SCHEMA_DIR = Path(__file__).resolve().parents[1] / "schema"
SCHEMA = load_schema(SCHEMA_DIR)
ZONES = SCHEMA.layer("zone").field("label").vocabulary or ""
ATTRIBUTION = SCHEMA.layer("claim").field("attribution").vocabulary or ""


def test_contrast_ratio_matches_wcag_reference_values() -> None:
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1.0)


@pytest.mark.parametrize("version", known_versions(SCHEMA_DIR))
def test_every_coloured_vocabulary_has_exactly_its_values(repo: Repo, version: str) -> None:
    schema = load_schema(repo.schema_dir, version)
    colours = load_palette().vocabularies()
    for layer, field in COLOURED_FIELDS:
        vocabulary = schema.layer(layer).field(field).vocabulary
        assert vocabulary in colours, (layer, field)
        assert list(colours[vocabulary]) == schema.values(vocabulary), vocabulary
    assert set(colours) <= set(schema.vocabularies)


def test_text_on_every_fill_passes_aa() -> None:
    pal = load_palette()
    ui = pal.ui
    for vocabulary, colours in pal.vocabularies().items():
        if pal.role(vocabulary) != "fill":
            continue
        for value, colour in colours.items():
            assert contrast_ratio(ui["text"], colour) >= AA_TEXT, (vocabulary, value)
    for name in ("background", "panel", "selected", "hover", "ins", "del", "differs", "fallback"):
        assert contrast_ratio(ui["text"], ui[name]) >= AA_TEXT, name
    for name in ("muted", "link"):
        for ground in ("background", "panel"):
            assert contrast_ratio(ui[name], ui[ground]) >= AA_TEXT, (name, ground)


def test_lines_and_focus_stand_out_from_every_background() -> None:
    """Underlines, outlines and focus rings are graphics: AA asks 3:1 against what is
    behind them (the page, the panels and every zone shade)."""
    pal = load_palette()
    ui = pal.ui
    grounds = [ui["background"], ui["panel"]]
    grounds += list(pal.vocabularies()[ZONES].values())
    lines = [ui["focus"]] + [
        c
        for v, colours in pal.vocabularies().items()
        if pal.role(v) == "line"
        for c in colours.values()
    ]
    for line in lines:
        for ground in grounds:
            assert contrast_ratio(line, ground) >= AA_GRAPHICS, (line, ground)


def test_plot_colours_pass_aa() -> None:
    """Bars against the white plot background; white counts inside attribution segments."""
    pal = load_palette()
    for colour in pal.series:
        assert contrast_ratio(colour, "#ffffff") >= AA_GRAPHICS, colour
    for colour in pal.vocabularies()[ATTRIBUTION].values():
        assert contrast_ratio("#ffffff", colour) >= AA_TEXT, colour


def test_css_carries_every_palette_colour() -> None:
    pal = load_palette()
    css = palette_css(pal)
    for vocabulary, colours in pal.vocabularies().items():
        for value, colour in colours.items():
            assert f".{pal.css_class(vocabulary, value)} {{ --c: {colour}; }}" in css
    assert pal.css_class(ZONES, "not-a-value") == "v-fallback"
