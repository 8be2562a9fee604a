"""The card states, per document, how many annotators there were and whether the document was
adjudicated (the document record's ``annotator_count`` and ``adjudicated``, schema 1.2.0)."""

from __future__ import annotations

from isf_claims.release import card
from isf_claims.release.build import BuildResult

pytest_plugins = ["test_release_fixtures"]


def test_card_lists_annotators_per_document(release: BuildResult) -> None:
    text = release.files["README.md"].decode("utf-8")
    section = text.split("### Annotators per document", 1)[1].split("###", 1)[0]
    # the real articles: one annotator, not adjudicated; the synthetic ones record neither
    assert "| `kazinform_uk-officers-join-gaza-stabilization-effort` | 1 | no |" in section
    assert "| `synthetic-000` | not recorded | not recorded |" in section
    groups = release.report["statistics"]["annotation"]["by_annotators"]
    assert {"annotators": 1, "adjudicated": False, "documents": 2} in groups


def test_many_documents_are_counted_not_listed() -> None:
    groups = [
        {"annotators": 2, "adjudicated": True, "documents": 150},
        {"annotators": None, "adjudicated": None, "documents": 3},
    ]
    lines = card.annotation_markdown({"per_document": None, "by_annotators": groups})
    assert "| 2 | yes | 150 |" in lines and "| not recorded | not recorded | 3 |" in lines
