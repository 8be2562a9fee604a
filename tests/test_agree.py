"""Agreement figures against values computed by hand on small cases."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from convert_fixtures import make_repo, write_doc, write_shared
from isf_claims.agreement import agreement_report
from isf_claims.agreement.stats import cohen_kappa, krippendorff_alpha
from isf_claims.cli import app
from isf_claims.repo import Repo

TEXT = "Alpha Beta Gamma Delta said peace now"


def M(i: int, label: str, s: int, e: int) -> dict:
    return {
        "layer": "mention",
        "id": f"m{i}",
        "label": label,
        "start": s,
        "end": e,
        "text": TEXT[s:e],
    }


def C(i: int, content: tuple[int, int], cue=None, source=None, **attrs) -> dict:
    def sp(x):
        return None if x is None else {"start": x[0], "end": x[1], "text": TEXT[x[0] : x[1]]}

    base = {
        "attribution": "unattributed",
        "source_type": "outlet",
        "cue_commitment": "none",
        "polarity": "positive",
        "claim_type": "factual",
    }
    return {
        "layer": "claim",
        "id": f"c{i}",
        "content": sp(content),
        "cue": sp(cue),
        "source": sp(source),
        **base,
        **attrs,
    }


def _set(repo: Repo, name: str, records: list[dict], clusters: list[dict]) -> Path:
    write_doc(repo, "d1", records)
    write_shared(repo, [], clusters)
    folder = repo.root / name
    shutil.copytree(repo.annotated_dir, folder)
    return folder


@pytest.fixture
def sets(tmp_path: Path) -> tuple[Repo, Path, Path]:
    repo = make_repo(tmp_path, {"d1": TEXT})
    said = (23, 27)
    a = _set(
        repo,
        "A",
        [
            M(1, "PERSON", 0, 10),
            M(2, "GPE", 11, 16),
            M(3, "ORG", 17, 22),
            C(
                1,
                (28, 37),
                said,
                (17, 22),
                attribution="indirect",
                source_type="named",
                cue_commitment="neutral",
            ),
            C(2, (0, 10), claim_type="evaluation"),
        ],
        [
            {
                "id": "k1",
                "proposition": "p",
                "members": [{"doc_id": "d1", "claim": "c1"}, {"doc_id": "d1", "claim": "c2"}],
            }
        ],
    )
    b = _set(
        repo,
        "B",
        [
            M(1, "PERSON", 0, 5),
            M(2, "GPE", 11, 16),
            M(3, "GPE", 17, 22),
            C(
                1,
                (28, 33),
                said,
                (11, 22),
                attribution="indirect",
                source_type="named",
                cue_commitment="hedged",
            ),
            C(5, (11, 16)),
        ],
        [
            {
                "id": "x",
                "proposition": "p",
                "members": [{"doc_id": "d1", "claim": "c1"}, {"doc_id": "d1", "claim": "c5"}],
            }
        ],
    )
    return repo, a, b


def test_mention_f1_by_hand(sets) -> None:
    report = agreement_report(*sets)
    m = report["mentions"]
    assert m["all"]["exact"]["f1"] == pytest.approx(1 / 3)  # only GPE "Gamma" is identical
    assert m["all"]["overlap"]["precision"] == pytest.approx(2 / 3)  # Alpha~Alpha Beta, Gamma
    assert m["all"]["overlap"]["recall"] == pytest.approx(2 / 3)
    gpe = m["per_label"]["GPE"]["exact"]
    assert (gpe["precision"], gpe["recall"], gpe["f1"]) == (0.5, 1.0, pytest.approx(2 / 3))
    assert m["per_label"]["PERSON"]["exact"]["f1"] == 0.0
    assert m["per_label"]["PERSON"]["overlap"]["f1"] == 1.0
    org = m["per_label"]["ORG"]["exact"]
    assert (org["precision"], org["recall"], org["f1"]) == (None, 0.0, 0.0)


def test_token_kappa_and_alpha_by_hand(sets) -> None:
    t = agreement_report(*sets)["tokens"]
    # tokens: Alpha Beta Gamma Delta said peace now
    # A: PERSON PERSON GPE ORG O O O ; B: PERSON O GPE GPE O O O
    assert t["tokens"] == 7
    assert t["observed"] == pytest.approx(5 / 7)
    assert t["cohen_kappa"] == pytest.approx(19 / 33)  # pe = (2*1 + 1*2 + 3*4) / 49
    assert t["krippendorff_alpha"] == pytest.approx(76 / 128)  # 1 - 13 * 4 / (196 - 68)


def test_claim_agreement_by_hand(sets) -> None:
    c = agreement_report(*sets)["claims"]
    assert c["content_exact"]["f1"] == 0.0
    assert (c["content_overlap"]["precision"], c["content_overlap"]["recall"]) == (0.5, 0.5)
    assert c["matched"] == 1
    assert c["spans"] == {"cue": 1.0, "source": 0.0}
    assert c["attributes"]["attribution"]["observed"] == 1.0
    assert c["attributes"]["cue_commitment"] == {"observed": 0.0, "cohen_kappa": 0.0}


def test_cluster_agreement_by_hand(sets) -> None:
    k = agreement_report(*sets)["clusters"]
    # A pairs {c1,c2}; B pairs {c1, B's unmatched c5}: nothing shared
    assert k["clusters"] == {"a": 1, "b": 1}
    assert (k["pairs"]["precision"], k["pairs"]["recall"], k["pairs"]["f1"]) == (0.0, 0.0, 0.0)


def test_identical_sets_agree_fully(repo: Repo) -> None:
    report = agreement_report(repo, repo.annotated_dir, repo.annotated_dir)
    assert report["mentions"]["all"]["exact"]["f1"] == 1.0
    assert report["tokens"]["cohen_kappa"] == 1.0
    assert report["claims"]["content_exact"]["f1"] == 1.0
    assert report["clusters"]["pairs"]["f1"] == 1.0


def test_kappa_and_alpha_formulas() -> None:
    a = np.array(["x", "x", "y", "y"])
    b = np.array(["x", "y", "y", "y"])
    # po = 3/4, pe = (2*1 + 2*3)/16 = 1/2 -> kappa 1/2; alpha = 1 - 7*2/(64-(9+25)) = 8/15
    assert cohen_kappa(a, b) == pytest.approx(0.5)
    assert krippendorff_alpha(a, b) == pytest.approx(8 / 15)


def test_agree_cli_text_and_json(sets) -> None:
    repo, a, b = sets
    runner = CliRunner()
    res = runner.invoke(app, ["agree", str(a), str(b), "--root", str(repo.root)])
    assert res.exit_code == 0, res.stderr
    assert "Cohen's kappa 0.576" in res.stdout and "Krippendorff's alpha 0.594" in res.stdout
    res = runner.invoke(
        app, ["agree", str(a), str(b), "--format", "json", "--root", str(repo.root)]
    )
    data = json.loads(res.stdout)
    assert data["documents"] == ["d1"] and data["claims"]["matched"] == 1
    res = runner.invoke(app, ["agree", str(a), str(repo.root / "nope"), "--root", str(repo.root)])
    assert res.exit_code == 2 and "not-a-folder" in res.stderr
