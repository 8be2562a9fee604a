"""The review site without a browser: markup, files, determinism, refusals.

Also defines :func:`tricky_repo`, a corpus whose text has CR LF, a lone CR, markup
characters, astral and combining characters and tabs, with nested mentions, claims that cross
mentions and each other, a shared source span and overlapping markers; the browser tests
render it too.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from convert_fixtures import make_repo, write_doc
from isf_claims import annotations as fmt
from isf_claims.cli import app
from isf_claims.corpus import load_corpus
from isf_claims.render import build_site, index, render_site, site
from isf_claims.render.cluster import word_diff
from isf_claims.render.htmlkit import cluster_page, doc_page
from isf_claims.render.markup import Span, render_spans
from isf_claims.render.site import MANIFEST
from isf_claims.repo import Repo
from isf_claims.schema import load_schema

runner = CliRunner()

TRICKY = (
    "\nHeadline: <Alpha> & “Beta” 🙂 rises\r\n\r\n"
    "Body\tline: Dr. Ann Lee of the Alpha Group said “it is <b>bold</b> & fine”.\r"
    'Zoë Müller, e\u0301, 10 km; a so-called "plan" was   noted by Dr. Ann Lee of the '
    "Alpha Group.  \n"
)
OTHER = "Alpha Group officials said the plan is fine.\n"


def _span(text: str, needle: str, nth: int = 0) -> dict[str, Any]:
    start = -1
    for _ in range(nth + 1):
        start = text.index(needle, start + 1)
    return {"start": start, "end": start + len(needle), "text": needle}


def _claim(cid: str, content: dict, **kw: Any) -> dict[str, Any]:
    rec = {
        "layer": "claim",
        "id": cid,
        "content": content,
        "cue": None,
        "source": None,
        "attribution": "unattributed",
        "source_type": "outlet",
        "cue_commitment": "none",
        "polarity": "positive",
        "claim_type": "factual",
    }
    return {**rec, **kw}


def tricky_repo(tmp: Path) -> Repo:
    """Two documents; ``tricky`` exercises every markup edge case (see the module doc)."""
    repo = make_repo(tmp, {"tricky": TRICKY, "other": OTHER})
    t = TRICKY
    head = _span(t, "Headline: <Alpha> & “Beta” 🙂 rises")
    body = {"start": t.index("Body"), "end": len(t.rstrip()), "text": t[t.index("Body") :].rstrip()}
    source = _span(t, "Dr. Ann Lee of the Alpha Group")
    records: list[dict[str, Any]] = [
        {"layer": "zone", "id": "z1", "label": "headline", **head},
        {"layer": "zone", "id": "z2", "label": "body", **body},
        {"layer": "mention", "id": "m1", "label": "ORG", **_span(t, "Alpha"), "entity": "alpha"},
        {"layer": "mention", "id": "m2", "label": "PERSON", **_span(t, "Ann Lee")},
        {"layer": "mention", "id": "m3", "label": "ORG", **_span(t, "the Alpha Group")},
        {"layer": "mention", "id": "m4", "label": "GPE", **_span(t, "Alpha", 1)},
        {"layer": "mention", "id": "m5", "label": "PERSON", **_span(t, "Zoë Müller")},
        {"layer": "mention", "id": "m6", "label": "QUANTITY", **_span(t, "10 km")},
        _claim(
            "c1",
            _span(t, "it is <b>bold</b> & fine"),
            cue=_span(t, "said"),
            source=source,
            source_mention="m2",
            attribution="direct_quote",
            source_type="named",
            cue_commitment="neutral",
        ),
        _claim("c2", _span(t, "<b>bold</b> & fine"), parent="c1", claim_type="evaluation"),
        _claim(
            "c3",
            _span(t, "Müller, e\u0301, 10"),
            cue=_span(t, "noted"),
            source=source,
            attribution="indirect",
            source_type="named",
            cue_commitment="neutral",
            polarity="negative",
        ),
        _claim("c4", _span(t, "Alpha Group said “it is"), note="crosses a source and a cue"),
        _claim("c5", _span(t, "“Beta” 🙂")),
        {"layer": "marker", "id": "f1", "label": "so_called", **_span(t, "so-called")},
        {"layer": "marker", "id": "f2", "label": "scare_quotes", **_span(t, '"plan"')},
        {"layer": "marker", "id": "f3", "label": "scare_quotes", **_span(t, "“Beta”")},
        {"layer": "marker", "id": "f4", "label": "scare_quotes", **_span(t, "<b>bold</b> & fine")},
    ]
    write_doc(repo, "tricky", records)
    write_doc(
        repo,
        "other",
        [
            {"layer": "zone", "id": "z1", "label": "body", **_span(OTHER, OTHER.strip())},
            {"layer": "mention", "id": "m1", "label": "ORG", **_span(OTHER, "Alpha Group")},
            _claim(
                "c1",
                _span(OTHER, "the plan is fine"),
                cue=_span(OTHER, "said"),
                source=_span(OTHER, "Alpha Group officials"),
                attribution="indirect",
                source_type="anonymous",
                cue_commitment="neutral",
            ),
        ],
    )
    schema = load_schema(repo.schema_dir)
    entity = {"id": "alpha", "label": "ORG", "name": "Alpha Group", "description": None}
    repo.entities_path.write_bytes(fmt.to_bytes(fmt.shared_lines(schema, "entity", [entity])))
    cluster = {
        "id": "plan-is-fine",
        "proposition": "The plan is fine.",
        "members": [
            {"doc_id": "tricky", "claim": "c1", "note": "quoted"},
            {"doc_id": "other", "claim": "c1", "note": "paraphrased"},
        ],
        "differences": "Quote vs paraphrase.",
    }
    repo.clusters_path.write_bytes(fmt.to_bytes(fmt.shared_lines(schema, "cluster", [cluster])))
    return repo


# ----------------------------------------------------------------------------- markup


class _Fragments(HTMLParser):
    """Text of a marked-up string, and the text each attribute value's elements cover."""

    def __init__(self, key: str) -> None:
        super().__init__(convert_charrefs=True)
        self.key, self.stack, self.text = key, [], []
        self.covered: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack.append(dict(attrs).get(self.key))

    def handle_endtag(self, tag: str) -> None:
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        for ident in self.stack:
            if ident is not None:
                self.covered[ident] = self.covered.get(ident, "") + data


spans_strategy = st.lists(
    st.tuples(st.integers(0, 40), st.integers(1, 12)), min_size=0, max_size=12
)


@settings(max_examples=150, deadline=None)
@given(text=st.text(st.characters(codec="utf-8"), min_size=1, max_size=40), raw=spans_strategy)
def test_markup_keeps_every_character_once_and_every_span_whole(
    text: str, raw: list[tuple[int, int]]
) -> None:
    spans = []
    for i, (start, length) in enumerate(raw):
        start = min(start, len(text) - 1)
        end = min(start + length, len(text))
        spans.append(Span(start, end, (("data-k", f"s{i}"),), first=(("id", f"first-{i}"),)))
    html = render_spans(text, spans)
    parser = _Fragments("data-k")
    parser.feed(html)
    parser.close()
    assert "".join(parser.text) == text
    assert not parser.stack
    for i, s in enumerate(spans):
        assert parser.covered.get(f"s{i}", "") == text[s.start : s.end]
        assert html.count(f'id="first-{i}"') == 1
    assert "\r" not in html


def test_markup_escapes_markup_characters_and_carriage_returns() -> None:
    html = render_spans("a<b>&c\r\nd", [Span(0, 3, (("class", 'x"y'),))])
    assert html == '<span class="x&quot;y">a&lt;b</span>&gt;&amp;c&#13;\nd'


def test_word_diff_marks_only_changed_words() -> None:
    old, new = word_diff("Washington has spoken to Egypt", "U.S. officials have spoken to Egypt")
    assert old == "<del>Washington has </del>spoken to Egypt"
    assert new == "<ins>U.S. officials have </ins>spoken to Egypt"


# ----------------------------------------------------------------------------- site


class _TextOf(HTMLParser):
    """Text content of the element with id ``text`` (what the browser tests read too)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth, self.parts = 0, []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.depth or dict(attrs).get("id") == "text":
            self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        if self.depth:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.parts.append(data)


def text_block(html: str) -> str:
    parser = _TextOf()
    parser.feed(html)
    return "".join(parser.parts)


@pytest.fixture(scope="module")
def tricky(tmp_path_factory: pytest.TempPathFactory) -> Repo:
    return tricky_repo(tmp_path_factory.mktemp("tricky"))


def test_document_pages_hold_the_raw_text_exactly(repo: Repo, tricky: Repo) -> None:
    for r in (repo, tricky):
        corpus = load_corpus(r)
        files, _ = build_site(corpus)
        for doc_id in corpus.doc_ids:
            assert text_block(files[doc_page(doc_id)].decode("utf-8")) == corpus.text(doc_id)


def test_site_links_only_to_its_own_files(repo: Repo) -> None:
    files, clusters = build_site(load_corpus(repo))
    assert clusters and all(cluster_page(c) in files for c in clusters)
    for name, data in files.items():
        if not name.endswith(".html"):
            continue
        page = data.decode("utf-8")
        assert "<script>" not in page and "@import" not in page
        for ref in re.findall(r'(?:href|src)="([^"]*)"', page):
            target = ref.split("#", 1)[0]
            if ref.startswith(("http://", "https://")):
                pytest.fail(f"{name} links to {ref}")  # the raw metadata has no URLs
            if target and not target.startswith("data:"):
                assert target in files, (name, ref)
    assert not any("url(" in files[n].decode() for n in ("site.css", "palette.css"))


def test_render_is_deterministic_and_replaces_its_own_files(tricky: Repo, tmp_path: Path) -> None:
    out = tmp_path / "site"
    render_site(tricky, None, out)
    first = {p.name: p.read_bytes() for p in out.iterdir()}
    render_site(tricky, None, out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == first
    manifest = json.loads(first[MANIFEST])["files"]
    assert sorted(manifest) == sorted(n for n in first if n != MANIFEST)
    # Rendering one document removes the pages of the other, and only files it had made.
    (out / "notes.txt").write_text("mine")
    result = render_site(tricky, ["other"], out)
    assert result.documents == ["other"] and result.clusters == ["plan-is-fine"]
    assert not (out / doc_page("tricky")).exists() and (out / "notes.txt").exists()
    cluster = (out / cluster_page("plan-is-fine")).read_text()
    assert "claim c1 (document not rendered)" in cluster


def test_render_refuses_a_folder_it_did_not_make_and_unknown_documents(
    tricky: Repo, tmp_path: Path
) -> None:
    out = tmp_path / "precious"
    out.mkdir()
    (out / "keep.txt").write_text("x")
    res = runner.invoke(app, ["render", "--root", str(tricky.root), "--out", str(out)])
    assert res.exit_code == 2 and "out-not-a-site" in res.output
    assert [p.name for p in out.iterdir()] == ["keep.txt"]
    fresh = tmp_path / "fresh"
    res = runner.invoke(app, ["render", "nope", "--root", str(tricky.root), "--out", str(fresh)])
    assert res.exit_code == 2 and "unknown-document" in res.output
    assert not fresh.exists()


def test_render_refuses_offsets_outside_the_text_and_writes_nothing(
    tricky: Repo, tmp_path: Path
) -> None:
    path = tricky.annotation_path("other")
    good = path.read_bytes()
    try:
        path.write_bytes(good.replace(b'"start": 0, "end": 44', b'"start": 0, "end": 99'))
        out = tmp_path / "site"
        res = runner.invoke(app, ["render", "--root", str(tricky.root), "--out", str(out)])
        assert res.exit_code == 1 and "span-out-of-range" in res.output, res.output
        assert "annotated/other.jsonl:2" in res.output
        assert not out.exists()
    finally:
        path.write_bytes(good)


def test_render_command_reports_what_it_wrote(tricky: Repo, tmp_path: Path) -> None:
    out = tmp_path / "site"
    res = runner.invoke(app, ["render", "--root", str(tricky.root), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "2 document pages, 1 cluster pages" in res.output
    assert (out / "index.html").is_file() and (out / "palette.css").is_file()


def test_a_site_made_in_batches_equals_the_site_of_the_loaded_corpus(
    tricky: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bounded memory: documents are loaded and paged a batch at a time, and the lists of
    the index are split into pages; the files are those of the whole corpus at once."""
    monkeypatch.setattr(site, "BATCH", 1)
    monkeypatch.setattr(index, "PAGE_ROWS", 1)
    whole, clusters = build_site(load_corpus(tricky))
    result = render_site(tricky, None, tmp_path / "site")
    written = {p.name: p.read_bytes() for p in (tmp_path / "site").iterdir() if p.name != MANIFEST}
    assert written == whole and result.clusters == clusters
    assert "documents-2.html" in written and result.documents == ["other", "tricky"]
    first = written["index.html"].decode("utf-8")
    assert 'href="documents-2.html#documents-h"' in first and "Documents 1–1 of 2" in first
