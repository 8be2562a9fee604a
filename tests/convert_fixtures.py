"""Throw-away corpora for the converter, agreement and migration tests: a temporary
repository with raw articles ingested through ``isf_claims.ingest.ingest`` and annotation
files written through ``isf_claims.annotations``, plus a hypothesis strategy that makes
documents valid under every schema rule (emoji and other astral characters included)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from isf_claims import annotations as fmt
from isf_claims.ingest import ingest
from isf_claims.repo import Repo
from isf_claims.schema import load_schema

ROOT = Path(__file__).resolve().parents[1]
WORDS = ["Gaza", "US", "officials", "said", "force", "😀", "𝔘𝔖", "Müller", "“peace”", "plan", "🇺🇸"]


def make_repo(tmp: Path, texts: dict[str, str], schema_dir: Path | None = None) -> Repo:
    """A repository under ``tmp`` with ``texts`` ingested (doc_id -> text), no annotations."""
    root = tmp / "corpus"
    shutil.copytree(schema_dir or ROOT / "schema", root / "schema")
    (root / "raw").mkdir(parents=True)
    (root / "annotated").mkdir()
    repo = Repo(root)
    src = tmp / "src"
    src.mkdir(exist_ok=True)
    for doc_id, text in texts.items():
        f = src / f"{doc_id}.txt"
        f.write_bytes(text.encode("utf-8"))
        ingest(repo, f, doc_id=doc_id, added="2025-10-20")
    return repo


def header(repo: Repo, doc_id: str, version: str = "1.0.0") -> dict[str, Any]:
    from isf_claims.raw import read_meta

    return {
        "doc_id": doc_id,
        "schema_version": version,
        "raw_sha256": read_meta(repo, doc_id)["sha256"],
        "status": "draft",
        "annotators": "test",
    }


def write_doc(
    repo: Repo, doc_id: str, records: list[dict[str, Any]], version: str = "1.0.0"
) -> None:
    """Write one canonical annotation file."""
    schema = load_schema(repo.schema_dir, version)
    lines = fmt.document_lines(schema, header(repo, doc_id, version), records)
    repo.annotation_path(doc_id).write_bytes(fmt.to_bytes(lines))


def write_shared(
    repo: Repo, entities: list[dict], clusters: list[dict], version: str = "1.0.0"
) -> None:
    schema = load_schema(repo.schema_dir, version)
    repo.entities_path.write_bytes(fmt.to_bytes(fmt.shared_lines(schema, "entity", entities)))
    repo.clusters_path.write_bytes(fmt.to_bytes(fmt.shared_lines(schema, "cluster", clusters)))


def span(text: str, start: int, end: int) -> dict[str, Any]:
    return {"start": start, "end": end, "text": text[start:end]}


def token_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in re.finditer(r"\S+", text)]


@st.composite
def documents(draw: st.DrawFn) -> tuple[str, list[dict[str, Any]], list[dict[str, Any]]]:
    """(text, records, entities) of one document, valid under schema 1.0.0's rules."""
    schema = load_schema(ROOT / "schema", "1.0.0")
    n = draw(st.integers(4, 24))
    words = draw(st.lists(st.sampled_from(WORDS), min_size=n, max_size=n))
    seps = draw(
        st.lists(st.sampled_from([" ", " ", "\n", "\n\n", "  "]), min_size=n - 1, max_size=n - 1)
    )
    text = words[0] + "".join(s + w for s, w in zip(seps, words[1:], strict=True))
    toks = token_spans(text)
    ids = draw(st.lists(st.integers(1, 99), min_size=30, max_size=30, unique=True))
    pick = iter(ids)
    records: list[dict[str, Any]] = []

    def rng(i: int, j: int) -> dict[str, Any]:
        return span(text, toks[i][0], toks[j][1])

    # zones: a partition of the tokens into consecutive runs
    cuts = sorted(draw(st.sets(st.integers(1, len(toks) - 1), max_size=3)))
    for a, b in zip([0, *cuts], [*cuts, len(toks)], strict=True):
        records.append(
            {
                "layer": "zone",
                "id": f"z{next(pick)}",
                "label": draw(st.sampled_from(schema.values("zone_label"))),
                **rng(a, b - 1),
            }
        )
    # entities and mentions: disjoint mentions over single tokens, some with a nested pair
    entities = [
        {"id": f"e-{lab.lower()}", "label": lab, "name": lab.title(), "description": None}
        for lab in ("GPE", "PERSON")
    ]
    mention_toks = sorted(draw(st.sets(st.integers(0, len(toks) - 1), max_size=6)))
    mentions = []
    for t in mention_toks:
        linked = draw(st.sampled_from([None, 0, 1]))
        label = (
            entities[linked]["label"]
            if linked is not None
            else draw(st.sampled_from(schema.values("entity_label")))
        )
        mentions.append(
            {
                "layer": "mention",
                "id": f"m{next(pick)}",
                "label": label,
                **rng(t, t),
                "entity": entities[linked]["id"] if linked is not None else None,
            }
        )
    if len(toks) > 3 and draw(st.booleans()):
        mentions.append(
            {
                "layer": "mention",
                "id": f"m{next(pick)}",
                "label": "ORG",
                **rng(len(toks) - 3, len(toks) - 2),
                "entity": None,
            }
        )
        inner = len(toks) - 2
        if inner not in mention_toks:
            mentions.append(
                {
                    "layer": "mention",
                    "id": f"m{next(pick)}",
                    "label": "GPE",
                    **rng(inner, inner),
                    "entity": None,
                }
            )
    records += mentions
    # claims
    claims = []
    for _ in range(draw(st.integers(0, 3))):
        a = draw(st.integers(0, len(toks) - 1))
        b = draw(st.integers(a, min(a + 4, len(toks) - 1)))
        attributed = draw(st.booleans())
        cid = f"c{next(pick)}"
        note = draw(st.sampled_from([None, "checked", 'tab\there "q"', "line\nbreak", " padded "]))
        claim = {
            "layer": "claim",
            "id": cid,
            "content": rng(a, b),
            "cue": None,
            "source": None,
            "source_mention": None,
            "source_entity": None,
            "attribution": "unattributed",
            "source_type": "outlet",
            "cue_commitment": "none",
            "polarity": draw(st.sampled_from(schema.values("polarity"))),
            "claim_type": draw(st.sampled_from(schema.values("claim_type"))),
            "parent": claims[-1]["id"] if claims and draw(st.booleans()) else None,
            "note": note,
        }
        if attributed:
            c = draw(st.integers(0, len(toks) - 1))
            claim.update(
                cue=rng(c, c),
                attribution=draw(st.sampled_from(["direct_quote", "indirect", "mixed"])),
                cue_commitment=draw(
                    st.sampled_from(["neutral", "distancing", "hedged", "endorsing"])
                ),
                source_type="unspecified",
            )
            if mentions and draw(st.booleans()):
                m = draw(st.sampled_from(mentions))
                claim.update(
                    source={k: m[k] for k in ("start", "end", "text")},
                    source_mention=m["id"],
                    source_entity=m["entity"],
                    source_type="named",
                )
        claims.append(claim)
    records += claims
    for c in claims[:2]:
        if draw(st.booleans()):
            s = c["content"]
            records.append(
                {
                    "layer": "marker",
                    "id": f"f{next(pick)}",
                    "label": "scare_quotes",
                    **s,
                    "claim": c["id"],
                }
            )
    return text, records, entities
