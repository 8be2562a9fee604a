"""Bad tool files give a coded refusal (never a traceback, never a silent repair) and the
repository stays byte-identical; one fixture per importer code."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import snapshot
from convert_fixtures import make_repo, write_doc, write_shared
from isf_claims.cli import app
from isf_claims.convert import export_corpus
from isf_claims.repo import Repo

runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    res = runner.invoke(app, list(args))
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    return res.exit_code, res.output


# ------------------------------------------------------------------ Label Studio


def _tasks(folder: Path) -> list[dict]:
    return json.loads((folder / "tasks.json").read_text(encoding="utf-8"))


def _save(folder: Path, tasks: list[dict]) -> None:
    (folder / "tasks.json").write_text(json.dumps(tasks), encoding="utf-8")


def _first_region(tasks: list[dict]) -> dict:
    return next(r for r in tasks[0]["annotations"][0]["result"] if r["type"] == "labels")


def _set_offset(value: object) -> Callable[[list[dict]], None]:
    return lambda tasks: _first_region(tasks)["value"].update(start=value)


def _set_doc_id(value: str) -> Callable[[list[dict]], None]:
    return lambda tasks: tasks[0]["data"].update(doc_id=value)


def _dangling_relation(tasks: list[dict]) -> None:
    rel = next(r for r in tasks[0]["annotations"][0]["result"] if r["type"] == "relation")
    rel["to_id"] = "no-such-region"


LS_CASES = {
    "offset-string": (_set_offset("12"), "offset-not-integer"),
    "offset-fraction": (_set_offset(1.5), "offset-not-integer"),
    "offset-bool": (_set_offset(True), "offset-not-integer"),
    "doc-id-parent": (_set_doc_id("../outside"), "import-doc-id-invalid"),
    "doc-id-absolute": (_set_doc_id("/etc/passwd"), "import-doc-id-invalid"),
    "doc-id-slash": (_set_doc_id("a/b"), "import-doc-id-invalid"),
    "relation-unknown-region": (_dangling_relation, "relation-unknown-region"),
}


@pytest.mark.parametrize("name", LS_CASES)
def test_labelstudio_bad_task_is_refused(name: str, repo_copy: Repo, tmp_path: Path) -> None:
    edit, code = LS_CASES[name]
    folder = tmp_path / "ls"
    export_corpus(repo_copy, "labelstudio", folder)
    tasks = _tasks(folder)
    edit(tasks)
    _save(folder, tasks)
    before = snapshot(repo_copy.root)
    exit_code, out = run("import", "labelstudio", str(folder), "--root", str(repo_copy.root))
    assert exit_code == 1 and f"error {code}:" in out, out
    assert "Traceback" not in out
    assert snapshot(repo_copy.root) == before


def test_labelstudio_tasks_not_utf8(repo_copy: Repo, tmp_path: Path) -> None:
    folder = tmp_path / "ls"
    export_corpus(repo_copy, "labelstudio", folder)
    data = (folder / "tasks.json").read_bytes()
    (folder / "tasks.json").write_bytes(data[:50] + b"\xff" + data[50:])
    exit_code, out = run("import", "labelstudio", str(folder), "--root", str(repo_copy.root))
    assert exit_code == 1 and "error import-not-utf8:" in out and "byte offset 50" in out


def test_labelstudio_export_of_any_name(repo_copy: Repo, tmp_path: Path) -> None:
    """Label Studio names its exports project-N-at-<time>-<hash>.json: the file itself, or
    a folder holding one .json file, imports."""
    folder = tmp_path / "ls"
    export_corpus(repo_copy, "labelstudio", folder)
    named = folder / "project-3-at-2025-10-20-14-03-5f1c2a.json"
    (folder / "tasks.json").rename(named)
    root = str(repo_copy.root)
    for source in (named, folder):
        exit_code, out = run("import", "labelstudio", str(source), "--root", root)
        assert exit_code == 0 and "no changes" in out, out
    (folder / "other.json").write_text("[]", encoding="utf-8")
    exit_code, out = run("import", "labelstudio", str(folder), "--root", root)
    assert exit_code == 2 and "error labelstudio-no-tasks:" in out
    assert "other.json" in out and named.name in out


# ------------------------------------------------------------------ brat


def _ann(folder: Path) -> Path:
    return sorted(folder.glob("*.ann"))[0]


def _edit_t1(fn: Callable[[re.Match], str]) -> Callable[[Path], None]:
    """Rewrite the first T line (``T1\\tType start end\\ttext``) of the first .ann file."""

    def apply(folder: Path) -> None:
        ann = _ann(folder)
        lines = ann.read_text(encoding="utf-8").split("\n")
        m = re.match(r"^(T1)\t(\S+) (\d+) (\d+)\t(.*)$", lines[0])
        assert m, lines[0]
        lines[0] = fn(m)
        ann.write_text("\n".join(lines), encoding="utf-8")

    return apply


def _garble(name: Callable[[Path], Path]) -> Callable[[Path], None]:
    def apply(folder: Path) -> None:
        path = name(folder)
        data = path.read_bytes()
        path.write_bytes(data[:7] + b"\xc3\x28" + data[7:])

    return apply


def _headers(fn: Callable[[list[dict]], None]) -> Callable[[Path], None]:
    def apply(folder: Path) -> None:
        path = folder / "documents.jsonl"
        recs = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
        fn(recs)
        path.write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")

    return apply


def _dangling_brat_relation(folder: Path) -> None:
    ann = _ann(folder)
    text = ann.read_text(encoding="utf-8")
    ann.write_text(re.sub(r"^(R1\t\S+ Arg1:T\d+ Arg2:)T\d+", r"\1T9999", text, flags=re.M))


BRAT_CASES = {
    "ann-not-utf8": (_garble(_ann), "import-not-utf8"),
    "txt-not-utf8": (_garble(lambda f: _ann(f).with_suffix(".txt")), "import-not-utf8"),
    "headers-not-utf8": (_garble(lambda f: f / "documents.jsonl"), "import-not-utf8"),
    "header-without-doc-id": (_headers(lambda rs: rs[0].pop("doc_id")), "import-doc-id-invalid"),
    "header-doc-id-path": (
        _headers(lambda rs: rs[0].update(doc_id="../../etc/passwd")),
        "import-doc-id-invalid",
    ),
    "header-not-an-object": (_headers(lambda rs: rs.append([1, 2])), "import-json-invalid"),
    "span-inverted": (
        _edit_t1(lambda m: f"T1\t{m[2]} {m[4]} {m[3]}\t{m[5]}"),
        "brat-span-inverted",
    ),
    "span-empty": (_edit_t1(lambda m: f"T1\t{m[2]} {m[3]} {m[3]}\t"), "brat-span-inverted"),
    "span-discontinuous": (
        _edit_t1(lambda m: f"T1\t{m[2]} {m[3]} {int(m[3]) + 2};{int(m[3]) + 4} {m[4]}\t{m[5]}"),
        "brat-span-discontinuous",
    ),
    "text-column-differs": (
        _edit_t1(lambda m: f"T1\t{m[2]} {m[3]} {m[4]}\t{m[5][::-1]}"),
        "brat-text-mismatch",
    ),
    "relation-unknown-region": (_dangling_brat_relation, "relation-unknown-region"),
}


@pytest.mark.parametrize("name", BRAT_CASES)
def test_brat_bad_file_is_refused(name: str, repo_copy: Repo, tmp_path: Path) -> None:
    edit, code = BRAT_CASES[name]
    folder = tmp_path / "brat"
    export_corpus(repo_copy, "brat", folder)
    edit(folder)
    before = snapshot(repo_copy.root)
    exit_code, out = run("import", "brat", str(folder), "--root", str(repo_copy.root))
    assert exit_code == 1 and f"error {code}:" in out, out
    assert snapshot(repo_copy.root) == before
    if code == "import-not-utf8":
        assert "byte offset 7" in out


def test_brat_line_break_fragments_still_import(tmp_path: Path) -> None:
    """The exporter splits a span at line breaks; those fragments are not 'discontinuous'."""
    text = "Talks resume\n\nEgypt said the talks\r\nwould resume.\n"
    repo = make_repo(tmp_path, {"d": text})
    body = text[text.index("Egypt") : text.index(".\n") + 1]
    zone = {"layer": "zone", "id": "z1", "label": "body", "start": 14, "end": 14 + len(body)}
    write_doc(repo, "d", [{**zone, "text": body}])
    write_shared(repo, [], [])
    folder = tmp_path / "brat"
    export_corpus(repo, "brat", folder)
    assert re.search(r"^T1\tZone-body \d+ \d+;\d+ \d+\t", (folder / "d.ann").read_text(), re.M)
    exit_code, out = run("import", "brat", str(folder), "--root", str(repo.root))
    assert exit_code == 0 and "no changes" in out, out
