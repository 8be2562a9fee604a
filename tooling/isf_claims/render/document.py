"""The page of one document: its raw text with every layer marked, and its claims.

The text block holds the raw text exactly (``white-space: pre-wrap``): zones, mentions,
claim parts and markers are elements around it, claim handles are empty buttons, so the
block's text content is the raw text character for character. Each claim also has a card
(``details``) with its source, cue, content and attributes, reachable by keyboard.
"""

from __future__ import annotations

from collections import Counter

from isf_claims.errors import refuse
from isf_claims.render.data import Row, SiteData
from isf_claims.render.htmlkit import INDEX, NONE, cluster_page, esc, link, page, quoted, table
from isf_claims.render.markup import Span, attributes, check_span, render_spans

# Rank at equal extent: zones outermost, then claim contents, mentions, cues/sources, markers.
RANK = {"zone": 0, "content": 1, "mention": 2, "cue": 3, "source": 3, "marker": 4}
MAX_DEPTH = 3
HIDDEN_DOC_FIELDS = {"doc_id", "text", "_file", "_line"}
PLAIN_CLAIM_FIELDS = {"layer", "id"}


def _check(row: Row, start: int | None, end: int | None, length: int, what: str) -> None:
    if not check_span(start, end, length):
        raise refuse(
            "span-out-of-range",
            path=f"{row['_file']}:{row['_line']}",
            record=row.get("id"),
            expected=f"0 <= start < end <= {length}",
            found=f"start {start}, end {end}",
            what=what,
        )


def claim_label(claim: Row) -> str:
    """One line naming a claim: id, attribution, source and cue as written."""
    source = claim["source_text"] or f"no source span ({claim['source_type']})"
    cue = claim["cue_text"] or "no cue"
    return f"claim {claim['id']} · {claim['attribution']} · {source} · {cue}"


def _depths(claims: list[Row]) -> dict[str, int]:
    """How many other claim contents enclose each claim's content (for underline offsets)."""
    out: dict[str, int] = {}
    for i, c in enumerate(claims):
        a, b = c["content_start"], c["content_end"]
        out[c["id"]] = sum(
            1
            for j, o in enumerate(claims)
            if j != i
            and o["content_start"] <= a
            and b <= o["content_end"]
            and ((o["content_start"], o["content_end"]) != (a, b) or j < i)
        )
    return out


def text_spans(data: SiteData, doc_id: str, text: str) -> tuple[list[Span], dict[int, list[str]]]:
    """Spans (zones, mentions, claim parts, markers) and claim handles of a document."""
    pal, n = data.palette, len(text)
    spans: list[Span] = []
    points: dict[int, list[str]] = {}
    for layer, tname in (("zone", "zones"), ("mention", "mentions"), ("marker", "markers")):
        vocab = data.vocabulary(layer, "label")
        for r in data.rows(tname, doc_id):
            _check(r, r["start"], r["end"], n, f"{layer} {r['id']}")
            title = f"{r['label']} ({layer} {r['id']})"
            if layer == "mention" and r["entity"]:
                entity = data.entities.get(r["entity"], {})
                title = f"{r['label']}: {entity.get('name', r['entity'])} ({layer} {r['id']})"
            attrs = (
                ("class", f"{layer} {pal.css_class(vocab, r['label'])}"),
                (f"data-{layer}", r["id"]),
                ("data-label", r["label"]),
                ("title", title),
            )
            spans.append(Span(r["start"], r["end"], attrs, rank=RANK[layer]))
    vocab = data.vocabulary("claim", "attribution")
    claims = data.rows("claims", doc_id)
    depths = _depths(claims)
    for c in claims:
        cls = pal.css_class(vocab, c["attribution"])
        label = claim_label(c)
        for part in data.schema.layer("claim").span_fields:
            start, end = c[f"{part}_start"], c[f"{part}_end"]
            if start is None and end is None:
                continue
            _check(c, start, end, n, f"claim {c['id']} {part}")
            extra = f" d{min(depths[c['id']], MAX_DEPTH)}" if part == "content" else ""
            attrs = (
                ("class", f"claim-{part} {cls}{extra}"),
                ("data-claim", c["id"]),
                ("data-part", part),
                ("title", f"{label} ({part})"),
            )
            spans.append(Span(start, end, attrs, rank=RANK.get(part, 3)))
        handle = (
            ("type", "button"),
            ("class", f"claim-handle {cls}"),
            ("data-claim", c["id"]),
            ("aria-controls", f"claim-{c['id']}"),
            ("aria-expanded", "false"),
            ("aria-label", label[0].upper() + label[1:]),
            ("title", label),
        )
        points.setdefault(c["content_start"], []).append(f"<button{attributes(handle)}></button>")
    return spans, points


def _legend(data: SiteData, doc_id: str) -> str:
    groups = []
    for layer, tname, name in (
        ("zone", "zones", "Zones"),
        ("mention", "mentions", "Mentions"),
        ("marker", "markers", "Markers"),
        ("claim", "claims", "Claims"),
    ):
        field = "attribution" if layer == "claim" else "label"
        vocab = data.vocabulary(layer, field)
        counts = Counter(r[field] for r in data.rows(tname, doc_id))
        chips = [
            f'<li><span class="key key-{layer} {data.palette.css_class(vocab, v)}"'
            f' title="{esc(data.definition(vocab, v))}">{esc(v)}</span> {counts[v]}</li>'
            for v in data.schema.values(vocab)
            if counts[v]
        ]
        groups.append(
            f'<div class="legend-group"><h3>{name}</h3><ul>{"".join(chips) or "<li>none</li>"}'
            "</ul></div>"
        )
    parts = (
        '<div class="legend-group"><h3>Claim parts</h3><ul>'
        '<li><span class="key claim-content v-neutral">content</span></li>'
        '<li><span class="key claim-cue v-neutral">cue</span></li>'
        '<li><span class="key claim-source v-neutral">source</span></li>'
        '<li><span class="key key-handle v-neutral"></span> claim start (a button)</li>'
        "</ul></div>"
    )
    return (
        '<section class="legend" aria-labelledby="legend-h"><h2 id="legend-h">Key</h2>'
        + "".join(groups)
        + parts
        + "</section>"
    )


def _layer_toggles() -> str:
    boxes = "".join(
        f'<label><input type="checkbox" checked data-layer="{layer}"> {layer}</label>'
        for layer in ("zones", "mentions", "claims", "markers")
    )
    return f'<fieldset class="toggles" hidden><legend>Show</legend>{boxes}</fieldset>'


def _attr_value(data: SiteData, doc_id: str, claim: Row, name: str) -> str:
    value = claim[name]
    field = data.schema.layer("claim").field(name)
    if value is None:
        return NONE
    if field.vocabulary:
        definition = data.definition(field.vocabulary, value)
        return f'<span class="value">{esc(value)}</span> <span class="def">{esc(definition)}</span>'
    if name == "source_mention":
        m = data.find("mentions", doc_id, value)
        return esc(value) + (f" {quoted(m['text'])} ({esc(m['label'])})" if m else "")
    if name == "source_entity":
        e = data.entities.get(value)
        return esc(f"{e['name']} ({value})" if e else value)
    if name == "parent":
        return link(f"#claim-{value}", value)
    return esc(value)


def _claim_card(data: SiteData, doc_id: str, claim: Row) -> str:
    cid = claim["id"]
    vocab = data.vocabulary("claim", "attribution")
    cls = data.palette.css_class(vocab, claim["attribution"])
    layer = data.schema.layer("claim")
    parts = "".join(
        f"<dt>{esc(p)}</dt><dd>{quoted(claim[f'{p}_text'])}"
        + (
            f' <span class="offsets">[{claim[f"{p}_start"]}, {claim[f"{p}_end"]})</span>'
            if claim[f"{p}_start"] is not None
            else ""
        )
        + "</dd>"
        for p in layer.span_fields
    )
    rows = [
        (esc(f.name), _attr_value(data, doc_id, claim, f.name))
        for f in layer.fields
        if f.type != "span" and f.name not in PLAIN_CLAIM_FIELDS
    ]
    clusters = data.clusters_of.get((doc_id, cid), [])
    shown = {c["id"] for c in data.clusters}
    rows.append(
        (
            "clusters",
            ", ".join(link(cluster_page(k), k) if k in shown else esc(k) for k in clusters) or NONE,
        )
    )
    attrs = "".join(f'<tr><th scope="row">{k}</th><td>{v}</td></tr>' for k, v in rows)
    who = (
        esc(claim["source_text"])
        if claim["source_text"]
        else f'<span class="none">no source span ({esc(claim["source_type"])})</span>'
    )
    cue = f" · {esc(claim['cue_text'])}" if claim["cue_text"] else ""
    return (
        f'<li><details class="claim-card" id="claim-{esc(cid)}" data-claim="{esc(cid)}">'
        f'<summary><span class="cid">{esc(cid)}</span> '
        f'<span class="chip {cls}">{esc(claim["attribution"])}</span> '
        f'<span class="who">{who}{cue}</span></summary>'
        f'<div class="card-body"><dl class="parts">{parts}</dl>'
        f'<table class="attrs"><tbody>{attrs}</tbody></table>'
        f'<p><button type="button" class="show-in-text" data-claim="{esc(cid)}">'
        "Show in text</button></p></div></details></li>"
    )


def _records_table(data: SiteData, doc_id: str, table: str) -> str:
    layer = {"zones": "zone", "mentions": "mention", "markers": "marker"}[table]
    fields = [f.name for f in data.schema.layer(layer).fields if f.name not in ("layer", "text")]
    rows = data.rows(table, doc_id)
    body = [
        [esc(r["id"]), quoted(r["text"]), *[esc(r[f]) for f in fields if f != "id"]] for r in rows
    ]
    head = ["id", "text", *[f for f in fields if f != "id"]]
    return (
        f'<details class="records" id="{table}"><summary>{table.capitalize()} ({len(rows)})'
        f"</summary>{table_html(head, body)}</details>"
    )


def table_html(head: list[str], rows: list[list[str]]) -> str:
    return table(head, rows, numeric=[h in ("start", "end") for h in head])


def document_page(data: SiteData, doc_id: str) -> str:
    """HTML of the document's page."""
    doc = data.docs[doc_id]
    text = doc["text"]
    if text is None:
        raise refuse(
            "raw-missing",
            path=f"raw/{doc_id}.txt",
            record=doc_id,
            expected="raw/<doc_id>.txt",
            found="no file",
            what="an annotated document",
        )
    spans, points = text_spans(data, doc_id, text)
    marked = render_spans(text, spans, points)
    claims = data.rows("claims", doc_id)
    meta = "".join(
        f"<dt>{esc(k)}</dt><dd>{esc(v) if v is not None else NONE}</dd>"
        for k, v in doc.items()
        if k not in HIDDEN_DOC_FIELDS
    )
    title = data.title(doc_id)
    summary = " · ".join(
        esc(x)
        for x in (
            data.outlets[doc_id],
            doc.get("byline"),
            doc.get("published") or "date unknown",
            doc.get("status"),
        )
        if x
    )
    cards = "".join(_claim_card(data, doc_id, c) for c in claims)
    language = esc(doc.get("language") or "")
    body = (
        f'<h1><span class="doc-key">{esc(data.keys[doc_id])}</span> {esc(title)}</h1>'
        f'<p class="doc-summary">{summary}</p>'
        f'<details class="meta"><summary>Document metadata</summary><dl>{meta}</dl></details>'
        + _legend(data, doc_id)
        + _layer_toggles()
        + '<div class="doc-layout">'
        '<section class="doc-text" aria-labelledby="text-h"><h2 id="text-h">Text</h2>'
        f'<div id="text" class="text" lang="{language}">{marked}</div></section>'
        '<aside class="claims" aria-labelledby="claims-h">'
        f'<h2 id="claims-h">Claims ({len(claims)})</h2><ol class="claim-list">{cards}</ol>'
        "</aside></div>"
        '<section class="records-all" aria-label="Records">'
        + "".join(_records_table(data, doc_id, t) for t in ("zones", "mentions", "markers"))
        + "</section>"
    )
    crumbs = [(INDEX, "Corpus"), (None, doc_id)]
    return page("document", title, body, crumbs, data.schema.version)
