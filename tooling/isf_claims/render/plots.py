"""The statistics plots (matplotlib, Agg), drawn and saved with fixed settings.

Drawing and saving both happen inside one style context that starts from matplotlib's
defaults (ignoring any matplotlibrc), with the bundled DejaVu Sans, fixed sizes, text as
paths, a fixed SVG hash salt and no date or software metadata: the bytes depend on the data
(and the matplotlib version) only.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import TYPE_CHECKING

import matplotlib
import matplotlib.style
import polars as pl
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from isf_claims.render.palette import load_palette
from isf_claims.schema import Schema

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

    from isf_claims.stats import CorpusStats

RC: dict[RcKeyType, object] = {
    "font.family": "DejaVu Sans",
    "font.size": 9.0,
    "axes.titlesize": 10.0,
    "axes.titleweight": "bold",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.fonttype": "path",
    "svg.hashsalt": "isf-claims",
    "figure.dpi": 100,
    "savefig.dpi": 120,
    "path.simplify": True,
}
# No software version or date in the files: the bytes depend on the data only.
METADATA = {"png": {"Software": None}, "svg": {"Date": None, "Creator": None}}
ATTRIBUTION_FIELD = "attribution"  # the claim field coloured by its vocabulary (see palette)

# (file stem, title, alt text); the site uses the alt text, the card can too.
PLOTS = {
    "mentions-per-label": "Entity mentions per label and outlet",
    "claim-attributes": "Claims per attribute value and outlet",
    "claims-per-outlet": "Claims per outlet by attribution type",
}


def _integer_ticks(ax: Axes) -> None:
    """Whole numbers only on the x axis (its default locator, an AutoLocator, is a
    MaxNLocator)."""
    locator = ax.xaxis.get_major_locator()
    if isinstance(locator, MaxNLocator):
        locator.set_params(integer=True)


def _series(stats: CorpusStats) -> list[tuple[str, str, str]]:
    """(series, legend label, colour) of each outlet series, largest first."""
    from isf_claims.stats import series_of

    pal = load_palette()
    ranked = series_of(stats).unique("series").sort("_rank")["series"].to_list()
    return [(name, name, pal.series_colour(i)) for i, name in enumerate(ranked)]


def _grouped_barh(ax: Axes, long: pl.DataFrame, row: str, stats: CorpusStats) -> None:
    """Horizontal bars: one group per ``row`` value (in table order), one bar per outlet
    series (the per-document counts summed)."""
    from isf_claims.stats import by_series

    summed = by_series(stats, long, [row])
    rows = list(dict.fromkeys(long[row].to_list()))
    series = _series(stats)
    height = 0.8 / max(len(series), 1)
    for j, (name, label, colour) in enumerate(series):
        part = summed.filter(pl.col("series") == name)
        counts = dict(zip(part[row].to_list(), part["n"].to_list(), strict=True))
        ys = [i - 0.4 + height * (j + 0.5) for i in range(len(rows))]
        values = [counts.get(r, 0) for r in rows]
        bars = ax.barh(ys, values, height=height, color=colour, label=label)
        ax.bar_label(bars, labels=[str(v) if v else "" for v in values], padding=2, fontsize=8)
    ax.set_yticks(range(len(rows)), rows)
    ax.invert_yaxis()
    ax.margins(x=0.12)
    _integer_ticks(ax)


def _mentions(fig: Figure, stats: CorpusStats, schema: Schema) -> None:
    ax = fig.add_subplot()
    _grouped_barh(ax, stats.mention_labels, "label", stats)
    ax.set_title(PLOTS["mentions-per-label"], loc="left")
    ax.set_xlabel("mentions")
    fig.legend(loc="outside lower center", ncols=1, frameon=False)


def _attributes(fig: Figure, stats: CorpusStats, schema: Schema) -> None:
    attrs = stats.claim_attributes
    names = list(dict.fromkeys(attrs["attribute"].to_list()))
    sizes = [attrs.filter(pl.col("attribute") == n)["value"].n_unique() for n in names]
    axes = fig.subplots(len(names), 1, sharex=True, gridspec_kw={"height_ratios": sizes})
    for ax, name in zip(list(axes), names, strict=True):
        _grouped_barh(ax, attrs.filter(pl.col("attribute") == name), "value", stats)
        ax.set_title(name, loc="left")
    axes[-1].set_xlabel("claims")
    fig.suptitle(PLOTS["claim-attributes"], x=0.02, ha="left", fontweight="bold")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=1, frameon=False)


def _per_outlet(fig: Figure, stats: CorpusStats, schema: Schema) -> None:
    from isf_claims.stats import by_series

    pal = load_palette()
    vocabulary = schema.layer("claim").field(ATTRIBUTION_FIELD).vocabulary or ""
    attrs = stats.claim_attributes.filter(pl.col("attribute") == ATTRIBUTION_FIELD)
    summed = by_series(stats, attrs, ["value"])
    series = [name for name, _, _ in _series(stats)]
    ax = fig.add_subplot()
    left = [0] * len(series)
    for value in schema.values(vocabulary):
        part = summed.filter(pl.col("value") == value)
        counts = dict(zip(part["series"].to_list(), part["n"].to_list(), strict=True))
        values = [counts.get(name, 0) for name in series]
        bars = ax.barh(
            series,
            values,
            left=left,
            color=pal.colour(vocabulary, value),
            label=value,
            height=0.6,
        )
        # Attribution colours are dark (contrast >= 4.5 with white): white counts are legible.
        labels = [str(v) if v else "" for v in values]
        ax.bar_label(bars, labels=labels, label_type="center", color="white", fontsize=8)
        left = [a + b for a, b in zip(left, values, strict=True)]
    ax.invert_yaxis()
    ax.set_title(PLOTS["claims-per-outlet"], loc="left")
    ax.set_xlabel("claims")
    _integer_ticks(ax)
    fig.legend(loc="outside lower center", ncols=4, frameon=False, title=ATTRIBUTION_FIELD)


DRAW: dict[str, tuple[Callable[[Figure, CorpusStats, Schema], None], tuple[float, float]]] = {
    "mentions-per-label": (_mentions, (7.5, 7.5)),
    "claim-attributes": (_attributes, (7.5, 9.0)),
    "claims-per-outlet": (_per_outlet, (7.5, 3.2)),
}


_CACHE: dict[tuple[str, str, tuple[str, ...]], dict[str, bytes]] = {}


def plot_files(
    stats: CorpusStats, schema: Schema, formats: tuple[str, ...] = ("png", "svg")
) -> dict[str, bytes]:
    """File name -> bytes of every plot in each of ``formats``. The bytes depend on the
    aggregated statistics only, so a process keeps the last few results instead of drawing
    again."""
    from isf_claims.stats import stats_json

    key = (json.dumps(stats_json(stats, per_doc=False), sort_keys=True), str(schema.path), formats)
    if key not in _CACHE:
        if len(_CACHE) >= 8:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = draw_plots(stats, schema, formats)
    return dict(_CACHE[key])


def draw_plots(
    stats: CorpusStats, schema: Schema, formats: tuple[str, ...] = ("png", "svg")
) -> dict[str, bytes]:
    """Draw and save every plot (no cache)."""
    out: dict[str, bytes] = {}
    with matplotlib.style.context("default"), matplotlib.rc_context(RC):
        for stem, (draw, size) in DRAW.items():
            fig = Figure(figsize=size, layout="constrained")
            draw(fig, stats, schema)
            # Lay out once, then freeze: each save would otherwise lay the figure out again.
            fig.draw_without_rendering()
            fig.set_layout_engine("none")
            for fmt in formats:
                buf = io.BytesIO()
                fig.savefig(buf, format=fmt, metadata=METADATA[fmt])
                out[f"{stem}.{fmt}"] = buf.getvalue()
    return out
