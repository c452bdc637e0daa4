"""Voice-fidelity attribution benchmark on ../shared/corpus (prints a table, writes JSON).

For each corpus author a mind is built from its build chunks (the reference chunks: every 7th
2,000-word chunk is held out, see stages/mmos/reference.py), calibrated against the other authors'
reference chunks (its own author excluded). Every held-out chunk of every author is then scored
against every mind. Reports, in one run:

* attribution: the share of held-out passages whose true author's mind gives the highest score
  (target >= 95 %), with the confusion matrix;
* AUC of own-vs-other scores over all (passage, mind) pairs (target >= 0.95);
* pass rates at the threshold: own passages (target >= 90 %), other authors' (target <= 5 %);
* speed: the whole MMOS stage (gate, split, voice profile, calibration, self-check, validated writes)
  on the largest author's complete text as one mind (target < 20 s), building that author's fidelity
  model alone, and scoring one 2,000-word text against a loaded mind (median, target < 0.2 s).

Usage: python bench/fidelity.py [--corpus PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from stages.mmos.fidelity import THRESHOLD, build_model, score  # noqa: E402
from stages.mmos.reference import corpus_chunks, load_reference  # noqa: E402


def run(corpus: Path) -> dict:
    from sklearn.metrics import roc_auc_score

    by_author = corpus_chunks(corpus)
    authors = sorted(by_author)
    reference = load_reference()
    models, build_seconds = {}, {}
    for author in authors:
        build = [text for text, held_out in by_author[author] if not held_out]
        started = time.perf_counter()
        models[author] = build_model(reference, build, exclude_authors=frozenset({author}))
        build_seconds[author] = (time.perf_counter() - started, sum(len(t.split()) for t in build))
    passages = [(author, text) for author in authors for text, held_out in by_author[author] if held_out]
    confusion = {a: {b: 0 for b in authors} for a in authors}
    labels, scores, timings = [], [], []
    own_pass = own_total = other_pass = other_total = 0
    for author, text in passages:
        results = {}
        for mind, model in models.items():
            started = time.perf_counter()
            results[mind] = score(model, text)
            timings.append(time.perf_counter() - started)
            own = mind == author
            labels.append(int(own))
            scores.append(results[mind].score)
            if own:
                own_total += 1
                own_pass += results[mind].passed
            else:
                other_total += 1
                other_pass += results[mind].passed
        best = max(results, key=lambda m: (results[m].score, -results[m].distances[0]))
        confusion[author][best] += 1
    correct = sum(confusion[a][a] for a in authors)
    largest = max(build_seconds, key=lambda a: build_seconds[a][1])
    return {
        "benchmark": "fidelity", "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "authors": authors, "held_out_passages": len(passages), "threshold": THRESHOLD,
        "attribution_accuracy": round(correct / len(passages), 4),
        "auc_own_vs_other": round(float(roc_auc_score(labels, scores)), 4),
        "own_pass_rate": round(own_pass / own_total, 4), "other_pass_rate": round(other_pass / other_total, 4),
        "confusion": confusion,
        "build_seconds_largest": {"author": largest, "words": build_seconds[largest][1], "seconds": round(build_seconds[largest][0], 3)},
        "score_seconds_median": round(statistics.median(timings), 5), "score_seconds_max": round(max(timings), 5),
        "targets": {"attribution": 0.95, "auc": 0.95, "own_pass": 0.90, "other_pass_at_most": 0.05,
                    "build_seconds": 20.0, "score_seconds": 0.2},
    }


def time_stage(corpus: Path, author: str) -> dict:
    """ETL, then the MMOS stage (timed) on one corpus author's complete text as a mind."""
    import tempfile

    from lendaria.settings import Settings
    from lendaria.yamlio import dump_yaml
    from stages.etl.run import run_etl
    from stages.mmos.run import run_mmos

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        spec = folder / "mind.yaml"
        files = sorted((corpus / author).glob("*.txt"))
        spec.write_text(dump_yaml({"slug": "bench-author", "name": author, "language": "en",
                                   "sources": [{"path": str(f), "type": "book"} for f in files]}))
        settings = Settings(home=folder / "home")
        run_etl(spec, folder / "out", settings)
        started = time.perf_counter()
        result = run_mmos("bench-author", folder / "out", settings)
        seconds = time.perf_counter() - started
    return {"author": author, "own_words": result.gate["own_words"], "seconds": round(seconds, 3),
            "self_check": {k: result.self_check[k] for k in ("auc", "true_positive_rate", "false_positive_rate")}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=Path(os.environ.get("LENDARIA_CORPUS", REPO.parent / "shared" / "corpus")))
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "fidelity.json")
    args = parser.parse_args()
    if not (args.corpus / "MANIFEST.yaml").is_file():
        sys.exit(f"corpus not found at {args.corpus} (expected ../shared/corpus with MANIFEST.yaml)")
    report = run(args.corpus)
    report["stage_largest_author"] = time_stage(args.corpus, max(
        (p for p in args.corpus.iterdir() if p.is_dir()), key=lambda p: sum(len(f.read_text().split()) for f in p.glob("*.txt"))).name)
    t = report["targets"]
    report["meets"] = {"attribution": report["attribution_accuracy"] >= t["attribution"], "auc": report["auc_own_vs_other"] >= t["auc"],
                       "own_pass": report["own_pass_rate"] >= t["own_pass"], "other_pass": report["other_pass_rate"] <= t["other_pass_at_most"],
                       "build": report["stage_largest_author"]["seconds"] < t["build_seconds"],
                       "score": report["score_seconds_median"] < t["score_seconds"]}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    authors = report["authors"]
    print(f"fidelity on {len(authors)} authors, {report['held_out_passages']} held-out passages of 2,000 words:")
    print(f"  attribution {report['attribution_accuracy']:.1%} (target >= 95%)   AUC {report['auc_own_vs_other']:.4f} (target >= 0.95)")
    print(f"  pass at {report['threshold']:.0f}: own {report['own_pass_rate']:.1%} (>= 90%), other {report['other_pass_rate']:.1%} (<= 5%)")
    build = report["build_seconds_largest"]
    stage = report["stage_largest_author"]
    print(f"  MMOS stage on all of {stage['author']} ({stage['own_words']:,} words): {stage['seconds']:.2f} s (target < 20 s; "
          f"self-check AUC {stage['self_check']['auc']}); fidelity model alone ({build['words']:,} build words): {build['seconds']:.2f} s")
    print(f"  score one 2,000-word passage against a loaded mind: median {report['score_seconds_median'] * 1000:.1f} ms (target < 200 ms)")
    width = max(len(a) for a in authors)
    print("  confusion (rows: true author, columns: best-scoring mind)")
    print("  " + " " * width + " " + " ".join(f"{a[:6]:>6}" for a in authors))
    for a in authors:
        print("  " + f"{a:<{width}} " + " ".join(f"{report['confusion'][a][b]:>6}" for b in authors))
    print(f"  wrote {args.out}")


if __name__ == "__main__":
    main()
