"""Release commands: ``build``, ``diff``, ``release`` and ``publish``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from isf_claims.commands._common import (
    FormatOption,
    RootOption,
    check_format,
    emit_json,
    handles_errors,
    repo_of,
)


def register(app: typer.Typer) -> None:
    app.command("build")(build_cmd)
    app.command("diff")(diff_cmd)
    app.command("release")(release_cmd)
    app.command("publish")(publish_cmd)


@handles_errors
def build_cmd(
    out: Annotated[Path, typer.Option("--out", help="Folder to write the release into.")] = Path(
        "dist"
    ),
    root: RootOption = None,
    standoff: Annotated[
        bool,
        typer.Option(
            "--standoff",
            help="Build <out>/isf-claims-<version>-standoff/: the release without the article "
            "texts (see `isf-claims rehydrate`).",
        ),
    ] = False,
) -> None:
    """Build the release folder <out>/isf-claims-<version>/ (refuses a corpus that does not
    validate)."""
    from isf_claims import progress

    if standoff:
        from isf_claims.release.standoff import build_standoff as build
    else:
        from isf_claims.release.build import build_release as build

    with progress.working("build: validating and making the release"):
        result = build(repo_of(root), out)
    typer.echo(f"built {result.folder} ({len(result.files)} files, version {result.version})")


@handles_errors
def diff_cmd(
    old: Annotated[str, typer.Argument(help="Old release: a release folder or a git ref.")],
    new: Annotated[
        str, typer.Argument(help="New release: a release folder, a git ref, or WORKTREE.")
    ] = "WORKTREE",
    fmt: FormatOption = "text",
    root: RootOption = None,
) -> None:
    """Records added, removed and changed per document and layer between two releases, and
    the version bump that change needs."""
    from isf_claims import progress
    from isf_claims.release.diff import diff_sources

    fmt = check_format(fmt)
    with progress.working(f"diff: {old} -> {new}", fmt):
        result = diff_sources(repo_of(root), old, new)
    if fmt == "json":
        emit_json(result.to_dict())
    else:
        typer.echo(result.render(), nl=False)


@handles_errors
def release_cmd(
    version: Annotated[str, typer.Option("--version", help="The new version, X.Y.Z.")],
    out: Annotated[Path, typer.Option("--out", help="Where to build the release.")] = Path("dist"),
    root: RootOption = None,
) -> None:
    """Check VERSION against the diff from the last release (Croissant's meaning), update
    CHANGELOG.md and dataset.json, commit them, tag vVERSION and build the release."""
    from isf_claims.release.versioning import make_release

    done = make_release(repo_of(root), version, out)
    typer.echo(done.summary)


@handles_errors
def publish_cmd(
    repo_id: Annotated[str, typer.Option("--repo-id", help="Hugging Face dataset repo id.")],
    version: Annotated[
        str | None, typer.Option("--version", help="Release to publish (default: latest).")
    ] = None,
    path: Annotated[
        Path | None, typer.Option("--path", help="A release folder or a folder of them.")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List what would be sent; send nothing.")
    ] = False,
    full_texts: Annotated[
        bool,
        typer.Option(
            "--full-texts",
            help="Publish the release with the article texts (only if you may redistribute "
            "them; by default the standoff release is published when dataset.json says the "
            "texts are not relicensed).",
        ),
    ] = False,
    root: RootOption = None,
) -> None:
    """Upload a verified release folder to the Hugging Face hub and tag it vVERSION (the
    standoff release unless the texts may be redistributed)."""
    from isf_claims.errors import IsfError
    from isf_claims.release.publish import plan_publish, run_publish

    try:
        repo = repo_of(root)
    except IsfError:
        repo = None  # outside a repository: the texts are taken as not relicensed
    plan = plan_publish(repo_id, version, path, full_texts, repo)
    typer.echo(plan.render())
    if not dry_run:
        typer.echo(run_publish(plan))
