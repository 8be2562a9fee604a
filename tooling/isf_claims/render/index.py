"""The index: corpus statistics with plots (aggregated over documents, per outlet), and the
documents and claim clusters as tables split into pages of :data:`PAGE_ROWS` rows, so the
index of 100,000 documents is as light as that of two."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import polars as pl

from isf_claims.render.data import SiteData
from isf_claims.render.htmlkit import INDEX, cluster_page, doc_page, esc, link, page, table
from isf_claims.render.plots import ATTRIBUTION_FIELD, PLOTS
from isf_claims.stats import COUNTED, aggregate_wide

PAGE_ROWS = 1000  # documents or clusters per page of the index


def list_page(kind: str, number: int) -> str:
    """File name of page ``number`` (1-based) of the documents or clusters list; the
    first page of each is the index itself."""
    return INDEX if number == 1 else f"{kind}-{number}.html"


def _pager(kind: str, number: int, pages: int, rows: int) -> str:
    if pages <= 1:
        return ""
    first = (number - 1) * PAGE_ROWS + 1
    last = min(number * PAGE_ROWS, rows)
    links = " ".join(
        f'<span aria-current="page">{n}</span>'
        if n == number
        else link(list_page(kind, n) + f"#{kind}-h", str(n))
        for n in range(1, pages + 1)
    )
    return (
        f'<nav class="pager" aria-label="{esc(kind)} pages"><p>{esc(kind.capitalize())} '
        f"{first:,}–{last:,} of {rows:,}; page {links}</p></nav>"
    )


def _documents(data: SiteData, titles: dict[str, str], rows: pl.DataFrame) -> str:
    head = ["key", "document", "outlet", "published", "status", "code points", *COUNTED]
    cells = [
        [
            esc(r["key"]),
            link(doc_page(r["doc_id"]), titles.get(r["doc_id"], r["doc_id"]))
            + f'<br><code class="id">{esc(r["doc_id"])}</code>',
            esc(r["outlet_label"]),
            esc(r["published"] or "unknown"),
            esc(r["status"]),
            *[str(r[c]) for c in ("n_codepoints", *COUNTED)],
        ]
        for r in rows.iter_rows(named=True)
    ]
    numeric = [False] * 5 + [True] * (1 + len(COUNTED))
    return table(head, cells, numeric=numeric)


def _clusters(data: SiteData, clusters: list[dict[str, Any]]) -> str:
    rows = []
    for c in clusters:
        members = data.members.get(c["id"], [])
        doc_ids: list[str] = [m["doc_id"] for m in members]
        keys = sorted({data.keys.get(d, d) for d in doc_ids})
        rows.append(
            [
                link(cluster_page(c["id"]), c["id"]),
                esc(c["proposition"]),
                str(len(members)),
                esc(", ".join(keys)),
            ]
        )
    if not rows:
        return "<p>No claim cluster has a member in these documents.</p>"
    return table(
        ["cluster", "proposition", "members", "documents"],
        rows,
        numeric=[False, False, True, False],
    )


def _count_table(frame: pl.DataFrame, caption: str) -> str:
    head = list(frame.columns)
    numeric = [dt.is_numeric() for dt in frame.dtypes]
    rows = [[esc(v) for v in row] for row in frame.iter_rows()]
    return table(head, rows, caption=caption, numeric=numeric)


def _figure(stem: str, table_html: str) -> str:
    return (
        f'<figure class="plot"><img src="{stem}.svg" alt="{esc(PLOTS[stem])}; '
        'the same numbers are in the table beside it." loading="eager">'
        f"<figcaption>{esc(PLOTS[stem])}</figcaption></figure>"
        f'<div class="plot-table">{table_html}</div>'
    )


def _statistics(data: SiteData) -> tuple[str, str]:
    stats = data.stats
    totals = "".join(
        f"<div><dt>{esc(m.replace('_', ' '))}</dt><dd>{v}</dd></div>"
        for m, v in stats.totals.iter_rows()
    )
    labels = aggregate_wide(stats, stats.mention_labels, ["label"]).filter(pl.col("total") > 0)
    attrs = aggregate_wide(stats, stats.claim_attributes, ["attribute", "value"])
    per_outlet = attrs.filter(pl.col("attribute") == ATTRIBUTION_FIELD).drop("attribute")
    return (
        f'<dl class="totals">{totals}</dl>',
        '<section aria-labelledby="stats-h"><h2 id="stats-h">Statistics</h2>'
        "<p>Counts are summed over the documents of each outlet (the largest outlets apart, "
        "the rest together) and in total. Labels with no mention are left out of the "
        "table.</p>"
        '<div class="plot-row">'
        + _figure("mentions-per-label", _count_table(labels, "Mentions per label"))
        + '</div><div class="plot-row">'
        + _figure("claims-per-outlet", _count_table(per_outlet, "Claims per attribution type"))
        + '</div><div class="plot-row">'
        + _figure("claim-attributes", _count_table(attrs, "Claims per attribute value"))
        + "</div></section>",
    )


def _pages(rows: int) -> int:
    return max(1, -(-rows // PAGE_ROWS))


def index_pages(data: SiteData, titles: dict[str, str]) -> Iterator[tuple[str, str]]:
    """(file name, HTML) of the index and of the further pages of its lists. ``data`` holds
    the whole site's statistics and clusters; ``titles`` the title of every document."""
    docs = data.stats.documents
    doc_pages, cluster_pages = _pages(docs.height), _pages(len(data.clusters))
    totals, statistics = _statistics(data)

    def docs_section(n: int) -> str:
        part = docs.slice((n - 1) * PAGE_ROWS, PAGE_ROWS)
        pager = _pager("documents", n, doc_pages, docs.height)
        return (
            '<section aria-labelledby="documents-h"><h2 id="documents-h">Documents</h2>'
            f"{pager}{_documents(data, titles, part)}{pager}</section>"
        )

    def clusters_section(n: int) -> str:
        part = data.clusters[(n - 1) * PAGE_ROWS : n * PAGE_ROWS]
        pager = _pager("clusters", n, cluster_pages, len(data.clusters))
        return (
            '<section aria-labelledby="clusters-h"><h2 id="clusters-h">Claim clusters</h2>'
            f"{pager}{_clusters(data, part)}{pager}</section>"
        )

    body = (
        "<h1>isf-claims review</h1>"
        '<p class="lede">Annotated news articles on the international stabilization effort in '
        "Gaza: entity mentions, attributed claims, framing markers and claim clusters. The "
        "dataset records who said what and how it was framed; it does not rule on whether a "
        "claim is true.</p>" + totals + docs_section(1) + clusters_section(1) + statistics
    )
    version = data.schema.version
    yield INDEX, page("index", "Corpus", body, [(None, "Corpus")], version)
    for kind, pages, section in (
        ("documents", doc_pages, docs_section),
        ("clusters", cluster_pages, clusters_section),
    ):
        for n in range(2, pages + 1):
            title = f"{kind.capitalize()}, page {n}"
            crumbs = [(INDEX, "Corpus"), (None, title)]
            yield list_page(kind, n), page("index", title, section(n), crumbs, version)
