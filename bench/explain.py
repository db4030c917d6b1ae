"""EXPLAIN ANALYZE every statement the API ran for the benchmarked URLs.

`.venv/bin/python -m bench.explain [--figures N] [--match TEXT] [--full]` after `bench.run` (it
reads bench/out/floor_queries.pickle, the captured SQL and parameters). Prints each statement's
planning and execution time, and with --full the whole plan.
"""

from __future__ import annotations

import argparse
import pickle
import re

import psycopg

from bench import db
from bench.run import OUT


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--figures", type=int, default=1_000_000)
    parser.add_argument("--match", default="")
    parser.add_argument("--full", action="store_true")
    args = parser.parse_args()
    queries = pickle.loads((OUT / "floor_queries.pickle").read_bytes())
    with db.bench_server() as (base, _):
        url = base.set(database=f"crsv_bench_{args.figures}")
        with psycopg.connect(db.psycopg_conninfo(url)) as conn:
            for target, statements in queries.items():
                if args.match not in target:
                    continue
                print(f"\n=== {target}")
                for sql, params in statements:
                    rows = conn.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params).fetchall()
                    plan = "\n".join(r[0] for r in rows)
                    times = re.findall(r"(Planning|Execution) Time: ([\d.]+)", plan)
                    head = " ".join(sql.split())[:110]
                    print(f"  {' / '.join(f'{k} {v} ms' for k, v in times):40s} {head}")
                    if args.full:
                        print(plan)
                conn.rollback()


if __name__ == "__main__":
    main()
