"""Split assignment: a fixed rule over document ids, so a document never changes split.

A document's split depends on its id alone (never on the corpus size, order or the other
documents), so adding documents leaves every existing assignment as it was. Changing this
rule re-splits documents, which is a MAJOR dataset version.
"""

from __future__ import annotations

import hashlib

import pyarrow as pa

SPLITS = ("train", "validation", "test")
# Upper bounds (exclusive) of each split's buckets out of 100.
BOUNDS = {"train": 80, "validation": 90, "test": 100}
RULE_ID = "sha256-mod-100:train<80,validation<90,test<100"
RULE_TEXT = (
    "A document's split is a function of its id alone: bucket = (the SHA-256 digest of the "
    "UTF-8 bytes of doc_id, read as a big-endian integer) mod 100; buckets 0-79 are train, "
    "80-89 validation and 90-99 test. Adding documents never moves an existing one."
)


def bucket(doc_id: str) -> int:
    """The bucket (0-99) of ``doc_id``."""
    return int.from_bytes(hashlib.sha256(doc_id.encode("utf-8")).digest(), "big") % 100


def split_of(doc_id: str) -> str:
    """The split ``doc_id`` belongs to, by :data:`RULE_TEXT`."""
    b = bucket(doc_id)
    return next(name for name in SPLITS if b < BOUNDS[name])


def assign(doc_ids: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Split name per document id (one hash per document; never per span)."""
    return pa.array([split_of(d) for d in doc_ids.to_pylist()], pa.string())
