"""The card's ``dataset_info`` (made by ``datasets``' ``DatasetInfo``/``SplitInfo``) tells the
truth about the files: the card is read back with ``huggingface_hub.DatasetCard`` and every
config's split rows, ``num_bytes``, ``download_size`` and ``dataset_size`` are compared with
the Parquet files of the release."""

from __future__ import annotations

import os

import datasets
import pyarrow.parquet as pq
from huggingface_hub import DatasetCard

from isf_claims.release.build import BuildResult

pytest_plugins = ["test_release_fixtures"]
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def test_dataset_info_gives_the_sizes_of_the_files(release: BuildResult) -> None:
    card = DatasetCard.load(release.folder / "README.md")
    infos = {c["config_name"]: c for c in card.data.to_dict()["dataset_info"]}
    configs = {c["config_name"]: c for c in card.data.to_dict()["configs"]}
    assert set(infos) == set(configs)
    for name, info in infos.items():
        files = {f["split"]: release.folder / f["path"] for f in configs[name]["data_files"]}
        splits = {s["name"]: s for s in info["splits"]}
        assert set(splits) == set(files), name
        for split, path in files.items():
            meta = pq.ParquetFile(path).metadata
            assert splits[split]["num_examples"] == meta.num_rows == pq.read_table(path).num_rows
            uncompressed = sum(
                meta.row_group(i).total_byte_size for i in range(meta.num_row_groups)
            )
            assert splits[split]["num_bytes"] == uncompressed > 0
        assert info["download_size"] == sum(p.stat().st_size for p in files.values())
        assert info["dataset_size"] == sum(s["num_bytes"] for s in splits.values())
        # datasets reads the same back into its own objects
        parsed = datasets.DatasetInfo._from_yaml_dict(info)
        assert {s: parsed.splits[s].num_examples for s in parsed.splits} == {
            s: v["num_examples"] for s, v in splits.items()
        }
