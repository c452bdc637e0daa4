"""InnerLens on ../shared/corpus: fragments (cut + near-duplicate folding + validated write) and the
offline Big Five profile for the whole corpus as one mind, cold and as a no-op re-run, with peak memory.

Measures, in one process and one run (interpreter start-up excluded):
  * ``cold``  - ETL's outputs already in place; InnerLens with an empty fragment cache,
  * ``noop``  - the same run again on unchanged inputs (cache hits, nothing rewritten),
and reports fragments/s, words/s, the no-op/cold ratio (target <= 0.1), and peak RSS (target < 2 GiB;
the issue's 30 s budget also covers the quality audit, still to come). Prints a table and writes
bench/results/innerlens.json.

Usage: python bench/innerlens.py [--corpus PATH] [--repeat N]
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
        cold, noop = [], []
        result = None
        for attempt in range(args.repeat):
            home = folder / f"home-{attempt}"
            started = time.perf_counter()
            result = run_innerlens(SLUG, outputs, Settings(home=home))
            cold.append(time.perf_counter() - started)
            started = time.perf_counter()
            again = run_innerlens(SLUG, outputs, Settings(home=home))
            noop.append(time.perf_counter() - started)
            assert again.refragmented == 0 and again.written == []
            result.fragments_path.unlink()
            shutil.rmtree(home)
        peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    cold_s, noop_s = statistics.median(cold), statistics.median(noop)
    report = {
        "benchmark": "innerlens", "python": platform.python_version(), "files": len(files), "words": result.words,
        "fragments": result.fragments, "folded": result.folded,
        "cold_seconds": round(cold_s, 3), "noop_seconds": round(noop_s, 3), "noop_ratio": round(noop_s / cold_s, 3),
        "fragments_per_second": round(result.fragments / cold_s), "words_per_second": round(result.words / cold_s),
        "peak_rss_mib": round(peak_mib), "budget_seconds": BUDGET_SECONDS,
        "meets": {"budget": cold_s < BUDGET_SECONDS, "noop_ratio": noop_s / cold_s <= 0.1, "memory": peak_mib < 2048},
    }
    print(f"InnerLens fragments on {len(files)} files, {result.words:,} words, median of {args.repeat}:")
    print(f"  cold      {cold_s:7.2f} s   {report['fragments_per_second']:,} fragments/s  ({result.fragments:,} fragments, {result.folded} folded)")
    print(f"  no-op     {noop_s:7.2f} s   ratio {report['noop_ratio']} (target <= 0.1)")
    print(f"  peak RSS  {peak_mib:7.0f} MiB (target < 2048)")
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(report, indent=2) + "\n")
    print(f"  wrote {args.output}")


if __name__ == "__main__":
    main()
