"""``diff`` names the fields that changed in each changed record, with the old and new
values, in the text report and in JSON (documents, nested records and shared records)."""

from __future__ import annotations

import json

import polars as pl

from isf_claims.release.diff import Snapshot, diff


def snap(label: str, mention_label: str, entity: str | None, outlet: str, name: str) -> Snapshot:
    mentions = [
        {
            "id": "m1",
            "label": mention_label,
            "start": 0,
            "end": 4,
            "text": "Gaza",
            "entity": entity,
        },
        {"id": "m2", "label": "ORG", "start": 5, "end": 7, "text": "UN", "entity": None},
    ]
    docs = pl.DataFrame(
        {
            "doc_id": ["d1"],
            "outlet": [outlet],
            "text": ["Gaza UN"],
            "mentions": [mentions],
            "split": ["train"],
        }
    )
    entities = pl.DataFrame({"id": ["e1"], "name": [name], "label": ["GPE"]})
    clusters = pl.DataFrame(schema={"id": pl.String})
    return Snapshot(label, "1.0.0", docs, entities, clusters)


def test_changed_records_list_their_fields_with_old_and_new_values() -> None:
    old = snap("old", "GPE", None, "Wire", "Gaza")
    new = snap("new", "LOC", "e1", "Wire Service", "Gaza Strip")
    result = diff(old, new)
    doc = result.documents["d1"]
    assert doc["status"] == "document fields changed"
    assert doc["fields"] == {"outlet": {"old": "Wire", "new": "Wire Service"}}
    assert doc["layers"]["mentions"]["changed"] == ["m1"]
    assert doc["changed_fields"]["mentions"]["m1"] == {
        "entity": {"old": None, "new": "e1"},
        "label": {"old": "GPE", "new": "LOC"},
    }
    assert result.shared_fields["entities"] == {
        "e1": {"name": {"old": "Gaza", "new": "Gaza Strip"}}
    }
    data = json.loads(json.dumps(result.to_dict()))
    assert data["documents"]["d1"]["changed_fields"]["mentions"]["m1"]["label"]["new"] == "LOC"
    assert data["shared_changed_fields"]["entities"]["e1"]["name"]["old"] == "Gaza"
    text = result.render()
    assert '  outlet: "Wire" -> "Wire Service"' in text
    assert '    m1:\n      entity: null -> "e1"\n      label: "GPE" -> "LOC"' in text
    assert '  e1:\n    name: "Gaza" -> "Gaza Strip"' in text


def test_an_unchanged_release_has_no_field_changes() -> None:
    same = diff(snap("a", "GPE", None, "Wire", "Gaza"), snap("b", "GPE", None, "Wire", "Gaza"))
    assert same.bump == "patch" and not same.documents
    assert all(not v for v in same.shared_fields.values())
