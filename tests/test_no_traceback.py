"""No input ends in a traceback: every bad input of the suite goes through every command that
reads user files, and each ends with a coded message and exit 0, 1 or 2.

The bad inputs are every case of ``validation_cases.CASES`` (picked up as they are added), the
importers' bad tool files (``convert_cases``), malformed tasks files, and bad articles and
batches for ``ingest``. Each bad corpus goes through validate (both engines), build, agree,
migrate, stats, render, export, import labelstudio and brat, ingest and fmt. The commands
run in-process through typer's runner, one corpus copy per case, the cases shared among
spawned worker processes, so the whole file stays fast.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import traceback
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
from typer.testing import CliRunner

from convert_cases import BRAT_CASES, LS_CASES, edit_tasks
from isf_claims.cli import app
from isf_claims.convert import export_corpus
from isf_claims.repo import Repo
from validation_cases import CASES, make_corpus

runner = CliRunner()


def make_base(top: Path) -> Path:
    """The clean fixture corpus under ``top``, with its Label Studio and brat exports."""
    repo = make_corpus(top / "corpus")
    export_corpus(repo, "labelstudio", top / "ls")
    export_corpus(repo, "brat", top / "brat")
    return top


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_base(tmp_path_factory.mktemp("no-traceback"))


def copy(base: Path, tmp_path: Path) -> tuple[Repo, Path, Path]:
    for name in ("corpus", "ls", "brat"):
        shutil.copytree(base / name, tmp_path / name, symlinks=True)
    shutil.copytree(base / "corpus" / "annotated", tmp_path / "second")  # a clean second set
    return Repo(tmp_path / "corpus"), tmp_path / "ls", tmp_path / "brat"


def invoke(args: list[str]) -> str | None:
    """Run one command in-process; a description of what went wrong, or None."""
    res = runner.invoke(app, args)
    exc = res.exception
    if exc is not None and not isinstance(exc, SystemExit):
        tb = "".join(traceback.format_exception(exc))
        return f"{args[0]}: uncaught {type(exc).__name__}\n{tb}"
    if "Traceback" in res.output:
        return f"{args[0]}: traceback in the output\n{res.output}"
    if res.exit_code not in (0, 1, 2):
        return f"{args[0]}: exit code {res.exit_code}\n{res.output}"
    return None


def every_command(repo: Repo, ls: Path, brat: Path, tmp: Path) -> list[list[str]]:
    """Each command that reads user files, read-only ones first (so one that writes on
    success does not change what the next one reads). ``fmt --check``, ``migrate`` without
    ``--dry-run`` and ``diff`` share their reading with ``fmt``, ``migrate --dry-run`` and
    ``render``; their refusals have fixtures in test_convert_bad_input.py."""
    root = ["--root", str(repo.root)]
    article = tmp / "article.txt"
    article.write_bytes("A new article on Gaza talks 🙂.\n".encode())
    second = tmp / "second"  # the clean annotated/ (see copy)
    return [
        ["validate", *root],
        ["validate", "--engine", "frictionless", *root],
        ["build", "--out", str(tmp / "dist"), *root],
        ["agree", str(repo.annotated_dir), str(second), *root],
        ["migrate", "--dry-run", *root],
        ["stats", *root],
        ["render", "--out", str(tmp / "site"), *root],
        ["export", "brat", "--out", str(tmp / "export"), *root],
        ["import", "labelstudio", str(ls), "--force", *root],
        ["import", "brat", str(brat), "--force", *root],
        ["ingest", str(article), "--date", "2025-10-20", *root],
        ["fmt", *root],
    ]


def run_all(repo: Repo, ls: Path, brat: Path, tmp: Path) -> list[str]:
    return [p for args in every_command(repo, ls, brat, tmp) if (p := invoke(args))]


def run_case(name: str, base: Path, tmp: Path) -> list[str]:
    """Problems of the bad-input case ``name`` through every command (in a worker)."""
    case = next(c for c in CASES if c.name == name)
    tmp.mkdir(parents=True)
    repo, ls, brat = copy(base, tmp)
    case.mutate(repo)
    return run_all(repo, ls, brat, tmp)


@pytest.fixture(scope="module")
def case_problems(base: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """Every case's problems, the cases shared among worker processes (spawned: each a fresh
    interpreter, so no thread pool is forked)."""
    names = [c.name for c in CASES]
    work = tmp_path_factory.mktemp("cases")
    workers = max(1, min(4, os.cpu_count() or 1))
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        done = pool.map(run_case, names, [base] * len(names), [work / n for n in names])
        return dict(zip(names, done, strict=True))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_bad_corpus_through_every_command(case, case_problems: dict[str, list[str]]) -> None:
    problems = case_problems[case.name]
    assert not problems, "\n\n".join(problems)


@pytest.mark.parametrize("name", LS_CASES)
def test_bad_labelstudio_tasks(name: str, base: Path, tmp_path: Path) -> None:
    repo, ls, _ = copy(base, tmp_path)
    edit_tasks(ls, LS_CASES[name][0])
    problem = invoke(["import", "labelstudio", str(ls), "--force", "--root", str(repo.root)])
    assert problem is None, problem


@pytest.mark.parametrize("name", BRAT_CASES)
def test_bad_brat_files(name: str, base: Path, tmp_path: Path) -> None:
    repo, _, brat = copy(base, tmp_path)
    BRAT_CASES[name][0](brat)
    problem = invoke(["import", "brat", str(brat), "--force", "--root", str(repo.root)])
    assert problem is None, problem


def _json_file(data: object) -> Callable[[Path], None]:
    return lambda path: path.write_text(json.dumps(data), encoding="utf-8")


def _nested(path: Path) -> None:
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")


TASKS_FILES: dict[str, Callable[[Path], None]] = {
    "not-json": lambda p: p.write_text("{", encoding="utf-8"),
    "deep-nesting": _nested,
    "a-number": _json_file(7),
    "task-data-a-list": _json_file([{"data": [1]}]),
    "annotations-a-string": _json_file([{"data": {"doc_id": "alpha"}, "annotations": "x"}]),
    "result-of-strings": _json_file(
        [{"data": {"doc_id": "alpha"}, "annotations": [{"result": ["x"]}]}]
    ),
    "region-value-a-list": _json_file(
        [
            {
                "data": {"doc_id": "alpha"},
                "annotations": [{"result": [{"id": "z1", "type": "labels", "value": [1]}]}],
            }
        ]
    ),
    "from-name-a-list": _json_file(
        [
            {
                "data": {"doc_id": "alpha"},
                "annotations": [
                    {
                        "result": [
                            {
                                "id": "z1",
                                "type": "labels",
                                "from_name": ["zone"],
                                "value": {"start": 0, "end": 4, "labels": [["x"]]},
                            }
                        ]
                    }
                ],
            }
        ]
    ),
    "schema-version-a-path": _json_file(
        [{"data": {"doc_id": "alpha", "isf": {"schema_version": "../../x"}}}]
    ),
}


@pytest.mark.parametrize("name", TASKS_FILES)
def test_malformed_tasks_file(name: str, base: Path, tmp_path: Path) -> None:
    repo, ls, _ = copy(base, tmp_path)
    TASKS_FILES[name](ls / "tasks.json")
    problem = invoke(["import", "labelstudio", str(ls), "--root", str(repo.root)])
    assert problem is None, problem


ARTICLES: dict[str, tuple[bytes, list[str]]] = {
    "not-utf8": (b"caf\xe9", []),
    "empty": (b"", []),
    "whitespace": (b" \n\t", []),
    "bom-only": (b"\xef\xbb\xbf", []),
    "lone-surrogate-bytes": (b"\xed\xa0\x80 text", []),
    "bad-id": (b"text", ["--id", "../x"]),
    "reserved-id": (b"text", ["--id", "entities"]),
    "bad-date": (b"text", ["--date", "2025-13-45"]),
}


@pytest.mark.parametrize("name", ARTICLES)
def test_bad_article(name: str, base: Path, tmp_path: Path) -> None:
    repo, _, _ = copy(base, tmp_path)
    data, args = ARTICLES[name]
    (tmp_path / "a.txt").write_bytes(data)
    problem = invoke(["ingest", str(tmp_path / "a.txt"), *args, "--root", str(repo.root)])
    assert problem is None, problem


BATCHES: dict[str, dict[str, bytes]] = {
    "table-not-utf8": {"a.txt": b"Text.\n", "metadata.csv": b"file\n\xff.txt\n"},
    "table-not-csv": {"a.txt": b"Text.\n", "metadata.csv": b'file,outlet\n"a.txt,"x\n'},
    "table-nul-bytes": {"a.txt": b"Text.\n", "metadata.csv": b"file\x00\na.txt\x00\n"},
    "jsonl-table-deep": {"a.txt": b"Text.\n", "metadata.jsonl": b"[" * 100_000 + b"\n"},
    "jsonl-table-array": {"a.txt": b"Text.\n", "metadata.jsonl": b"[1]\n"},
    "jsonl-table-numbers": {"a.txt": b"Text.\n", "metadata.jsonl": b'{"file": 7, "date": 1}\n'},
    "both-tables": {"a.txt": b"T.\n", "metadata.csv": b"file\n", "metadata.jsonl": b""},
    "records-not-utf8": {"r.jsonl": b'{"text": "caf\xe9"}\n'},
    "records-no-text": {"r.jsonl": b'{"outlet": "x"}\n'},
    "records-empty": {"r.jsonl": b""},
    "records-surrogate": {"r.jsonl": b'{"text": "\\ud800"}\n'},
}


@pytest.mark.parametrize("name", BATCHES)
def test_bad_batch(name: str, base: Path, tmp_path: Path) -> None:
    repo, _, _ = copy(base, tmp_path)
    folder = tmp_path / "batch"
    folder.mkdir()
    for file, data in BATCHES[name].items():
        (folder / file).write_bytes(data)
    source = folder / "r.jsonl" if (folder / "r.jsonl").exists() else folder
    problem = invoke(["ingest", str(source), "--root", str(repo.root)])
    assert problem is None, problem
