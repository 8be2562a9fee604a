"""The Spark engine against the default engine, on a real Spark: the same findings (code,
file, line, record, field and every word) on every case of the bad-input suite, on given
files and on randomly corrupted corpora (there against the frictionless engine too: three
engines), and a corrupted corpus validated through a real two-worker standalone cluster on
127.0.0.1.

Starting the JVM and scheduling Spark jobs is most of a small run's cost, so one local
session serves the module and every corpus of the suite (each bad-input case, the clean
corpus, given files, the random corpora) is validated in ONE Spark pass
(:func:`validate_many`, rows tagged with their corpus). Only the command line and the
cluster run on their own.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from conftest import ROOT, snapshot
from engine_agreement import assert_same_reports
from isf_claims.cli import app
from isf_claims.repo import Repo
from isf_claims.synth import synth_corpus
from isf_claims.validation import Report, validate
from spark_cluster import LOCAL_IP, standalone_cluster
from test_validate_differential import _corrupt
from validation_cases import CASES, make_corpus, set_field

LOCAL = "local[2]"
RANDOM = 10  # randomly corrupted corpora, checked by the three engines
runner = CliRunner()


# For the JVMs the module starts (driver, cluster daemons, executors): the quick JIT only,
# and the serial collector. Short runs on small corpora spend much of their time compiling
# Java; this halved the suite's Spark time on a loaded 2-core machine (not for real runs,
# where the optimising compiler pays off).
JAVA_OPTIONS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"


@pytest.fixture(scope="module")
def spark() -> Any:
    """The module's one local session (127.0.0.1, as the cluster test needs)."""
    saved = {k: os.environ.get(k) for k in ("SPARK_LOCAL_IP", "JAVA_TOOL_OPTIONS")}
    os.environ["SPARK_LOCAL_IP"] = LOCAL_IP
    os.environ["JAVA_TOOL_OPTIONS"] = JAVA_OPTIONS
    from isf_claims.validation.backends.spark.session import get_session

    session = get_session(LOCAL)
    yield session
    session.stop()
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


def _same(spark_report: Report, default: Report, context: str = "") -> None:
    """The same text and JSON reports, word for word, but the engine's name."""
    assert_same_reports({"pandera": default, "spark": spark_report}, context)
    assert spark_report.exit_code == default.exit_code


def _random_corpora(bases: list[Path], root: Path) -> list[tuple[Repo, list[Path]]]:
    """``RANDOM`` corpora with one to four random corruptions each (the corruptions of the
    differential test), half of them checked as given files (the pre-commit path)."""
    out: list[tuple[Repo, list[Path]]] = []

    @settings(
        max_examples=RANDOM,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def draw(data: st.DataObject) -> None:
        target = root / f"random-{len(out)}"
        repo = Repo(shutil.copytree(data.draw(st.sampled_from(bases)), target))
        touched = [_corrupt(data, repo) for _ in range(data.draw(st.integers(1, 4)))]
        paths = [p for p in touched if p.exists()] if data.draw(st.booleans()) else []
        out.append((repo, paths))

    draw()
    return out


@pytest.fixture(scope="module")
def suite(spark: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Every corpus of the module but the cluster's, and their Spark reports, from one
    Spark pass: each bad-input case, the clean corpus, two given files, random corpora."""
    from isf_claims.validation.backends.spark import validate_many

    root = tmp_path_factory.mktemp("spark-suite")
    base = make_corpus(root / "base").root
    targets: dict[str, tuple[Repo, list[Path]]] = {}
    before = {}
    for case in CASES:
        repo = Repo(shutil.copytree(base, root / case.name))
        case.mutate(repo)
        targets[case.name] = (repo, [])
        before[case.name] = snapshot(repo.root)
    targets["clean"] = (Repo(base), [])
    given_files = make_corpus(root / "given-files")
    set_field("alpha", "m1", label="PER")(given_files)
    set_field("beta", "m1", text="Gaze")(given_files)
    targets["given-files"] = (given_files, [given_files.annotation_path("alpha")])
    bases = [
        synth_corpus(Repo(ROOT), root / "synth", docs=3, seed=11).path,
        make_corpus(root / "fixture").root,
    ]
    random = _random_corpora(bases, root / "random")
    targets |= {f"random-{n}": t for n, t in enumerate(random)}
    reports = validate_many(list(targets.values()), master=LOCAL)
    return {
        "targets": targets,
        "before": before,
        "spark": dict(zip(targets, reports, strict=True)),
    }


def test_clean_corpus(suite: dict[str, Any]) -> None:
    report = suite["spark"]["clean"]
    assert report.findings == [] and report.exit_code == 0


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_bad_input_same_as_default(case: Any, suite: dict[str, Any]) -> None:
    repo, _ = suite["targets"][case.name]
    report = suite["spark"][case.name]
    assert {f.code for f in report.findings} == case.codes, report.render(0)
    _same(report, validate(repo), case.name)
    assert snapshot(repo.root) == suite["before"][case.name]


def test_three_engines_agree_on_corrupted_corpora(suite: dict[str, Any]) -> None:
    """The differential test with a third engine: on randomly corrupted corpora (whole or
    given files), Spark reports what pandera reports, word for word, and the frictionless
    engine the same findings (code, file, line, record, field)."""
    for n in range(RANDOM):
        repo, paths = suite["targets"][f"random-{n}"]
        pandera = validate(repo, paths)
        _same(suite["spark"][f"random-{n}"], pandera, f"random-{n} {paths}")
        # Same findings from frictionless; its wording is compared by the differential test.
        frictionless = validate(repo, paths, engine="frictionless")
        assert pandera.keys() == frictionless.keys(), (pandera.render(0), frictionless.render(0))
        assert pandera.exit_code == frictionless.exit_code


def test_given_files_and_cli(spark: Any, suite: dict[str, Any]) -> None:
    """The pre-commit path (given files) and the command line with --engine spark."""
    repo, paths = suite["targets"]["given-files"]
    _same(suite["spark"]["given-files"], validate(repo, paths))
    args = ["validate", "--root", str(repo.root), "--engine", "spark", "--master", LOCAL]
    result = runner.invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 1, result.output
    assert '"engine": "spark"' in result.output and "not-in-vocabulary" in result.output
    assert "quote-mismatch" in result.output
    bad = runner.invoke(app, ["validate", "--root", str(repo.root), "--master", LOCAL])
    assert bad.exit_code == 2 and "master-without-spark" in bad.output


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
