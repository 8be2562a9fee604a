"""The review site in a real browser: Debian's chromium, headless, driven by playwright.

One browser for the module. Every page is loaded from file:// with every request recorded
(anything but the site's own files is aborted and fails the test) and every console message
kept. Document pages must show exactly their document's records (counted in the DOM against
the corpus tables) over the raw text character for character, and work with the keyboard.
Screenshots go to test-artifacts/render/ (git-ignored).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from isf_claims.corpus import Corpus, load_corpus
from isf_claims.render import render_site
from isf_claims.render.htmlkit import cluster_page, doc_page
from isf_claims.render.palette import load_palette
from isf_claims.repo import Repo
from test_render import tricky_repo

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts" / "render"
CHROMIUM = Path(shutil.which("chromium") or "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# What has the focus: its class and the claim it belongs to.
ACTIVE = """() => {
  const a = document.activeElement;
  return a.className + "|" + (a.dataset.claim || "");
}"""
# Per span key, the concatenated text of its elements in the text block, in DOM order.
DOM_RECORDS = """() => {
  const text = document.getElementById("text");
  const collect = (attr, withPart) => {
    const out = {};
    for (const el of text.querySelectorAll("[" + attr + "]")) {
      if (el.tagName === "BUTTON") continue;
      const key = el.getAttribute(attr) + (withPart ? "/" + el.dataset.part : "");
      out[key] = (out[key] || "") + el.textContent;
    }
    return out;
  };
  return {
    text: text.textContent,
    zones: collect("data-zone", false),
    mentions: collect("data-mention", false),
    markers: collect("data-marker", false),
    claims: collect("data-claim", true),
    handles: [...text.querySelectorAll("button.claim-handle")].map(e => e.dataset.claim),
    cards: [...document.querySelectorAll(".claim-card")].map(e => e.dataset.claim),
    mentionRows: document.querySelectorAll("#mentions tbody tr").length,
  };
}"""


@dataclass
class Site:
    corpus: Corpus
    out: Path
    name: str


@dataclass
class Visit:
    page: Any
    console: list[tuple[str, str]] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def sites(repo: Repo, tmp_path_factory: pytest.TempPathFactory) -> list[Site]:
    out = []
    tricky = tricky_repo(tmp_path_factory.mktemp("tricky"))
    for name, r in (("corpus", repo), ("tricky", tricky)):
        folder = tmp_path_factory.mktemp(f"site-{name}")
        render_site(r, None, folder)
        out.append(Site(load_corpus(r), folder, name))
    return out


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900},
        )
        context.set_default_timeout(15_000)
        yield context
        context.close()


def visit(browser: Any, site: Site, name: str) -> Visit:
    """Open a page of ``site``; requests outside the site's folder are aborted."""
    page = browser.new_page()
    v = Visit(page)
    allowed = site.out.resolve().as_uri() + "/"

    def route(r: Any) -> None:
        if r.request.url.startswith(allowed):
            r.continue_()
        else:
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: v.console.append((m.type, m.text)))
    page.on("pageerror", lambda e: v.console.append(("pageerror", str(e))))
    page.on("request", lambda r: v.requests.append(r.url))
    page.goto((site.out / name).resolve().as_uri(), wait_until="load")
    return v


def check_clean(v: Visit, site: Site) -> None:
    allowed = site.out.resolve().as_uri() + "/"
    assert [u for u in v.requests if not u.startswith(allowed)] == []
    assert [m for m in v.console if m[0] in ("error", "warning", "pageerror")] == []


def screenshot(v: Visit, site: Site, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    v.page.screenshot(path=str(ARTIFACTS / f"{site.name}-{name}.png"), full_page=True)


def expected(corpus: Corpus, doc_id: str) -> dict[str, Any]:
    def of(table: str) -> list[dict[str, Any]]:
        return [r for r in corpus[table].to_pylist() if r["doc_id"] == doc_id]

    claims = of("claims")
    parts = {
        f"{c['id']}/{p}": c[f"{p}_text"]
        for c in claims
        for p in corpus.schema.layer("claim").span_fields
        if c[f"{p}_start"] is not None
    }
    return {
        "text": corpus.text(doc_id),
        "zones": {r["id"]: r["text"] for r in of("zones")},
        "mentions": {r["id"]: r["text"] for r in of("mentions")},
        "markers": {r["id"]: r["text"] for r in of("markers")},
        "claims": parts,
        "handles": sorted(c["id"] for c in claims),
        "cards": [c["id"] for c in claims],
        "mentionRows": len(of("mentions")),
    }


def test_document_pages_show_exactly_their_records(browser: Any, sites: list[Site]) -> None:
    for site in sites:
        for doc_id in site.corpus.doc_ids:
            v = visit(browser, site, doc_page(doc_id))
            shown = v.page.evaluate(DOM_RECORDS)
            want = expected(site.corpus, doc_id)
            shown["handles"].sort()
            assert shown == want, doc_id
            check_clean(v, site)
            screenshot(v, site, doc_id)
            v.page.close()


def test_label_colours_are_the_palette_colours(browser: Any, sites: list[Site]) -> None:
    site = sites[0]
    pal = load_palette()
    vocab = site.corpus.schema.layer("mention").field("label").vocabulary or ""
    v = visit(browser, site, doc_page(site.corpus.doc_ids[0]))
    shown = v.page.evaluate(
        """() => [...document.querySelectorAll("#text .mention")].map(
            e => [e.dataset.label, getComputedStyle(e).backgroundColor])"""
    )
    assert shown
    for label, rgb in shown:
        hexa = pal.colour(vocab, label).lstrip("#")
        assert rgb == "rgb({}, {}, {})".format(*(int(hexa[i : i + 2], 16) for i in (0, 2, 4)))
    v.page.close()


def test_claims_work_with_the_keyboard(browser: Any, sites: list[Site]) -> None:
    site = sites[1]
    v = visit(browser, site, doc_page("tricky"))
    page = v.page
    active = ACTIVE
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate(active).startswith("claim-handle"):
            break
    cls, claim = page.evaluate(active).split("|")
    assert cls.startswith("claim-handle") and claim, "no claim reachable with Tab"
    ring = page.evaluate("() => getComputedStyle(document.activeElement, '::before').outlineStyle")
    assert ring == "solid"  # a visible focus indicator
    page.keyboard.press("Enter")
    screenshot(v, site, "keyboard-open-claim")
    state = page.evaluate(
        """id => ({open: document.getElementById("claim-" + id).open,
                  focus: document.activeElement.tagName,
                  expanded: document.querySelector('button[data-claim="' + id + '"]')
                      .getAttribute("aria-expanded"),
                  selected: [...new Set([...document.querySelectorAll('#text .is-selected')]
                      .map(e => e.dataset.part || "handle"))].sort()})""",
        claim,
    )
    row = next(
        c for c in site.corpus["claims"].to_pylist() if c["doc_id"] == "tricky" and c["id"] == claim
    )
    parts = [p for p in ("content", "cue", "source") if row[f"{p}_start"] is not None]
    assert state == {
        "open": True,
        "focus": "SUMMARY",
        "expanded": "true",
        "selected": sorted([*parts, "handle"]),
    }
    for _ in range(10):
        page.keyboard.press("Tab")
        if "show-in-text" in page.evaluate(active):
            break
    page.keyboard.press("Enter")
    assert page.evaluate(active) == f"{cls}|{claim}"  # back on the claim's handle
    # The layer toggles are checkboxes: Space turns the mention colours off.
    page.focus('input[data-layer="mentions"]')
    page.keyboard.press("Space")
    assert "hide-mentions" in page.evaluate("() => document.body.className")
    check_clean(v, site)
    page.close()


def test_cluster_pages_set_the_versions_side_by_side(browser: Any, sites: list[Site]) -> None:
    for site in sites:
        members = site.corpus["cluster_members"].to_pylist()
        for cluster in site.corpus["clusters"]["id"].to_pylist():
            v = visit(browser, site, cluster_page(cluster))
            n = len([m for m in members if m["cluster_id"] == cluster])
            shown = v.page.evaluate(
                """() => ({columns: document.querySelectorAll(".compare thead th").length - 1,
                          links: [...document.querySelectorAll(".compare thead a")]
                              .map(a => a.getAttribute("href")),
                          diffs: document.querySelectorAll(".diffs li").length})"""
            )
            assert shown["columns"] == n and len(shown["links"]) == n
            assert shown["diffs"] >= 1
            check_clean(v, site)
            screenshot(v, site, f"cluster-{cluster}")
            v.page.close()


def test_index_shows_statistics_and_plots(browser: Any, sites: list[Site]) -> None:
    for site in sites:
        v = visit(browser, site, "index.html")
        shown = v.page.evaluate(
            """() => ({images: [...document.images].map(i => i.complete && i.naturalWidth > 0),
                      docs: [...document.querySelectorAll('a[href^="doc-"]')].length})"""
        )
        assert shown["images"] and all(shown["images"])
        assert shown["docs"] == len(site.corpus.doc_ids)
        check_clean(v, site)
        screenshot(v, site, "index")
        v.page.close()
