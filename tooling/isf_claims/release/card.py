"""The release's ``README.md``: the Hugging Face dataset card.

YAML front matter (configs with their split files, ``dataset_info`` features with
class-label names, licence, language, task categories, size category, pretty name,
annotation creators), then the prose of the repository's ``DATACARD.md``. The computed
statistics go where ``DATACARD.md`` has the marker line :data:`MARKER`; without the marker
they are appended as a last section. Every number in the generated text comes from the
release tables.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import datasets
import pyarrow.parquet as pq
import yaml

from isf_claims.release import splits as split_rule
from isf_claims.release import tokenize as tok
from isf_claims.release.metadata import DatasetMeta
from isf_claims.release.ner import RULES
from isf_claims.release.stats import size_category

MARKER = "<!-- isf-claims:statistics -->"
# Where DATACARD.md's prose says whether agreement was measured: replaced (every occurrence)
# by :func:`agreement_sentence`, from the same facts as the statistics and Croissant's RAI
# fields (which are taken from the filled prose).
AGREEMENT_MARKER = "<!-- isf-claims:agreement -->"


def agreement_sentence(agreement: Mapping[str, Any]) -> str:
    """What the card says about inter-annotator agreement (``agreement``: the statistics'
    ``agreement`` entry, from :func:`isf_claims.release.stats.agreement_figures`)."""
    if agreement["figures"]:
        n = agreement["documents"]
        return (
            f"A second, independent annotation set covers {n} document{'s' * (n != 1)}; its "
            "agreement with the main set is given under *Inter-annotator agreement* in the "
            "dataset statistics (`build-report.json` has the full report)."
        )
    return (
        "No document has a second, independent annotation set, so this release reports no "
        "agreement figures."
    )


def fill_agreement(prose: str, agreement: Mapping[str, Any]) -> str:
    """``prose`` with every agreement marker replaced by :func:`agreement_sentence`."""
    return prose.replace(AGREEMENT_MARKER, agreement_sentence(agreement))


HF_KEYS = (
    "license",
    "license_name",
    "license_link",
    "task_categories",
    "task_ids",
    "annotations_creators",
    "language_creators",
    "multilinguality",
    "source_datasets",
    "tags",
)


def dataset_info(
    files: Mapping[str, Mapping[str, str]],
    features: Mapping[str, datasets.Features],
    data: Mapping[str, bytes | Path],
) -> list[dict[str, Any]]:
    """The card's ``dataset_info``, made by ``datasets``' own ``DatasetInfo``, ``SplitInfo``
    and ``DatasetInfosDict.to_dataset_card_data``: per config its features and, per split,
    ``num_examples`` (rows) and ``num_bytes`` (the uncompressed size of the split's Parquet
    data, from the file's footer); ``download_size`` is the size of the config's Parquet
    files and ``dataset_size`` the sum of its splits' ``num_bytes``. ``data``: path in the
    release -> the file's bytes, or the file written."""
    from datasets.info import DatasetInfosDict
    from huggingface_hub import DatasetCardData

    infos = DatasetInfosDict()
    for name, split_files in files.items():
        splits = datasets.SplitDict()
        download = 0
        for split, path in split_files.items():
            src = data[path]
            footer = pq.ParquetFile(io.BytesIO(src) if isinstance(src, bytes) else src).metadata
            size = sum(footer.row_group(i).total_byte_size for i in range(footer.num_row_groups))
            splits.add(datasets.SplitInfo(name=split, num_bytes=size, num_examples=footer.num_rows))
            download += len(src) if isinstance(src, bytes) else Path(src).stat().st_size
        infos[name] = datasets.DatasetInfo(
            features=features[name],
            splits=splits,
            download_size=download,
            dataset_size=sum(s.num_bytes for s in splits.values()),
        )
    card_data = DatasetCardData()
    infos.to_dataset_card_data(card_data)
    return list(card_data.to_dict()["dataset_info"])


def front_matter(
    meta: DatasetMeta,
    stats: Mapping[str, Any],
    files: Mapping[str, Mapping[str, str]],
    features: Mapping[str, datasets.Features],
    default: str,
    data: Mapping[str, bytes | Path],
) -> dict[str, Any]:
    """The card's YAML metadata (``files``: config -> split -> path in the release;
    ``data``: path -> bytes of the data files, for the sizes)."""
    hf = dict(meta.get("huggingface", {}))
    out: dict[str, Any] = {"pretty_name": meta.get("pretty_name", meta.name)}
    out.update({k: hf[k] for k in HF_KEYS if k in hf})
    out["language"] = stats["documents"]["languages"]
    out["size_categories"] = [size_category(stats["documents"]["total"])]
    out["configs"] = [
        {
            "config_name": name,
            **({"default": True} if name == default else {}),
            "data_files": [{"split": s, "path": p} for s, p in files[name].items()],
        }
        for name in files
    ]
    out["dataset_info"] = dataset_info(files, features, data)
    return out


def _table(header: tuple[str, str], counts: Mapping[str, int]) -> list[str]:
    lines = [f"| {header[0]} | {header[1]} |", "| --- | ---: |"]
    lines += [f"| `{k}` | {v} |" for k, v in counts.items()]
    return lines


def empty_splits_note(by_split: Mapping[str, int]) -> list[str]:
    """A line saying which splits the rule left empty (none: no line)."""
    empty = [s for s in split_rule.SPLITS if not by_split.get(s)]
    if not empty:
        return []
    return [
        f"- No document falls in {' or '.join(f'`{s}`' for s in empty)} under the split rule "
        "(see *Loading and pinning*), so this release has no such split: do not read a score "
        "on the remaining splits as a held-out evaluation of this corpus."
    ]


def _count(n: int | None) -> str:
    return "not recorded" if n is None else str(n)


def _adjudicated(v: bool | None) -> str:
    return "not recorded" if v is None else ("yes" if v else "no")


def annotation_markdown(annotation: Mapping[str, Any]) -> list[str]:
    """How many annotators annotated each document and whether it was adjudicated (the
    document record's ``annotator_count`` and ``adjudicated``)."""
    lines = ["### Annotators per document", ""]
    lines += [
        "From each document's annotation record (`annotator_count`, `adjudicated`; also "
        "columns of the `documents` config). "
        '"Adjudicated" means independent annotations were merged by a curator\'s decisions '
        "(`isf-claims adjudicate`).",
        "",
    ]
    per_doc = annotation["per_document"]
    if per_doc is not None:
        lines += ["| document | annotators | adjudicated |", "| --- | ---: | --- |"]
        lines += [
            f"| `{d['doc_id']}` | {_count(d['annotator_count'])} | "
            f"{_adjudicated(d['adjudicated'])} |"
            for d in per_doc
        ]
    else:
        lines += ["| annotators | adjudicated | documents |", "| ---: | --- | ---: |"]
        lines += [
            f"| {_count(g['annotators'])} | {_adjudicated(g['adjudicated'])} | {g['documents']} |"
            for g in annotation["by_annotators"]
        ]
    return [*lines, ""]


def statistics_markdown(stats: Mapping[str, Any], version: str) -> str:
    """The computed statistics as Markdown."""
    d, m, c = stats["documents"], stats["mentions"], stats["claims"]
    ner = stats["ner"]
    lines = [
        f"## Dataset statistics (release {version})",
        "",
        "Computed from the release's tables when it was built.",
        "",
        f"- Documents: {d['total']} ({d['code_points']} code points of text); "
        + ", ".join(f"{k}: {v}" for k, v in d["by_split"].items())
        + ".",
        *empty_splits_note(d["by_split"]),
        "- Documents per outlet: "
        + "; ".join(f"{k}: {v}" for k, v in d["by_outlet"].items())
        + ".",
        f"- Zones: {stats['zones']['total']}; entity mentions: {m['total']} "
        f"({m['linked_to_entity']} linked to a canonical entity); canonical entities: "
        f"{stats['entities']['total']}.",
        f"- Claims: {c['total']} ({c['with_source_entity']} with a source entity, "
        f"{c['nested_in_another_claim']} nested in another claim); framing markers: "
        f"{stats['markers']['total']}.",
        f"- Claim clusters: {stats['clusters']['total']} with {stats['clusters']['members']} "
        f"member claims; {stats['clusters']['spanning_two_or_more_documents']} of them group "
        "claims from two or more documents.",
        "",
        "### Entity mentions per label",
        "",
        *_table(("label", "mentions"), m["by_label"]),
        "",
    ]
    for attr in ("attribution", "source_type", "cue_commitment", "polarity", "claim_type"):
        lines += [f"### Claims per {attr.replace('_', ' ')}", ""]
        lines += [*_table((attr, "claims"), c[f"by_{attr}"]), ""]
    lines += ["### Zones per label", "", *_table(("zone", "zones"), stats["zones"]["by_label"])]
    lines += ["", "### Framing markers per label", ""]
    lines += [*_table(("marker", "markers"), stats["markers"]["by_label"]), ""]
    lines += annotation_markdown(stats["annotation"])
    agreement = stats["agreement"]
    lines += ["### Inter-annotator agreement", ""]
    lines += [agreement_sentence(agreement)]
    if agreement["figures"]:
        lines += [
            "",
            "| measure | value |",
            "| --- | ---: |",
            *[
                f"| {k} | {'n/a' if v is None else f'{v:.3f}'} |"
                for k, v in agreement["figures"].items()
            ],
        ]
    lines += [
        "",
        "### Token classification (`ner`)",
        "",
        f"Tokeniser: {tok.DESCRIPTION}",
        "",
        f"{ner['segments']} segments (zones, and any text no zone covers), {ner['tokens']} tokens. "
        f"Of {ner['mentions']} mentions, {ner['tagged']} are tagged in IOB2 "
        f"({ner['tagged_on_token_boundaries']} exactly on token boundaries). Mentions IOB2 "
        "cannot hold as they are, by rule (`build-report.json` lists each one):",
        "",
        "| rule | mentions | what happens |",
        "| --- | ---: | --- |",
        *[f"| `{k}` | {ner['resolved'][k]} | {v} |" for k, v in RULES.items()],
        "",
    ]
    return "\n".join(lines)


def release_markdown(
    meta: DatasetMeta,
    files: Mapping[str, Mapping[str, str]],
    rows: Mapping[str, Mapping[str, int]],
    default: str,
) -> str:
    """How to load and pin this release, its files and its split rule."""
    v = meta.version
    lines = [
        f"## Loading and pinning release {v}",
        "",
        "```python",
        "from datasets import load_dataset",
        "",
        f'ds = load_dataset("path/to/{meta.name}-{v}", "{default}")  # this folder',
        f'ds = load_dataset("ORG/{meta.name}", "{default}", revision="v{v}")  # from the hub',
        "```",
        "",
        "With the `isf-claims` package, `isf_claims.load(config, version=...)` verifies every "
        "file against `SHA256SUMS` before loading. Pin a version by its tag `vX.Y.Z`; a "
        "version's files never change.",
        "",
        "| config | split | rows | file |",
        "| --- | --- | ---: | --- |",
        *[
            f"| `{c}`{' (default)' if c == default else ''} | `{s}` | {rows[c][s]} | `{p}` |"
            for c, sp in files.items()
            for s, p in sp.items()
        ],
        "",
        f"Splits: {split_rule.RULE_TEXT} `entities` and `clusters` are corpus-wide (they "
        f"link documents across splits) and have one split, `full`. A split with no document "
        "has no file.",
        "",
        "Other files: `datapackage.json` (Frictionless Data Package v2), `croissant.json` "
        "(Croissant 1.1 with RAI fields), `build-report.json` (what the build did), and "
        "`SHA256SUMS` (every file's sha256; check with `sha256sum -c SHA256SUMS`).",
        "",
    ]
    return "\n".join(lines)


def strip_front_matter(prose: str) -> str:
    """``DATACARD.md`` without YAML front matter (the card's metadata is generated)."""
    if prose.startswith("---\n"):
        end = prose.find("\n---\n", 4)
        if end >= 0:
            return prose[end + 5 :].lstrip("\n")
    return prose


def render(front: Mapping[str, Any], prose: str, statistics: str, release: str) -> str:
    """The whole card."""
    head = yaml.safe_dump(dict(front), sort_keys=False, allow_unicode=True, width=100)
    body = strip_front_matter(prose).rstrip("\n") + "\n"
    generated = statistics.rstrip("\n") + "\n\n" + release.rstrip("\n") + "\n"
    if MARKER in body:
        body = body.replace(MARKER, generated.rstrip("\n"), 1)
    else:
        body = body + "\n" + generated
    return f"---\n{head}---\n\n{body}"


def sections(prose: str) -> dict[str, str]:
    """Heading text -> the section's Markdown (up to the next heading of the same or a
    higher level), for every heading of ``prose``; fenced code is not scanned for headings."""
    lines = strip_front_matter(prose).splitlines()
    heads: list[tuple[int, int, str]] = []
    fenced = False
    for i, line in enumerate(lines):
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and line.startswith("#"):
            level = len(line) - len(line.lstrip("#"))
            if line[level : level + 1] == " ":
                heads.append((i, level, line[level:].strip()))
    out: dict[str, str] = {}
    for n, (i, level, title) in enumerate(heads):
        end = next((j for j, lv, _ in heads[n + 1 :] if lv <= level), len(lines))
        out.setdefault(title, "\n".join(lines[i + 1 : end]).strip())
    return out
