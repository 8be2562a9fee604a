"""Small command-line contracts: usage errors exit 2, and ``--version``."""

from __future__ import annotations

from typer.testing import CliRunner

from isf_claims import __version__
from isf_claims.cli import app
from isf_claims.repo import Repo

runner = CliRunner()


def test_version_prints_the_package_version() -> None:
    res = runner.invoke(app, ["--version"])
    assert res.exit_code == 0 and res.stdout.strip() == f"isf-claims {__version__}"


def test_migrate_to_an_unknown_version_is_a_usage_error(repo: Repo) -> None:
    res = runner.invoke(app, ["migrate", "--to", "9.9.9", "--dry-run", "--root", str(repo.root)])
    assert res.exit_code == 2, res.output
    assert "error unknown-schema-version:" in res.stderr and "9.9.9" in res.stderr


def test_a_named_path_that_does_not_exist_is_a_usage_error(repo: Repo, tmp_path) -> None:
    missing = str(tmp_path / "nowhere")
    for args in (
        ["ingest", missing],
        ["import", "labelstudio", missing],
        ["import", "brat", missing],
        ["migrate", missing, "--dry-run"],
        ["agree", missing, missing],
    ):
        res = runner.invoke(app, [*args, "--root", str(repo.root)])
        assert res.exit_code == 2, (args, res.output)
        if args[0] in ("ingest", "import", "migrate"):
            assert "error file-not-found:" in res.stderr, (args, res.stderr)


def test_validate_a_missing_file_is_a_usage_error(repo: Repo) -> None:
    res = runner.invoke(
        app, ["validate", "annotated/does-not-exist.jsonl", "--root", str(repo.root)]
    )
    assert res.exit_code == 2 and "error path-not-found:" in res.stderr
