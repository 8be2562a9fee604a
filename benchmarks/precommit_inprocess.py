"""The pre-commit path measured inside one process, after imports: validation of one
changed document file of a corpus (what the hook does once Python and the libraries are
loaded). Prints JSON: the first call and the median of the following ones, in seconds.

    python benchmarks/precommit_inprocess.py CORPUS DOC_ID
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

from isf_claims.repo import Repo
from isf_claims.validation import validate
from isf_claims.validation.backends.pandera import (  # noqa: F401 (imports first)
    anchoring,
    contract,
    corpus,
    references,
)


def main() -> None:
    repo = Repo(Path(sys.argv[1]).resolve())
    path = repo.annotation_path(sys.argv[2])
    times = []
    for _ in range(6):
        start = time.perf_counter()
        report = validate(repo, [path])
        times.append(time.perf_counter() - start)
        assert report.files_checked == 1
    print(json.dumps({"first": times[0], "median_warm": statistics.median(times[1:])}))


if __name__ == "__main__":
    main()
