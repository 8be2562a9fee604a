"""Import validates before it writes, never replaces a file without --force, and leaves the
repository byte-identical on any error; lossy exports refuse unless --allow-lossy."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from conftest import snapshot
from convert_fixtures import make_repo, write_doc, write_shared
from isf_claims.cli import app
from isf_claims.convert import export_corpus
from isf_claims.convert.offsets import OffsetMap
from isf_claims.convert.tokens import outermost
from isf_claims.errors import IsfError
from isf_claims.repo import Repo

runner = CliRunner()


def cli(*args: str) -> tuple[int, str, str]:
    res = runner.invoke(app, list(args))
    return res.exit_code, res.stdout, res.stderr


def test_import_refuses_to_overwrite_without_force(repo_copy: Repo, tmp_path: Path) -> None:
    root = str(repo_copy.root)
    assert cli("export", "labelstudio", "--out", str(tmp_path / "ls"), "--root", root)[0] == 0
    tasks_path = tmp_path / "ls" / "tasks.json"
    tasks = json.loads(tasks_path.read_text())
    tasks[0]["data"]["isf"]["status"] = "draft"  # an edit made in the tool
    tasks_path.write_text(json.dumps(tasks))
    before = snapshot(repo_copy.root)
    code, _out, err = cli("import", "labelstudio", str(tmp_path / "ls"), "--root", root)
    assert code == 1 and "would-overwrite" in err
    assert snapshot(repo_copy.root) == before
    code, out, _ = cli("import", "labelstudio", str(tmp_path / "ls"), "--root", root, "--force")
    assert code == 0 and "wrote annotated/" in out
    doc = tasks[0]["data"]["doc_id"]
    assert '"status": "draft"' in repo_copy.annotation_path(doc).read_text().splitlines()[0]


@pytest.mark.parametrize(
    "edit, code",
    [
        (lambda r: r["value"].update(text="tampered"), "labelstudio-invalid"),
        (lambda r: r["value"].update(end=10**6), "offset-out-of-range"),
        (lambda r: r["value"].update(labels=["NOT_A_LABEL"]), "unknown-value"),
    ],
)
def test_bad_import_writes_nothing(repo_copy: Repo, tmp_path: Path, edit, code: str) -> None:
    export_corpus(repo_copy, "labelstudio", tmp_path / "ls")
    tasks_path = tmp_path / "ls" / "tasks.json"
    tasks = json.loads(tasks_path.read_text())
    region = next(r for r in tasks[0]["annotations"][0]["result"] if r["from_name"] == "mention")
    edit(region)
    tasks_path.write_text(json.dumps(tasks))
    before = snapshot(repo_copy.root)
    res = runner.invoke(
        app,
        ["import", "labelstudio", str(tmp_path / "ls"), "--force", "--root", str(repo_copy.root)],
    )
    assert res.exit_code == 1, res.stderr
    assert code in res.stderr or "offset" in res.stderr
    assert snapshot(repo_copy.root) == before


def test_brat_import_of_a_changed_text_is_refused(repo_copy: Repo, tmp_path: Path) -> None:
    export_corpus(repo_copy, "brat", tmp_path / "b")
    txt = next((tmp_path / "b").glob("*.txt"))
    txt.write_text(txt.read_text(encoding="utf-8").replace(" ", "  ", 1), encoding="utf-8")
    before = snapshot(repo_copy.root)
    code, _, err = cli(
        "import", "brat", str(tmp_path / "b"), "--force", "--root", str(repo_copy.root)
    )
    assert code == 1 and "import-text-differs" in err
    assert snapshot(repo_copy.root) == before


def test_brat_import_of_duplicate_ids_is_refused(repo_copy: Repo, tmp_path: Path) -> None:
    export_corpus(repo_copy, "brat", tmp_path / "b")
    ann = next((tmp_path / "b").glob("*.ann"))
    lines = ann.read_text(encoding="utf-8").splitlines()
    lines = [re.sub(r"\tid: m\d+$", "\tid: m1", ln) for ln in lines]
    ann.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = snapshot(repo_copy.root)
    code, _, err = cli(
        "import", "brat", str(tmp_path / "b"), "--force", "--root", str(repo_copy.root)
    )
    assert code == 1 and "duplicate-id" in err
    assert snapshot(repo_copy.root) == before


def test_import_into_an_empty_repo_then_again_is_a_no_op(repo_copy: Repo, tmp_path: Path) -> None:
    export_corpus(repo_copy, "brat", tmp_path / "b")
    code, out, _ = cli("import", "brat", str(tmp_path / "b"), "--root", str(repo_copy.root))
    assert code == 0 and "no changes" in out


def test_conll_refuses_lossy_export_and_reports_exactly(tmp_path: Path) -> None:
    text = "The US envoy Steve Witkoff said Gaza talks resume"
    repo = make_repo(tmp_path, {"d": text})
    write_doc(
        repo,
        "d",
        [
            {"layer": "mention", "id": "m1", "label": "GPE", "start": 4, "end": 6, "text": "US"},
            {
                "layer": "mention",
                "id": "m2",
                "label": "PERSON",
                "start": 4,
                "end": 26,
                "text": text[4:26],
            },
            {
                "layer": "mention",
                "id": "m3",
                "label": "PERSON",
                "start": 13,
                "end": 26,
                "text": "Steve Witkoff",
                "entity": "witkoff",
            },
            {
                "layer": "mention",
                "id": "m4",
                "label": "GPE",
                "start": 32,
                "end": 36,
                "text": "Gaza",
            },
        ],
    )
    write_shared(repo, [{"id": "witkoff", "label": "PERSON", "name": "Steve Witkoff"}], [])
    out = tmp_path / "conll"
    code, _, err = cli("export", "conll", "--out", str(out), "--root", str(repo.root))
    assert code == 2 and "export-lossy" in err and not out.exists()
    code, _, err = cli(
        "export", "conll", "--out", str(out), "--root", str(repo.root), "--allow-lossy"
    )
    assert code == 0
    dropped = [json.loads(x) for x in (out / "dropped.jsonl").read_text().splitlines()]
    assert sorted((d["record"], d["what"]) for d in dropped) == [
        ("m1", "nested mention"),
        ("m3", "mention entity"),
        ("m3", "nested mention"),
        ("witkoff", "entity record"),
    ]
    assert "dropped 2 x nested mention" in err
    lines = (out / "corpus.conll").read_text().split("\n")
    assert lines[:2] == ["-DOCSTART-\tO", ""]
    assert [ln.split("\t") for ln in lines[2:11]] == [
        ["The", "O"],
        ["US", "B-PERSON"],
        ["envoy", "I-PERSON"],
        ["Steve", "I-PERSON"],
        ["Witkoff", "I-PERSON"],
        ["said", "O"],
        ["Gaza", "B-GPE"],
        ["talks", "O"],
        ["resume", "O"],
    ]


def test_conll_sentences_and_token_cuts(tmp_path: Path) -> None:
    text = "Talks began.\nThe U.S. envoy said. “No” was heard in Gazaland"
    repo = make_repo(tmp_path, {"d": text})
    s = text.index("Gaza")
    write_doc(
        repo,
        "d",
        [
            {
                "layer": "mention",
                "id": "m1",
                "label": "GPE",
                "start": s,
                "end": s + 4,
                "text": "Gaza",
            }
        ],
    )
    write_shared(repo, [], [])
    export_corpus(repo, "conll", tmp_path / "c")
    body = (tmp_path / "c" / "corpus.conll").read_text().split("-DOCSTART-\tO\n\n", 1)[1]
    sentences = [
        [ln.split("\t")[0] for ln in block.splitlines()] for block in body.strip().split("\n\n")
    ]
    assert sentences == [
        ["Talks", "began", "."],
        ["The", "U", ".", "S", ".", "envoy", "said", "."],  # the ner config's tokens
        ["“", "No", "”", "was", "heard", "in", "Gaza", "land"],
    ]


def test_outermost_keeps_longest_of_nested_spans() -> None:
    keep = outermost(np.array([0, 2, 6, 12, 12]), np.array([10, 5, 9, 14, 13]))
    assert keep.tolist() == [True, False, False, True, False]


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from(["a", " ", "é", "😀", "𝔘", "\n", "中"]), max_size=40))
def test_offset_map_agrees_with_utf16_encoding(text: str) -> None:
    omap = OffsetMap.of(text)
    cps = np.arange(len(text) + 1)
    u16 = omap.to_utf16(cps)
    assert u16.tolist() == [len(text[:i].encode("utf-16-le")) // 2 for i in cps]
    assert omap.to_codepoints(u16).tolist() == cps.tolist()


def test_offset_inside_a_surrogate_pair_is_an_error() -> None:
    omap = OffsetMap.of("a😀b")
    with pytest.raises(IsfError) as err:
        omap.to_codepoints([2])
    assert err.value.code == "offset-splits-character"


def test_docbin_export_with_spacy(repo: Repo, tmp_path: Path) -> None:
    spacy = pytest.importorskip("spacy")
    from spacy.tokens import DocBin

    report = export_corpus(repo, "docbin", tmp_path / "d")
    assert report.dropped == []
    docs = list(
        DocBin()
        .from_bytes((tmp_path / "d" / "corpus.spacy").read_bytes())
        .get_docs(spacy.blank("en").vocab)
    )
    from isf_claims.corpus import load_corpus

    corpus = load_corpus(repo)
    assert [d.text for d in docs] == [corpus.text(i) for i in corpus.doc_ids]
    mentions = corpus["mentions"].to_pylist()
    got = sorted(
        (m.id_, m.start_char, m.end_char, m.label_, m.kb_id_ or None)
        for d in docs
        for m in d.spans["mention"]
    )
    want = sorted((m["id"], m["start"], m["end"], m["label"], m["entity"]) for m in mentions)
    assert got == want
    cues = sorted((s.id_, s.start_char, s.end_char) for d in docs for s in d.spans["claim_cue"])
    assert cues == sorted(
        (c["id"], c["cue_start"], c["cue_end"])
        for c in corpus["claims"].to_pylist()
        if c["cue_start"] is not None
    )
    record = json.loads(docs[0].user_data["isf"])
    assert record["header"]["doc_id"] == corpus.doc_ids[0]


def test_docbin_without_spacy_is_a_clear_usage_error(repo: Repo, tmp_path: Path) -> None:
    # A real interpreter in which `import spacy` fails, as on a machine without the extra.
    code = (
        "import sys; sys.modules['spacy'] = None\n"
        "from isf_claims.cli import main\n"
        f"sys.argv = ['isf-claims', 'export', 'docbin', '--out', {str(tmp_path / 'd')!r},"
        f" '--root', {str(repo.root)!r}]\n"
        "main()\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert res.returncode == 2
    assert "spacy-missing" in res.stderr and "isf-claims[spacy]" in res.stderr
    assert not (tmp_path / "d").exists()


def test_import_runs_the_project_validation(repo_copy: Repo, tmp_path: Path) -> None:
    """A span anchored correctly but ending on whitespace passes the converters' own checks;
    the project's validation (when installed) refuses it, and nothing is written."""
    pytest.importorskip("isf_claims.validation")
    from isf_claims import validation

    if not hasattr(validation, "validate"):
        pytest.skip("isf_claims.validation has no validate() yet")
    export_corpus(repo_copy, "labelstudio", tmp_path / "ls")
    tasks_path = tmp_path / "ls" / "tasks.json"
    tasks = json.loads(tasks_path.read_text())
    text = tasks[0]["data"]["text"]
    region = next(r for r in tasks[0]["annotations"][0]["result"] if r["from_name"] == "mention")
    value = region["value"]
    assert text[: value["end"] + 1].isascii()  # so UTF-16 and code point offsets agree
    value["end"] += 1
    value["text"] = text[value["start"] : value["end"]]
    tasks_path.write_text(json.dumps(tasks))
    before = snapshot(repo_copy.root)
    code, _, err = cli(
        "import", "labelstudio", str(tmp_path / "ls"), "--force", "--root", str(repo_copy.root)
    )
    assert code == 1 and "whitespace" in err
    assert snapshot(repo_copy.root) == before
