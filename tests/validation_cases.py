"""The bad-input suite: a small valid corpus, and one corruption per validation code (plus
the encodings, offsets and normalisations annotators get wrong in practice).

``make_corpus(root)`` writes the corpus; each ``Case`` corrupts a copy of it and says which
codes validation must report (exactly those, no cascade).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from isf_claims import annotations as fmt
from isf_claims.raw import meta_bytes, sha256_bytes
from isf_claims.repo import Repo
from isf_claims.schema import known_versions, load_schema

ROOT = Path(__file__).resolve().parents[1]

ALPHA = (
    "Café talks 🙂 in Gaza\n\n"
    "The UK Ministry of Defence said the officers had joined the mission. "
    "Officials said “the plan is the so-called framework”.\n"
)
BETA = "Gaza talks resume\n\nEgypt said the talks would resume on Monday.\n"


def _span(text: str, needle: str, after: int = 0) -> dict[str, Any]:
    start = text.index(needle, after)
    return {"start": start, "end": start + len(needle), "text": needle}


def _claim(cid: str, content: dict, cue: dict | None, source: dict | None, **kw: Any) -> dict:
    base = {
        "layer": "claim",
        "id": cid,
        "content": content,
        "cue": cue,
        "source": source,
        "source_mention": None,
        "source_entity": None,
        "attribution": "indirect",
        "source_type": "named",
        "cue_commitment": "neutral",
        "polarity": "positive",
        "claim_type": "factual",
        "parent": None,
        "note": None,
    }
    return {**base, **kw}


def _records(doc: str) -> list[dict[str, Any]]:
    t = ALPHA if doc == "alpha" else BETA
    head_end = t.index("\n")
    body = t.index("\n\n") + 2
    zones = [
        {"layer": "zone", "id": "z1", "label": "headline", **_span(t, t[:head_end])},
        {"layer": "zone", "id": "z2", "label": "body", **_span(t, t[body:-1])},
    ]
    if doc == "alpha":
        mentions = [
            {"layer": "mention", "id": "m1", "label": "GPE", **_span(t, "Gaza"), "entity": "gaza"},
            {
                "layer": "mention",
                "id": "m2",
                "label": "ORG",
                **_span(t, "UK Ministry of Defence"),
                "entity": "uk-mod",
            },
            {"layer": "mention", "id": "m3", "label": "GPE", **_span(t, "UK"), "entity": "uk"},
        ]
        claims = [
            _claim(
                "c1",
                _span(t, "the officers had joined the mission"),
                _span(t, "said"),
                _span(t, "UK Ministry of Defence"),
                source_mention="m2",
                source_entity="uk-mod",
            ),
            _claim(
                "c2",
                _span(t, "the plan is the so-called framework"),
                _span(t, "said", t.index("Officials")),
                _span(t, "Officials"),
                attribution="direct_quote",
                source_type="anonymous",
            ),
        ]
        markers = [
            {
                "layer": "marker",
                "id": "f1",
                "label": "so_called",
                **_span(t, "so-called"),
                "claim": "c2",
            }
        ]
    else:
        mentions = [
            {"layer": "mention", "id": "m1", "label": "GPE", **_span(t, "Gaza"), "entity": "gaza"},
            {
                "layer": "mention",
                "id": "m2",
                "label": "GPE",
                **_span(t, "Egypt"),
                "entity": "egypt",
            },
            {"layer": "mention", "id": "m3", "label": "DATE", **_span(t, "Monday"), "entity": None},
        ]
        claims = [
            _claim(
                "c1",
                _span(t, "the talks would resume on Monday"),
                _span(t, "said"),
                _span(t, "Egypt"),
                source_mention="m2",
                source_entity="egypt",
            )
        ]
        markers = []
    return zones + mentions + claims + markers


ENTITIES = [
    {"id": "egypt", "label": "GPE", "name": "Egypt", "description": None},
    {"id": "gaza", "label": "GPE", "name": "Gaza", "description": None},
    {"id": "uk", "label": "GPE", "name": "United Kingdom", "description": None},
    {"id": "uk-mod", "label": "ORG", "name": "UK Ministry of Defence", "description": None},
]
CLUSTERS = [
    {
        "id": "talks",
        "proposition": "Officials reported progress in talks.",
        "members": [
            {"doc_id": "alpha", "claim": "c1", "note": None},
            {"doc_id": "beta", "claim": "c1", "note": None},
        ],
        "differences": None,
    }
]


def write_raw(repo: Repo, doc_id: str, data: bytes) -> None:
    meta = {
        "doc_id": doc_id,
        "source_file": f"{doc_id}.txt",
        "outlet": None,
        "published_basis": "unknown: test fixture",
        "language": "en",
        "added": "2025-10-20",
        "rights": "Test text.",
        "sha256": sha256_bytes(data),
        "n_bytes": len(data),
        "n_codepoints": len(data.decode("utf-8", "replace")),
    }
    repo.raw_path(doc_id).write_bytes(data)
    repo.meta_path(doc_id).write_bytes(meta_bytes(meta))


def make_corpus(root: Path) -> Repo:
    """A valid two-document corpus with entities and a cluster."""
    repo = Repo(root)
    shutil.copytree(ROOT / "schema", repo.schema_dir)
    repo.raw_dir.mkdir(parents=True)
    repo.annotated_dir.mkdir(parents=True)
    schema = load_schema(repo.schema_dir)
    for doc_id, text in (("alpha", ALPHA), ("beta", BETA)):
        data = text.encode("utf-8")
        write_raw(repo, doc_id, data)
        header = {
            "doc_id": doc_id,
            "schema_version": schema.version,
            "raw_sha256": sha256_bytes(data),
            "status": "draft",
            "annotators": "test",
        }
        lines = fmt.document_lines(schema, header, _records(doc_id))
        repo.annotation_path(doc_id).write_bytes(fmt.to_bytes(lines))
    repo.entities_path.write_bytes(fmt.to_bytes(fmt.shared_lines(schema, "entity", ENTITIES)))
    repo.clusters_path.write_bytes(fmt.to_bytes(fmt.shared_lines(schema, "cluster", CLUSTERS)))
    return repo


# ------------------------------------------------------------------------------ editing


def load_lines(path: Path) -> list[Any]:
    return [json.loads(line) for line in path.read_bytes().split(b"\n") if line]


def save_lines(path: Path, records: list[Any]) -> None:
    path.write_bytes(b"".join(fmt.dumps(r).encode("utf-8") + b"\n" for r in records))


def edit(repo: Repo, doc: str, fn: Callable[[list[Any]], Any]) -> None:
    """Apply ``fn`` to the records of ``doc`` (a doc id, "entities" or "clusters")."""
    path = {"entities": repo.entities_path, "clusters": repo.clusters_path}.get(
        doc, repo.annotation_path(doc)
    )
    records = load_lines(path)
    fn(records)
    save_lines(path, records)


def rec(records: list[dict[str, Any]], rid: str, layer: str | None = None) -> dict[str, Any]:
    return next(
        r for r in records if r.get("id") == rid and (layer is None or r.get("layer") == layer)
    )


def set_field(doc: str, rid: str, **values: Any) -> Callable[[Repo], None]:
    return lambda repo: edit(repo, doc, lambda rs: rec(rs, rid).update(values))


def edit_bytes(
    path_of: Callable[[Repo], Path], fn: Callable[[bytes], bytes]
) -> Callable[[Repo], None]:
    def apply(repo: Repo) -> None:
        path = path_of(repo)
        path.write_bytes(fn(path.read_bytes()))

    return apply


def alpha_file(repo: Repo) -> Path:
    return repo.annotation_path("alpha")


def add_record(doc: str, record: dict[str, Any]) -> Callable[[Repo], None]:
    return lambda repo: edit(repo, doc, lambda rs: rs.append(record))


def _utf16_shift(repo: Repo) -> None:
    """Offsets of the headline's 'Gaza' counted in UTF-16 units (the emoji counts twice)."""
    u16 = len(ALPHA[: ALPHA.index("Gaza")].encode("utf-16-le")) // 2
    edit(repo, "alpha", lambda rs: rec(rs, "m1").update(start=u16, end=u16 + 4))


def _nfd(repo: Repo) -> None:
    import unicodedata

    edit(
        repo,
        "alpha",
        lambda rs: rec(rs, "z1").update(text=unicodedata.normalize("NFD", rec(rs, "z1")["text"])),
    )


def _mixed_versions(repo: Repo) -> None:
    """beta declares a newer kept version (a copy of the latest), alpha the corpus's; the tie
    goes to the newer one, so alpha is the file on another version."""
    latest = known_versions(repo.schema_dir)[-1]
    shutil.copytree(repo.schema_dir / latest, repo.schema_dir / "99.0.0")
    edit(repo, "beta", lambda rs: rs[0].update(schema_version="99.0.0"))


def _raw_not_utf8(repo: Repo) -> None:
    data = BETA.encode("utf-8").replace(b"Monday", b"Mon\xffay")
    write_raw(repo, "beta", data)  # its metadata too: only the annotation is behind
    edit(repo, "beta", lambda rs: rs[0].update(raw_sha256=sha256_bytes(data)))


def _raw_changed(repo: Repo) -> None:
    """The raw file and its metadata replaced; the annotation still names the old bytes."""
    write_raw(repo, "beta", BETA.encode("utf-8") + b"Updated.\n")


def _raw_rehashed(repo: Repo) -> None:
    """The raw file edited (same length, outside every span) and the annotation's
    raw_sha256 updated to match: only the metadata still knows the ingested bytes."""
    data = BETA.encode("utf-8")[:-1] + b"!"
    repo.raw_path("beta").write_bytes(data)
    edit(repo, "beta", lambda rs: rs[0].update(raw_sha256=sha256_bytes(data)))


def edit_meta(doc: str, fn: Callable[[dict[str, Any]], Any]) -> Callable[[Repo], None]:
    def apply(repo: Repo) -> None:
        path = repo.meta_path(doc)
        meta = json.loads(path.read_bytes())
        fn(meta)
        path.write_bytes(json.dumps(meta, ensure_ascii=False, indent=2).encode("utf-8") + b"\n")

    return apply


def outside(repo: Repo, name: str, data: bytes) -> Path:
    """A file outside the repository (beside its root)."""
    path = repo.root.parent / name
    path.write_bytes(data)
    return path


def _symlink(rel: str) -> Callable[[Repo], None]:
    """``rel`` replaced by a link to a copy of it outside the repository."""

    def apply(repo: Repo) -> None:
        path = repo.root / rel
        target = outside(repo, path.name, path.read_bytes())
        path.unlink()
        path.symlink_to(target)

    return apply


def _bad_name(repo: Repo) -> None:
    """A copy of alpha's annotation under a name whose bytes are not UTF-8."""
    import os

    with open(os.path.join(os.fsencode(repo.annotated_dir), b"\xff.jsonl"), "wb") as fh:
        fh.write(repo.annotation_path("alpha").read_bytes())


def _fifo(repo: Repo) -> None:
    import os

    os.mkfifo(repo.raw_path("gamma"))


def _deep(n: int) -> bytes:
    """A ``label`` field holding arrays ``n`` deep."""
    return b'"label": ' + b"[" * n + b"]" * n


def _overlap(repo: Repo) -> None:
    start = BETA.index("said")
    add_record(
        "beta",
        {
            "layer": "zone",
            "id": "z3",
            "label": "caption",
            "start": start,
            "end": start + 4,
            "text": "said",
        },
    )(repo)


def _cross(repo: Repo) -> None:
    start = ALPHA.index("Defence said")
    add_record(
        "alpha",
        {
            "layer": "mention",
            "id": "m4",
            "label": "ORG",
            "start": start,
            "end": start + 12,
            "text": "Defence said",
            "entity": None,
        },
    )(repo)


def _edge(repo: Repo) -> None:
    start = BETA.index("Egypt said")
    edit(repo, "beta", lambda rs: rec(rs, "m2").update(start=start, end=start + 6, text="Egypt "))


def _unannotated(repo: Repo) -> None:
    write_raw(repo, "gamma", b"An article nobody annotated yet.\n")


def _label_inconsistent(repo: Repo) -> None:
    edit(repo, "beta", lambda rs: rec(rs, "m1").update(label="LOC", entity=None))


@dataclass(frozen=True)
class Case:
    """A corruption and the codes it must produce (all on ``file`` unless said)."""

    name: str
    mutate: Callable[[Repo], None]
    codes: frozenset[str]
    exit_code: int = 1


def write_release_listing(repo: Repo, docs: dict[str, bytes], version: str = "1.0.0") -> None:
    """A release under dist/ as far as the raw-history check reads it: the doc_id and
    sha256 columns of its documents table, and a SHA256SUMS."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = repo.root / "dist" / f"isf-claims-{version}"
    (folder / "data" / "documents").mkdir(parents=True)
    table = pa.table({"doc_id": list(docs), "sha256": [sha256_bytes(b) for b in docs.values()]})
    pq.write_table(table, folder / "data" / "documents" / "train.parquet")
    (folder / "SHA256SUMS").write_bytes(b"")


def _released(repo: Repo, docs: tuple[str, ...] = ("alpha", "beta"), **extra: bytes) -> None:
    listed = {d: repo.raw_path(d).read_bytes() for d in docs}
    write_release_listing(repo, {**listed, **extra})


def _raw_edited(repo: Repo) -> None:
    """Beta's text changes after its release; its metadata and annotation are updated to
    match, so only the history check can tell."""
    _released(repo)
    data = BETA.replace("Monday.", "Monday. Updated.").encode("utf-8")
    write_raw(repo, "beta", data)
    edit(repo, "beta", lambda rs: rs[0].update(raw_sha256=sha256_bytes(data)))


def _c(name: str, mutate: Callable[[Repo], None], *codes: str, exit_code: int = 1) -> Case:
    return Case(name, mutate, frozenset(codes or (name,)), exit_code)


CASES = [
    # 1 structure
    _c("symbolic-link", _symlink("annotated/alpha.jsonl")),
    _c("symbolic-link-raw", _symlink("raw/beta.txt"), "symbolic-link"),
    _c("symbolic-link-meta", _symlink("raw/beta.meta.json"), "symbolic-link"),
    _c("symbolic-link-entities", _symlink("annotated/entities.jsonl"), "symbolic-link"),
    _c("not-a-regular-file", lambda r: (r.annotated_dir / "x.jsonl").mkdir()),
    _c("not-a-regular-file-fifo", _fifo, "not-a-regular-file"),
    _c("file-name-not-utf8", _bad_name),
    _c("not-utf8", edit_bytes(alpha_file, lambda b: b.replace(b"Gaza", b"Ga\xffa", 1))),
    _c("bom", edit_bytes(alpha_file, lambda b: b"\xef\xbb\xbf" + b)),
    _c("crlf-line-endings", edit_bytes(alpha_file, lambda b: b.replace(b"\n", b"\r\n"))),
    _c("empty-file", edit_bytes(alpha_file, lambda b: b"")),
    _c("blank-line", edit_bytes(alpha_file, lambda b: b.replace(b"\n", b"\n\n", 2))),
    _c("json-invalid", edit_bytes(alpha_file, lambda b: b[:-20])),
    _c("not-an-object", edit_bytes(alpha_file, lambda b: b + b"[1, 2]\n")),
    _c("json-too-deep", edit_bytes(alpha_file, lambda b: b + b"[" * 100_000 + b"]" * 100_000)),
    _c(
        "json-too-deep-field",
        edit_bytes(alpha_file, lambda b: b.replace(b'"label": "GPE"', _deep(40), 1)),
        "json-too-deep",
    ),
    _c(
        "lone-surrogate", edit_bytes(alpha_file, lambda b: b.replace(b'"Gaza"', b'"Ga\\ud800a"', 1))
    ),
    _c(
        "lone-surrogate-note",
        edit_bytes(alpha_file, lambda b: b.replace(b'"note": null', b'"note": "x\\udc00"', 1)),
        "lone-surrogate",
    ),
    _c(
        "lone-surrogate-entity-name",
        edit_bytes(lambda r: r.entities_path, lambda b: b.replace(b'"Egypt"', b'"\\uDBFFE"', 1)),
        "lone-surrogate",
    ),
    _c("header-missing", edit_bytes(alpha_file, lambda b: b.split(b"\n", 1)[1])),
    _c("header-repeated", edit_bytes(alpha_file, lambda b: b + b.split(b"\n", 1)[0] + b"\n")),
    _c("unknown-layer", set_field("alpha", "z2", layer="zones")),
    _c("unknown-field", set_field("alpha", "m1", lable="GPE")),
    _c(
        "unknown-field-in-span",
        lambda r: edit(r, "alpha", lambda rs: rec(rs, "c1")["cue"].update(lemma="say")),
        "unknown-field",
    ),
    _c(
        "unknown-schema-version",
        lambda r: edit(r, "alpha", lambda rs: rs[0].update(schema_version="9.9.9")),
    ),
    _c("mixed-schema-versions", _mixed_versions),
    _c("doc-id-mismatch", lambda r: edit(r, "alpha", lambda rs: rs[0].update(doc_id="alpha2"))),
    _c("meta-missing", lambda r: r.meta_path("beta").unlink()),
    _c("meta-invalid", edit_bytes(lambda r: r.meta_path("beta"), lambda b: b[: len(b) // 2])),
    _c(
        "meta-invalid-field",
        edit_meta("beta", lambda m: m.update(n_bytes=str(m["n_bytes"]))),
        "meta-invalid",
    ),
    _c("meta-invalid-missing-field", edit_meta("beta", lambda m: m.pop("rights")), "meta-invalid"),
    _c("meta-invalid-unknown-field", edit_meta("beta", lambda m: m.update(x=1)), "meta-invalid"),
    _c("meta-invalid-doc-id", edit_meta("beta", lambda m: m.update(doc_id="b")), "meta-invalid"),
    _c(
        "meta-invalid-array",
        edit_bytes(lambda r: r.meta_path("beta"), lambda b: b"[]\n"),
        "meta-invalid",
    ),
    # 2 contract
    _c("wrong-type", set_field("alpha", "m1", start=str(ALPHA.index("Gaza")))),
    _c("wrong-type-span", set_field("alpha", "c1", cue="said"), "wrong-type"),
    _c(
        "wrong-type-member",
        lambda r: edit(r, "clusters", lambda rs: rs[0]["members"].append(7)),
        "wrong-type",
    ),
    _c(
        "wrong-type-member-null",
        lambda r: edit(r, "clusters", lambda rs: rs[0]["members"].append(None)),
        "wrong-type",
    ),
    _c(
        "wrong-type-boolean",
        lambda r: edit(r, "alpha", lambda rs: rs[0].update(adjudicated="yes")),
        "wrong-type",
    ),
    _c("missing-value", set_field("alpha", "m1", label=None)),
    _c(
        "missing-value-members",
        lambda r: edit(r, "clusters", lambda rs: rs[0].pop("members")),
        "missing-value",
    ),
    _c(
        "missing-value-members-null",
        lambda r: edit(r, "clusters", lambda rs: rs[0].update(members=None)),
        "missing-value",
    ),
    _c(
        "missing-value-span-part",
        lambda r: edit(r, "alpha", lambda rs: rec(rs, "c1")["cue"].pop("text")),
        "missing-value",
    ),
    _c("not-in-vocabulary", set_field("alpha", "m1", label="PER")),
    _c("pattern-mismatch", set_field("alpha", "z1", id="zone1")),
    _c("below-minimum", set_field("alpha", "m1", start=-1)),
    _c(
        "below-minimum-annotators",
        lambda r: edit(r, "alpha", lambda rs: rs[0].update(annotator_count=0)),
        "below-minimum",
    ),
    _c("duplicate-id", set_field("alpha", "z2", id="z1")),
    _c(
        "duplicate-member",
        lambda r: edit(
            r, "clusters", lambda rs: rs[0]["members"].append(dict(rs[0]["members"][0]))
        ),
    ),
    _c("attribution-inconsistent", set_field("alpha", "c1", attribution="unattributed")),
    # 3 anchoring
    _c("raw-missing", lambda r: r.raw_path("beta").unlink()),
    _c("raw-not-utf8", _raw_not_utf8),
    _c("raw-changed", _raw_changed),
    _c("raw-edited", _raw_edited),
    # released as gamma, gone now
    _c("raw-removed", lambda r: _released(r, gamma=b"Gamma text.\n")),
    # beta's bytes were released under the name gamma (beta is not in that release)
    _c("raw-renamed", lambda r: _released(r, ("alpha",), gamma=BETA.encode("utf-8"))),
    _c(
        "raw-edited-meta-stale",
        edit_bytes(lambda r: r.raw_path("beta"), lambda b: b + b"Updated.\n"),
        "raw-changed",
        "meta-sha256-mismatch",
        "meta-length-mismatch",
    ),
    _c("meta-sha256-mismatch", edit_meta("beta", lambda m: m.update(sha256="0" * 64))),
    _c("meta-sha256-mismatch-rehashed", _raw_rehashed, "meta-sha256-mismatch"),
    _c("meta-length-mismatch", edit_meta("alpha", lambda m: m.update(n_codepoints=m["n_bytes"]))),
    _c(
        "meta-length-mismatch-bytes",
        edit_meta("beta", lambda m: m.update(n_bytes=m["n_bytes"] + 1)),
        "meta-length-mismatch",
    ),
    _c("span-inverted", set_field("beta", "m3", end=BETA.index("Monday"))),
    _c("span-out-of-range", set_field("beta", "z2", end=len(BETA) + 5)),
    _c("quote-mismatch", set_field("beta", "m1", text="Gaze")),
    _c("quote-mismatch-utf16-offsets", _utf16_shift, "quote-mismatch"),
    _c("quote-mismatch-nfd", _nfd, "quote-mismatch"),
    _c("span-edge-whitespace", _edge),
    _c("spans-overlap", _overlap),
    _c("spans-cross", _cross),
    # 4 references
    _c("dangling-entity", set_field("alpha", "m1", entity="nowhere")),
    _c("dangling-mention", set_field("alpha", "c1", source_mention="m99")),
    _c("dangling-claim", set_field("alpha", "f1", claim="c99")),
    _c(
        "dangling-member",
        lambda r: edit(r, "clusters", lambda rs: rs[0]["members"][1].update(claim="c42")),
    ),
    _c("entity-label-mismatch", set_field("beta", "m1", label="LOC")),
    _c("source-mention-outside-source", set_field("alpha", "c1", source_mention="m1")),
    _c("marker-outside-claim", set_field("alpha", "f1", claim="c1")),
    # 5 corpus
    _c("raw-unannotated", _unannotated),
    _c("label-inconsistent", _label_inconsistent, exit_code=0),
    _c(
        "entity-unused",
        add_record(
            "entities", {"id": "orphan", "label": "ORG", "name": "Orphan", "description": None}
        ),
        exit_code=0,
    ),
]
