"""Bad tool files give a coded refusal (never a traceback, never a silent repair) and the
repository stays byte-identical; one fixture per importer code."""

from __future__ import annotations

import json
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


# ------------------------------------------------------------------ the rest of the codes


def test_brat_unknown_line_is_refused(repo_copy: Repo, tmp_path: Path) -> None:
    folder = tmp_path / "brat"
    export_corpus(repo_copy, "brat", folder)
    with _ann_file(folder).open("a", encoding="utf-8") as fh:
        fh.write("E1\tEvent:T1\n")
    exit_code, out = run("import", "brat", str(folder), "--root", str(repo_copy.root))
    assert exit_code == 1 and "error brat-invalid:" in out


def _ann_file(folder: Path) -> Path:
    return sorted(folder.glob("*.ann"))[0]


def test_labelstudio_task_without_header_is_refused(repo_copy: Repo, tmp_path: Path) -> None:
    folder = tmp_path / "ls"
    export_corpus(repo_copy, "labelstudio", folder)
    edit_tasks(folder, lambda tasks: tasks[0]["data"].pop("isf"))
    doc_id = json.loads((folder / "tasks.json").read_text(encoding="utf-8"))[0]["data"]["doc_id"]
    repo_copy.annotation_path(doc_id).unlink()
    exit_code, out = run("import", "labelstudio", str(folder), "--root", str(repo_copy.root))
    assert exit_code == 1 and "error import-no-header:" in out


def test_unknown_format_is_a_usage_error(repo_copy: Repo, tmp_path: Path) -> None:
    exit_code, out = run(
        "export", "tei", "--out", str(tmp_path / "x"), "--root", str(repo_copy.root)
    )
    assert exit_code == 2 and "error unknown-format:" in out


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["export", "brat", "--out", "OUT"], "export-invalid-corpus"),
        (["fmt"], "fmt-invalid-corpus"),
        (["fmt", "--check"], "fmt-invalid-corpus"),
        (["render", "--out", "OUT"], "render-invalid-corpus"),
        (["diff", "WORKTREE", "WORKTREE"], "diff-invalid-corpus"),
    ],
)
def test_commands_refuse_a_corpus_that_does_not_validate(
    args: list[str], code: str, repo_copy: Repo, tmp_path: Path
) -> None:
    path = sorted(repo_copy.annotation_files())[0]
    lines = path.read_text(encoding="utf-8").split("\n")
    lines.insert(1, '{"layer": "mention", "id": "m1", "label": "NOPE"}')
    path.write_text("\n".join(lines), encoding="utf-8")
    before = snapshot(repo_copy.root)
    args = [str(tmp_path / "out") if a == "OUT" else a for a in args]
    exit_code, out = run(*args, "--root", str(repo_copy.root))
    assert exit_code == 1 and f"error {code}:" in out and "validate" in out
    assert snapshot(repo_copy.root) == before and not (tmp_path / "out").exists()


def test_fmt_still_repairs_crlf_and_bom(repo_copy: Repo) -> None:
    path = sorted(repo_copy.annotation_files())[0]
    good = path.read_bytes()
    path.write_bytes(b"\xef\xbb\xbf" + good.replace(b"\n", b"\r\n"))
    exit_code, out = run("fmt", "--root", str(repo_copy.root))
    assert exit_code == 0 and path.read_bytes() == good, out


# Raised on a schema the converters cannot map (a developer's error), never on user files.
INGEST = ("ingest.py", "batch.py")
INTERNAL = {"brat-type-clash", "convert-unsupported-field", "docbin-misaligned"}
CODE_LITERAL = re.compile(r'(?:code=|usage_error\(\s*|problem\(\s*)"([a-z0-9]+(?:-[a-z0-9]+)+)"')


def test_every_import_and_ingest_code_is_documented_and_has_a_fixture() -> None:
    """Each refusal code of the converters and of ingest is listed in the README and raised
    by some test (the codes validation reports are in its own registry, docs/checks.md)."""
    root = Path(__file__).resolve().parents[1]
    package = root / "tooling" / "isf_claims"
    sources = [
        *sorted((package / "convert").glob("*.py")),
        package / "ingest.py",
        package / "batch.py",
    ]
    codes = set()
    for path in sources:
        text = path.read_text(encoding="utf-8")
        codes |= set(CODE_LITERAL.findall(text))
    codes -= INTERNAL
    assert {"offset-not-integer", "brat-text-mismatch", "ingest-duplicate"} <= codes
    readme = (root / "README.md").read_text(encoding="utf-8")
    tests = (
        "".join(
            p.read_text(encoding="utf-8")
            for p in sorted((root / "tests").glob("*.py"))
            if p.name != Path(__file__).name
        )
        + Path(__file__).read_text(encoding="utf-8").split("# Raised on a schema")[0]
    )
    assert sorted(c for c in codes if f"`{c}`" not in readme) == []
    assert sorted(c for c in codes if f'"{c}"' not in tests and f"{c}:" not in tests) == []
