"""The CLI imports only what the invoked command needs: the pre-commit hook's
``isf-claims validate <file>`` loads neither pandas nor the converters, while library users
of :func:`isf_claims.validation.validate` keep the full pandera. Behaviour, not timing (the
figures are in benchmarks/)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from conftest import ROOT
from isf_claims.cli import app
from isf_claims.commands import validate as validate_command
from isf_claims.convert import EXPORTERS, IMPORTERS
from isf_claims.validation import DEFAULT_ENGINE, DEFAULT_MAX_PER_CODE

CONVERTERS = [t.partition(":")[0] for r in (EXPORTERS, IMPORTERS) for t in r.targets.values()]


def _one_document_file() -> Path:
    return next(
        p
        for p in sorted((ROOT / "annotated").glob("*.jsonl"))
        if p.name not in ("entities.jsonl", "clusters.jsonl")
    )


def _python(code: str) -> dict:
    """Run ``code`` in a fresh interpreter; it prints one JSON object last."""
    res = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout.splitlines()[-1])


def test_the_hook_command_loads_neither_pandas_nor_the_converters() -> None:
    argv = ["isf-claims", "validate", "--root", str(ROOT), str(_one_document_file())]
    seen = _python(
        "import json, sys\n"
        "from isf_claims.cli import main\n"
        f"sys.argv = {argv!r}\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as exc:\n"
        "    code = exc.code\n"
        "import pandera\n"
        "print(json.dumps({'exit': code, 'modules': sorted(sys.modules),"
        " 'pandas_api': hasattr(pandera, 'DataFrameSchema')}))\n"
    )
    assert seen["exit"] == 0
    modules = set(seen["modules"])
    assert "pandera.polars" in modules  # the default engine ran
    assert not {m for m in modules if m.split(".")[0] in ("pandas", "hypothesis")}
    assert not seen["pandas_api"]  # pandera's polars-only namespace
    assert not modules & set(CONVERTERS)


def test_help_imports_no_command_library() -> None:
    seen = _python(
        "import json, sys\n"
        "from isf_claims.cli import main\n"
        "sys.argv = ['isf-claims', 'export', '--help']\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as exc:\n"
        "    code = exc.code\n"
        "print(json.dumps({'exit': code, 'modules': sorted(sys.modules)}))\n"
    )
    assert seen["exit"] == 0
    heavy = {"isf_claims.validation", "isf_claims.corpus", "pyarrow", "polars", "pandas"}
    assert not set(seen["modules"]) & (heavy | set(CONVERTERS))


def test_library_users_keep_the_full_pandera() -> None:
    seen = _python(
        "import json, sys\n"
        "from pathlib import Path\n"
        "from isf_claims.repo import Repo\n"
        "from isf_claims.validation import validate\n"
        f"report = validate(Repo(Path({str(ROOT)!r})), [Path({str(_one_document_file())!r})])\n"
        "import pandera\n"
        "print(json.dumps({'exit': report.exit_code, 'pandas': 'pandas' in sys.modules,"
        " 'pandas_api': hasattr(pandera, 'DataFrameSchema')}))\n"
    )
    assert seen == {"exit": 0, "pandas": True, "pandas_api": True}


def test_listing_the_formats_imports_no_converter() -> None:
    seen = _python(
        "import json, sys\n"
        "from isf_claims.convert import EXPORTERS, IMPORTERS\n"
        "names = [list(EXPORTERS), list(IMPORTERS), 'brat' in EXPORTERS, len(IMPORTERS)]\n"
        "print(json.dumps({'names': names, 'modules': sorted(sys.modules)}))\n"
    )
    assert seen["names"] == [
        ["labelstudio", "brat", "conll", "docbin"],
        ["labelstudio", "brat"],
        True,
        2,
    ]
    loaded = set(seen["modules"])
    assert not loaded & set(CONVERTERS)
    assert not loaded & {"polars", "pyarrow", "isf_claims.corpus", "isf_claims.convert.model"}


def test_every_registered_converter_resolves() -> None:
    for registry in (EXPORTERS, IMPORTERS):
        for name in registry:
            assert callable(registry[name]), name
    assert dict(EXPORTERS)["conll"].__module__ == "isf_claims.convert.corpus_to_conll"


def test_export_and_import_help_list_the_formats() -> None:
    runner = CliRunner()
    for command, names in (("export", EXPORTERS), ("import", IMPORTERS)):
        result = runner.invoke(app, [command, "--help"], terminal_width=200)
        assert result.exit_code == 0, result.output
        assert "Format: " + ", ".join(names) + "." in " ".join(result.output.split())


def test_validate_options_default_to_the_library_defaults() -> None:
    assert validate_command.DEFAULT_ENGINE == DEFAULT_ENGINE
    assert validate_command.DEFAULT_MAX_PER_CODE == DEFAULT_MAX_PER_CODE
