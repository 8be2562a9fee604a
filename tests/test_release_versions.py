"""Versions users can pin: diff between releases (folders and git refs), the release command's
bump check, changelog and tag (in temporary git repositories, never the real one), load's
checksum verification, and publish's dry run and upload plan."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

import isf_claims
from isf_claims import annotations as fmt
from isf_claims.cli import app
from isf_claims.corpus import corpus_files, load_corpus
from isf_claims.errors import IsfError
from isf_claims.release import splits
from isf_claims.release.build import BuildResult, build_release
from isf_claims.release.diff import diff_sources
from isf_claims.release.publish import plan_publish, run_publish
from isf_claims.release.versioning import make_release
from isf_claims.repo import Repo
from test_release_fixtures import add_synthetic_doc, make_corpus

pytest_plugins = ["test_release_fixtures"]
KAZ = "kazinform_uk-officers-join-gaza-stabilization-effort"


def git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.parts and "dist" not in p.parts
    }


def relabel_first_mention(repo: Repo, doc_id: str, label: str) -> None:
    """Edit one existing record: the first mention of ``doc_id`` gets ``label``."""
    path = repo.annotation_path(doc_id)
    lines = path.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        rec = json.loads(line)
        if rec["layer"] == "mention":
            rec["label"] = label
            rec["entity"] = None
            lines[i] = fmt.dumps(rec)
            break
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture
def git_corpus(tmp_path: Path) -> Repo:
    """A small corpus in a fresh git repository with one commit."""
    repo = make_corpus(tmp_path / "corpus", doc_ids=[])
    (repo.root / "CHANGELOG.md").write_text(
        "# Changelog\n\nIntro.\n\n## Unreleased\n\n- Hand-written note.\n", encoding="utf-8"
    )
    (repo.root / ".gitignore").write_text("/dist/\n", encoding="utf-8")
    git(repo.root, "init", "-q", "-b", "main")
    git(repo.root, "config", "user.email", "test@example.org")
    git(repo.root, "config", "user.name", "Release Test")
    git(repo.root, "add", "-A")
    git(repo.root, "commit", "-q", "-m", "corpus")
    return repo


def test_diff_of_two_release_folders(release_corpus: Repo, release: BuildResult, tmp_path: Path):
    repo = Repo(tmp_path / "copy")
    shutil.copytree(release_corpus.root, repo.root, ignore=shutil.ignore_patterns("dist"))
    add_synthetic_doc(repo, "synthetic-900", 900)
    relabel_first_mention(repo, KAZ, "NORP")
    new = build_release(repo, tmp_path / "new", validate=False)
    runner = CliRunner()
    done = runner.invoke(
        app,
        [
            "diff",
            str(release.folder),
            str(new.folder),
            "--format",
            "json",
            "--root",
            str(repo.root),
        ],
    )
    assert done.exit_code == 0, done.output
    d = json.loads(done.output)
    assert d["bump"] == "major"
    assert d["documents"]["synthetic-900"]["status"] == "added"
    assert d["documents"][KAZ]["layers"]["mentions"]["changed"] == ["m1"]
    assert d["summary"]["mentions"]["added"] == 5
    text = runner.invoke(
        app, ["diff", str(release.folder), str(new.folder), "--root", str(repo.root)]
    )
    assert "bump needed: MAJOR" in text.output and "mentions changed: m1" in text.output
    same = diff_sources(release_corpus, str(release.folder), str(release.folder))
    assert same.bump == "patch" and not same.documents


def test_release_checks_the_bump_updates_changelog_and_tags(git_corpus: Repo, tmp_path: Path):
    root = git_corpus.root
    first = make_release(git_corpus, "1.0.0", root / "dist")
    assert git(root, "tag", "--list").split() == ["v1.0.0"]
    assert json.loads((root / "dataset.json").read_text())["version"] == "1.0.0"
    log = (root / "CHANGELOG.md").read_text()
    assert log.index("## Unreleased") < log.index("## 1.0.0") < log.index("- Hand-written note.")
    assert "Data changes since nothing (first release)" in log
    assert first.folder == root / "dist" / "isf-claims-1.0.0" and first.folder.is_dir()
    assert git(root, "status", "--porcelain").strip() == ""

    # Additions only: MINOR. A MAJOR or PATCH bump is refused and nothing changes.
    add_synthetic_doc(git_corpus, "synthetic-901", 901)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "add a document")
    before = snapshot(root)
    for wrong in ("2.0.0", "1.0.1", "1.2.0"):
        with pytest.raises(IsfError) as err:
            make_release(git_corpus, wrong, root / "dist")
        assert err.value.code == "wrong-version-bump" and err.value.expected == "1.1.0"
        assert snapshot(root) == before
    assert git(root, "tag", "--list").split() == ["v1.0.0"]
    make_release(git_corpus, "1.1.0", root / "dist")
    assert "Documents added: synthetic-901." in (root / "CHANGELOG.md").read_text()

    # An edited record: MAJOR. Diff of git refs shows it.
    relabel_first_mention(git_corpus, KAZ, "NORP")
    git(root, "commit", "-q", "-am", "relabel")
    d = diff_sources(git_corpus, "v1.1.0", "HEAD")
    assert d.bump == "major" and d.documents[KAZ]["layers"]["mentions"]["changed"] == ["m1"]
    with pytest.raises(IsfError):
        make_release(git_corpus, "1.2.0", root / "dist")
    runner = CliRunner()
    done = runner.invoke(
        app, ["release", "--version", "2.0.0", "--root", str(root), "--out", str(root / "dist")]
    )
    assert done.exit_code == 0, done.output
    assert git(root, "tag", "--list").split() == ["v1.0.0", "v1.1.0", "v2.0.0"]

    # Same data: PATCH.
    make_release(git_corpus, "2.0.1", root / "dist")
    assert "Version bump: PATCH" in (root / "CHANGELOG.md").read_text()


def test_release_refuses_uncommitted_corpus_changes(git_corpus: Repo):
    add_synthetic_doc(git_corpus, "synthetic-902", 902)
    before = snapshot(git_corpus.root)
    with pytest.raises(IsfError) as err:
        make_release(git_corpus, "1.0.0", git_corpus.root / "dist")
    assert err.value.code == "release-uncommitted"
    assert snapshot(git_corpus.root) == before
    assert git(git_corpus.root, "tag", "--list").strip() == ""


def test_a_document_moving_split_needs_a_major_version(
    release_corpus: Repo, release: BuildResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    # A changed split rule (everything in train) moves the validation and test documents.
    monkeypatch.setitem(splits.BOUNDS, "train", 100)
    moved = build_release(release_corpus, tmp_path / "moved", validate=False)
    d = diff_sources(release_corpus, str(release.folder), str(moved.folder))
    assert d.bump == "major" and d.summary["documents"]["resplit"] == 2
    assert {i["split"]["new"] for i in d.documents.values() if i.get("split")} == {"train"}


def test_load_verifies_checksums_first(release: BuildResult, tmp_path: Path, hf_cache: Path):
    ds = isf_claims.load("mentions", path=release.folder.parent, cache_dir=hf_cache)
    assert set(ds) == {"train", "validation", "test"}
    version = json.loads((release.folder / "build-report.json").read_text())["version"]
    assert isf_claims.load(
        "entities", version=version, path=release.folder.parent, cache_dir=hf_cache
    )
    with pytest.raises(IsfError) as err:
        isf_claims.load("mentions", version="9.9.9", path=release.folder.parent)
    assert err.value.code == "unknown-release-version"
    with pytest.raises(IsfError) as err:
        isf_claims.load("nope", path=release.folder)
    assert err.value.code == "unknown-config"

    tampered = tmp_path / "dist" / release.folder.name
    shutil.copytree(release.folder, tampered)
    target = tampered / "data" / "mentions" / "train.parquet"
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0x01
    target.write_bytes(bytes(data))
    with pytest.raises(IsfError) as err:
        isf_claims.load("mentions", path=tampered, cache_dir=hf_cache)
    assert err.value.code == "release-tampered"
    assert "changed: data/mentions/train.parquet" in err.value.found
    target.write_bytes(release.folder.joinpath("data/mentions/train.parquet").read_bytes())
    (tampered / "extra.txt").write_text("x")
    with pytest.raises(IsfError) as err:
        isf_claims.load("mentions", path=tampered)
    assert "not listed: extra.txt" in err.value.found


def test_publish_dry_run_lists_everything_and_sends_nothing(release: BuildResult):
    runner = CliRunner()
    done = runner.invoke(
        app,
        [
            "publish",
            "--repo-id",
            "someone/isf-claims",
            "--path",
            str(release.folder),
            "--dry-run",
            "--full-texts",  # the texts are not relicensed: without it, refused
        ],
    )
    assert done.exit_code == 0, done.output
    files = [
        p.relative_to(release.folder).as_posix() for p in release.folder.rglob("*") if p.is_file()
    ]
    for rel in files:
        assert rel in done.output
    assert "tagged v" in done.output


def test_publish_builds_one_commit_of_every_file_then_tags(release: BuildResult):
    from huggingface_hub import CommitOperationAdd, CommitOperationDelete, HfApi

    plan = plan_publish("someone/isf-claims", None, release.folder, full_texts=True)
    ops = plan.operations(existing=[".gitattributes", "README.md", "data/old/train.parquet"])
    adds = [op for op in ops if isinstance(op, CommitOperationAdd)]
    deletes = [op.path_in_repo for op in ops if isinstance(op, CommitOperationDelete)]
    assert sorted(op.path_in_repo for op in adds) == sorted(
        p.relative_to(release.folder).as_posix() for p in release.folder.rglob("*") if p.is_file()
    )
    assert deletes == ["data/old/train.parquet"]
    assert (
        plan.tag == "v" + json.loads((release.folder / "build-report.json").read_text())["version"]
    )
    # No hub here: the real path fails cleanly (exit 2) against an endpoint that refuses.
    with pytest.raises(IsfError) as err:
        run_publish(plan, HfApi(endpoint="http://127.0.0.1:9", token="hf_not_a_token"))
    assert err.value.code == "publish-failed" and err.value.exit_code == 2


def test_building_never_touches_the_corpus(release_corpus: Repo, tmp_path: Path):
    repo = Repo(tmp_path / "copy")
    shutil.copytree(release_corpus.root, repo.root, ignore=shutil.ignore_patterns("dist"))
    before = snapshot(repo.root)
    build_release(repo, repo.root / "dist", validate=False)
    assert snapshot(repo.root) == before
    files = corpus_files(load_corpus(repo))
    assert all(p.read_bytes() == b for p, b in files.items())
