"""Differential test: the pandera engine and the frictionless engine report the same
findings (code, file, line, record, field) on generated corpora with random corruptions, on
whole-corpus runs and on the pre-commit path (given files)."""

from __future__ import annotations

import json
import shutil
import tempfile
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from conftest import ROOT
from engine_agreement import assert_same_reports
from isf_claims import annotations as fmt
from isf_claims.raw import sha256_bytes
from isf_claims.repo import Repo
from isf_claims.schema import load_schema
from isf_claims.synth import synth_corpus
from isf_claims.validation import validate
from validation_cases import make_corpus

VALUES = [
    None,
    "",
    "x",
    "m1",
    "m2",
    "c1",
    "c2",
    "z1",
    "f1",
    "GPE",
    "LOC",
    "PER",
    "ORG",
    -1,
    0,
    1,
    5,
    10**7,
    2**70,
    "12",
    1.5,
    2.0,
    True,
    [],
    {},
    "Gaza",
    " Gaza",
    "gaza",
    "egypt",
    "e00001",
    "unattributed",
    "outlet",
    "none",
    "direct_quote",
    "named",
    "m1\n",
    "alpha",
    "synth-000001",
    {"start": 0, "end": 4, "text": "Gaza"},
    {"start": 3, "end": 1, "text": "x"},
]
KEYS = [
    "layer",
    "id",
    "label",
    "start",
    "end",
    "text",
    "entity",
    "content",
    "cue",
    "source",
    "source_mention",
    "source_entity",
    "attribution",
    "source_type",
    "cue_commitment",
    "polarity",
    "claim_type",
    "parent",
    "claim",
    "doc_id",
    "schema_version",
    "raw_sha256",
    "status",
    "members",
    "name",
    "proposition",
    "bogus",
]


@pytest.fixture(scope="module")
def bases(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    root = tmp_path_factory.mktemp("bases")
    synth = synth_corpus(Repo(ROOT), root / "synth", docs=3, seed=7).path
    return [synth, make_corpus(root / "fixture").root]


def _files(repo: Repo) -> list[Path]:
    return [*repo.annotation_files(), repo.entities_path, repo.clusters_path]


def _spans(rec: dict[str, Any]) -> list[dict[str, Any]]:
    if "start" in rec:
        return [rec]
    return [v for k in ("content", "cue", "source") if isinstance(v := rec.get(k), dict)]


SCHEMA = load_schema(ROOT / "schema")
LABELS = {
    "zone": SCHEMA.values("zone_label"),
    "mention": SCHEMA.values("entity_label"),
    "marker": SCHEMA.values("marker_label"),
    None: SCHEMA.values("entity_label"),
}
ATTRIBUTES = {
    name: SCHEMA.values(name)
    for name in ("attribution_type", "source_type", "cue_commitment", "polarity", "claim_type")
}
KINDS = {
    "set": 3,
    "set-any": 1,
    "delete": 1,
    "relabel": 2,
    "relink": 3,
    "attribute": 2,
    "shift": 3,
    "nfd": 1,
    "dup": 1,
    "drop": 1,
    "bytes": 3,
    "raw": 2,
    "member": 2,
}


# Escapes put at the start of a string value: lone surrogates (high, low, upper-case hex),
# a valid pair, and an escaped backslash that only looks like a surrogate escape.
ESCAPES = [rb"\ud800", rb"\udfff", rb"\uDC00", rb"\ud83d\ude00", rb"\\ud800"]
LONG = 5 << 20  # longer than the fast parser's 4 MB blocks


def _nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def _bytes(data: st.DataObject, path: Path) -> None:
    raw = path.read_bytes()
    op = data.draw(
        st.sampled_from(
            ["truncate", "bom", "crlf", "badbyte", "blank", "garbage", "empty", "array"]
            + ["surrogate"] * 3
            + ["deep"] * 2
            + ["long"]  # once in 14 byte edits: a few examples per run, not more
        )
    )
    if op == "surrogate":  # into the n-th string value (a key when no value follows)
        n = data.draw(st.integers(0, 30))
        escape = data.draw(st.sampled_from(ESCAPES))
        parts = raw.split(b'": "')
        if len(parts) > 1:
            i = 1 + n % (len(parts) - 1)
            parts[i] = escape + parts[i]
        new = b'": "'.join(parts)
    elif op == "deep":  # a value nested around the limit, or far beyond the parser's
        depth = data.draw(st.sampled_from([30, 31, 32, 33, 100_000]))
        if data.draw(st.booleans()):
            new = raw.replace(b": null", b": " + _nested(depth), 1)
        else:
            new = raw + _nested(depth) + b"\n"
    elif op == "long":  # a valid line of several megabytes
        new = raw.replace(b": null", b': "' + b"x" * LONG + b'"', 1)
    else:
        new = {
            "truncate": raw[: max(0, len(raw) - 15)],
            "bom": b"\xef\xbb\xbf" + raw,
            "crlf": raw.replace(b"\n", b"\r\n"),
            "badbyte": raw.replace(b"e", b"\xff", 1),
            "blank": raw.replace(b"\n", b"\n\n", 1),
            "garbage": raw + b'{"layer": "zone", "id": 3\n',
            "empty": b"",
            "array": raw + b"[1]\n",
        }[op]
    path.write_bytes(new)


def _raw(data: st.DataObject, repo: Repo) -> Path:
    doc = data.draw(st.sampled_from(sorted(p.stem for p in repo.annotation_files())))
    op = data.draw(st.sampled_from(["append", "delete", "flip", "flip-rehash", "extra"]))
    raw = repo.raw_path(doc)
    if not raw.exists():
        return repo.annotation_path(doc)
    if op == "delete":
        raw.unlink()
    elif op == "append":
        raw.write_bytes(raw.read_bytes() + b"!")
    elif op.startswith("flip"):
        raw.write_bytes(b"\xff" + raw.read_bytes()[1:])
        if op == "flip-rehash":
            path = repo.annotation_path(doc)
            lines = path.read_bytes().split(b"\n", 1)
            try:
                header = json.loads(lines[0])
                header["raw_sha256"] = sha256_bytes(raw.read_bytes())
                path.write_bytes(fmt.dumps(header).encode("utf-8") + b"\n" + lines[1])
            except (ValueError, TypeError, IndexError, RecursionError, UnicodeEncodeError):
                pass
    else:
        repo.raw_path("zz-unannotated").write_bytes(b"Nobody annotated this.\n")
    return repo.annotation_path(doc)


def _ids(records: list[Any], prefix: str) -> list[str]:
    out = [r.get("id") for r in records if isinstance(r, dict)]
    return [i for i in out if isinstance(i, str) and i.startswith(prefix)] or [prefix + "9"]


def _entity_ids(repo: Repo) -> list[Any]:
    try:
        lines = repo.entities_path.read_bytes().split(b"\n")
        return [json.loads(ln).get("id") for ln in lines if ln] or ["gaza"]
    except (ValueError, AttributeError, RecursionError):
        return ["gaza", "e00001"]


def _edit(
    data: st.DataObject, kind: str, repo: Repo, path: Path, records: list[Any], i: int
) -> None:
    rec = records[i]
    if not isinstance(rec, dict):
        return
    layer = rec.get("layer")
    if kind == "set" and rec:
        rec[data.draw(st.sampled_from(sorted(rec)))] = data.draw(st.sampled_from(VALUES))
    elif kind == "set-any":
        rec[data.draw(st.sampled_from(KEYS))] = data.draw(st.sampled_from(VALUES))
    elif kind == "delete" and rec:
        rec.pop(data.draw(st.sampled_from(sorted(rec))))
    elif kind == "relabel" and "label" in rec:
        rec["label"] = data.draw(st.sampled_from(LABELS.get(layer, LABELS[None])))
    elif kind == "relink":
        refs = {
            "entity": "",
            "source_entity": "",
            "source_mention": "m",
            "parent": "c",
            "claim": "c",
        }
        present = sorted(k for k in refs if k in rec)
        if present:
            key = data.draw(st.sampled_from(present))
            pool = _entity_ids(repo) if refs[key] == "" else _ids(records, refs[key])
            rec[key] = data.draw(st.sampled_from([*pool, None]))
    elif kind == "attribute" and layer == "claim":
        name = data.draw(st.sampled_from(sorted(ATTRIBUTES)))
        field = {"attribution_type": "attribution"}.get(name, name)
        rec[field] = data.draw(st.sampled_from(ATTRIBUTES[name]))
    elif kind in ("shift", "nfd") and _spans(rec):
        span = data.draw(st.sampled_from(_spans(rec)))
        if kind == "nfd" and isinstance(span.get("text"), str):
            span["text"] = unicodedata.normalize("NFD", span["text"] + "é")
        elif isinstance(span.get("start"), int) and isinstance(span.get("end"), int):
            span["start"] += data.draw(st.sampled_from([-4, -2, -1, 0, 1, 2, 4]))
            span["end"] += data.draw(st.sampled_from([-4, -1, 0, 1, 3, 10_000]))
            doc = path.stem
            if data.draw(st.booleans()) and repo.raw_path(doc).is_file():
                text = repo.raw_path(doc).read_bytes().decode("utf-8", "replace")
                span["text"] = text[max(0, span["start"]) : max(0, span["end"])]
    elif kind == "dup":
        records.insert(data.draw(st.integers(0, len(records))), json.loads(json.dumps(rec)))
    elif kind == "drop":
        records.pop(i)
    elif kind == "member" and isinstance(rec.get("members"), list) and rec["members"]:
        m = data.draw(st.sampled_from(rec["members"]))
        if isinstance(m, dict):
            m[data.draw(st.sampled_from(["doc_id", "claim", "note"]))] = data.draw(
                st.sampled_from([*VALUES, *_ids(records, "c")])
            )


def _corrupt(data: st.DataObject, repo: Repo) -> Path:
    """One random corruption; returns the file it concerns."""
    kind = data.draw(st.sampled_from([k for k, w in KINDS.items() for _ in range(w)]))
    if kind == "raw":
        return _raw(data, repo)
    path = data.draw(st.sampled_from(_files(repo)))
    if kind == "bytes":
        _bytes(data, path)
        return path
    lines = [ln for ln in path.read_bytes().split(b"\n") if ln]
    try:
        records = [json.loads(ln) for ln in lines]
    except (ValueError, RecursionError):
        return path  # already broken by an earlier corruption
    if not records:
        return path
    _edit(data, kind, repo, path, records, data.draw(st.integers(0, len(records) - 1)))
    try:
        new = b"".join(fmt.dumps(r).encode("utf-8") + b"\n" for r in records)
    except (UnicodeEncodeError, RecursionError):
        return path  # a lone surrogate or deep nesting from an earlier corruption: keep it
    path.write_bytes(new)
    return path


@settings(
    max_examples=80,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_engines_agree_on_corrupted_corpora(bases: list[Path], data: st.DataObject) -> None:
    base = data.draw(st.sampled_from(bases))
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "corpus"
        shutil.copytree(base, root)
        repo = Repo(root)
        touched = [_corrupt(data, repo) for _ in range(data.draw(st.integers(1, 4)))]
        paths: list[Path] = []
        if data.draw(st.booleans()):
            paths = [p for p in touched if p.exists()]
        pandera = validate(repo, paths, engine="pandera")
        frictionless = validate(repo, paths, engine="frictionless")
        assert pandera.keys() == frictionless.keys(), (pandera.render(0), frictionless.render(0))
        assert_same_reports({"pandera": pandera, "frictionless": frictionless})
        assert pandera.exit_code == frictionless.exit_code
