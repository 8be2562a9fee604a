"""A synthetic corpus in the repository layout, for benchmarks and tests.

Deterministic from its seed. Documents read like wire copy: a headline, a byline and body
paragraphs whose sentences carry entity mentions (some nested, some linked to canonical
entities), attributed and unattributed claims with cues, sources and framing markers, and
non-ASCII text (accents, curly quotes, dashes and the odd emoji, so that code-point and
UTF-16 offsets differ). Densities follow the gold corpus: about 100 mentions and 10 claims
per document. Labels and attribute values come from the schema. Status is ``synthetic``.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import shutil
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from isf_claims import annotations as fmt
from isf_claims import progress
from isf_claims.errors import refuse
from isf_claims.fsutil import make_temp_dir
from isf_claims.raw import meta_bytes, sha256_bytes
from isf_claims.release.metadata import DATASET_FILE
from isf_claims.repo import Repo
from isf_claims.schema import Schema, load_schema

_FILLER_TEXT = (
    "the officials of an international mission aimed at supporting post-conflict "
    "stabilization efforts were deployed after talks on security arrangements and aid "
    "with a small group of planning officers under a ceasefire plan naïve café façade "
    "coöperation — rôle élite déjà vu “framework” ‘core’ … task force monitors"
)
FILLER = tuple(_FILLER_TEXT.split(" "))
SURFACES = {
    "PERSON": [
        "José Ramírez",
        "Łukasz Nowak",
        "Ahmed Al-Masri",
        "Nguyễn Văn An",
        "Søren Kierk",
        "Amal Haddad",
        "John Healey",
        "Marco Rubio",
        "Aïcha Benali",
        "Dmitri Orlov",
    ],
    "ORG": [
        "Ministry of Defence",
        "United Nations",
        "Civil-Military Coordination Centre",
        "Security Council",
        "Red Crescent",
        "Université Libre",
        "Hamas",
        "CENTCOM",
    ],
    "GPE": [
        "Gaza",
        "Israel",
        "Egypt",
        "Türkiye",
        "Indonesia",
        "Azerbaijan",
        "Zürich",
        "São Paulo",
        "Rafah",
        "Qatar",
    ],
    "NORP": ["Palestinian", "Israeli", "British", "Egyptian", "Américain", "Arab"],
    "DATE": ["Monday", "October 16", "last week", "2025", "this month"],
    "CARDINAL": ["two", "20", "1,500", "dozens", "three"],
    "LOC": ["Mediterranean", "Sinai Peninsula", "West Bank"],
    "EVENT": ["Sharm el-Sheikh summit", "Gaza war"],
    "LAW": ["20-point plan", "Resolution 2720"],
    "PERCENT": ["40%", "12 per cent"],
    "MONEY": ["$2 billion", "€30 million"],
    "ORDINAL": ["first", "second"],
}
WEIGHTS = {"PERSON": 20, "ORG": 20, "GPE": 20, "NORP": 10, "DATE": 12, "CARDINAL": 8}
LINKED = ("PERSON", "ORG", "GPE", "NORP")
CUES = {
    "said": "neutral",
    "told": "neutral",
    "stated": "neutral",
    "claimed": "distancing",
    "alleged": "distancing",
    "believed": "hedged",
    "confirmed": "endorsing",
    "acknowledged": "endorsing",
}
EMOJI = ("🇵🇸", "🙂", "📷", "🕊️")


@dataclass(frozen=True)
class SynthStats:
    """What was written."""

    docs: int
    mentions: int
    claims: int
    entities: int
    clusters: int
    path: Path


class _Doc:
    """Builds one document's text and its records, keeping offsets in code points; span
    texts are filled in from the finished text."""

    def __init__(self, rng: random.Random, schema: Schema, entities: list[dict[str, Any]]):
        self.rng, self.schema = rng, schema
        self.by_label: dict[str, list[dict[str, Any]]] = {}
        for e in entities:
            self.by_label.setdefault(e["label"], []).append(e)
        self.labels = schema.values("entity_label")
        self.weights = [WEIGHTS.get(x, 1) for x in self.labels]
        self.parts: list[str] = []
        self.pos = 0
        self.records: list[dict[str, Any]] = []
        self.counts = {"z": 0, "m": 0, "c": 0, "f": 0}
        self.last_marker: dict[str, Any] | None = None

    def _id(self, prefix: str) -> str:
        self.counts[prefix] += 1
        return f"{prefix}{self.counts[prefix]}"

    def put(self, text: str) -> tuple[int, int]:
        start = self.pos
        self.parts.append(text)
        self.pos += len(text)
        return start, self.pos

    def span(self, layer: str, s: int, e: int, **fields: Any) -> dict[str, Any]:
        prefix = {"zone": "z", "mention": "m", "marker": "f"}[layer]
        rec = {"layer": layer, "id": self._id(prefix), "start": s, "end": e, **fields}
        self.records.append(rec)
        return rec

    def finish(self) -> str:
        """The text; every span gets the text it covers."""
        text = "".join(self.parts)
        for rec in self.records:
            if rec["layer"] == "claim":
                for name in ("content", "cue", "source"):
                    if rec[name] is not None:
                        rec[name]["text"] = text[rec[name]["start"] : rec[name]["end"]]
            else:
                rec["text"] = text[rec["start"] : rec["end"]]
        return text

    def mention(self, label: str | None = None) -> dict[str, Any]:
        rng = self.rng
        if label is None:
            label = rng.choices(self.labels, self.weights)[0]
        pool = self.by_label.get(label, [])
        entity = rng.choice(pool) if label in LINKED and pool and rng.random() < 0.7 else None
        if label == "ORG" and entity is None and rng.random() < 0.2:
            inner = self.mention("GPE")  # nested: "<GPE> Ministry of Defence"
            self.put(" Ministry of Defence")
            return self.span("mention", inner["start"], self.pos, label=label, entity=None)
        surface = (
            entity["name"]
            if entity
            else rng.choice(SURFACES.get(label, [label.replace("_", " ").title()]))
        )
        s, e = self.put(surface)
        return self.span("mention", s, e, label=label, entity=entity and entity["id"])

    def words(self, n: int, mentions: int) -> None:
        rng = self.rng
        slots = set(rng.sample(range(n + mentions), mentions))
        for i in range(n + mentions):
            if i:
                self.put(" ")
            if i in slots:
                self.mention()
            else:
                self.put(FILLER[rng.randrange(len(FILLER))])
        if rng.random() < 0.03:
            self.put(" " + rng.choice(EMOJI))

    def claim(self) -> None:
        rng = self.rng
        kind = rng.choices(("direct_quote", "indirect", "unattributed"), (45, 40, 15))[0]
        rec: dict[str, Any] = {
            "layer": "claim",
            "id": self._id("c"),
            "cue": None,
            "source": None,
            "source_mention": None,
            "source_entity": None,
            "polarity": rng.choices(self.schema.values("polarity"), (9, 1))[0],
            "claim_type": rng.choice(self.schema.values("claim_type")),
        }
        if kind == "unattributed":
            cs, ce = self.content(marker_ok=False)
            self.put(".")
            rec.update(attribution=kind, source_type="outlet", cue_commitment="none")
        else:
            src = self.mention(rng.choice(("PERSON", "ORG")))
            cue = rng.choice(list(CUES))
            self.put(" ")
            qs, qe = self.put(cue)
            rec["cue"] = {"start": qs, "end": qe}
            rec["source"] = {"start": src["start"], "end": src["end"]}
            rec["source_mention"], rec["source_entity"] = src["id"], src["entity"]
            rec.update(attribution=kind, source_type="named", cue_commitment=CUES[cue])
            self.put(" “" if kind == "direct_quote" else " that ")
            cs, ce = self.content(marker_ok=True)
            self.put("”." if kind == "direct_quote" else ".")
            if self.last_marker is not None:
                self.last_marker["claim"] = rec["id"]
        rec["content"] = {"start": cs, "end": ce}
        self.records.append(rec)

    def content(self, marker_ok: bool) -> tuple[int, int]:
        self.last_marker = None
        start = self.pos
        if marker_ok and self.rng.random() < 0.1:
            s, e = self.put("so-called")
            self.last_marker = self.span("marker", s, e, label="so_called", claim=None)
            self.put(" ")
        self.words(self.rng.randint(6, 14), self.rng.randint(2, 4))
        return start, self.pos

    def paragraph(self, sentences: int, claims: int) -> None:
        start = self.pos
        which = set(self.rng.sample(range(sentences), min(claims, sentences)))
        for i in range(sentences):
            if i:
                self.put(" ")
            if i in which:
                self.claim()
            else:
                self.words(self.rng.randint(8, 16), self.rng.randint(2, 5))
                self.put(".")
        self.span("zone", start, self.pos, label="body")


def _entities(rng: random.Random, schema: Schema, n: int) -> list[dict[str, Any]]:
    out = []
    for i in range(n):
        label = LINKED[i % len(LINKED)]
        base = SURFACES[label][(i // len(LINKED)) % len(SURFACES[label])]
        name = base if i < len(LINKED) * len(SURFACES[label]) else f"{base} {i}"
        out.append(
            {
                "id": f"e{i:05d}",
                "label": label,
                "name": name,
                "description": f"Synthetic {label} entity.",
            }
        )
    assert all(e["label"] in schema.values("entity_label") for e in out)
    rng.shuffle(out)
    return sorted(out, key=lambda e: e["id"])


def synth_corpus(repo: Repo, out: Path, docs: int, seed: int = 0, workers: int = 0) -> SynthStats:
    """Write a synthetic corpus of ``docs`` documents to ``out`` (which must not exist or be
    empty), atomically: everything is written to a temporary sibling first. The result is a
    complete repository (``raw/``, ``annotated/``, ``schema/``, ``dataset.json``), so
    ``isf-claims build`` runs on it directly.

    Each document has its own random stream (from the seed and its number), so documents
    are made by ``workers`` processes (0: one per CPU) and the bytes depend on the seed
    only."""
    if out.exists() and any(out.iterdir()):
        raise refuse(
            "out-not-empty", path=str(out), expected="a new or empty folder", found="existing files"
        )
    if docs < 1:
        raise refuse("bad-docs", found=str(docs))
    schema = load_schema(repo.schema_dir)
    rng = random.Random(seed)
    entities = _entities(rng, schema, max(40, min(2000, docs // 5)))
    tmp = make_temp_dir(out.parent, f".{out.name}.")
    try:
        stats = _write(Repo(tmp), repo, schema, rng, entities, docs, seed, workers)
        if out.exists():
            out.rmdir()
        tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return SynthStats(**stats, path=out)


def _dataset_meta(src: Repo, seed: int) -> bytes:
    """``dataset.json`` of a synthetic corpus: the source repository's release metadata
    (or a minimal one), named and described as synthetic."""
    path = src.root / DATASET_FILE
    meta: dict[str, Any] = {"version": "0.1.0", "name": "isf-claims"}
    if path.is_file():
        meta = json.loads(path.read_text(encoding="utf-8"))
    meta["name"] = f"{meta['name']}-synthetic"
    meta["pretty_name"] = f"{meta['name']} (synthetic corpus, seed {seed})"
    meta["description"] = (
        f"Synthetic documents made by `isf-claims synth` (seed {seed}) for benchmarks and "
        "tests; the texts and annotations are generated, not news."
    )
    return (json.dumps(meta, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


_CHUNK = 250  # documents per task of a worker process
_PARALLEL_FROM = 1000  # fewer documents are made in this process (start-up would dominate)
_worker: dict[str, Any] = {}


def _init_worker(root: str, version: str, entities: list[dict[str, Any]], seed: int) -> None:
    dest = Repo(Path(root))
    schema = load_schema(dest.schema_dir, version)
    _worker.update(dest=dest, schema=schema, entities=entities, seed=seed)


def _doc_range(start: int, stop: int) -> list[tuple[str, int, list[str]]]:
    """Write documents ``start``..``stop - 1``; (doc_id, mentions, claim ids) of each."""
    w = _worker
    return [
        _write_doc(w["dest"], w["schema"], w["entities"], w["seed"], i) for i in range(start, stop)
    ]


def _write_doc(
    dest: Repo, schema: Schema, entities: list[dict[str, Any]], seed: int, i: int
) -> tuple[str, int, list[str]]:
    """Make and write document number ``i`` from its own random stream."""
    rng = random.Random(f"isf-claims-synth:{seed}:{i}")
    doc_id = f"synth-{i:06d}"
    d = _Doc(rng, schema, entities)
    d.words(rng.randint(6, 10), 2)
    d.span("zone", 0, d.pos, label="headline")
    d.put("\n\nBy ")
    by = d.mention("PERSON")
    d.span("zone", by["start"], d.pos, label="byline")
    for p in range(rng.randint(7, 9)):
        d.put("\n\n")
        d.paragraph(rng.randint(3, 4), 1 if p % 3 else 2)
    d.put("\n")
    text = d.finish()
    data = text.encode("utf-8")
    meta = {
        "doc_id": doc_id,
        "source_file": f"{doc_id}.txt",
        "outlet": "Synthetic Wire",
        "byline": None,
        "published": None,
        "published_basis": "unknown: synthetic document",
        "language": "en",
        "url": None,
        "added": "2025-10-20",
        "rights": "Synthetic text, no rights.",
        "sha256": sha256_bytes(data),
        "n_bytes": len(data),
        "n_codepoints": len(text),
    }
    dest.raw_path(doc_id).write_bytes(data)
    dest.meta_path(doc_id).write_bytes(meta_bytes(meta))
    header = {
        "doc_id": doc_id,
        "schema_version": schema.version,
        "raw_sha256": meta["sha256"],
        "status": "synthetic",
        "annotators": f"isf-claims synth (seed {seed})",
    }
    dest.annotation_path(doc_id).write_bytes(
        fmt.to_bytes(fmt.document_lines(schema, header, d.records))
    )
    mentions = sum(r["layer"] == "mention" for r in d.records)
    return doc_id, mentions, [r["id"] for r in d.records if r["layer"] == "claim"]


def _documents(
    dest: Repo, schema: Schema, entities: list[dict[str, Any]], docs: int, seed: int, workers: int
) -> list[tuple[str, int, list[str]]]:
    """Every document written, in document order (in worker processes for large corpora)."""
    workers = workers or os.cpu_count() or 1
    out: list[tuple[str, int, list[str]]] = []
    with progress.task("synth: writing documents", docs) as advance:
        if workers == 1 or docs < _PARALLEL_FROM:
            for i in range(docs):
                out.append(_write_doc(dest, schema, entities, seed, i))
                advance()
            return out
        ctx = multiprocessing.get_context("spawn")  # no fork of a threaded parent
        args = (str(dest.root), schema.version, entities, seed)
        with ProcessPoolExecutor(
            workers, mp_context=ctx, initializer=_init_worker, initargs=args
        ) as pool:
            chunks = [(s, min(s + _CHUNK, docs)) for s in range(0, docs, _CHUNK)]
            for part in pool.map(_doc_range, *zip(*chunks, strict=True)):
                out.extend(part)
                advance(len(part))
    return out


def _write(
    dest: Repo,
    src: Repo,
    schema: Schema,
    rng: random.Random,
    entities: list[dict[str, Any]],
    docs: int,
    seed: int,
    workers: int,
) -> dict[str, int]:
    shutil.copytree(src.schema_dir, dest.schema_dir)
    dest.raw_dir.mkdir()
    dest.annotated_dir.mkdir()
    (dest.root / DATASET_FILE).write_bytes(_dataset_meta(src, seed))
    written = _documents(dest, schema, entities, docs, seed, workers)
    n_mentions = sum(m for _, m, _ in written)
    n_claims = sum(len(ids) for _, _, ids in written)
    claims_by_doc = [(doc_id, ids) for doc_id, _, ids in written]
    clusters = []
    for k in range(max(1, docs // 5)):
        picks = rng.sample(range(docs), min(docs, rng.randint(2, 3)))
        members = [
            {"doc_id": claims_by_doc[j][0], "claim": rng.choice(claims_by_doc[j][1]), "note": None}
            for j in picks
            if claims_by_doc[j][1]
        ]
        clusters.append(
            {
                "id": f"cl{k:05d}",
                "proposition": f"Synthetic proposition {k}.",
                "members": members,
                "differences": None,
            }
        )
    dest.entities_path.write_bytes(fmt.to_bytes(fmt.shared_lines(schema, "entity", entities)))
    dest.clusters_path.write_bytes(fmt.to_bytes(fmt.shared_lines(schema, "cluster", clusters)))
    return {
        "docs": docs,
        "mentions": n_mentions,
        "claims": n_claims,
        "entities": len(entities),
        "clusters": len(clusters),
    }
