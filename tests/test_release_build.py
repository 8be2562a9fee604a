"""The release, read by its real clients: datasets, pandas, duckdb, frictionless,
mlcroissant and sha256sum; and built twice, byte for byte."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import datasets
import duckdb
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from isf_claims.cli import app
from isf_claims.errors import IsfError
from isf_claims.release import card
from isf_claims.release.build import BuildResult, build_release
from isf_claims.release.features import table_features
from isf_claims.release.ner import tag_names
from isf_claims.release.splits import split_of
from isf_claims.repo import Repo
from isf_claims.schema import load_schema

pytest_plugins = ["test_release_fixtures"]
BIN = Path(sys.executable).parent
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def front(folder: Path) -> dict:
    text = (folder / "README.md").read_text(encoding="utf-8")
    return yaml.safe_load(text.split("---\n", 2)[1])


def report(folder: Path) -> dict:
    return json.loads((folder / "build-report.json").read_text(encoding="utf-8"))


def test_two_builds_are_byte_identical(release_corpus: Repo, release: BuildResult, tmp_path: Path):
    # the second build reads one document at a time: the bytes do not depend on the batches
    again = build_release(release_corpus, tmp_path / "again", batch_docs=1)
    first = sorted(p.relative_to(release.folder) for p in release.folder.rglob("*") if p.is_file())
    second = sorted(p.relative_to(again.folder) for p in again.folder.rglob("*") if p.is_file())
    assert first == second
    for rel in first:
        assert (release.folder / rel).read_bytes() == (again.folder / rel).read_bytes(), rel


def test_every_file_is_in_sha256sums_and_sha256sum_agrees(release: BuildResult):
    listed = {
        line.split("  ", 1)[1] for line in (release.folder / "SHA256SUMS").read_text().splitlines()
    }
    files = {p.relative_to(release.folder).as_posix() for p in release.folder.rglob("*")}
    files = {f for f in files if (release.folder / f).is_file()}
    assert listed == files - {"SHA256SUMS"}
    if shutil.which("sha256sum"):
        done = subprocess.run(
            ["sha256sum", "-c", "--quiet", "SHA256SUMS"], cwd=release.folder, check=False
        )
        assert done.returncode == 0


def test_splits_follow_the_rule_and_empty_splits_have_no_file(release: BuildResult):
    rows = report(release.folder)["rows"]
    docs = report(release.folder)["splits"]["documents"]
    assert all(split_of(d) == s for d, s in docs.items())
    assert set(rows["documents"]) == {"train", "validation", "test"}
    assert rows["entities"].keys() == {"full"} and rows["clusters"].keys() == {"full"}
    for config, splits in rows.items():
        on_disk = {p.stem for p in (release.folder / "data" / config).glob("*.parquet")}
        assert on_disk == set(splits)


def test_datasets_loads_every_config_with_the_declared_features(
    release: BuildResult, hf_cache: Path
):
    schema = load_schema(release.folder.parent.parent / "schema")
    declared = {c["config_name"]: c for c in front(release.folder)["dataset_info"]}
    rows = report(release.folder)["rows"]
    assert set(declared) == set(rows)
    for config, split_rows in rows.items():
        ds = datasets.load_dataset(str(release.folder), config, cache_dir=str(hf_cache))
        assert {s: ds[s].num_rows for s in ds} == split_rows
        features = datasets.Features._from_yaml_list(declared[config]["features"])
        for split in ds:
            assert ds[split].features == features, (config, split)
    mentions = datasets.load_dataset(str(release.folder), "mentions", cache_dir=str(hf_cache))
    label = mentions["train"].features["label"]
    assert isinstance(label, datasets.ClassLabel)
    assert label.names == schema.values("entity_label")
    ner = datasets.load_dataset(str(release.folder), "ner", cache_dir=str(hf_cache))
    tags = ner["train"].features["ner_tags"]
    assert isinstance(tags.feature, datasets.ClassLabel) and tags.feature.names == tag_names(schema)
    row = ner["train"][0]
    assert len(row["tokens"]) == len(row["ner_tags"]) == len(row["token_offsets"])
    claims = datasets.load_dataset(str(release.folder), "claims", cache_dir=str(hf_cache))
    content = claims["train"].features["content"]
    assert set(content) == {"start", "end", "text"}
    docs = datasets.load_dataset(str(release.folder), "documents", cache_dir=str(hf_cache))
    zones = docs["train"].features["zones"]
    assert isinstance(zones, datasets.List) and isinstance(
        zones.feature["label"], datasets.ClassLabel
    )


def test_feature_builder_matches_the_card(release: BuildResult):
    schema = load_schema(release.folder.parent.parent / "schema")
    declared = {c["config_name"]: c for c in front(release.folder)["dataset_info"]}
    for config in declared:
        table = pd.read_parquet(next((release.folder / "data" / config).glob("*.parquet")))
        assert list(table.columns) == [f["name"] for f in declared[config]["features"]]
    import pyarrow.parquet as pq

    arrow = pq.read_schema(release.folder / "data" / "ner" / "train.parquet")
    assert table_features(schema, "ner", arrow)._to_yaml_list() == declared["ner"]["features"]


def test_pandas_reads_every_file(release: BuildResult):
    for path in release.folder.rglob("*.parquet"):
        assert len(pd.read_parquet(path)) > 0
    for name in ("datapackage.json", "croissant.json", "build-report.json"):
        json.loads((release.folder / name).read_text(encoding="utf-8"))


def test_duckdb_reproduces_every_span_from_the_document_text(release: BuildResult):
    data = release.folder / "data"
    con = duckdb.connect()
    total, bad = con.execute(
        f"""
        SELECT count(*),
               count(*) FILTER (WHERE substr(d.text, m.start + 1, m."end" - m.start) <> m.text)
        FROM '{data}/mentions/*.parquet' m JOIN '{data}/documents/*.parquet' d USING (doc_id)
        """
    ).fetchone()
    assert bad == 0
    assert total == sum(report(release.folder)["rows"]["mentions"].values())
    claims_bad = con.execute(
        f"""
        SELECT count(*) FROM '{data}/claims/*.parquet' c JOIN '{data}/documents/*.parquet' d
        USING (doc_id)
        WHERE substr(d.text, c.content.start + 1, c.content."end" - c.content.start)
              <> c.content.text
        """
    ).fetchone()[0]
    assert claims_bad == 0


def test_frictionless_validates_the_data_package(release: BuildResult):
    from frictionless import Package, validate

    result = validate(str(release.folder / "datapackage.json"))
    assert result.valid, result.flatten(["rowNumber", "fieldName", "type", "note"])
    package = Package(str(release.folder / "datapackage.json"))
    names = {r.name for r in package.resources}
    assert {"documents-train", "mentions-test", "entities-full", "ner-validation"} <= names
    mentions = package.get_resource("mentions-train")
    assert mentions.schema.primary_key == ["doc_id", "id"]
    refs = {tuple(fk["fields"]): fk["reference"]["resource"] for fk in mentions.schema.foreign_keys}
    assert refs == {("doc_id",): "documents-train", ("entity",): "entities-full"}
    assert all(r.hash and r.hash.startswith("sha256:") for r in package.resources)
    done = subprocess.run(
        [str(BIN / "frictionless"), "validate", "datapackage.json"],
        cwd=release.folder,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:]


def test_mlcroissant_validates_and_reads_every_record_set(release: BuildResult):
    import mlcroissant as mlc

    done = subprocess.run(
        [str(BIN / "mlcroissant"), "validate", "--jsonld", "croissant.json"],
        cwd=release.folder,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    ds = mlc.Dataset(str(release.folder / "croissant.json"))
    rows = report(release.folder)["rows"]
    doc = json.loads((release.folder / "croissant.json").read_text(encoding="utf-8"))
    assert {rs["@id"] for rs in doc["recordSet"]} == set(rows)
    for rs in doc["recordSet"]:
        records = list(ds.records(rs["@id"]))
        assert len(records) == sum(rows[rs["@id"]].values()), rs["@id"]
    files = [d for d in doc["distribution"] if d["@type"] == "cr:FileObject"]
    assert {f["contentUrl"] for f in files} == {
        p.relative_to(release.folder).as_posix() for p in release.folder.rglob("*.parquet")
    }
    assert all(len(f["sha256"]) == 64 for f in files)
    for prop in ("rai:dataCollection", "rai:dataAnnotationProtocol", "rai:dataLimitations"):
        assert doc[prop].strip()


def test_card_metadata_and_numbers_come_from_the_data(release: BuildResult):
    meta = front(release.folder)
    configs = {c["config_name"]: c for c in meta["configs"]}
    assert configs["documents"].get("default") is True
    assert sum(bool(c.get("default")) for c in meta["configs"]) == 1
    for key in ("license", "language", "task_categories", "size_categories", "pretty_name"):
        assert meta[key]
    assert meta["annotations_creators"]
    mentions = pd.concat(
        pd.read_parquet(p) for p in (release.folder / "data" / "mentions").glob("*.parquet")
    )
    text = (release.folder / "README.md").read_text(encoding="utf-8")
    for label, n in mentions["label"].value_counts().items():
        assert f"| `{label}` | {n} |" in text
    claims = pd.concat(
        pd.read_parquet(p) for p in (release.folder / "data" / "claims").glob("*.parquet")
    )
    for value, n in claims["attribution"].value_counts().items():
        assert f"| `{value}` | {n} |" in text
    docs = report(release.folder)["rows"]["documents"]
    assert f"Documents: {sum(docs.values())} " in text
    assert "this release reports no agreement figures" in text


def test_statistics_go_at_the_marker_or_at_the_end():
    prose = "# Card\n\n## Structure\n\n" + card.MARKER + "\n\n## Citation\n\ncite\n"
    rendered = card.render({"a": 1}, prose, "STATS", "RELEASE")
    assert rendered.index("STATS") < rendered.index("## Citation")
    assert card.MARKER not in rendered
    appended = card.render({"a": 1}, "# Card\n\n## Citation\n\ncite\n", "STATS", "RELEASE")
    assert appended.index("## Citation") < appended.index("STATS")


def test_ner_resolutions_are_counted_never_silent(release: BuildResult):
    ner = report(release.folder)["ner"]
    resolved = ner["resolved"]
    dropped = sum(resolved[k] for k in ("nested", "crosses-segment", "token-conflict"))
    assert ner["tagged"] + dropped == ner["mentions"]
    synthetic = sum(1 for d in report(release.folder)["splits"]["documents"] if "synthetic" in d)
    assert resolved["nested"] >= synthetic and resolved["snapped"] >= synthetic
    assert all(m.endswith("/m2") for m in ner["mentions_resolved"]["nested"] if "synthetic" in m)


def test_build_command_and_refusal_of_an_empty_corpus(release_corpus: Repo, tmp_path: Path):
    runner = CliRunner()
    out = tmp_path / "out"
    done = runner.invoke(app, ["build", "--root", str(release_corpus.root), "--out", str(out)])
    assert done.exit_code == 0, done.output
    assert (out / f"isf-claims-{report(out / next(out.iterdir()).name)['version']}").is_dir()
    empty = tmp_path / "empty"
    for name in ("raw", "schema", "dataset.json"):
        src = release_corpus.root / name
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, empty / name)
    (empty / "annotated").mkdir()
    with pytest.raises(IsfError) as err:
        build_release(Repo(empty), empty / "dist", validate=False)
    assert err.value.code == "release-empty-corpus"
    assert not (empty / "dist").exists()


def test_build_refuses_a_corpus_that_does_not_validate(release_corpus: Repo, tmp_path: Path):
    repo = Repo(tmp_path / "bad")
    shutil.copytree(release_corpus.root, repo.root, ignore=shutil.ignore_patterns("dist"))
    path = repo.annotation_path("synthetic-000")
    path.write_text(path.read_text(encoding="utf-8").replace('"Monday"', '"Tuesday"'), "utf-8")
    (repo.root / "dist" / "keep").mkdir(parents=True)
    with pytest.raises(IsfError) as err:
        build_release(repo, repo.root / "dist")
    assert err.value.code == "release-invalid-corpus"
    assert "synthetic-000" in err.value.found
    assert [p.name for p in (repo.root / "dist").iterdir()] == ["keep"]
    done = CliRunner().invoke(
        app, ["build", "--root", str(repo.root), "--out", str(tmp_path / "o")]
    )
    assert done.exit_code == 1 and not (tmp_path / "o").exists()


def test_card_says_when_the_rule_leaves_a_split_empty():
    assert card.empty_splits_note({"train": 3, "validation": 1, "test": 1}) == []
    (note,) = card.empty_splits_note({"train": 2})
    assert "`validation` or `test`" in note


def test_a_streamed_parquet_file_is_the_whole_table_s_bytes():
    """Rows added in uneven pieces give the bytes of the whole table written at once (row
    groups of ROW_GROUP_SIZE rows cut in the same places)."""
    import pyarrow as pa

    from isf_claims.release.parquet import ROW_GROUP_SIZE, ParquetSink, parquet_bytes

    n = 2 * ROW_GROUP_SIZE + 123
    table = pa.table(
        {
            "doc_id": pa.array([f"d{i // 7:06d}" for i in range(n)]),
            "start": pa.array(range(n), pa.int64()),
            "spans": pa.array([[{"label": "GPE", "end": i}] for i in range(n)]),
        }
    )
    sink = ParquetSink()
    start = 0
    for size in (1, 5000, 70000, 3, ROW_GROUP_SIZE, 10**6):
        sink.add(table.slice(start, size))
        start += size
    assert sink.close() == parquet_bytes(table)
    assert ParquetSink().close() == b""
