"""The frictionless engine as a backend: the reader's inputs checked by
:mod:`isf_claims.validation.frictionless_engine` (an adapter until that engine moves into a
folder of its own here, which then replaces this module)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

from isf_claims.repo import Repo
from isf_claims.validation.reader import Inputs, read_inputs
from isf_claims.validation.report import Finding


def _import() -> None:
    from isf_claims.validation import frictionless_engine  # noqa: F401


def run(repo: Repo, paths: Sequence[Path | str] = ()) -> tuple[Inputs, list[Finding]]:
    """Levels 1-5: the inputs (with the reader's findings) and the findings of levels 2-5."""
    loading = None
    if not paths:  # import frictionless while the files are read and parsed
        loading = threading.Thread(target=_import, daemon=True)
        loading.start()
    inputs = read_inputs(repo, paths)
    if loading is not None:
        loading.join()
    from isf_claims.validation.frictionless_engine import run as check

    return inputs, check(inputs)
