"""The index page: the documents, the claim clusters and the corpus statistics with plots."""

from __future__ import annotations

import polars as pl

from isf_claims.render.data import SiteData
from isf_claims.render.htmlkit import cluster_page, doc_page, esc, link, page, table
from isf_claims.render.plots import ATTRIBUTION_FIELD, PLOTS
from isf_claims.stats import COUNTED, wide


def _documents(data: SiteData) -> str:
    docs = data.stats.documents
    head = ["key", "document", "outlet", "published", "status", "code points", *COUNTED]
    rows = [
        [
            esc(r["key"]),
            link(doc_page(r["doc_id"]), data.title(r["doc_id"]))
            + f'<br><code class="id">{esc(r["doc_id"])}</code>',
            esc(r["outlet_label"]),
            esc(r["published"] or "unknown"),
            esc(r["status"]),
            *[str(r[c]) for c in ("n_codepoints", *COUNTED)],
        ]
        for r in docs.iter_rows(named=True)
    ]
    numeric = [False] * 5 + [True] * (1 + len(COUNTED))
    return table(head, rows, numeric=numeric)


def _clusters(data: SiteData) -> str:
    rows = []
    for c in data.clusters:
        members = data.members.get(c["id"], [])
        keys = sorted({data.keys.get(m["doc_id"], m["doc_id"]) for m in members})
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


def index_page(data: SiteData) -> str:
    """HTML of the index page."""
    stats = data.stats
    totals = "".join(
        f"<div><dt>{esc(m.replace('_', ' '))}</dt><dd>{v}</dd></div>"
        for m, v in stats.totals.iter_rows()
    )
    labels = wide(stats.mention_labels, ["label"], stats.documents).filter(pl.col("total") > 0)
    attrs = wide(stats.claim_attributes, ["attribute", "value"], stats.documents)
    per_outlet = attrs.filter(pl.col("attribute") == ATTRIBUTION_FIELD).drop("attribute")
    body = (
        "<h1>isf-claims review</h1>"
        '<p class="lede">Annotated news articles on the international stabilization effort in '
        "Gaza: entity mentions, attributed claims, framing markers and claim clusters. The "
        "dataset records who said what and how it was framed; it does not rule on whether a "
        "claim is true.</p>"
        f'<dl class="totals">{totals}</dl>'
        f'<section aria-labelledby="docs-h"><h2 id="docs-h">Documents</h2>{_documents(data)}'
        "</section>"
        f'<section aria-labelledby="clusters-h"><h2 id="clusters-h">Claim clusters</h2>'
        f"{_clusters(data)}</section>"
        '<section aria-labelledby="stats-h"><h2 id="stats-h">Statistics</h2>'
        "<p>Documents are keyed D1, D2… as in the documents table. Labels with no mention "
        "are left out of the table.</p>"
        '<div class="plot-row">'
        + _figure("mentions-per-label", _count_table(labels, "Mentions per label"))
        + '</div><div class="plot-row">'
        + _figure("claims-per-outlet", _count_table(per_outlet, "Claims per attribution type"))
        + '</div><div class="plot-row">'
        + _figure("claim-attributes", _count_table(attrs, "Claims per attribute value"))
        + "</div></section>"
    )
    return page("index", "Corpus", body, [(None, "Corpus")], data.schema.version)
