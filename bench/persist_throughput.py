"""Persist throughput: 50,000 fragment-sized rows into ``fragments`` on the embedded database,
next to a raw ``COPY`` of the same rows in the same run.

Each repetition: COPY the rows (as the database owner, in one transaction), empty the table, then
persist them through the product path (``PostgresRepository`` -> ``lendaria_persist``: pack role,
RLS scope, upsert on the natural key, dedupe, sync, job row), then persist them again (a no-op).
Reports rows/s and the ratio COPY time / persist time (target >= 0.5). Prints a table and writes
bench/results/persist_throughput.json.

Usage: python bench/persist_throughput.py [--rows 50000] [--repeat 3] [--corpus PATH]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import psycopg  # noqa: E402

from lendaria.db import migrations  # noqa: E402
from lendaria.db.embedded import EmbeddedPostgres  # noqa: E402
from lendaria.db.repository import PostgresRepository  # noqa: E402
from lendaria.settings import Settings  # noqa: E402

SHA = "0" * 64
TARGET = 0.5


def fragment_rows(corpus: Path, count: int) -> list[dict]:
    """``count`` fragments of 30-60 words cut from the corpus texts (wrapping around as needed)."""
    if not (corpus / "MANIFEST.yaml").is_file():
        sys.exit(f"corpus not found at {corpus} (expected ../shared/corpus with MANIFEST.yaml)")
    words = " ".join(p.read_text(encoding="utf-8") for p in sorted(corpus.glob("*/*.txt"))).split()
    rows, position = [], 0
    for index in range(count):
        size = 30 + index % 31
        if position + size > len(words):
            position = index % 97
        content = " ".join(words[position:position + size])
        position += size
        rows.append({"fragment_id": f"frag-{index:07d}", "source_id": "bench-source", "start_offset": index * 400,
                     "end_offset": index * 400 + len(content), "content": content,
                     "content_sha256": hashlib.sha256(content.encode()).hexdigest(), "words": size,
                     "contract_path": "minds/bench/analysis/fragments.jsonl", "contract_sha256": SHA})
    return rows


def seed_mind(repository: PostgresRepository) -> None:
    repository.persist("etl", {
        "run_id": "bench-seed",
        "mind": {"slug": "bench", "row": {"display_name": "Bench", "contract_path": "minds/bench/sources/metadata.yaml", "contract_sha256": SHA}},
        "tables": [{"table": "sources", "key": ["source_id"], "sync": True, "rows": [{
            "source_id": "bench-source", "status": "collected", "type": "book", "title": "Bench", "format": "txt",
            "origin_kind": "file", "origin_location": "bench.txt", "language": "en", "words": 1, "content_sha256": SHA,
            "contract_path": "minds/bench/sources/bench-source.md", "contract_sha256": SHA}]}],
    })


def copy_rows(url: str, rows: list[dict]) -> float:
    with psycopg.connect(url) as conn:
        mind_id, source_row = conn.execute("select m.id, s.id from minds m join sources s on s.mind_id = m.id where m.slug = 'bench'").fetchone()
        start = time.perf_counter()
        with conn.transaction(), conn.cursor().copy(
            "copy public.fragments (mind_id, source_row_id, fragment_id, start_offset, end_offset, content, content_sha256, "
            "words, contract_path, contract_sha256, run_id) from stdin"
        ) as copy:
            for r in rows:
                copy.write_row((mind_id, source_row, r["fragment_id"], r["start_offset"], r["end_offset"], r["content"],
                                r["content_sha256"], r["words"], r["contract_path"], r["contract_sha256"], "bench-copy"))
        elapsed = time.perf_counter() - start
        conn.execute("truncate public.fragments cascade")
        conn.commit()
    return elapsed


def persist_rows(repository: PostgresRepository, rows: list[dict], run_id: str) -> tuple[float, dict]:
    payload = {"run_id": run_id, "stage": "innerlens", "mind": {"slug": "bench"}, "tables": [{
        "table": "fragments", "key": ["fragment_id"], "rows": rows, "sync": True,
        "resolve": [{"column": "source_row_id", "table": "sources", "by": "source_id"}]}]}
    start = time.perf_counter()
    result = repository.persist("innerlens", payload)
    return time.perf_counter() - start, result["counts"]["fragments"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--corpus", type=Path, default=Path(os.environ.get("LENDARIA_CORPUS", REPO.parent / "shared" / "corpus")))
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "persist_throughput.json")
    args = parser.parse_args()

    rows = fragment_rows(args.corpus, args.rows)
    copy_times, cold_times, noop_times = [], [], []
    with tempfile.TemporaryDirectory(prefix="lendaria-bench-db-") as tmp:
        server = EmbeddedPostgres(Path(tmp) / "home")
        try:
            url = server.start()
            with psycopg.connect(url, autocommit=True) as conn:
                migrations.apply_bootstrap(conn)
                migrations.migrate(conn)
            repository = PostgresRepository(url, Settings())
            seed_mind(repository)
            def settle() -> None:  # flush dirty pages so no measurement pays for another's checkpoint
                with psycopg.connect(url, autocommit=True) as conn:
                    conn.execute("checkpoint")

            for attempt in range(args.repeat):
                settle()
                copy_times.append(copy_rows(url, rows))
                settle()
                cold, counts = persist_rows(repository, rows, f"bench-{attempt}")
                assert counts["written"] == len(rows), counts
                noop, counts = persist_rows(repository, rows, f"bench-{attempt}-again")
                assert counts["written"] == 0, counts
                cold_times.append(cold)
                noop_times.append(noop)
                with psycopg.connect(url, autocommit=True) as conn:
                    conn.execute("truncate public.fragments cascade")
        finally:
            server.stop()

    def median(values: list[float]) -> float:
        return sorted(values)[len(values) // 2]

    t_copy, t_cold, t_noop = median(copy_times), median(cold_times), median(noop_times)
    ratio = t_copy / t_cold
    report = {
        "benchmark": "persist_throughput",
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "rows": len(rows), "repeat": args.repeat,
        "bytes_of_content": sum(len(r["content"]) for r in rows),
        "seconds": {"copy": round(t_copy, 4), "persist_cold": round(t_cold, 4), "persist_noop": round(t_noop, 4),
                    "all_copy": [round(v, 4) for v in copy_times], "all_persist_cold": [round(v, 4) for v in cold_times]},
        "rows_per_s": {"copy": round(len(rows) / t_copy), "persist_cold": round(len(rows) / t_cold),
                       "persist_noop": round(len(rows) / t_noop)},
        "ratios": {"persist_cold_vs_copy": round(ratio, 3), "persist_noop_vs_copy": round(t_copy / t_noop, 3)},
        "target": {"persist_vs_copy_at_least": TARGET, "met": ratio >= TARGET},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"persist of {len(rows):,} fragment rows on the embedded database, median of {args.repeat}:")
    print(f"  raw COPY        {t_copy:7.3f} s   {len(rows) / t_copy:>10,.0f} rows/s")
    print(f"  persist (cold)  {t_cold:7.3f} s   {len(rows) / t_cold:>10,.0f} rows/s   {ratio:.2f}x of COPY")
    print(f"  persist (no-op) {t_noop:7.3f} s   {len(rows) / t_noop:>10,.0f} rows/s")
    print(f"  target >= {TARGET} of COPY -> {'MET' if ratio >= TARGET else 'MISSED'}")
    print(f"  wrote {args.out}")


if __name__ == "__main__":
    main()
