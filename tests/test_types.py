"""The package type-checks: mypy, strict on tooling/ (configured in pyproject.toml).

mypy runs as a process with a fresh cache in a temporary folder, so the result never
depends on an earlier run; a cold run of the whole package takes about 30-60 s on 2 cores.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "tooling" / "isf_claims"


def _module_exists(name: str) -> bool:
    """Whether a dotted module name (``pkg.*`` allowed) names a file or folder of the package."""
    parts = name.removesuffix(".*").split(".")
    base = ROOT / "tooling" / Path(*parts)
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def test_mypy_strict_is_clean(tmp_path: Path) -> None:
    cmd = [sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path / "mypy-cache")]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_overrides_name_existing_modules() -> None:
    """A module of the package exempted or relaxed in [tool.mypy] still exists (a stale
    entry would hide nothing and mislead the reader)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert config["tool"]["mypy"]["strict"] is True
    stale = [
        module
        for override in config["tool"]["mypy"].get("overrides", [])
        for module in override["module"]
        if module.startswith("isf_claims") and not _module_exists(module)
    ]
    assert stale == [], f"[[tool.mypy.overrides]] names modules that no longer exist: {stale}"
