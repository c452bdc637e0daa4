"""Export then import of the corpus's largest mind (ETL, InnerLens and MMOS outputs, persisted), in
MB/s and rows/s, against real PostgreSQL (prints, writes bench/results/portability.json).

The largest author of ../shared/corpus (by words) becomes one mind: ETL, InnerLens and MMOS run
offline into a temporary outputs folder and are persisted into a fresh embedded database. Then:

  * ``export`` - `lendaria export`'s function: files and rows into one zip (everything, --include-private);
  * ``import`` - `lendaria import`'s: read and verify the zip (every sha256), then the rows in one
                 transaction through the pack roles and the files, into an empty outputs folder and an
                 empty database of the same server;
  * the round trip is checked: files byte-identical, row counts equal.

MB/s counts the bundle's uncompressed bytes (files + rows); rows/s the rows written or read.

Usage: python bench/portability.py [--corpus PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

SLUG = "bench-author"


def largest_author(corpus: Path) -> str:
    return max((p for p in corpus.iterdir() if p.is_dir()), key=lambda p: sum(len(f.read_text().split()) for f in p.glob("*.txt"))).name


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def run(corpus: Path) -> dict:
    import psycopg

    from lendaria.bundle import export_mind, import_bundle, read_bundle
    from lendaria.db.embedded import EmbeddedPostgres
    from lendaria.db.migrations import discover
    from lendaria.db.persist import persist_stage
    from lendaria.db.repository import PostgresRepository
    from lendaria.db.target import prepare
    from lendaria.settings import Settings
    from lendaria.yamlio import dump_yaml
    from stages.etl.run import run_etl
    from stages.innerlens.run import run_innerlens
    from stages.mmos.run import run_mmos

    author = largest_author(corpus)
    with tempfile.TemporaryDirectory(prefix="lendaria-bench-bundle-") as tmp:
        folder = Path(tmp)
        spec = folder / "mind.yaml"
        spec.write_text(dump_yaml({"slug": SLUG, "name": author, "language": "en",
                                   "sources": [{"path": str(f.resolve()), "type": "book"} for f in sorted((corpus / author).glob("*.txt"))]}))
        settings = Settings(home=folder / "home", db_connect_retries=0)
        out = folder / "out"
        run_etl(spec, out, settings)
        run_innerlens(SLUG, out, settings)
        run_mmos(SLUG, out, settings)
        server = EmbeddedPostgres(folder / "pg")
        url = server.start()
        try:
            prepare(url, settings)
            repository = PostgresRepository(url, settings)
            for stage in ("etl", "innerlens", "mmos"):
                persist_stage(stage, SLUG, out, repository, run_id=f"bench-{stage}")
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute("create database imported")
            target_url = server.url("imported")
            prepare(target_url, settings)
            bundle = folder / "mind.zip"
            started = time.perf_counter()
            with psycopg.connect(url) as conn:
                manifest = export_mind(conn, out, SLUG, [], bundle, include_private=True)
            export_seconds = time.perf_counter() - started
            zip_bytes = bundle.stat().st_size
            started = time.perf_counter()
            verified, members = read_bundle(bundle)
            read_seconds = time.perf_counter() - started
            with psycopg.connect(target_url, autocommit=True) as conn:
                result = import_bundle(conn, folder / "imported", verified, members, latest_schema=max(m.version for m in discover()))
            import_seconds = time.perf_counter() - started
            identical = snapshot(folder / "imported" / "minds" / SLUG) == snapshot(out / "minds" / SLUG)
            with psycopg.connect(url) as a, psycopg.connect(target_url) as b:
                equal = all(a.execute(f"select count(*) from public.{t}").fetchone() == b.execute(f"select count(*) from public.{t}").fetchone()
                            for t in manifest["records"])
        finally:
            server.stop()
    rows = sum(manifest["records"].values())
    uncompressed = sum(len(data) for data in members.values())
    megabytes = uncompressed / 1e6
    return {
        "benchmark": "portability",
        "machine": {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count()},
        "mind": {"author": author, "files": result.files, "rows": rows, "rows_by_table": manifest["records"]},
        "bundle": {"uncompressed_mb": round(megabytes, 2), "zip_mb": round(zip_bytes / 1e6, 2)},
        "seconds": {"export": round(export_seconds, 2), "import_verify": round(read_seconds, 2), "import_total": round(import_seconds, 2)},
        "export_mb_per_s": round(megabytes / export_seconds, 1), "export_rows_per_s": round(rows / export_seconds),
        "import_mb_per_s": round(megabytes / import_seconds, 1), "import_rows_per_s": round(rows / import_seconds),
        "round_trip": {"files_byte_identical": identical, "row_counts_equal": equal},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=Path(os.environ.get("LENDARIA_CORPUS", REPO.parent / "shared" / "corpus")))
    args = parser.parse_args()
    if not (args.corpus / "MANIFEST.yaml").is_file():
        sys.exit(f"corpus not found at {args.corpus} (set LENDARIA_CORPUS)")
    report = run(args.corpus)
    for key in ("seconds", "bundle"):
        for name, value in report[key].items():
            print(f"{key + ' ' + name:<32}{value:>10}")
    for name in ("export_mb_per_s", "export_rows_per_s", "import_mb_per_s", "import_rows_per_s"):
        print(f"{name:<32}{report[name]:>10}")
    print(f"mind: {report['mind']['author']}, {report['mind']['files']} files, {report['mind']['rows']} rows; "
          f"round trip {report['round_trip']}")
    out = REPO / "bench" / "results" / "portability.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out.relative_to(REPO)}")
    if not all(report["round_trip"].values()):
        sys.exit(1)


if __name__ == "__main__":
    main()
