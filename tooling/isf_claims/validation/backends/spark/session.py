"""The Spark session the engine runs on: ``local[N]``, a standalone ``spark://host:port``
master or a Spark Connect ``sc://host:port`` server (default ``local[*]``).

One session per process and master: a second run on the same master reuses it (starting
the JVM is most of the cost of a small run).
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
from collections.abc import Sequence
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
    builder = (
        SparkSession.builder.master(master)
        .appName("isf-claims validate")
        .config("spark.ui.enabled", os.environ.get("ISF_SPARK_UI", "false"))
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        # Each level's failing rows come back in one job; adaptive execution would split
        # every shuffle of it into a job of its own (partitions are sized by ``tune``).
        .config("spark.sql.adaptive.enabled", "false")
        # A broadcast join is a job of its own; a shuffle join is a stage of the same job.
        .config("spark.sql.autoBroadcastJoinThreshold", "-1")
        .config("spark.driver.memory", os.environ.get("ISF_SPARK_DRIVER_MEMORY", "2g"))
    )
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


SHUFFLE_BYTES = 64 * 2**20  # input bytes per shuffle partition
CODEGEN_BYTES = 64 * 2**20  # below this, plans are interpreted rather than compiled


def tune(spark: Any, parts: Sequence[Any]) -> int:
    """Settings for the run's size: one shuffle partition per ``SHUFFLE_BYTES`` of
    annotation files (a small corpus is checked in one partition per shuffle, not Spark's
    default 200); below ``CODEGEN_BYTES``, no code generation: compiling the generated
    Java of every stage took most of a small run (14 s instead of 69 s for three small
    corpora on a loaded 2-core machine)."""
    total = 0
    for part in parts:
        for f in part.files:
            if not f.refused:
                with contextlib.suppress(OSError):
                    total += f.path.stat().st_size
    n = max(1, math.ceil(total / SHUFFLE_BYTES))
    spark.conf.set("spark.sql.shuffle.partitions", str(n))
    small = total < CODEGEN_BYTES
    spark.conf.set("spark.sql.codegen.wholeStage", str(not small).lower())
    spark.conf.set("spark.sql.codegen.factoryMode", "NO_CODEGEN" if small else "FALLBACK")
    return n
