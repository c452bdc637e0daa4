"""ETL throughput on ../shared/corpus: words/s and files/s for local collection.

Measures, in one run and one process (interpreter and Prefect start-up excluded):
  * ``raw_floor``  - read + sha256 + atomic write of the same files (the I/O floor),
  * ``etl_cold``   - ``run_etl`` into an empty outputs folder (extract, normalise, detect language,
                     validate every file against its contract, write atomically),
  * ``etl_noop``   - the same run again on unchanged inputs (nothing rewritten).
and reports ratios: etl_cold / budget (target: under 10 s for the ≈580k-word corpus, ratio < 1) and
etl_cold / raw_floor. Prints a table and writes JSON to bench/results/etl_throughput.json.

Usage: python bench/etl_throughput.py [--corpus PATH] [--repeat N] [--copies K]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from lendaria.fileio import atomic_write_bytes, sha256_bytes  # noqa: E402
from lendaria.settings import Settings  # noqa: E402
from lendaria.yamlio import dump_yaml  # noqa: E402
from stages.etl.run import run_etl  # noqa: E402

BUDGET_SECONDS = 10.0


def corpus_files(corpus: Path) -> list[Path]:
    if not (corpus / "MANIFEST.yaml").is_file():
        sys.exit(f"corpus not found at {corpus} (expected ../shared/corpus with MANIFEST.yaml)")
    files = sorted(corpus.glob("*/*.txt"))
    if not files:
        sys.exit(f"no .txt files under {corpus}")
    return files


def make_spec(folder: Path, files: list[Path], copies: int) -> Path:
    """A mind spec listing every corpus file (``copies`` > 1 repeats them from distinct paths)."""
    sources = []
    for copy in range(copies):
        for path in files:
            if copies == 1:
                sources.append({"path": str(path), "type": "book"})
            else:
                target = folder / "copies" / str(copy) / path.parent.name / path.name
                target.parent.mkdir(parents=True, exist_ok=True)
                # make each copy's text distinct so content-hash dedupe does not drop it
                target.write_text(path.read_text(encoding="utf-8") + f"\ncopy {copy}\n", encoding="utf-8")
                sources.append({"path": str(target), "type": "book"})
    spec = folder / "mind.yaml"
    spec.write_text(dump_yaml({"slug": "bench-corpus", "name": "Corpus", "sources": sources}), encoding="utf-8")
    return spec


def raw_floor(files: list[Path], out: Path) -> float:
    start = time.perf_counter()
    for path in files:
        data = path.read_bytes()
        sha256_bytes(data)
        atomic_write_bytes(out / path.name, data)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=Path(os.environ.get("LENDARIA_CORPUS", REPO.parent / "shared" / "corpus")))
    parser.add_argument("--repeat", type=int, default=3, help="timed repetitions; the median is reported")
    parser.add_argument("--copies", type=int, default=1, help="scale the corpus by distinct copies")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "etl_throughput.json")
    args = parser.parse_args()

    files = corpus_files(args.corpus)
    settings = Settings()
    cold, noop, floor = [], [], []
    with tempfile.TemporaryDirectory(prefix="lendaria-bench-") as tmp:
        work = Path(tmp)
        spec = make_spec(work, files, args.copies)
        all_inputs = [Path(s) for s in sorted(str(p) for p in (work / "copies").rglob("*.txt"))] if args.copies > 1 else files
        result = None
        for attempt in range(args.repeat):
            outputs = work / f"out-{attempt}"
            start = time.perf_counter()
            result = run_etl(spec, outputs, settings)
            cold.append(time.perf_counter() - start)
            start = time.perf_counter()
            again = run_etl(spec, outputs, settings)
            noop.append(time.perf_counter() - start)
            assert again.report.written == [], "no-op re-run rewrote files"
            floor_dir = work / f"floor-{attempt}"
            floor_dir.mkdir()
            floor.append(raw_floor(all_inputs, floor_dir))
            shutil.rmtree(outputs)
        assert result is not None

    def median(values: list[float]) -> float:
        return sorted(values)[len(values) // 2]

    words = result.totals["words"]
    n_files = result.totals["collected"]
    input_bytes = sum(p.stat().st_size for p in files) * args.copies
    t_cold, t_noop, t_floor = median(cold), median(noop), median(floor)
    report = {
        "benchmark": "etl_throughput",
        "corpus": str(args.corpus),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "inputs": {"files": n_files, "words": words, "bytes": input_bytes, "copies": args.copies},
        "repeat": args.repeat,
        "seconds": {"etl_cold": round(t_cold, 4), "etl_noop": round(t_noop, 4), "raw_floor": round(t_floor, 4),
                    "all_cold": [round(v, 4) for v in cold]},
        "throughput": {
            "words_per_s": round(words / t_cold),
            "files_per_s": round(n_files / t_cold, 2),
            "mb_per_s": round(input_bytes / 1e6 / t_cold, 2),
            "noop_words_per_s": round(words / t_noop),
        },
        "ratios": {
            "etl_cold_vs_budget": round(t_cold / BUDGET_SECONDS, 4),
            "etl_cold_vs_raw_floor": round(t_cold / t_floor, 2) if t_floor else None,
            "etl_noop_vs_cold": round(t_noop / t_cold, 4),
        },
        "target": {"budget_seconds": BUDGET_SECONDS, "met": t_cold < BUDGET_SECONDS},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"ETL on {n_files} files, {words:,} words ({input_bytes / 1e6:.1f} MB), median of {args.repeat}:")
    print(f"  cold run   {t_cold:7.3f} s   {words / t_cold:>12,.0f} words/s   {n_files / t_cold:7.1f} files/s")
    print(f"  no-op run  {t_noop:7.3f} s   ({t_noop / t_cold:.1%} of cold)")
    print(f"  raw floor  {t_floor:7.3f} s   (read + sha256 + atomic write; ETL is {t_cold / t_floor:.1f}x)")
    print(f"  target < {BUDGET_SECONDS:.0f} s: ratio {t_cold / BUDGET_SECONDS:.3f} -> {'MET' if t_cold < BUDGET_SECONDS else 'MISSED'}")
    print(f"  wrote {args.out}")


if __name__ == "__main__":
    main()
