"""The floor of validation: read every file validation reads (annotation files and raw
texts) and parse it into Arrow tables with the fastest reader there is, and nothing else.

    python benchmarks/floor.py CORPUS --reader pyarrow|polars

Run as its own process by ``bench_validate.py`` (wall time and peak RSS of the process).
"""

from __future__ import annotations

import argparse
import io
import os
import sys
from pathlib import Path

SHARED = ("entities.jsonl", "clusters.jsonl")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--reader", choices=("pyarrow", "polars"), default="pyarrow")
    args = parser.parse_args()
    import pyarrow as pa

    from isf_claims.schema import load_schema
    from isf_claims.tables import record_schema

    schema = record_schema(load_schema(args.corpus / "schema"))
    annotated = args.corpus / "annotated"
    names = sorted(n for n in os.listdir(annotated) if n.endswith(".jsonl") and n not in SHARED)
    data = b"".join((annotated / n).read_bytes() for n in names)
    if args.reader == "pyarrow":
        import pyarrow.json as pj

        table = pj.read_json(
            pa.BufferReader(data),
            read_options=pj.ReadOptions(block_size=4 << 20),
            parse_options=pj.ParseOptions(explicit_schema=schema),
        )
    else:
        import polars as pl

        polars_schema = pl.from_arrow(schema.empty_table()).schema
        table = pl.read_ndjson(io.BytesIO(data), schema=polars_schema).to_arrow()
    shared = [pj_read(annotated / n) for n in SHARED if (annotated / n).is_file()]
    raw = args.corpus / "raw"
    texts = pa.array(
        [(raw / n).read_bytes() for n in sorted(os.listdir(raw)) if n.endswith(".txt")],
        pa.binary(),
    ).cast(pa.string())
    print(table.num_rows, sum(t.num_rows for t in shared), len(texts), file=sys.stderr)


def pj_read(path: Path):
    import pyarrow.json as pj

    return pj.read_json(path)


if __name__ == "__main__":
    main()
