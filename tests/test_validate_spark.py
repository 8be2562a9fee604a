"""The Spark engine against the default engine, on a real Spark: the same findings (code,
file, line, record, field and every word) on every case of the bad-input suite and on
randomly corrupted corpora, and a corrupted corpus validated through a real two-worker
standalone cluster on 127.0.0.1.

One local Spark session serves the module (starting the JVM is most of a small run's
cost); the bad-input cases run in a few threads on it, since a run on a tiny corpus waits
on Spark's job scheduling far more than it computes.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from conftest import ROOT, snapshot
from isf_claims.cli import app
from isf_claims.repo import Repo
from isf_claims.synth import synth_corpus
from isf_claims.validation import Report, validate
from spark_cluster import LOCAL_IP, standalone_cluster
from test_validate_differential import _corrupt
from validation_cases import CASES, make_corpus, set_field

LOCAL = "local[2]"
runner = CliRunner()


@pytest.fixture(scope="module")
def spark() -> Any:
    """The module's one local session (127.0.0.1, as the cluster test needs)."""
    os.environ["SPARK_LOCAL_IP"] = LOCAL_IP
    from isf_claims.validation.backends.spark.session import get_session

    session = get_session(LOCAL)
    yield session
    session.stop()


def _same(spark_report: Report, default: Report) -> None:
    """Identical findings, word for word, and the same text report but the engine name."""
    assert [f.to_dict() for f in spark_report.findings] == [
        f.to_dict() for f in default.findings
    ], (default.render(0), spark_report.render(0))
    assert spark_report.render(0).replace("engine spark", "engine pandera") == default.render(0)
    assert spark_report.exit_code == default.exit_code


@pytest.fixture(scope="module")
def suite(spark: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Every bad-input case: its corrupted corpus, then the Spark and the default reports
    (Spark runs in four threads on the shared session)."""
    root = tmp_path_factory.mktemp("spark-suite")
    base = make_corpus(root / "base").root
    repos = {}
    for case in CASES:
        repo = Repo(shutil.copytree(base, root / case.name))
        case.mutate(repo)
        repos[case.name] = (repo, snapshot(repo.root))
    repos["clean"] = (Repo(base), snapshot(base))

    def run(name: str) -> Report:
        return validate(repos[name][0], engine="spark", master=LOCAL)

    with ThreadPoolExecutor(max_workers=4) as pool:
        reports = dict(zip(repos, pool.map(run, repos), strict=True))
    return {"repos": repos, "spark": reports}


def test_clean_corpus(suite: dict[str, Any]) -> None:
    report = suite["spark"]["clean"]
    assert report.findings == [] and report.exit_code == 0


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_bad_input_same_as_default(case: Any, suite: dict[str, Any]) -> None:
    repo, before = suite["repos"][case.name]
    report = suite["spark"][case.name]
    assert {f.code for f in report.findings} == case.codes, report.render(0)
    _same(report, validate(repo))
    assert snapshot(repo.root) == before


def test_given_files_and_cli(spark: Any, tmp_path: Path) -> None:
    """The pre-commit path (given files) and the command line with --engine spark."""
    repo = make_corpus(tmp_path / "corpus")
    set_field("alpha", "m1", label="PER")(repo)
    set_field("beta", "m1", text="Gaze")(repo)
    paths = [repo.annotation_path("alpha")]
    _same(validate(repo, paths, engine="spark", master=LOCAL), validate(repo, paths))
    args = ["validate", "--root", str(repo.root), "--engine", "spark", "--master", LOCAL]
    result = runner.invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 1, result.output
    assert '"engine": "spark"' in result.output and "not-in-vocabulary" in result.output
    assert "quote-mismatch" in result.output
    bad = runner.invoke(app, ["validate", "--root", str(repo.root), "--master", LOCAL])
    assert bad.exit_code == 2 and "master-without-spark" in bad.output


@pytest.fixture(scope="module")
def bases(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    root = tmp_path_factory.mktemp("spark-bases")
    synth = synth_corpus(Repo(ROOT), root / "synth", docs=3, seed=11).path
    return [synth, make_corpus(root / "fixture").root]


@settings(
    max_examples=6,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_spark_agrees_on_corrupted_corpora(
    spark: Any, bases: list[Path], data: st.DataObject
) -> None:
    base = data.draw(st.sampled_from(bases))
    with tempfile.TemporaryDirectory() as tmp:
        repo = Repo(shutil.copytree(base, Path(tmp) / "corpus"))
        for _ in range(data.draw(st.integers(1, 4))):
            _corrupt(data, repo)
        _same(validate(repo, engine="spark", master=LOCAL), validate(repo))


def test_standalone_cluster(spark: Any, tmp_path: Path) -> None:
    """A master and two one-core workers from pyspark's spark-class on 127.0.0.1; a
    corrupted synthetic corpus validated through spark://127.0.0.1:PORT (the last test of
    the module: it replaces the local session)."""
    repo = Repo(synth_corpus(Repo(ROOT), tmp_path / "corpus", docs=40, seed=3).path)
    doc = sorted(p.stem for p in repo.annotation_files())[5]
    set_field(doc, "m1", label="NOT_A_LABEL")(repo)
    repo.raw_path(sorted(p.stem for p in repo.annotation_files())[7]).write_bytes(b"changed\n")
    expected = validate(repo)
    assert {f.code for f in expected.findings} >= {"not-in-vocabulary", "raw-changed"}
    spark.stop()
    with standalone_cluster(tmp_path / "cluster", workers=2) as master:
        assert master.startswith(f"spark://{LOCAL_IP}:")
        report = validate(repo, engine="spark", master=master)
        from isf_claims.validation.backends.spark.session import get_session

        session = get_session(master)
        assert session.sparkContext.master == master
        assert session.sparkContext.defaultParallelism == 2  # two workers, one core each
        session.stop()
    _same(report, expected)
