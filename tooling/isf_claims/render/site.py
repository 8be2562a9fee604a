"""Build the static review site and write it into a folder, all files or none.

Every page, the CSS, the JS and the plots sit in one flat folder, so the pages load nothing
but same-folder files. The folder holds a manifest of what was written; a later render
removes the files of an earlier one that it no longer makes, and refuses to write into a
non-empty folder that has no manifest (it is not a site this command made).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from isf_claims.corpus import Corpus
from isf_claims.errors import usage_error
from isf_claims.fsutil import atomic_write_many
from isf_claims.render.cluster import cluster_page_html
from isf_claims.render.data import site_data
from isf_claims.render.document import document_page
from isf_claims.render.htmlkit import INDEX, cluster_page, doc_page, static_file
from isf_claims.render.index import index_page
from isf_claims.render.palette import palette_css
from isf_claims.repo import Repo
from isf_claims.stats import load_selected, plot_files

MANIFEST = ".isf-claims-site.json"
STATIC = ("site.css", "site.js")


@dataclass(frozen=True)
class SiteResult:
    """What a render wrote: the folder, the documents and clusters paged, every file."""

    out: Path
    documents: list[str]
    clusters: list[str]
    files: list[str]


def build_site(corpus: Corpus) -> tuple[dict[str, bytes], list[str]]:
    """File name -> bytes of every file of the site (deterministic for the same corpus),
    and the ids of the clusters paged."""
    data = site_data(corpus)
    files: dict[str, bytes] = {INDEX: index_page(data).encode("utf-8")}
    for doc_id in data.docs:
        files[doc_page(doc_id)] = document_page(data, doc_id).encode("utf-8")
    for cluster in data.clusters:
        files[cluster_page(cluster["id"])] = cluster_page_html(data, cluster).encode("utf-8")
    files["palette.css"] = palette_css(data.palette).encode("utf-8")
    for name in STATIC:
        files[name] = static_file(name)
    files.update(
        (name, data)
        for name, data in plot_files(data.stats, corpus.schema).items()
        if name.endswith(".svg")
    )
    return files, [c["id"] for c in data.clusters]


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
    raise usage_error(
        "out-not-a-site",
        "the output folder exists and is not a site made by `isf-claims render`",
        path=str(out),
        expected=f"a new or empty folder, or one with {MANIFEST}",
        found="a file" if out.is_file() else "other files",
        fix="pass --out with a new folder (the default is site/)",
    )


def render_site(repo: Repo, doc_ids: list[str] | None, out: Path) -> SiteResult:
    """Render the documents ``doc_ids`` (default: all annotated) and their clusters into
    ``out``. Nothing is written if anything fails."""
    from isf_claims.guard import valid_corpus

    previous = _previous(out)
    whole = valid_corpus(repo, "render-invalid-corpus", "the review site shows a valid corpus")
    corpus = whole if doc_ids is None else load_selected(repo, doc_ids)
    files, clusters = build_site(corpus)
    manifest = json.dumps({"files": sorted(files)}, indent=1) + "\n"
    files[MANIFEST] = manifest.encode("utf-8")
    atomic_write_many((out / name, data) for name, data in sorted(files.items()))
    for name in previous:
        stale = out / name
        if name not in files and "/" not in name and stale.is_file():
            stale.unlink()
    return SiteResult(
        out=out,
        documents=corpus.doc_ids,
        clusters=clusters,
        files=sorted(files),
    )
