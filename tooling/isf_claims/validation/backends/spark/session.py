"""The Spark session the engine runs on: ``local[N]``, a standalone ``spark://host:port``
master or a Spark Connect ``sc://host:port`` server (default ``local[*]``).

One session per process and master: a second run on the same master reuses it (starting
the JVM is most of the cost of a small run).
"""

from __future__ import annotations

import os
import sys
from typing import Any

from isf_claims.errors import refuse

DEFAULT_MASTER = "local[*]"
_PREFIXES = ("local", "spark://", "sc://")


def check_master(master: str) -> str:
    """``master`` if it is a form the engine knows, else a usage error (exit 2)."""
    if not master.startswith(_PREFIXES):
        raise refuse(
            "unknown-spark-master",
            expected="local, local[N], local[*], spark://HOST:PORT or sc://HOST:PORT",
            found=master,
        )
    return master


def spark_missing() -> Exception:
    return refuse("spark-not-installed", expected="pyspark importable", found="no module pyspark")


def get_session(master: str = DEFAULT_MASTER) -> Any:
    """The active session for ``master``, created when there is none."""
    check_master(master)
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise spark_missing() from None
    if master.startswith("sc://"):
        return SparkSession.builder.remote(master).getOrCreate()
    active = SparkSession.getActiveSession()
    if active is not None and active.sparkContext.master == master:
        return active
    if active is not None:
        active.stop()
    # Executors run the level-1 reader in Python: the driver's interpreter, where
    # isf-claims is installed (on a real cluster: the same version on every worker).
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    cores = os.cpu_count() or 2
    builder = (
        SparkSession.builder.master(master)
        .appName("isf-claims validate")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", str(max(4, 2 * cores)))
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", os.environ.get("ISF_SPARK_DRIVER_MEMORY", "2g"))
    )
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session
