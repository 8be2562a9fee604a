"""The ``isf-claims`` command line: a thin layer over plain functions.

Each module in :mod:`isf_claims.commands` defines ``register(app)``; this file only
assembles them, so adding a command never touches another command's code.
"""

from __future__ import annotations

import importlib
import pkgutil

import typer

from isf_claims import commands

app = typer.Typer(
    name="isf-claims",
    help="Validate, convert and release the isf-claims annotated news corpus.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _print_version(value: bool) -> None:
    if value:
        from isf_claims import __version__

        typer.echo(f"isf-claims {__version__}")
        raise typer.Exit(0)


@app.callback()
def _main(
    version: bool = typer.Option(
        False,
        "--version",
        help="Print the package version and exit.",
        callback=_print_version,
        is_eager=True,
    ),
) -> None:
    """Validate, convert and release the isf-claims annotated news corpus."""


for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
    if not info.name.startswith("_"):
        importlib.import_module(f"{commands.__name__}.{info.name}").register(app)


def main() -> None:
    """Console-script entry point. Start-up time matters (the pre-commit hook runs a new
    process per commit): commands import their libraries when run, and the process imports
    pandera without pandas (see :mod:`isf_claims.pandera_import`)."""
    from isf_claims.pandera_import import use_polars_only

    use_polars_only()
    app()
