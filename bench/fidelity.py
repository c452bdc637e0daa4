"""Voice fidelity measured for generalisation, side by side with a plain baseline (prints a table, writes JSON).

Lendária's fidelity (General Impostors in the mind's language, stages/mmos/fidelity.py) and the
**baseline**, a plain z-scored cosine Delta over the 300 most frequent words of the same reference
pool that attributes a text to the nearest mind, are run on the same minds and texts:

* **leave-one-author-out** over every author of ../shared/corpus: a mind per author, built by the
  MMOS split from the author's chunks but the benchmark's (every seventh 2,000-word chunk, never in
  the pool). For the author under test, the pool holds no chunk of it (no corpus author is in the pool
  while it is a mind) and, for the own-vs-other AUC, it is not among any other mind's impostors either:
  its passages are scored against the other minds as a writer they have never seen. Attribution: the
  share of its passages whose highest-scoring mind is its own (target >= 95 %); AUC of own-vs-other
  scores over all (passage, mind) pairs (target >= 0.95).
* **same genre, pairwise**: for every pair of pool writers of one language and genre whose eras
  overlap (two presidents' speeches, two Portuguese novelists, ...), both are taken out of the pool, a
  mind is built for each from four fifths of its chunks, and its other chunks are attributed to one
  of the two minds (target >= 95 % per pair).
* **one source**: the MMOS stage on the corpus's largest author, whose text is one file: it must have
  a held-out set and a measured self-check; its time is the stage's speed (target < 20 s).
* **speed**: scoring one 2,000-word text against a loaded mind with its impostors (median; target
  < 0.2 s) and loading a mind (choosing impostors, calibrating).

Usage: python bench/fidelity.py [--corpus PATH] [--out PATH] [--quick]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import re
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from stages.mmos.fidelity import MindText, Verifier, prepare  # noqa: E402
from stages.mmos.pool import LanguagePool, Pool, corpus_texts, is_bench_held_out, load_pool  # noqa: E402
from stages.mmos.space import CHUNK_WORDS, Space, Tally, chunks  # noqa: E402
from stages.mmos.split import passages, split, text_of  # noqa: E402

BASELINE_WORDS = 300
TEST_EVERY, TEST_AT = 5, 2  # pairwise: every fifth chunk of a pool writer is a test passage


@dataclass
class Case:
    """A mind of the benchmark and the passages it is tested on (as tallies and their words)."""

    mind: MindText
    tests: list[Tally]


def mind_from_text(slug: str, text: str, language: str = "en") -> MindText:
    """A mind as the MMOS stage builds one from a single source: passages, then the held-out chunks."""
    cut = split([passages(slug, text)])
    bodies = {slug: text}
    return MindText.of(slug, slug, language, text_of(bodies, cut.build), text_of(bodies, cut.chunks))


def mind_from_tallies(slug: str, language: str, tallies: list[Tally]) -> MindText:
    """A mind from 2,000-word chunk tallies (a pool writer): every sixth chunk held out (at least two)."""
    held = [t for i, t in enumerate(tallies) if i % 6 == 2] or tallies[-2:]
    build = [t for t in tallies if t not in held]
    total = build[0]
    for t in build[1:]:
        total = total + t
    return MindText(slug, slug, language, total, tuple(held))


def corpus_cases(corpus: Path) -> dict[str, Case]:
    cases = {}
    for author, text in corpus_texts(corpus).items():
        pieces = chunks(text, CHUNK_WORDS)
        build = "\n\n".join(c for i, c in enumerate(pieces) if not is_bench_held_out(i))
        cases[author] = Case(mind_from_text(author, build), [Tally.of(c) for i, c in enumerate(pieces) if is_bench_held_out(i)])
    return cases


def baseline_space(language_pool: LanguagePool | None, exclude: frozenset[str]) -> Space:
    return language_pool.space(exclude, words=BASELINE_WORDS, ngrams=0, function_words=False)


def baseline_similarity(space: Space, mind: MindText, text: Tally) -> float:
    """Plain cosine Delta (as similarity): z-scores of the 300 most frequent words, text vs the mind's build set."""
    a, b = space.z(space.doc_of(text)), space.z(space.doc_of(mind.build))
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def lendaria_score(verifier: Verifier, text: Tally) -> tuple[float, float]:
    """(score, share) of a test tally; the tally is already in the mind's language."""
    share = verifier.share(verifier.space.z(verifier.space.doc_of(text)))
    return verifier.probability(share), share


def auc(labels: list[int], scores: list[float]) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(labels, scores))


def leave_one_author_out(cases: dict[str, Case], pool: Pool, language: str = "en") -> dict:
    """Attribution among all minds and open-set own-vs-other AUC, for each author in turn."""
    authors = sorted(cases)
    language_pool = pool.get(language)
    exclude = frozenset(authors) & frozenset(language_pool.ids())  # a corpus author that is a mind is never also in the pool
    base_space = baseline_space(language_pool, exclude)
    minds = [cases[a].mind for a in authors]
    closed = {a: prepare(cases[a].mind, minds, pool, exclude) for a in authors}
    rows, labels, ours, theirs = {}, [], [], []
    for author in authors:
        # open set: the author under test is nobody's impostor
        unseen = {a: prepare(cases[a].mind, [m for m in minds if m.slug != author], pool, exclude) if a != author else closed[a]
                  for a in authors}
        right = base_right = 0
        for test in cases[author].tests:
            scores = {a: lendaria_score(closed[a], test) for a in authors}
            right += max(authors, key=lambda a: (scores[a][0], scores[a][1])) == author
            base = {a: baseline_similarity(base_space, cases[a].mind, test) for a in authors}
            base_right += max(authors, key=base.get) == author
            for a in authors:
                labels.append(int(a == author))
                ours.append(lendaria_score(unseen[a], test)[0])
                theirs.append(base[a])
        n = len(cases[author].tests)
        rows[author] = {"passages": n, "lendaria": round(right / n, 4), "baseline": round(base_right / n, 4)}
    total = sum(r["passages"] for r in rows.values())
    return {"authors": rows,
            "attribution": {"lendaria": round(sum(r["lendaria"] * r["passages"] for r in rows.values()) / total, 4),
                            "baseline": round(sum(r["baseline"] * r["passages"] for r in rows.values()) / total, 4)},
            "auc": {"lendaria": round(auc(labels, ours), 4), "baseline": round(auc(labels, theirs), 4)},
            "passages": total}


def years(era: str) -> tuple[int, int]:
    found = [int(y) for y in re.findall(r"\d{3,4}", era)]
    return (min(found), max(found)) if found else (0, 9999)


def same_genre_pairs(language_pool: LanguagePool, slack: int = 30) -> list[tuple[str, str]]:
    """Pairs of pool writers of one genre whose eras overlap (within ``slack`` years)."""
    writers = language_pool.writers
    pairs = []
    for a, b in itertools.combinations(writers, 2):
        (a0, a1), (b0, b1) = years(a["era"]), years(b["era"])
        if a["genre"] == b["genre"] and a0 <= b1 + slack and b0 <= a1 + slack:
            pairs.append((a["id"], b["id"]))
    return pairs


def pairwise(pool: Pool, language: str, pair: tuple[str, str]) -> dict:
    """Two writers of one genre, out of the pool, a mind each from four fifths of their chunks; the other
    fifth attributed to one of the two."""
    language_pool = pool.get(language)
    exclude = frozenset(pair)
    cases = {}
    for writer in pair:
        tallies = language_pool.tallies(writer)
        material = [t for i, t in enumerate(tallies) if i % TEST_EVERY != TEST_AT]
        tests = [t for i, t in enumerate(tallies) if i % TEST_EVERY == TEST_AT]
        cases[writer] = Case(mind_from_tallies(writer, language, material), tests)
    return pair_result(cases, pool, language, exclude)


def pair_result(cases: dict[str, Case], pool: Pool, language: str, exclude: frozenset[str]) -> dict:
    minds = [c.mind for c in cases.values()]
    verifiers = {w: prepare(c.mind, minds, pool, exclude) for w, c in cases.items()}
    base_space = baseline_space(pool.get(language), exclude)
    right = base_right = total = 0
    for writer, case in cases.items():
        for test in case.tests:
            scores = {w: lendaria_score(v, test) for w, v in verifiers.items()}
            right += max(scores, key=lambda w: scores[w]) == writer
            base_right += max(cases, key=lambda w: baseline_similarity(base_space, cases[w].mind, test)) == writer
            total += 1
    return {"pair": sorted(cases), "language": language, "passages": total,
            "lendaria": round(right / total, 4), "baseline": round(base_right / total, 4)}


def time_scoring(verifier: Verifier, text: str, repeats: int = 15) -> float:
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        verifier.score(text)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


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
    check = result.self_check
    return {"author": author, "sources": len(files), "own_words": result.gate["own_words"], "held_out_words": result.held_out_words,
            "seconds": round(seconds, 3), "self_check": {k: check.get(k) for k in ("status", "auc", "true_positive_rate", "false_positive_rate")}}


def run(corpus: Path, quick: bool = False) -> dict:
    pool = load_pool()
    started = time.perf_counter()
    cases = corpus_cases(corpus)
    loao = leave_one_author_out(cases, pool)
    pairs = []
    for language, language_pool in sorted(pool.languages.items()):
        candidates = same_genre_pairs(language_pool)
        pairs += [pairwise(pool, language, pair) for pair in (candidates[:3] if quick else candidates)]
    largest = max(cases, key=lambda a: cases[a].mind.build.total_words)
    verifier = prepare(cases[largest].mind, [c.mind for c in cases.values()], pool, frozenset(cases))
    load_started = time.perf_counter()
    prepare(cases[largest].mind, [c.mind for c in cases.values()], pool, frozenset(cases))
    load_seconds = time.perf_counter() - load_started
    sample = " ".join(corpus_texts(corpus)[largest].split()[:CHUNK_WORDS])
    report = {
        "benchmark": "fidelity", "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "pool": pool.meta["coverage"], "baseline": f"z-scored cosine Delta over the pool's {BASELINE_WORDS} most frequent words, nearest mind",
        "leave_one_author_out": loao, "same_genre_pairs": pairs,
        "same_genre": {"pairs": len(pairs), "lendaria_min": min((p["lendaria"] for p in pairs), default=None),
                       "baseline_min": min((p["baseline"] for p in pairs), default=None),
                       "lendaria_mean": round(statistics.fmean(p["lendaria"] for p in pairs), 4) if pairs else None,
                       "baseline_mean": round(statistics.fmean(p["baseline"] for p in pairs), 4) if pairs else None},
        "speed": {"score_2000_words_seconds": round(time_scoring(verifier, sample), 5), "load_mind_seconds": round(load_seconds, 4),
                  "impostors": len(verifier.impostors)},
        "evaluation_seconds": round(time.perf_counter() - started, 1),
        "targets": {"attribution": 0.95, "auc": 0.95, "pair": 0.95, "stage_seconds": 20.0, "score_seconds": 0.2},
    }
    report["one_source_stage"] = time_stage(corpus, largest)
    return report


def meets(report: dict) -> dict:
    t, loao, stage = report["targets"], report["leave_one_author_out"], report["one_source_stage"]
    pairs = report["same_genre_pairs"]
    return {"attribution": loao["attribution"]["lendaria"] >= t["attribution"], "auc": loao["auc"]["lendaria"] >= t["auc"],
            "pairs": all(p["lendaria"] >= t["pair"] for p in pairs),
            "baseline_never_better": loao["attribution"]["lendaria"] >= loao["attribution"]["baseline"]
            and loao["auc"]["lendaria"] >= loao["auc"]["baseline"] and all(p["lendaria"] >= p["baseline"] for p in pairs),
            "one_source_measured": stage["held_out_words"] > 0 and stage["self_check"]["status"] == "measured",
            "stage": stage["seconds"] < t["stage_seconds"], "score": report["speed"]["score_2000_words_seconds"] < t["score_seconds"]}


def print_report(report: dict, out: Path) -> None:
    loao = report["leave_one_author_out"]
    print(f"voice fidelity: Lendária (General Impostors) vs baseline ({report['baseline']})")
    print("pool: " + "; ".join(f"{lang} {c['writers']} writers ({', '.join(c['genres'])})" for lang, c in report["pool"].items()))
    print(f"\n{'line':<58} {'Lendária':>9} {'baseline':>9}")
    print(f"{'leave-one-author-out attribution (' + str(loao['passages']) + ' passages)':<58} "
          f"{loao['attribution']['lendaria']:>9.1%} {loao['attribution']['baseline']:>9.1%}")
    print(f"{'leave-one-author-out AUC own vs other (open set)':<58} {loao['auc']['lendaria']:>9.4f} {loao['auc']['baseline']:>9.4f}")
    for author, row in loao["authors"].items():
        print(f"{'  ' + author + ' (' + str(row['passages']) + ')':<58} {row['lendaria']:>9.1%} {row['baseline']:>9.1%}")
    for pair in report["same_genre_pairs"]:
        label = f"same genre {pair['language']}: {pair['pair'][0]} / {pair['pair'][1]} ({pair['passages']})"
        print(f"{label[:58]:<58} {pair['lendaria']:>9.1%} {pair['baseline']:>9.1%}")
    stage, speed = report["one_source_stage"], report["speed"]
    print(f"\none source: MMOS stage on {stage['author']} ({stage['own_words']:,} words in {stage['sources']} file): "
          f"{stage['seconds']:.2f} s (target < 20 s); held out {stage['held_out_words']:,} words; self-check "
          f"{stage['self_check']['status']}, AUC {stage['self_check']['auc']}")
    print(f"speed: score a 2,000-word text {speed['score_2000_words_seconds'] * 1000:.1f} ms (target < 200 ms) with "
          f"{speed['impostors']} impostors; load a mind (impostors, calibration) {speed['load_mind_seconds'] * 1000:.0f} ms")
    print(f"meets: {report['meets']}")
    print(f"wrote {out}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=Path(os.environ.get("LENDARIA_CORPUS", REPO.parent / "shared" / "corpus")))
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "fidelity.json")
    parser.add_argument("--quick", action="store_true", help="Only the first three same-genre pairs per language.")
    args = parser.parse_args()
    if not (args.corpus / "MANIFEST.yaml").is_file():
        sys.exit(f"corpus not found at {args.corpus} (expected ../shared/corpus with MANIFEST.yaml)")
    report = run(args.corpus, args.quick)
    report["meets"] = meets(report)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print_report(report, args.out)


if __name__ == "__main__":
    main()
