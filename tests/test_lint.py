"""The code stays ruff clean (lint and format), so CI catches what an editor missed."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUFF = shutil.which("ruff", path=str(Path(sys.executable).parent)) or "ruff"
TARGETS = ["tooling", "tests", "benchmarks"]


def test_ruff_check_is_clean() -> None:
    done = subprocess.run([RUFF, "check", *TARGETS], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_ruff_format_is_clean() -> None:
    cmd = [RUFF, "format", "--check", *TARGETS]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
