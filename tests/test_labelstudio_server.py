"""The real Label Studio server, end to end: pre-annotated tasks in, an annotator's edit out.

Label Studio runs from its own venv (``.venv-ls/``, made by ``make ls-venv`` as part of
``make test``/``make install``; it pins pyarrow<25, the project pins pyarrow 26). The test
starts the server on 127.0.0.1 (a free port, a temporary data directory seeded with the
migrated empty database ``make ls-venv`` prepared, a user and API token from the
``LABEL_STUDIO_*`` variables), creates a project from the exported ``config.xml`` through the
REST API, imports the exported tasks with their predictions, submits an annotation that
corrects a predicted span lying after astral characters (so UTF-16 offsets are exercised),
exports the project in Label Studio's own JSON format, imports that file with
``isf-claims import labelstudio`` and checks the annotation file it writes. It stops the
server it started.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from convert_fixtures import ROOT
from isf_claims import annotations as fmt
from isf_claims.cli import app
from isf_claims.schema import load_schema
from test_labelstudio_predictions import PREDICTED, TEXT, at, draft_repo, u16, write_predictions

LS_VENV = Path(os.environ.get("ISF_CLAIMS_LS_VENV", ROOT / ".venv-ls"))
LS_BIN = LS_VENV / "bin" / "label-studio"
TEMPLATE_DB = LS_VENV / "template" / "label_studio.sqlite3"
STARTUP_SECONDS = 240  # with the template database it starts in ~20 s; migrating takes minutes


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LabelStudio:
    """A small REST client for the server the fixture started."""

    def __init__(self, base: str, token: str) -> None:
        self.base, self.token = base, token

    def call(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode("utf-8")
        req = urllib.request.Request(
            self.base + path,
            data=data,
            method=method,
            headers={"Authorization": f"Token {self.token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(req, timeout=120) as resp:
                raw = resp.read()
        except urllib.error.HTTPError as err:
            raise AssertionError(f"{method} {path}: {err.code} {err.read()[:2000]!r}") from err
        return json.loads(raw) if raw else None


def _up(base: str) -> bool:
    try:
        with urllib.request.urlopen(base + "/health", timeout=5) as resp:
            return resp.status == 200
    except (OSError, urllib.error.URLError):
        return False


@pytest.fixture(scope="module")
def label_studio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabelStudio]:
    if not LS_BIN.exists():
        message = f"Label Studio is not installed in {LS_VENV}: run `make ls-venv`"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    data = tmp_path_factory.mktemp("label-studio-data")
    if TEMPLATE_DB.is_file():
        shutil.copyfile(TEMPLATE_DB, data / TEMPLATE_DB.name)
    port, token = _free_port(), secrets.token_hex(20)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LABEL_STUDIO_", "DJANGO_"))}
    env.update(
        LABEL_STUDIO_BASE_DATA_DIR=str(data),
        LABEL_STUDIO_USERNAME="annotator@example.com",
        LABEL_STUDIO_PASSWORD=secrets.token_hex(12),
        LABEL_STUDIO_USER_TOKEN=token,
        LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN="true",
        LABEL_STUDIO_LATEST_VERSION_CHECK="false",
    )
    log = (data / "server.log").open("wb")
    cmd = [str(LS_BIN), "start", "--no-browser", "--internal-host", "127.0.0.1"]
    cmd += ["--port", str(port), "--data-dir", str(data)]
    proc = subprocess.Popen(
        cmd,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not _up(base):
            if proc.poll() is not None or time.monotonic() > deadline:
                tail = (data / "server.log").read_text("utf-8", "replace")[-3000:]
                pytest.fail(f"Label Studio did not start (exit {proc.poll()}):\n{tail}")
            time.sleep(0.5)
        yield LabelStudio(base, token)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # the server's own process group
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
        log.close()


def test_preannotated_tasks_round_trip_through_label_studio(
    label_studio: LabelStudio, tmp_path: Path
) -> None:
    repo = draft_repo(tmp_path)
    preds = write_predictions(tmp_path / "baseline.jsonl", PREDICTED)
    out = tmp_path / "ls"
    runner = CliRunner()
    res = runner.invoke(
        app,
        [
            "export",
            "labelstudio",
            "--out",
            str(out),
            "--predictions",
            str(preds),
            "--model-version",
            "rules-v1",
            "--root",
            str(repo.root),
        ],
    )
    assert res.exit_code == 0, res.stderr

    ls = label_studio
    config = (out / "config.xml").read_text("utf-8")
    project = ls.call("POST", "/api/projects", {"title": "isf-claims", "label_config": config})
    pid = project["id"]
    tasks = json.loads((out / "tasks.json").read_text("utf-8"))
    imported = ls.call("POST", f"/api/projects/{pid}/import", tasks)
    assert (imported["task_count"], imported["prediction_count"]) == (1, 1)

    (task,) = ls.call("GET", f"/api/tasks?project={pid}")["tasks"]
    assert task["data"]["text"] == TEXT
    (pred,) = ls.call("GET", f"/api/predictions?task={task['id']}")
    assert pred["model_version"] == "rules-v1"
    # The annotator accepts the predictions and widens "Gaza" to "Gaza City" (a span after
    # the flag and the emoji: Label Studio counts UTF-16 units, the corpus code points).
    result = pred["result"]
    gaza = next(r for r in result if r["value"]["text"] == "Gaza")
    s, e = at("Gaza City")
    assert gaza["value"]["start"] == u16(s) != s
    gaza["value"].update(end=u16(e), text="Gaza City")
    ls.call("POST", f"/api/tasks/{task['id']}/annotations", {"result": result, "lead_time": 4.2})

    exported = ls.call("GET", f"/api/projects/{pid}/export?exportType=JSON")
    assert [len(t["annotations"]) for t in exported] == [1]
    download = tmp_path / "downloads" / f"project-{pid}-at-2026-10-20-12-00-3f2a1b.json"
    download.parent.mkdir()
    download.write_text(json.dumps(exported, ensure_ascii=False), "utf-8")

    res = runner.invoke(app, ["import", "labelstudio", str(download), "--root", str(repo.root)])
    assert res.exit_code == 0, res.stderr
    schema = load_schema(repo.schema_dir)
    header = json.loads(repo.annotation_path("d1").read_text("utf-8").splitlines()[0])
    mentions = [
        {
            "layer": "mention",
            "id": "m1",
            "label": "GPE",
            "start": s,
            "end": e,
            "text": "Gaza City",
            "entity": None,
        },
        {
            "layer": "mention",
            "id": "m2",
            "label": "DATE",
            **dict(zip(("start", "end"), at("Monday"), strict=True)),
            "text": "Monday",
            "entity": None,
        },
    ]
    expected = fmt.to_bytes(fmt.document_lines(schema, header, mentions))
    assert repo.annotation_path("d1").read_bytes() == expected
    assert header["status"] == "draft" and header["annotators"] == "annotator A"
    res = runner.invoke(app, ["validate", "--root", str(repo.root)])
    assert res.exit_code == 0, res.stdout
