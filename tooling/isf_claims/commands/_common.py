"""What every command shares: the --root option and turning errors into exit codes."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, ParamSpec, TypeVar

import typer

from isf_claims.errors import IsfError, refuse
from isf_claims.repo import Repo, find_repo

P = ParamSpec("P")
R = TypeVar("R")

RootOption = Annotated[
    Path | None,
    typer.Option(
        "--root", help="Corpus repository (default: $ISF_CLAIMS_ROOT or the working folder)."
    ),
]
FormatOption = Annotated[
    str, typer.Option("--format", help="Output format: text or json.", case_sensitive=False)
]


def repo_of(root: Path | None) -> Repo:
    return find_repo(root)


def check_format(value: str, allowed: tuple[str, ...] = ("text", "json")) -> str:
    """``value`` lower-cased, or a usage error when it is not one of ``allowed``."""
    value = value.lower()
    if value not in allowed:
        raise refuse(
            "bad-format",
            expected=" or ".join(allowed),
            found=value,
            allowed=" or --format ".join(allowed),
        )
    return value


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def handles_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Print an :class:`IsfError` to stderr and exit with its code (1 data, 2 usage)."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except IsfError as err:
            typer.echo(err.render(), err=True)
            raise typer.Exit(err.exit_code) from None

    return wrapper
