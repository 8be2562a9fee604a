"""Bad tool files give a coded refusal (never a traceback, never a silent repair) and the
repository stays byte-identical; one fixture per importer code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import snapshot
from convert_cases import BRAT_CASES, LS_CASES, edit_tasks
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


@pytest.mark.parametrize("name", LS_CASES)
def test_labelstudio_bad_task_is_refused(name: str, repo_copy: Repo, tmp_path: Path) -> None:
    edit, code = LS_CASES[name]
    folder = tmp_path / "ls"
    export_corpus(repo_copy, "labelstudio", folder)
    edit_tasks(folder, edit)
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
