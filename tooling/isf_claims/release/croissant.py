"""``croissant.json``: Croissant 1.1 metadata with a record set per table.

Every data file is a ``FileObject`` with its sha256 and size; each table is a ``FileSet``
(its split files) read by a ``RecordSet`` whose fields mirror the Parquet columns (structs
as sub-fields, lists as ``isArray``), keyed by the schema's primary keys, with
``references`` for the single-field foreign keys (composite keys are in
``datapackage.json``). The RAI fields are the matching sections of the card's prose.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pyarrow as pa

from isf_claims.release import splits as split_rule
from isf_claims.release.card import sections
from isf_claims.release.metadata import DatasetMeta
from isf_claims.release.parquet import canonical_type
from isf_claims.release.tables import PER_DOCUMENT, SHARED_SPLIT

CONFORMS_TO = "http://mlcommons.org/croissant/1.1"
PARQUET = "application/x-parquet"
# The Croissant 1.1 JSON-LD context, as mlcroissant writes it.
CONTEXT: dict[str, Any] = {
    "@language": "en",
    "@vocab": "https://schema.org/",
    "arrayShape": "cr:arrayShape",
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "conformsTo": "dct:conformsTo",
    "containedIn": "cr:containedIn",
    "cr": "http://mlcommons.org/croissant/",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "dct": "http://purl.org/dc/terms/",
    "description": {"@container": "@language"},
    "equivalentProperty": "cr:equivalentProperty",
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract",
    "field": "cr:field",
    "fileObject": "cr:fileObject",
    "fileProperty": "cr:fileProperty",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isArray": "cr:isArray",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "name": {"@container": "@language"},
    "parentField": "cr:parentField",
    "path": "cr:path",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "samplingRate": "cr:samplingRate",
    "sc": "https://schema.org/",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
}
# RAI property -> card headings to take it from (first present wins).
RAI_SECTIONS = {
    "rai:dataCollection": ("Data Collection and Processing",),
    "rai:dataAnnotationProtocol": ("Annotation process",),
    "rai:annotatorDemographics": ("Who are the annotators?",),
    "rai:dataLimitations": ("Limitations", "Bias, Risks, and Limitations"),
    "rai:dataBiases": ("Biases", "Bias, Risks, and Limitations"),
    "rai:personalSensitiveInformation": ("Personal and Sensitive Information",),
    "rai:dataReleaseMaintenancePlan": ("Maintenance and Versioning", "Maintenance"),
    "rai:dataUseCases": ("Direct Use", "Uses"),
}
_TYPES = {"string": "sc:Text", "int64": "sc:Integer", "int32": "sc:Integer", "bool": "sc:Boolean"}


def rai_fields(prose: str) -> tuple[dict[str, str], list[str]]:
    """RAI property -> text from the card, and the properties the card has no section for."""
    found = sections(prose)
    out: dict[str, str] = {}
    missing: list[str] = []
    for prop, heads in RAI_SECTIONS.items():
        text = next((found[h] for h in heads if found.get(h)), None)
        if text:
            out[prop] = text
        else:
            missing.append(prop)
    return out, missing


def cite_as(prose: str) -> str | None:
    """The card's citation: the fenced block of its *Citation* section, else the section."""
    text = sections(prose).get("Citation")
    if not text:
        return None
    if "```" in text:
        body = text.split("```", 2)[1]
        return body.split("\n", 1)[1].strip() if "\n" in body else body.strip()
    return text


def _fields(
    rs: str, fileset: str, arrow: pa.DataType, path: tuple[str, ...], in_list: bool
) -> dict[str, Any]:
    """A Croissant field for the Parquet column (or nested member) at ``path``."""
    name = path[-1]
    field: dict[str, Any] = {"@type": "cr:Field", "@id": "/".join((rs, *path)), "name": name}
    t = canonical_type(arrow)
    is_array = pa.types.is_list(t)
    inner = t.value_type if is_array else t
    if is_array:
        field["isArray"] = True
        field["arrayShape"] = "-1"
    if pa.types.is_struct(inner):
        field["dataType"] = "cr:RecordSet"
        field["subField"] = [
            _fields(rs, fileset, f.type, (*path, f.name), in_list or is_array) for f in inner
        ]
        return field
    field["dataType"] = _TYPES.get(str(inner), "sc:Text")
    source: dict[str, Any] = {"fileSet": {"@id": fileset}, "extract": {"column": path[0]}}
    if len(path) > 1:
        source["transform"] = {"jsonPath": ".".join(path[1:])}
    field["source"] = source
    return field


def _split_field(rs: str, fileset: str) -> dict[str, Any]:
    names = "|".join((*split_rule.SPLITS, SHARED_SPLIT))
    return {
        "@type": "cr:Field",
        "@id": f"{rs}/split",
        "name": "split",
        "description": "The split of the record's document (from its file name).",
        "dataType": "sc:Text",
        "source": {
            "fileSet": {"@id": fileset},
            "extract": {"fileProperty": "filename"},
            "transform": {"regex": rf"^({names})\.parquet$"},
        },
    }


def croissant(
    meta: DatasetMeta,
    prose: str,
    schemas: Mapping[str, pa.Schema],
    files: Mapping[str, Mapping[str, str]],
    digests: Mapping[str, tuple[str, int]],
    keys: Mapping[str, list[str]],
    references: Mapping[str, Mapping[str, str]],
    descriptions: Mapping[str, Mapping[str, str]],
    languages: list[str],
) -> dict[str, Any]:
    """The Croissant document (``digests``: path -> (sha256, bytes); ``references``:
    table -> field -> "table/field" it refers to)."""
    rai, _ = rai_fields(prose)
    distribution: list[dict[str, Any]] = []
    for config, split_files in files.items():
        for path in split_files.values():
            digest, size = digests[path]
            distribution.append(
                {
                    "@type": "cr:FileObject",
                    "@id": path,
                    "name": path,
                    "contentUrl": path,
                    "encodingFormat": PARQUET,
                    "contentSize": f"{size} B",
                    "sha256": digest,
                }
            )
        distribution.append(
            {
                "@type": "cr:FileSet",
                "@id": f"{config}-files",
                "name": f"{config}-files",
                "description": f"The Parquet files of the {config} table, one per split.",
                "encodingFormat": PARQUET,
                "includes": f"data/{config}/*.parquet",
            }
        )
    record_sets = []
    for config in files:
        fileset = f"{config}-files"
        fields = [_fields(config, fileset, f.type, (f.name,), False) for f in schemas[config]]
        for f in fields:
            if f["name"] in descriptions.get(config, {}):
                f["description"] = descriptions[config][f["name"]]
            target = references.get(config, {}).get(f["name"])
            if target:
                f["references"] = {"field": {"@id": target}}
        if PER_DOCUMENT[config]:
            fields.append(_split_field(config, fileset))
        rs: dict[str, Any] = {"@type": "cr:RecordSet", "@id": config, "name": config}
        key = keys[config]
        rs["key"] = (
            [{"@id": f"{config}/{k}"} for k in key]
            if len(key) > 1
            else {"@id": f"{config}/{key[0]}"}
        )
        rs["field"] = fields
        record_sets.append(rs)
    doc: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "sc:Dataset",
        "conformsTo": CONFORMS_TO,
        "name": meta.name,
        "alternateName": meta.get("pretty_name", meta.name),
        "description": meta.get("description", ""),
        "version": meta.version,
        "license": [lic["path"] for lic in meta.get("licenses", []) if lic.get("path")],
        "creator": {"@type": "sc:Organization", "name": meta.get("creator", meta.name)},
        "inLanguage": languages,
        "keywords": meta.get("huggingface", {}).get("tags", []),
        "isLiveDataset": False,
        "distribution": distribution,
        "recordSet": record_sets,
    }
    if meta.get("homepage"):
        doc["url"] = meta.get("homepage")
    if meta.get("rights"):
        doc["usageInfo"] = meta.get("rights")
    cite = cite_as(prose)
    if cite:
        doc["citeAs"] = cite
    doc.update(rai)
    return doc
