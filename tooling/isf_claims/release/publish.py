"""``isf-claims publish --repo-id ID``: a verified release folder to the Hugging Face hub.

The folder is checked against its ``SHA256SUMS`` first. One commit uploads every file (and
deletes files of an earlier release that this one does not have), then the commit is tagged
``vX.Y.Z`` so users can pin ``revision="vX.Y.Z"``. ``--dry-run`` lists what would be sent and
sends nothing.

What is published follows the dataset's rights (``dataset.json``, see
:mod:`isf_claims.release.rights`): when the article texts are not relicensed, the standoff
release ``<name>-<version>-standoff`` is published by default and a release that carries the
texts is refused unless ``full_texts`` says the user may redistribute them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from isf_claims.errors import refuse
from isf_claims.release import checksums
from isf_claims.release.load import _declared_version, is_standoff, resolve
from isf_claims.release.metadata import read_dataset_meta
from isf_claims.release.rights import texts_relicensed
from isf_claims.repo import Repo

REPO_TYPE = "dataset"
KEEP_ON_HUB = (".gitattributes",)


@dataclass(frozen=True)
class PublishPlan:
    """What a publish sends: the release folder's files, the commit and the tag."""

    repo_id: str
    version: str
    folder: Path
    files: list[tuple[str, int, str]]  # path, bytes, sha256
    standoff: bool = False  # the release carries no article texts

    @property
    def tag(self) -> str:
        return f"v{self.version}"

    @property
    def commit_message(self) -> str:
        return f"Release {self.tag}"

    def operations(self, existing: list[str] | None = None) -> list[Any]:
        """The ``huggingface_hub`` commit operations: add every file, delete the files of
        ``existing`` (already on the hub) that this release does not have."""
        from huggingface_hub import CommitOperationAdd, CommitOperationDelete

        ops: list[Any] = [
            CommitOperationAdd(path_in_repo=rel, path_or_fileobj=str(self.folder / rel))
            for rel, _, _ in self.files
        ]
        mine = {rel for rel, _, _ in self.files}
        stale = sorted(set(existing or []) - mine - set(KEEP_ON_HUB))
        return ops + [CommitOperationDelete(path_in_repo=p) for p in stale]

    def render(self) -> str:
        total = sum(size for _, size, _ in self.files)
        kind = "standoff release (no article texts)" if self.standoff else "full release"
        lines = [
            f"{kind} {self.version} from {self.folder} (verified against SHA256SUMS)",
            f"to https://huggingface.co/datasets/{self.repo_id} as one commit, tagged {self.tag}",
            f"{len(self.files)} files, {total} bytes:",
        ]
        lines += [f"  {sha}  {size:>10}  {rel}" for rel, size, sha in self.files]
        lines.append("files already on the hub that this release does not have are deleted")
        return "\n".join(lines)


def _may_publish_texts(repo: Repo | None, full_texts: bool) -> bool:
    if full_texts:
        return True
    return repo is not None and texts_relicensed(read_dataset_meta(repo.root))


def plan_publish(
    repo_id: str,
    version: str | None,
    path: str | Path | None,
    full_texts: bool = False,
    repo: Repo | None = None,
) -> PublishPlan:
    """Verify the release and list what publishing it sends: the standoff release unless the
    texts may be published (``full_texts``, or ``repo``'s ``dataset.json`` says they are
    relicensed; without a repository they are taken as not relicensed)."""
    if "/" not in repo_id or repo_id.count("/") != 1:
        raise refuse("bad-repo-id", expected="e.g. my-org/isf-claims", found=repo_id)
    texts_allowed = _may_publish_texts(repo, full_texts)
    folder = resolve(version, path, None if path and _is_release(path) else not texts_allowed)
    if not is_standoff(folder) and not texts_allowed:
        raise refuse(
            "publish-full-texts-refused",
            path=str(folder),
            expected="a standoff release (dataset.json: texts_relicensed is false)",
            found="a release with the full texts",
        )
    digests = checksums.verify(folder)
    sums = folder / checksums.SUMS_FILE
    files = [(rel, (folder / rel).stat().st_size, digests[rel]) for rel in sorted(digests)]
    files.append(
        (checksums.SUMS_FILE, sums.stat().st_size, checksums.sha256_hex(sums.read_bytes()))
    )
    return PublishPlan(
        repo_id, _declared_version(folder), folder, sorted(files), is_standoff(folder)
    )


def _is_release(path: str | Path) -> bool:
    return (Path(path) / checksums.SUMS_FILE).is_file()


def run_publish(plan: PublishPlan, api: Any = None) -> str:
    """Upload and tag (``api``: a ``huggingface_hub.HfApi``; default: one with the user's
    saved token). Network and hub errors become a usage error (exit 2)."""
    from huggingface_hub import HfApi

    api = api or HfApi()
    try:
        api.create_repo(plan.repo_id, repo_type=REPO_TYPE, exist_ok=True)
        existing = api.list_repo_files(plan.repo_id, repo_type=REPO_TYPE)
        info = api.create_commit(
            plan.repo_id,
            operations=plan.operations(existing),
            commit_message=plan.commit_message,
            repo_type=REPO_TYPE,
        )
        api.create_tag(
            plan.repo_id,
            tag=plan.tag,
            tag_message=plan.commit_message,
            revision=info.oid,
            repo_type=REPO_TYPE,
        )
    except Exception as exc:  # hub client errors have no common base besides Exception
        raise refuse(
            "publish-failed",
            path=str(plan.folder),
            record=plan.repo_id,
            error=f"{type(exc).__name__}: {exc}"[:460],
        ) from exc
    return f"published {plan.tag} to https://huggingface.co/datasets/{plan.repo_id}"
