"""Voice fidelity measured for generalisation, side by side with a plain baseline (prints a table, writes JSON).

Lendária's fidelity (verification against impostors in the mind's language, stages/mmos/fidelity.py) and the
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
  of the two minds (target >= 95 % per pair: ``meets.pairs``). Three harder variants run on the same
  pairs (a small mind against a large one, the author still in the pool under other texts, tested on
  the last fifth); ``meets.pairs_every_variant`` says whether they hold the same floor.
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
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from stages.mmos.fidelity import THRESHOLD, MindText, Verifier, prepare, spread  # noqa: E402
from stages.mmos.pool import LanguagePool, Pool, corpus_texts, is_bench_held_out, load_pool  # noqa: E402
from stages.mmos.space import CHUNK_WORDS, Space, Tally, chunks  # noqa: E402
from stages.mmos.split import passages, split, text_of  # noqa: E402

BASELINE_WORDS = 300
TEST_EVERY, TEST_AT = 5, 2  # pairwise: every fifth chunk of a pool writer is a test passage
SMALL_MIND_CHUNKS = 10  # the small mind of 'small vs large': 20,000 words, held-out chunks included


@dataclass
class Case:
    """A mind of the benchmark and the passages it is tested on (as tallies and their words)."""

    mind: MindText
    tests: list[Tally]
    texts: tuple[str, ...] = ()  # the test passages as text, where there is text (corpus authors)


def mind_from_text(slug: str, text: str, language: str = "en") -> MindText:
    """A mind as the MMOS stage builds one from a single source: passages, then the held-out chunks."""
    cut = split([passages(slug, text)])
    bodies = {slug: text}
    return MindText.of(slug, slug, language, text_of(bodies, cut.build), text_of(bodies, cut.chunks))


def corpus_cases(corpus: Path) -> dict[str, Case]:
    cases = {}
    for author, text in corpus_texts(corpus).items():
        pieces = chunks(text, CHUNK_WORDS)
        build = "\n\n".join(c for i, c in enumerate(pieces) if not is_bench_held_out(i))
        held = [c for i, c in enumerate(pieces) if is_bench_held_out(i)]
        cases[author] = Case(mind_from_text(author, build), [Tally.of(c) for c in held], tuple(held))
    return cases


def baseline_space(language_pool: LanguagePool | None, exclude: frozenset[str]) -> Space:
    return language_pool.space(exclude, words=BASELINE_WORDS, ngrams=0, function_words=False)


def baseline_similarity(space: Space, mind: MindText, text: Tally) -> float:
    """Plain cosine Delta (as similarity): z-scores of the 300 most frequent words, text vs the mind's build set."""
    a, b = space.z(space.doc_of(text)), space.z(space.doc_of(mind.build))
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def lendaria_score(verifier: Verifier, text: Tally) -> tuple[float, float]:
    """(score, distance) of a test tally; the tally is already in the mind's language."""
    distance = verifier.distance(verifier.space.z(verifier.space.doc_of(text)))
    return verifier.probability(distance), distance


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


SHORT_LENGTHS = (250, 500, 1_000)


def shorter_passages(cases: dict[str, Case], pool: Pool, language: str = "en") -> list[dict]:
    """Attribution among all corpus minds of the first 250, 500 and 1,000 words of each held-out passage:
    how much a shorter text still says (what a fidelity result's confidence stands for)."""
    authors = sorted(cases)
    exclude = frozenset(authors) & frozenset(pool.get(language).ids())
    base_space = baseline_space(pool.get(language), exclude)
    minds = [cases[a].mind for a in authors]
    verifiers = {a: prepare(cases[a].mind, minds, pool, exclude) for a in authors}
    lines = []
    for length in SHORT_LENGTHS:
        right = base_right = total = 0
        for author in authors:
            for text in cases[author].texts:
                test = Tally.of(" ".join(text.split()[:length]))
                scores = {a: lendaria_score(verifiers[a], test) for a in authors}
                right += max(authors, key=lambda a: scores[a]) == author
                base_right += max(authors, key=lambda a: baseline_similarity(base_space, cases[a].mind, test)) == author
                total += 1
        lines.append({"words": length, "passages": total, "lendaria": round(right / total, 4), "baseline": round(base_right / total, 4)})
    return lines


def years(era: str) -> tuple[int, int]:
    found = [int(y) for y in re.findall(r"\d{3,4}", era)]
    return (min(found), max(found)) if found else (0, 9999)


def same_genre_pairs(language_pool: LanguagePool, split: str = "test", slack: int = 30) -> list[tuple[str, str]]:
    """Pairs of pool writers of one genre and of the benchmark's ``split`` (test, or dev: the writers the
    method's parameters were chosen on) whose eras overlap (within ``slack`` years)."""
    writers = [w for w in language_pool.writers if w.get("split", "test") == split]
    pairs = []
    for a, b in itertools.combinations(writers, 2):
        (a0, a1), (b0, b1) = years(a["era"]), years(b["era"])
        if a["genre"] == b["genre"] and a0 <= b1 + slack and b0 <= a1 + slack:
            pairs.append((a["id"], b["id"]))
    return pairs


def without_rows(language_pool: LanguagePool, rows: set[int]) -> LanguagePool:
    """The pool without some chunks (those a benchmark mind is built from or tested on)."""
    keep = np.array([r not in rows for r in range(len(language_pool.writer_of))])
    return replace(language_pool, counts=language_pool.counts[keep], totals=language_pool.totals[keep],
                   writer_of=language_pool.writer_of[keep], sketches=language_pool.sketches[keep])


VARIANTS = {
    "symmetric": "a mind each from four fifths of their chunks, both out of the pool",
    "small vs large": f"the author under test has a small mind ({SMALL_MIND_CHUNKS} chunks), the other all four fifths; "
                      "its passages attributed (each writer of the pair in turn is the small one)",
    "author in pool": "each mind from half of its writer's four fifths, the other half left in the pool as an impostor "
                      "(the mind's author is in the reference under other texts)",
    "later texts": "each mind from the first four fifths of its writer's text, tested on the last fifth (other speeches, "
                   "chapters or works than the mind was built from)",
}


def pair_cases(language_pool: LanguagePool, pair: tuple[str, str], variant: str, small: str | None = None
               ) -> tuple[dict[str, Case], LanguagePool, frozenset[str]]:
    """The pair's minds and test passages for a variant, the pool they are verified against and the
    writers excluded from it."""
    cases, dropped = {}, set()
    for writer in pair:
        index = language_pool.ids().index(writer)
        rows = [int(r) for r in np.flatnonzero(language_pool.writer_of == index)]
        tallies = language_pool.tallies(writer)
        tests = [i for i in range(len(rows)) if i % TEST_EVERY == TEST_AT]
        material = [i for i in range(len(rows)) if i % TEST_EVERY != TEST_AT]
        if variant == "later texts":
            cut = len(rows) - len(tests)
            tests, material = list(range(cut, len(rows))), list(range(cut))
        if variant == "small vs large" and writer == small:
            material = spread(material, SMALL_MIND_CHUNKS)
        if variant == "author in pool":
            material = material[::2]
        cases[writer] = Case(MindText.from_chunks(writer, language_pool.language, [tallies[i] for i in material]),
                             [tallies[i] for i in tests] if variant != "small vs large" or writer == small else [])
        dropped |= {rows[i] for i in tests + material}
    if variant == "author in pool":
        return cases, without_rows(language_pool, dropped), frozenset()
    return cases, language_pool, frozenset(pair)


def pairwise(pool: Pool, language: str, pair: tuple[str, str], variant: str = "symmetric") -> dict:
    """One line of the same-genre benchmark: the pair's held-out passages attributed to one of its two
    minds, and how many pass each mind's verification (own: should; other: should not)."""
    language_pool = pool.get(language)
    rounds = [pair_cases(language_pool, pair, variant, small) for small in (pair if variant == "small vs large" else (None,))]
    tally = {"right": 0, "base_right": 0, "total": 0, "own_pass": 0, "other_pass": 0}
    for cases, verify_pool, exclude in rounds:
        counts = attribute_pair(cases, Pool({**pool.languages, language: verify_pool}, pool.meta), language, exclude)
        tally = {key: tally[key] + counts[key] for key in tally}
    total = tally["total"]
    return {"pair": sorted(pair), "language": language, "variant": variant, "passages": total,
            "lendaria": round(tally["right"] / total, 4), "baseline": round(tally["base_right"] / total, 4),
            "own_pass": round(tally["own_pass"] / total, 4), "other_pass": round(tally["other_pass"] / total, 4)}


def attribute_pair(cases: dict[str, Case], pool: Pool, language: str, exclude: frozenset[str]) -> dict[str, int]:
    minds = [c.mind for c in cases.values()]
    verifiers = {w: prepare(c.mind, minds, pool, exclude) for w, c in cases.items()}
    base_space = baseline_space(pool.get(language), exclude)
    counts = {"right": 0, "base_right": 0, "total": 0, "own_pass": 0, "other_pass": 0}
    for writer, case in cases.items():
        for test in case.tests:
            scores = {w: lendaria_score(v, test) for w, v in verifiers.items()}
            counts["right"] += max(scores, key=lambda w: scores[w]) == writer
            counts["base_right"] += max(cases, key=lambda w: baseline_similarity(base_space, cases[w].mind, test)) == writer
            counts["own_pass"] += scores[writer][0] >= THRESHOLD
            counts["other_pass"] += any(scores[w][0] >= THRESHOLD for w in scores if w != writer)
            counts["total"] += 1
    return counts


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


def open_set(pool: Pool, language: str, pair: tuple[str, str]) -> tuple[list[int], list[float], list[float]]:
    """Same-genre verification against a writer never seen: each mind of the pair verified with the other
    writer out of its impostors and out of the pool; its own passages (label 1) and the other writer's
    (label 0) scored by Lendária and by the baseline's similarity."""
    cases, language_pool, exclude = pair_cases(pool.get(language), pair, "symmetric")
    base_space = baseline_space(language_pool, exclude)
    labels, ours, theirs = [], [], []
    for writer, case in cases.items():
        verifier = prepare(case.mind, [], pool, exclude)
        for other, other_case in cases.items():
            for test in other_case.tests:
                labels.append(int(other == writer))
                ours.append(lendaria_score(verifier, test)[0])
                theirs.append(baseline_similarity(base_space, case.mind, test))
    return labels, ours, theirs


def same_genre(pool: Pool, split: str, quick: bool) -> tuple[list[dict], dict]:
    """Every same-genre pair of the split under every variant, and a summary per variant."""
    lines, labels, ours, theirs = [], [], [], []
    for language, language_pool in sorted(pool.languages.items()):
        candidates = same_genre_pairs(language_pool, split)
        for pair in candidates[:3] if quick else candidates:
            lines += [pairwise(pool, language, pair, variant) for variant in VARIANTS]
            pair_labels, pair_ours, pair_theirs = open_set(pool, language, pair)
            labels, ours, theirs = labels + pair_labels, ours + pair_ours, theirs + pair_theirs
    summary = {"open set": {"pairs": len(lines) // len(VARIANTS), "examples": len(labels),
                            "auc_lendaria": round(auc(labels, ours), 4) if labels else None,
                            "auc_baseline": round(auc(labels, theirs), 4) if labels else None}}
    for variant in VARIANTS:
        rows = [line for line in lines if line["variant"] == variant]
        summary[variant] = {"pairs": len(rows), "passages": sum(r["passages"] for r in rows),
                            **{f"{who}_{stat}": round(fn(r[who] for r in rows), 4) if rows else None
                               for who in ("lendaria", "baseline") for stat, fn in (("min", min), ("mean", statistics.fmean))},
                            **{key: round(sum(r[key] * r["passages"] for r in rows) / max(1, sum(r["passages"] for r in rows)), 4)
                               for key in ("own_pass", "other_pass")}}
    return lines, summary


def run(corpus: Path, quick: bool = False, split: str = "test") -> dict:
    pool = load_pool()
    started = time.perf_counter()
    report = {"benchmark": "fidelity", "split": split, "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
              "pool": pool.meta["coverage"], "variants": VARIANTS,
              "baseline": f"z-scored cosine Delta over the pool's {BASELINE_WORDS} most frequent words, nearest mind",
              "targets": {"attribution": 0.95, "auc": 0.95, "pair": 0.95, "stage_seconds": 20.0, "score_seconds": 0.2}}
    report["same_genre_pairs"], report["same_genre"] = same_genre(pool, split, quick)
    if split == "dev":
        report["evaluation_seconds"] = round(time.perf_counter() - started, 1)
        return report
    cases = corpus_cases(corpus)
    report["leave_one_author_out"] = leave_one_author_out(cases, pool)
    report["shorter_passages"] = shorter_passages(cases, pool)
    largest = max(cases, key=lambda a: cases[a].mind.build.total_words)
    verifier = prepare(cases[largest].mind, [c.mind for c in cases.values()], pool, frozenset(cases))
    load_started = time.perf_counter()
    prepare(cases[largest].mind, [c.mind for c in cases.values()], pool, frozenset(cases))
    load_seconds = time.perf_counter() - load_started
    sample = " ".join(corpus_texts(corpus)[largest].split()[:CHUNK_WORDS])
    report["speed"] = {"score_2000_words_seconds": round(time_scoring(verifier, sample), 5), "load_mind_seconds": round(load_seconds, 4),
                       "impostors": len(verifier.impostors)}
    report["evaluation_seconds"] = round(time.perf_counter() - started, 1)
    report["one_source_stage"] = time_stage(corpus, largest)
    return report


def meets(report: dict) -> dict:
    t, pairs = report["targets"], report["same_genre_pairs"]
    open_line = report["same_genre"]["open set"]
    symmetric = [p for p in pairs if p["variant"] == "symmetric"]
    result = {"pairs": all(p["lendaria"] >= t["pair"] for p in symmetric),  # the line: a mind each from part of their texts
              "pairs_every_variant": all(p["lendaria"] >= t["pair"] for p in pairs),  # the harder variants too
              "baseline_never_better": all(p["lendaria"] >= p["baseline"] for p in pairs)
              and (open_line["auc_lendaria"] or 0) >= (open_line["auc_baseline"] or 0)}
    if "leave_one_author_out" in report:
        loao, stage = report["leave_one_author_out"], report["one_source_stage"]
        result["baseline_never_better"] = result["baseline_never_better"] and all(
            loao[key]["lendaria"] >= loao[key]["baseline"] for key in ("attribution", "auc"))
        result |= {"attribution": loao["attribution"]["lendaria"] >= t["attribution"], "auc": loao["auc"]["lendaria"] >= t["auc"],
                   "one_source_measured": stage["held_out_words"] > 0 and stage["self_check"]["status"] == "measured",
                   "stage": stage["seconds"] < t["stage_seconds"], "score": report["speed"]["score_2000_words_seconds"] < t["score_seconds"]}
    return result


def row(label: str, ours: float, theirs: float, percent: bool = True) -> str:
    style = ">9.1%" if percent else ">9.4f"
    flag = "  <- baseline better" if theirs > ours else ""
    return f"{label[:64]:<64} {ours:{style}} {theirs:{style}}{flag}"


def print_report(report: dict, out: Path) -> None:
    print(f"voice fidelity ({report['split']} writers): Lendária (impostors verification) vs baseline ({report['baseline']})")
    print("pool: " + "; ".join(f"{lang} {c['writers']} writers ({', '.join(c['genres'])})" for lang, c in report["pool"].items()))
    print(f"\n{'line':<64} {'Lendária':>9} {'baseline':>9}")
    if "leave_one_author_out" in report:
        loao = report["leave_one_author_out"]
        print(row(f"leave-one-author-out attribution ({loao['passages']} passages)", loao["attribution"]["lendaria"], loao["attribution"]["baseline"]))
        print(row("leave-one-author-out AUC own vs other (open set)", loao["auc"]["lendaria"], loao["auc"]["baseline"], percent=False))
        for author, line in loao["authors"].items():
            print(row(f"  {author} ({line['passages']})", line["lendaria"], line["baseline"]))
        for line in report["shorter_passages"]:
            print(row(f"leave-one-author-out, first {line['words']:,} words of each passage ({line['passages']})",
                      line["lendaria"], line["baseline"]))
    open_set_line = report["same_genre"]["open set"]
    if open_set_line["examples"]:
        print(row(f"same genre, open set: AUC own vs the other writer, unseen ({open_set_line['examples']} scores)",
                  open_set_line["auc_lendaria"], open_set_line["auc_baseline"], percent=False))
    for variant, summary in report["same_genre"].items():
        if variant != "open set" and summary["pairs"]:
            print(row(f"same genre, {variant}: {summary['pairs']} pairs, worst pair", summary["lendaria_min"], summary["baseline_min"]))
            print(row(f"same genre, {variant}: mean over pairs ({summary['passages']} passages)", summary["lendaria_mean"], summary["baseline_mean"]))
            print(f"{'    verification at ' + str(THRESHOLD) + ': own passages pass, the other mind passes':<64} "
                  f"{summary['own_pass']:>9.1%} {summary['other_pass']:>9.1%}")
    for pair in report["same_genre_pairs"]:
        print(row(f"  {pair['variant']}, {pair['language']}: {pair['pair'][0]} / {pair['pair'][1]} ({pair['passages']})",
                  pair["lendaria"], pair["baseline"]))
    if "one_source_stage" in report:
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
    parser.add_argument("--out", type=Path, default=None, help="JSON report (default bench/results/fidelity[-dev].json).")
    parser.add_argument("--quick", action="store_true", help="Only the first three same-genre pairs per language.")
    parser.add_argument("--dev", action="store_true", help="The same-genre lines on the dev writers (the ones the method was tuned on) "
                                                           "instead of the test writers; no corpus lines.")
    args = parser.parse_args()
    if not (args.corpus / "MANIFEST.yaml").is_file():
        sys.exit(f"corpus not found at {args.corpus} (expected ../shared/corpus with MANIFEST.yaml)")
    split = "dev" if args.dev else "test"
    out = args.out or REPO / "bench" / "results" / f"fidelity{'-dev' if args.dev else ''}.json"
    report = run(args.corpus, args.quick, split)
    report["meets"] = meets(report)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print_report(report, out)


if __name__ == "__main__":
    main()
