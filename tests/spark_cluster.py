"""A real Spark standalone cluster on 127.0.0.1 for the tests and the benchmark: one
master and workers of one core each, started with pyspark's own ``bin/spark-class``, on
free ports, each in its own process group so that stopping it stops everything it ran."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCAL_IP = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((LOCAL_IP, 0))
        return int(s.getsockname()[1])


def spark_home() -> Path:
    import pyspark

    return Path(pyspark.__file__).parent


def _start(args: list[str], log: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    cmd = [str(spark_home() / "bin" / "spark-class"), *args]
    with log.open("wb") as out:
        return subprocess.Popen(
            cmd, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )


def _alive_workers(ui_port: int) -> int:
    try:
        with urllib.request.urlopen(f"http://{LOCAL_IP}:{ui_port}/json/", timeout=2) as r:
            return int(json.load(r).get("aliveworkers", 0))
    except OSError:
        return 0


@contextmanager
def standalone_cluster(workdir: Path, workers: int = 2, timeout: float = 120) -> Iterator[str]:
    """A master and ``workers`` one-core workers; yields ``spark://127.0.0.1:PORT``."""
    workdir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "SPARK_HOME": str(spark_home()), "SPARK_LOCAL_IP": LOCAL_IP}
    env.pop("SPARK_REMOTE", None)
    port, ui = free_port(), free_port()
    master = f"spark://{LOCAL_IP}:{port}"
    procs: list[subprocess.Popen[bytes]] = []
    try:
        procs.append(
            _start(
                [
                    "org.apache.spark.deploy.master.Master",
                    "--host", LOCAL_IP,
                    "--port", str(port),
                    "--webui-port", str(ui),
                ],
                workdir / "master.log",
                env,
            )
        )  # fmt: skip
        for i in range(workers):
            procs.append(
                _start(
                    [
                        "org.apache.spark.deploy.worker.Worker",
                        "--host", LOCAL_IP,
                        "--cores", "1",
                        "--memory", "1g",
                        "--port", str(free_port()),
                        "--webui-port", str(free_port()),
                        "--work-dir", str(workdir / f"worker{i}"),
                        master,
                    ],
                    workdir / f"worker{i}.log",
                    env,
                )
            )  # fmt: skip
        deadline = time.monotonic() + timeout
        while _alive_workers(ui) < workers:
            if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
                logs = {p.name: p.read_text()[-2000:] for p in workdir.glob("*.log")}
                raise RuntimeError(f"the Spark cluster did not start: {logs}")
            time.sleep(0.5)
        yield master
    finally:
        for p in procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
