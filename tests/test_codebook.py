"""The code book is the one list of codes: every code the tooling raises or reports is
declared there, every declared code is used, and every refusal is made from its entry.

The scan reads the source (no import of the engines): a code is "used" where it is passed
in a code position, that is as ``code=...`` or at the position of a parameter named ``code``
of any function defined in ``tooling/`` (``refuse``, the engines' finding makers, the
converters' ``fail`` helpers, ...).
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

import pytest

from isf_claims.codebook import CHECKS, EXIT_INVALID, EXIT_USAGE, REFUSALS, fields_of, fix_of
from isf_claims.errors import IsfError, refuse

ROOT = Path(__file__).resolve().parents[1]
TOOLING = ROOT / "tooling" / "isf_claims"
CODEBOOK = TOOLING / "codebook"
KEBAB = re.compile(r"[a-z0-9]+(-[a-z0-9]+)+|[a-z]+")

#: Refusal codes no test triggers yet (the list may only shrink).
UNTESTED: set[str] = {
    "adjudication-decisions-invalid",
    "adjudication-meta-missing",
    "adjudication-schema-mismatch",
    "agreement-no-common-documents",
    "agreement-schema-mismatch",
    "annotation-set-empty",
    "baseline-unknown-task",
    "dangling-reference",
    "evaluate-needs-extra",
    "evaluate-unknown-document",
    "git-failed",
    "git-missing",
    "not-a-standoff-release",
    "raw-sha256-mismatch",
    "rehydrate-nothing-proven",
    "schema-unreadable",
    "span-not-anchored",
    "spark-not-installed",
    "tag-exists",
    "unknown-ref",
}


def _sources() -> dict[Path, ast.Module]:
    return {
        p: ast.parse(p.read_text(encoding="utf-8"))
        for p in sorted(TOOLING.rglob("*.py"))
        if CODEBOOK not in p.parents
    }


def _name(call: ast.Call) -> str | None:
    f = call.func
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else None


def _literals(node: ast.AST | None) -> list[str]:
    """The string constants ``node`` can be: a constant, or either side of ``a if c else b``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _literals(node.body) + _literals(node.orelse)
    return []


def _code_positions(tree: ast.Module) -> dict[str, set[int]]:
    """Function name -> positional index of its ``code`` parameter, for every function
    ``tree`` defines (an empty set: defined without one)."""
    out: dict[str, set[int]] = defaultdict(set)
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            names = [a.arg for a in node.args.posonlyargs + node.args.args]
            if names and names[0] in ("self", "cls"):
                names = names[1:]
            out[node.name] |= {names.index("code")} if "code" in names else set()
    return out


def _used_codes() -> dict[str, list[str]]:
    """Every code literal in a code position -> where (``file:line``)."""
    trees = _sources()
    local = {path: _code_positions(tree) for path, tree in trees.items()}
    every: dict[str, set[int]] = defaultdict(set, {"Finding": {0}, "IsfError": {0}})
    for found in local.values():
        for name, at in found.items():
            every[name] |= at
    used: dict[str, list[str]] = defaultdict(list)
    for path, tree in trees.items():
        rel = path.relative_to(TOOLING)
        positions = {**every, **local[path]}  # a function of the module itself wins
        for node in ast.walk(tree):
            found: list[str] = []
            if isinstance(node, ast.Call):
                for kw in node.keywords:
                    if kw.arg == "code":
                        found += _literals(kw.value)
                for i in positions.get(_name(node) or "", ()):
                    if i < len(node.args):
                        found += _literals(node.args[i])
            elif isinstance(node, ast.FunctionDef):
                args = node.args.args
                tail = args[len(args) - len(node.args.defaults) :]
                for arg, default in zip(tail, node.args.defaults, strict=True):
                    if arg.arg == "code":
                        found += _literals(default)
            for code in found:
                used[code].append(f"{rel}:{node.lineno}")
    return used


USED = _used_codes()


def test_every_code_raised_or_reported_is_declared() -> None:
    undeclared = {c: w for c, w in USED.items() if c not in CHECKS and c not in REFUSALS}
    assert not undeclared, f"declare these codes in tooling/isf_claims/codebook/: {undeclared}"


def test_every_declared_code_is_used() -> None:
    text = "\n".join(p.read_text(encoding="utf-8") for p in _sources())
    unused = [c for c in [*CHECKS, *REFUSALS] if c not in USED and f'"{c}"' not in text]
    assert not unused, f"declared but never raised or reported: {unused}"


def test_codes_are_stable_kebab_case_and_declared_once_per_kind() -> None:
    for code in [*CHECKS, *REFUSALS]:
        assert KEBAB.fullmatch(code), code


def test_every_refusal_has_its_exit_status_and_one_fix() -> None:
    for code, r in REFUSALS.items():
        assert r.exit_codes and set(r.exit_codes) <= {EXIT_INVALID, EXIT_USAGE}, code
        assert len(set(r.exit_codes)) == len(r.exit_codes), code
        assert r.title and r.explanation and r.template and r.command, code
        if code in CHECKS:
            assert r.fix is None, f"{code} is a finding too: it keeps the finding's one fix"
        else:
            assert r.fix, f"{code} needs a fix"
        assert fix_of(code)


def test_no_call_site_words_its_own_refusal() -> None:
    """Refusals are made by ``refuse`` alone: nobody builds an ``IsfError`` or passes a
    message or a fix of their own."""
    offenders = []
    for path, tree in _sources().items():
        rel = path.relative_to(TOOLING)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = _name(node)
            if name == "IsfError" and rel.as_posix() != "errors.py":
                offenders.append(f"{rel}:{node.lineno} builds an IsfError")
            if name == "usage_error":
                offenders.append(f"{rel}:{node.lineno} calls usage_error")
            if name == "refuse" and any(k.arg in ("message", "fix") for k in node.keywords):
                offenders.append(f"{rel}:{node.lineno} passes its own message or fix")
    assert not offenders, offenders


def test_findings_are_worded_by_the_book_alone() -> None:
    """No engine writes a finding's message itself: every one comes from the code book's
    template (``report.finding`` / ``report.words``)."""
    offenders = []
    for path, tree in _sources().items():
        rel = path.relative_to(TOOLING).as_posix()
        if not rel.startswith("validation/") or rel == "validation/report.py":
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and any(k.arg == "message" for k in node.keywords):
                offenders.append(f"{rel}:{node.lineno}")
    assert not offenders, offenders


def test_every_finding_template_is_filled_by_its_words() -> None:
    """Each finding code has a message template, and what it expects and finds."""
    for code, c in CHECKS.items():
        assert c.template and c.expected and c.found, code
        params = {n: f"<{n}>" for t in (c.template, c.expected, c.found) for n in fields_of(t)}
        for name in ("byte",):  # formatted as a number
            if name in params:
                params[name] = 255
        assert c.words(params)["message"], code


#: What a helper adds to the fields it forwards to ``refuse``.
SUPPLIED = {"_refuse": {"n", "task"}, "_fail": set(), "fail": set(), "_bad": set()}


def test_every_refuse_call_gives_the_fields_its_template_needs() -> None:
    """``refuse`` (and the helpers that forward to it) get every field of the template and
    the fix; a missing one would be a KeyError at the worst moment."""
    missing = []
    for path, tree in _sources().items():
        rel = path.relative_to(TOOLING)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or any(k.arg is None for k in node.keywords):
                continue  # **params: filled by a helper, checked when it runs
            name = _name(node)
            if name == "refuse" and node.args:
                codes = _literals(node.args[0])
            elif name in SUPPLIED:
                codes = [c for k in node.keywords if k.arg == "code" for c in _literals(k.value)]
                codes += [c for a in node.args for c in _literals(a) if c in REFUSALS]
            else:
                continue
            given = {k.arg for k in node.keywords} | SUPPLIED.get(name or "", set())
            given |= {"path", "record"}
            for code in codes:
                need = set(fields_of(REFUSALS[code].template)) | set(fields_of(fix_of(code)))
                if need - given:
                    missing.append(f"{rel}:{node.lineno} {code} lacks {sorted(need - given)}")
    assert not missing, missing


@pytest.mark.parametrize("code", sorted(REFUSALS))
def test_each_refusal_is_made_from_its_entry(code: str) -> None:
    r = REFUSALS[code]
    needed = (*fields_of(r.template), *fields_of(fix_of(code)))
    params = {name: f"<{name}>" for name in needed if name not in ("path", "record")}
    err = refuse(code, path="some/file", **params)
    params["path"] = "some/file"
    assert isinstance(err, IsfError)
    assert err.code == code and err.exit_code == r.exit_codes[0]
    assert err.message == r.template.format_map(params)
    assert err.fix == fix_of(code).format_map(params)
    assert err.render().startswith(f"some/file: error {code}: ")


def test_an_exit_status_the_entry_does_not_declare_is_refused() -> None:
    with pytest.raises(ValueError):
        refuse("repo-not-found", exit_code=EXIT_INVALID)
    assert refuse("unknown-document", exit_code=EXIT_INVALID, what="x").exit_code == 1


def test_every_finding_code_has_a_fixture_in_the_bad_input_suite() -> None:
    from validation_cases import CASES

    covered = {code for case in CASES for code in case.codes}
    assert set(CHECKS) <= covered, sorted(set(CHECKS) - covered)


def test_refusal_codes_are_exercised_by_some_test() -> None:
    """Each refusal code appears in a test or a fixture (``UNTESTED`` lists the gaps)."""
    text = "\n".join(
        p.read_text(encoding="utf-8")
        for p in sorted((ROOT / "tests").rglob("*.py"))
        if p.name != Path(__file__).name
    )
    never = {c for c in REFUSALS if c not in text}
    assert never == UNTESTED, f"now untested: {sorted(never - UNTESTED)}; now tested: " + str(
        sorted(UNTESTED - never)
    )
