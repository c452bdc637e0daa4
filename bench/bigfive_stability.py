"""Split-half stability of the offline Big Five (stages/innerlens/bigfive.py) on ../shared/corpus.

For each author, the paragraphs alternately form two disjoint halves; each half gets a trait vector
(five 0-100 scores). An author is *stable* when the distance between its own halves is smaller than the
distance from either half to any half of every other author. Target: at least 6 of 7 authors.
Prints the distance table and writes bench/results/bigfive_stability.json.

Usage: python bench/bigfive_stability.py [--corpus PATH]
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from stages.innerlens.bigfive import TRAITS, score_words, tokens  # noqa: E402


def halves(text: str) -> tuple[list[str], list[str]]:
    paragraphs = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
    return ([w for p in paragraphs[0::2] for w in tokens(p)], [w for p in paragraphs[1::2] for w in tokens(p)])


def distance(a: dict[str, float], b: dict[str, float]) -> float:
    return math.sqrt(sum((a[t] - b[t]) ** 2 for t in TRAITS))


def stability(texts: dict[str, str]) -> dict:
    vectors = {author: tuple(score_words(half) for half in halves(text)) for author, text in texts.items()}
    rows = {}
    for author, (first, second) in vectors.items():
        own = distance(first, second)
        nearest_other = min(distance(mine, theirs) for other, pair in vectors.items() if other != author
                            for mine in (first, second) for theirs in pair)
        rows[author] = {"own_halves": round(own, 1), "nearest_other": round(nearest_other, 1), "stable": own < nearest_other,
                        "half_a": first, "half_b": second}
    return {"authors": rows, "stable": sum(r["stable"] for r in rows.values()), "of": len(rows)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", default=str(REPO.parent / "shared" / "corpus"))
    parser.add_argument("--output", default=str(REPO / "bench" / "results" / "bigfive_stability.json"))
    args = parser.parse_args()
    files = sorted(Path(args.corpus).glob("*/*.txt"))
    if not files:
        sys.exit(f"corpus not found at {args.corpus}")
    texts: dict[str, str] = {}
    for path in files:
        texts[path.parent.name] = texts.get(path.parent.name, "") + "\n\n" + path.read_text(encoding="utf-8")
    report = stability(texts)
    print(f"{'author':28}{'own halves':>12}{'nearest other':>15}  stable")
    for author, row in report["authors"].items():
        print(f"{author:28}{row['own_halves']:>12}{row['nearest_other']:>15}  {'yes' if row['stable'] else 'NO'}")
    print(f"stable: {report['stable']} of {report['of']} (target >= 6 of 7)")
    report["meets_target"] = report["stable"] >= 6
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
