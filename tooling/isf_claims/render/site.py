"""Build the static review site and write it into a folder, all files or none.

Every page, the CSS, the JS and the plots sit in one flat folder, so the pages load nothing
but same-folder files. The folder holds a manifest of what was written; a later render
removes the files of an earlier one that it no longer makes, and refuses to write into a
non-empty folder that has no manifest (it is not a site this command made).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from isf_claims import progress
from isf_claims.corpus import Corpus, load_corpus
from isf_claims.errors import refuse
from isf_claims.fsutil import atomic_write_many
from isf_claims.render.cluster import cluster_page_html
from isf_claims.render.data import SiteData, cluster_data, member_claims, site_data
from isf_claims.render.document import document_page
from isf_claims.render.htmlkit import cluster_page, doc_page, static_file
from isf_claims.render.index import index_pages
from isf_claims.render.palette import palette_css
from isf_claims.repo import Repo
from isf_claims.stats_report import plot_files, selected_stats

MANIFEST = ".isf-claims-site.json"
STATIC = ("site.css", "site.js")
BATCH = 500  # documents loaded and paged at a time


@dataclass(frozen=True)
class SiteResult:
    """What a render wrote: the folder, the documents and clusters paged, every file."""

    out: Path
    documents: list[str]
    clusters: list[str]
    files: list[str]


def _document_files(data: SiteData, titles: dict[str, str]) -> Iterator[tuple[str, bytes]]:
    for doc_id in data.docs:
        titles[doc_id] = data.title(doc_id)
        yield doc_page(doc_id), document_page(data, doc_id).encode("utf-8")


def _common_files(
    data: SiteData, cdata: SiteData, titles: dict[str, str]
) -> Iterator[tuple[str, bytes]]:
    """The cluster pages, the index pages, the CSS, JS and plots."""
    for cluster in cdata.clusters:
        yield cluster_page(cluster["id"]), cluster_page_html(cdata, cluster).encode("utf-8")
    for name, html in index_pages(data, titles):
        yield name, html.encode("utf-8")
    yield "palette.css", palette_css(data.palette).encode("utf-8")
    for name in STATIC:
        yield name, static_file(name)
    for name, plot in plot_files(data.stats, data.schema).items():
        if name.endswith(".svg"):
            yield name, plot


def build_site(corpus: Corpus) -> tuple[dict[str, bytes], list[str]]:
    """File name -> bytes of every file of the site of a loaded corpus (deterministic for
    the same corpus), and the ids of the clusters paged."""
    data = site_data(corpus)
    titles: dict[str, str] = {}
    files = dict(_document_files(data, titles))
    files.update(_common_files(data, data, titles))
    return files, [c["id"] for c in data.clusters]


def site_files(
    repo: Repo, doc_ids: list[str] | None, documents: list[str], shown: list[str]
) -> Iterator[tuple[str, bytes]]:
    """Every file of the site of ``doc_ids`` (default: all annotated), made :data:`BATCH`
    documents at a time: memory holds one batch of documents, the narrow statistics and
    the claims that are cluster members. ``documents`` and ``shown`` receive the ids of the
    documents and clusters paged."""
    stats, _ = selected_stats(repo, doc_ids)
    ids = stats.documents["doc_id"].to_list()
    documents.extend(ids)
    rendered = set(ids)
    titles: dict[str, str] = {}
    members: dict[str, list[dict[str, Any]]] = {}
    data = None
    with progress.task("render: document pages", len(ids)) as advance:
        for start in range(0, max(len(ids), 1), BATCH):
            batch = ids[start : start + BATCH]
            data = site_data(load_corpus(repo, batch), stats, rendered)
            yield from _document_files(data, titles)
            members.update(member_claims(data))
            advance(len(batch))
    assert data is not None
    cdata = cluster_data(data, members, ids)
    shown.extend(c["id"] for c in cdata.clusters)
    with progress.task("render: cluster and index pages", len(cdata.clusters)):
        yield from _common_files(data, cdata, titles)


def _previous(out: Path) -> list[str]:
    """Files of the site already in ``out``; refuses a folder that is not one."""
    manifest = out / MANIFEST
    if manifest.is_file():
        try:
            return list(json.loads(manifest.read_text(encoding="utf-8"))["files"])
        except (ValueError, KeyError, TypeError):
            pass
    elif not out.exists() or (out.is_dir() and not any(out.iterdir())):
        return []
    raise refuse(
        "out-not-a-site",
        path=str(out),
        expected=f"a new or empty folder, or one with {MANIFEST}",
        found="a file" if out.is_file() else "other files",
    )


def render_site(repo: Repo, doc_ids: list[str] | None, out: Path) -> SiteResult:
    """Render the documents ``doc_ids`` (default: all annotated) and their clusters into
    ``out``. Pages are written (as temporary files) as they are made; nothing replaces a
    file of ``out`` if anything fails."""
    from isf_claims.guard import require_valid

    require_valid(repo, "render-invalid-corpus")
    previous = _previous(out)
    existed = out.exists()
    names: list[str] = []
    clusters: list[str] = []
    documents: list[str] = []

    def files() -> Iterator[tuple[Path, bytes]]:
        for name, data in site_files(repo, doc_ids, documents, clusters):
            names.append(name)
            yield out / name, data
        manifest = json.dumps({"files": sorted(names)}, indent=1) + "\n"
        yield out / MANIFEST, manifest.encode("utf-8")

    try:
        atomic_write_many(files())
    except BaseException:
        if not existed and out.is_dir() and not any(out.iterdir()):
            out.rmdir()
        raise
    for name in previous:
        stale = out / name
        if name not in names and "/" not in name and stale.is_file():
            stale.unlink()
    return SiteResult(out=out, documents=documents, clusters=clusters, files=sorted(names))
