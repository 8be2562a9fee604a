"""The page of one claim cluster: the members' versions side by side, with their differences.

Every member claim is a column; every claim field the schema defines (spans, attributes,
source entity) is a row, and a row whose values are not all equal is marked "differs" in
words, not only in colour. Below, the content of each member is diffed word by word against
the first member's.
"""

from __future__ import annotations

import difflib
import re

from isf_claims.render.data import Row, SiteData
from isf_claims.render.htmlkit import INDEX, doc_page, esc, link, page, quoted
from isf_claims.render.markup import escape_text

_TOKENS = re.compile(r"\w+\s*|[^\w\s]\s*|\s+")
# Claim fields not compared: record kind and id, internal references, the annotator's note.
SKIPPED_FIELDS = {"layer", "id", "parent", "note", "source_mention"}


def word_diff(old: str, new: str) -> tuple[str, str]:
    """Both texts as HTML, compared word by word: ``<del>`` marks the words only ``old``
    has, ``<ins>`` the words only ``new`` has. Spaces travel with the word before them, so
    a shared space never splits a change in two."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    left: list[str] = []
    right: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        old_part, new_part = escape_text("".join(a[i1:i2])), escape_text("".join(b[j1:j2]))
        if op == "equal":
            left.append(old_part)
            right.append(new_part)
            continue
        if old_part:
            left.append(f"<del>{old_part}</del>")
        if new_part:
            right.append(f"<ins>{new_part}</ins>")
    return "".join(left), "".join(right)


def _value(data: SiteData, claim: Row, field: str) -> str | None:
    value = claim.get(field)
    if field == "source_entity" and value:
        entity = data.entities.get(value)
        return f"{entity['name']} ({value})" if entity else value
    return value


def _fields(data: SiteData) -> list[tuple[str, str]]:
    """(row label, claim column) of every compared claim field, in schema order."""
    out = []
    for f in data.schema.layer("claim").fields:
        if f.name in SKIPPED_FIELDS:
            continue
        out.append((f.name, f"{f.name}_text" if f.type == "span" else f.name))
    return out


def _cell(value: str | None, is_span: bool) -> str:
    if is_span or value is None:
        return quoted(value)
    return esc(value)


def _absent(data: SiteData, member: Row) -> str:
    return "not found" if member["doc_id"] in data.docs else "document not rendered"


def cluster_page_html(data: SiteData, cluster: Row) -> str:
    """HTML of a cluster's page."""
    members = data.members.get(cluster["id"], [])
    found: list[tuple[Row, Row | None]] = [
        (m, data.find("claims", m["doc_id"], m["claim"]) if m["doc_id"] in data.docs else None)
        for m in members
    ]
    head = ['<th scope="col">field</th>']
    for m, claim in found:
        key = data.keys.get(m["doc_id"], "")
        where = f"{key} · {data.outlets.get(m['doc_id'], m['doc_id'])}"
        target = (
            link(f"{doc_page(m['doc_id'])}#claim-{m['claim']}", f"claim {m['claim']}")
            if claim
            else f"claim {esc(m['claim'])} ({_absent(data, m)})"
        )
        head.append(f'<th scope="col">{esc(where)}<br>{target}</th>')
    rows = []
    spans = set(data.schema.layer("claim").span_fields)
    for label, column in _fields(data):
        is_span = label in spans
        values = [_value(data, c, column) if c else None for _, c in found]
        present = [v for (_, c), v in zip(found, values, strict=True) if c]
        differs = len(set(present)) > 1
        mark = ' <span class="differs-tag">differs</span>' if differs else ""
        cls = ' class="differs"' if differs else ""
        cells = "".join(f"<td>{_cell(v, is_span)}</td>" for v in values)
        rows.append(f'<tr{cls}><th scope="row">{esc(label)}{mark}</th>{cells}</tr>')
    notes = "".join(f"<td>{esc(m['note'])}</td>" for m, _ in found)
    rows.append(f'<tr><th scope="row">member note</th>{notes}</tr>')
    comparison = (
        '<div class="scroll" tabindex="0" role="region" aria-labelledby="compare-h">'
        f'<table class="compare"><thead><tr>{"".join(head)}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )
    body = (
        f"<h1>Cluster {esc(cluster['id'])}</h1>"
        '<section aria-labelledby="prop-h"><h2 id="prop-h">Proposition</h2>'
        f'<p class="proposition">{esc(cluster["proposition"])}</p>'
        + (
            f"<h3>Differences (annotators' note)</h3><p>{esc(cluster['differences'])}</p>"
            if cluster.get("differences")
            else ""
        )
        + "</section>"
        f'<section aria-labelledby="compare-h"><h2 id="compare-h">Versions side by side '
        f"({len(members)})</h2>{comparison}</section>" + _diffs(data, found)
    )
    crumbs = [(INDEX, "Corpus"), (None, f"cluster {cluster['id']}")]
    return page("cluster", f"Cluster {cluster['id']}", body, crumbs, data.schema.version)


def _pairs(shown: list[tuple[Row, Row]]) -> list[tuple[int, int]]:
    """Members to compare: every pair from different documents, else each against the first."""
    across = [
        (i, j)
        for i in range(len(shown))
        for j in range(i + 1, len(shown))
        if shown[i][0]["doc_id"] != shown[j][0]["doc_id"]
    ]
    return across or [(0, j) for j in range(1, len(shown))]


def _diffs(data: SiteData, found: list[tuple[Row, Row | None]]) -> str:
    shown = [(m, c) for m, c in found if c]
    if len(shown) < 2:
        return ""
    names = [f"{data.keys[m['doc_id']]} claim {m['claim']}" for m, _ in shown]
    items = []
    for i, j in _pairs(shown):
        old, new = word_diff(shown[i][1]["content_text"], shown[j][1]["content_text"])
        items.append(
            f"<li><h3>{esc(names[i])} and {esc(names[j])}</h3>"
            f'<dl class="diff"><dt>{esc(names[i])}</dt><dd>{old}</dd>'
            f"<dt>{esc(names[j])}</dt><dd>{new}</dd></dl></li>"
        )
    return (
        '<section aria-labelledby="diff-h"><h2 id="diff-h">Wording of the content</h2>'
        "<p>Each pair of versions from different documents, word by word: "
        "<del>words only in the first</del>, <ins>words only in the second</ins>.</p>"
        f'<ol class="diffs">{"".join(items)}</ol></section>'
    )
