"""InnerLens on ../shared/corpus: fragments (cut + near-duplicate folding + validated write), the
great-expectations quality audit and the offline Big Five profile for the whole corpus as one mind,
cold and as a no-op re-run, with peak memory; then the persist of its fragments next to a raw COPY.

Measures, in one process and one run (interpreter start-up excluded):
  * ``first`` - the first cold run of the process: it also pays for importing great-expectations and
    loading py3langid's model, as every `lendaria run` process does,
  * ``cold``  - median of the cold runs (empty fragment cache; ETL's outputs already in place),
  * ``noop``  - the same run again on unchanged inputs (cache hits, nothing rewritten),
  * the audit's share of the cold run (great-expectations suite and language detection),
  * persist on an embedded PostgreSQL: the corpus's fragment rows through the product path (the
    innerlens role, RLS, staging, upsert) next to a raw COPY of the same rows, and the whole
    InnerLens payload (fragments, tags, audit, profile),
and reports fragments/s, the no-op/cold ratio (target <= 0.1), the 30 s budget (against the first
run, the slower one) and peak RSS (target < 2 GiB). Prints a table and writes
bench/results/innerlens.json.

Usage: python bench/innerlens.py [--corpus PATH] [--repeat N] [--no-persist]
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from lendaria.catalog import Catalog  # noqa: E402
from lendaria.settings import Settings  # noqa: E402
from lendaria.yamlio import dump_yaml  # noqa: E402
from stages.etl.run import run_etl  # noqa: E402
from stages.innerlens.run import run_innerlens  # noqa: E402

BUDGET_SECONDS = 30.0
SLUG = "bench-corpus"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", default=str(REPO.parent / "shared" / "corpus"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--output", default=str(REPO / "bench" / "results" / "innerlens.json"))
    parser.add_argument("--no-persist", action="store_true", help="skip the persist measurement (no database)")
    args = parser.parse_args()
    corpus = Path(args.corpus)
    if not (corpus / "MANIFEST.yaml").is_file():
        sys.exit(f"corpus not found at {corpus} (expected ../shared/corpus with MANIFEST.yaml)")
    files = sorted(corpus.glob("*/*.txt"))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        spec = folder / "mind.yaml"
        spec.write_text(dump_yaml({"slug": SLUG, "name": "Corpus", "sources": [{"path": str(p), "type": "book"} for p in files]}))
        outputs = folder / "out"
        run_etl(spec, outputs, Settings(home=folder / "home"))
        cold, noop, audit = [], [], []
        result = None
        for attempt in range(args.repeat):
            home = folder / f"home-{attempt}"
            started = time.perf_counter()
            result = run_innerlens(SLUG, outputs, Settings(home=home))
            cold.append(time.perf_counter() - started)
            audit.append(result.seconds["audit"])
            started = time.perf_counter()
            again = run_innerlens(SLUG, outputs, Settings(home=home))
            noop.append(time.perf_counter() - started)
            assert again.refragmented == 0 and again.written == []
            if attempt < args.repeat - 1:
                result.fragments_path.unlink()
            shutil.rmtree(home)
        peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        persist = None if args.no_persist else measure_persist(outputs, folder / "db")
    first_s, cold_s, noop_s = cold[0], statistics.median(cold), statistics.median(noop)
    audit_s = statistics.median(audit)
    report = {
        "benchmark": "innerlens", "python": platform.python_version(), "files": len(files), "words": result.words,
        "fragments": result.fragments, "folded": result.folded, "repeat": args.repeat,
        "first_run_seconds": round(first_s, 3), "first_run_audit_seconds": round(audit[0], 3),
        "cold_seconds": round(cold_s, 3), "noop_seconds": round(noop_s, 3), "noop_ratio": round(noop_s / cold_s, 3),
        "phases_seconds_last_run": result.seconds,
        "audit_seconds": round(audit_s, 3), "audit_share": round(audit_s / cold_s, 3),
        "fragments_per_second": round(result.fragments / cold_s), "words_per_second": round(result.words / cold_s),
        "peak_rss_mib": round(peak_mib), "budget_seconds": BUDGET_SECONDS, "persist": persist,
        "meets": {"budget": first_s < BUDGET_SECONDS, "noop_ratio": noop_s / cold_s <= 0.1, "memory": peak_mib < 2048},
    }
    print(f"InnerLens on {len(files)} files, {result.words:,} words ({result.fragments:,} fragments, {result.folded} folded):")
    print(f"  first run {first_s:7.2f} s   incl. importing great-expectations and py3langid's model "
          f"(audit {audit[0]:.2f} s); target < {BUDGET_SECONDS:.0f} s")
    print(f"  cold      {cold_s:7.2f} s   median of {args.repeat}, {report['fragments_per_second']:,} fragments/s; "
          f"audit {audit_s:.2f} s = {report['audit_share']:.0%} of the run")
    print(f"  no-op     {noop_s:7.2f} s   ratio {report['noop_ratio']} (target <= 0.1)")
    print(f"  peak RSS  {peak_mib:7.0f} MiB (target < 2048)")
    if persist:
        rows = persist["fragment_rows"]
        print(f"  persist   {rows:,} fragment rows: raw COPY {persist['copy_rows_per_s']:,} rows/s, product path "
              f"{persist['persist_rows_per_s']:,} rows/s ({persist['persist_vs_copy']:.2f}x of COPY); whole InnerLens payload "
              f"({persist['payload_rows']:,} rows) {persist['payload_seconds']:.2f} s")
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(report, indent=2) + "\n")
    print(f"  wrote {args.output}")


def measure_persist(outputs: Path, home: Path) -> dict:
    """Fragments of the corpus mind: raw COPY vs the persist path, then the whole InnerLens payload."""
    import psycopg

    from lendaria.db.embedded import EmbeddedPostgres
    from lendaria.db.persist import persist_stage
    from lendaria.db.repository import PostgresRepository
    from lendaria.db.target import prepare
    from stages.innerlens.persist import build_payload

    server = EmbeddedPostgres(home)
    try:
        url = server.start()
        prepare(url, Settings())  # bootstrap and migrate, as `lendaria db migrate` does
        repository = PostgresRepository(url, Settings())
        persist_stage("etl", SLUG, outputs, repository, run_id="bench-etl")
        payload = build_payload(Catalog(outputs), SLUG)
        fragments = next(t for t in payload["tables"] if t["table"] == "fragments")
        rows = fragments["rows"]
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("checkpoint")
            mind_id = conn.execute("select id from minds where slug = %s", (SLUG,)).fetchone()[0]
            sources = dict(conn.execute("select source_id, id from sources where mind_id = %s", (mind_id,)).fetchall())
            columns = [c for c in rows[0] if c != "source_id"]
            started = time.perf_counter()
            with conn.transaction(), conn.cursor().copy(
                    f"copy public.fragments (mind_id, source_row_id, run_id, {', '.join(columns)}) from stdin") as copy:
                for row in rows:
                    copy.write_row((mind_id, sources[row["source_id"]], "bench-copy", *(row[c] for c in columns)))
            copy_s = time.perf_counter() - started
            conn.execute("truncate public.fragments cascade")
            conn.execute("checkpoint")
        started = time.perf_counter()
        counts = repository.persist("innerlens", {"run_id": "bench-fragments", "stage": "innerlens", "mind": {"slug": SLUG},
                                                  "tables": [fragments]})["counts"]
        persist_s = time.perf_counter() - started
        assert counts["fragments"]["written"] == len(rows), counts
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("truncate public.fragments cascade")
            conn.execute("checkpoint")
        started = time.perf_counter()
        whole = persist_stage("innerlens", SLUG, outputs, repository, run_id="bench-innerlens")
        payload_s = time.perf_counter() - started
    finally:
        server.stop()
    return {"fragment_rows": len(rows), "copy_seconds": round(copy_s, 3), "persist_seconds": round(persist_s, 3),
            "copy_rows_per_s": round(len(rows) / copy_s), "persist_rows_per_s": round(len(rows) / persist_s),
            "persist_vs_copy": round(copy_s / persist_s, 3),
            "payload_rows": sum(c["rows"] for c in whole.counts.values()), "payload_seconds": round(payload_s, 3),
            "payload_counts": whole.counts}


if __name__ == "__main__":
    main()
