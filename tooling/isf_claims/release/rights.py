"""The dataset's rights in its article texts, from ``dataset.json``.

``"texts_relicensed"`` says whether the project may redistribute the articles' texts (it may
not when copyright stays with the publishers); ``"text_access"`` says where a user can obtain
a text that has no URL. Both decide what ``publish`` sends by default: the standoff release
when the texts are not relicensed (or when ``dataset.json`` does not say).
"""

from __future__ import annotations

from isf_claims.errors import refuse
from isf_claims.release.metadata import DATASET_FILE, DatasetMeta

RELICENSED_KEY = "texts_relicensed"
ACCESS_KEY = "text_access"


def texts_relicensed(meta: DatasetMeta) -> bool:
    """Whether the article texts may be redistributed (absent: no)."""
    value = meta.get(RELICENSED_KEY, False)
    if not isinstance(value, bool):
        raise refuse(
            "dataset-meta-invalid",
            path=DATASET_FILE,
            expected=f'"{RELICENSED_KEY}": false (true only when the texts were relicensed)',
            found=repr(value),
            note=f"{RELICENSED_KEY!r} in dataset.json is not true or false",
        )
    return value


def text_access(meta: DatasetMeta) -> str | None:
    """How to obtain a text that has no URL (null when ``dataset.json`` does not say)."""
    value = meta.get(ACCESS_KEY)
    return value if isinstance(value, str) and value.strip() else None
