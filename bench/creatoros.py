"""CreatorOS benchmark (prints, writes JSON): a 10-lesson course built offline after MMOS, on the demo
mind (Iris Valente, committed outputs) and on the largest corpus author's complete text as a mind.

Target (issue 12): the course (research, curriculum, 10 lessons, fidelity summary) in under 30 s on 2
cores. Reported as a ratio to the target (below 1 meets it), with an unchanged re-build (nothing
regenerated) and a re-build after one lesson's file is lost (that lesson only).

Usage: python bench/creatoros.py [--corpus PATH]
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

TARGET_SECONDS = 30.0
DEMO = "iris-valente"
EMERSON_BRIEF = """---
contract: creatoros-brief@1.0.0
course: self-reliance
title: Trusting Yourself
mind: bench-author
mode: greenfield
review: false
---
# Trusting Yourself

## Topic

Emerson's case for self-reliance, friendship, nature and the intellect, read closely.

## Audience

Adult readers new to the essays who want to apply them to their own lives.

## Outcomes

- Explain why Emerson asks a person to trust their own thought
- Describe what friendship demands of two people
- Read nature as a teacher of the mind
- Judge when conformity costs more than it saves
- Write a short essay in answer to one of his claims

## Format

Self-paced text lessons, each with a hook, concepts, examples, a question and an action.

## Length

10 lessons of about 800 words each.

## Voice

Emerson's own voice, from his essays.

## Constraints

Quote only the essays.
"""


def timed_course(outputs: Path, course: str, home: Path) -> dict:
    from lendaria.settings import Settings
    from stages.creatoros.run import build_course

    settings = Settings(home=home)
    started = time.perf_counter()
    first = build_course(course, outputs, settings)
    seconds = time.perf_counter() - started
    started = time.perf_counter()
    again = build_course(course, outputs, settings)
    unchanged = time.perf_counter() - started
    (outputs / "courses" / course / "lessons" / "lesson-007.md").unlink()
    started = time.perf_counter()
    repaired = build_course(course, outputs, settings)
    one = time.perf_counter() - started
    return {"lessons": first.lessons, "seconds": round(seconds, 3), "ratio_to_target": round(seconds / TARGET_SECONDS, 4),
            "statuses": first.fidelity["statuses"], "verbatim_share": first.fidelity["overall"]["verbatim_share"],
            "unchanged_rebuild_seconds": round(unchanged, 3), "unchanged_regenerated": len(again.regenerated),
            "one_lost_lesson_seconds": round(one, 3), "one_lost_lesson_regenerated": repaired.regenerated}


def demo_course(tmp: Path) -> dict:
    out = tmp / "demo"
    shutil.copytree(REPO / "outputs" / "minds" / DEMO, out / "minds" / DEMO)
    brief = (REPO / "outputs" / "courses" / "shore-counting" / "COURSE-BRIEF.md").read_text()
    (out / "courses" / "shore-counting").mkdir(parents=True)
    (out / "courses" / "shore-counting" / "COURSE-BRIEF.md").write_text(brief.replace("6 lessons of about", "10 lessons of about"))
    return {"mind": DEMO, **timed_course(out, "shore-counting", tmp / "home-demo")}


def emerson_course(tmp: Path, corpus: Path) -> dict:
    from lendaria.settings import Settings
    from lendaria.yamlio import dump_yaml
    from stages.etl.run import run_etl
    from stages.mmos.run import run_mmos

    author = max((p for p in corpus.iterdir() if p.is_dir()), key=lambda p: sum(len(f.read_text().split()) for f in p.glob("*.txt")))
    out, home = tmp / "emerson", tmp / "home-emerson"
    spec = tmp / "mind.yaml"
    spec.write_text(dump_yaml({"slug": "bench-author", "name": author.name, "language": "en",
                               "sources": [{"path": str(f.resolve()), "type": "book"} for f in sorted(author.glob("*.txt"))]}))
    run_etl(spec, out, Settings(home=home))
    run_mmos("bench-author", out, Settings(home=home))
    (out / "courses" / "self-reliance").mkdir(parents=True)
    (out / "courses" / "self-reliance" / "COURSE-BRIEF.md").write_text(EMERSON_BRIEF)
    return {"mind": author.name, **timed_course(out, "self-reliance", home)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=Path(os.environ.get("LENDARIA_CORPUS", REPO.parent / "shared" / "corpus")))
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "creatoros.json")
    args = parser.parse_args()
    if not (args.corpus / "MANIFEST.yaml").is_file():
        sys.exit(f"corpus not found at {args.corpus} (expected ../shared/corpus with MANIFEST.yaml)")
    with tempfile.TemporaryDirectory() as tmp:
        courses = [demo_course(Path(tmp)), emerson_course(Path(tmp), args.corpus)]
    report = {"machine": {"python": platform.python_version(), "cpus": os.cpu_count()}, "target_seconds": TARGET_SECONDS,
              "courses": courses, "meets": all(c["ratio_to_target"] < 1 for c in courses)}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    for c in courses:
        print(f"{c['lessons']}-lesson course offline on {c['mind']}: {c['seconds']:.2f} s = {c['ratio_to_target']:.3f} of the 30 s "
              f"target (fidelity {c['statuses']}, verbatim share {c['verbatim_share']:.0%}); unchanged re-build "
              f"{c['unchanged_rebuild_seconds']:.2f} s ({c['unchanged_regenerated']} regenerated); one lost lesson "
              f"{c['one_lost_lesson_seconds']:.2f} s (regenerated {c['one_lost_lesson_regenerated']})")
    print(f"meets: {report['meets']}  -> {args.out}")


if __name__ == "__main__":
    main()
