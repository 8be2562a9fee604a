"""Bad tool files for the importers: ``LS_CASES`` edit a Label Studio tasks list,
``BRAT_CASES`` a brat export folder; each names the code the import must refuse with."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

# ------------------------------------------------------------------ Label Studio


def _first_region(tasks: list[dict]) -> dict:
    return next(r for r in tasks[0]["annotations"][0]["result"] if r["type"] == "labels")


def _set_offset(value: object) -> Callable[[list[dict]], None]:
    return lambda tasks: _first_region(tasks)["value"].update(start=value)


def _set_doc_id(value: str) -> Callable[[list[dict]], None]:
    return lambda tasks: tasks[0]["data"].update(doc_id=value)


def _dangling_relation(tasks: list[dict]) -> None:
    rel = next(r for r in tasks[0]["annotations"][0]["result"] if r["type"] == "relation")
    rel["to_id"] = "no-such-region"


def _set_version(tasks: list[dict]) -> None:
    for task in tasks:
        task["data"]["isf"]["schema_version"] = "../../schema/1.1.0"


LS_CASES = {
    "schema-version-a-path": (_set_version, "unknown-schema-version"),
    "offset-string": (_set_offset("12"), "offset-not-integer"),
    "offset-fraction": (_set_offset(1.5), "offset-not-integer"),
    "offset-bool": (_set_offset(True), "offset-not-integer"),
    "doc-id-parent": (_set_doc_id("../outside"), "import-doc-id-invalid"),
    "doc-id-absolute": (_set_doc_id("/etc/passwd"), "import-doc-id-invalid"),
    "doc-id-slash": (_set_doc_id("a/b"), "import-doc-id-invalid"),
    "relation-unknown-region": (_dangling_relation, "relation-unknown-region"),
}


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


def edit_tasks(folder: Path, edit: Callable[[list[dict]], None]) -> None:
    """Apply a ``LS_CASES`` edit to ``folder/tasks.json``."""
    path = folder / "tasks.json"
    tasks = json.loads(path.read_text(encoding="utf-8"))
    edit(tasks)
    path.write_text(json.dumps(tasks), encoding="utf-8")
