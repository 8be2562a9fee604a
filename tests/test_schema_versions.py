"""Real schema migrations: 1.1.0 gives claims the optional ``addressee`` span; 1.2.0 gives the
document record ``annotator_count`` and ``adjudicated``.

The corpus is on 1.2.0; its 1.0.0 form (no addressee, no annotator fields) still validates, and
migrating that form gives back the committed files except for what the later annotation added:
the addressee and the two document fields (null after migration: not recorded).
"""

from __future__ import annotations

import json

from typer.testing import CliRunner

from isf_claims.cli import app
from isf_claims.corpus import load_corpus
from isf_claims.repo import Repo
from isf_claims.schema import known_versions, load_schema
from isf_claims.validation import validate

runner = CliRunner()
UNN = "2025-10-16_us-pushes-international-force-gaza"


def _as_1_0_0(repo: Repo) -> None:
    """Rewrite the copy's annotation files as they would be under schema 1.0.0."""
    for path in repo.annotation_files():
        lines = []
        for line in path.read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            if rec["layer"] == "document":
                rec["schema_version"] = "1.0.0"
                rec.pop("annotator_count", None)
                rec.pop("adjudicated", None)
            rec.pop("addressee", None)
            lines.append(json.dumps(rec, ensure_ascii=False, separators=(", ", ": ")))
        path.write_text("".join(x + "\n" for x in lines), encoding="utf-8")


def test_every_kept_version_is_readable(repo: Repo) -> None:
    assert known_versions(repo.schema_dir)[:3] == ["1.0.0", "1.1.0", "1.2.0"]
    old, new = (load_schema(repo.schema_dir, v) for v in ("1.0.0", "1.1.0"))
    assert "addressee" not in old.layer("claim").field_names
    assert new.layer("claim").field("addressee").type == "span"
    newest = load_schema(repo.schema_dir, "1.2.0").layer("document")
    assert newest.field("adjudicated").type == "boolean"
    assert newest.field("annotator_count").minimum == 1
    assert load_corpus(repo).schema.version == "1.2.0"


def test_the_corpus_records_the_addressee(repo: Repo) -> None:
    claims = load_corpus(repo, [UNN])["claims"].to_pylist()
    (c,) = [c for c in claims if c["cue_text"] == "told"]
    assert (c["addressee_text"], c["source_text"]) == ("Reuters", "two unnamed senior US advisers")


def test_migrating_the_1_0_0_form_gives_back_the_corpus(repo_copy: Repo) -> None:
    committed = {p: p.read_bytes() for p in repo_copy.annotation_files()}
    _as_1_0_0(repo_copy)
    assert validate(repo_copy).ok  # files on 1.0.0 validate while 1.1.0 and 1.2.0 are kept
    result = runner.invoke(app, ["migrate", "--to", "1.2.0", "--root", str(repo_copy.root)])
    assert result.exit_code == 0, result.output
    assert validate(repo_copy).ok
    for path, data in committed.items():
        old, new = data.decode().splitlines(), path.read_text(encoding="utf-8").splitlines()
        head_old, head_new = json.loads(old[0]), json.loads(new[0])
        assert (head_old["annotator_count"], head_old["adjudicated"]) == (1, False)
        assert (head_new["annotator_count"], head_new["adjudicated"]) == (None, None)
        changed = [(a, b) for a, b in zip(old[1:], new[1:], strict=True) if a != b]
        if path.name != f"{UNN}.jsonl":
            assert changed == []
            continue
        # only the claim whose addressee 1.0.0 could not hold differs: null after migration
        ((before, after),) = changed
        assert json.loads(before)["addressee"]["text"] == "Reuters"
        assert json.loads(after)["addressee"] is None
