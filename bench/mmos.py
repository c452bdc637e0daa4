"""MMOS part 2 benchmark on ../shared/corpus (prints, writes JSON): the whole MMOS stage offline (gate,
split, voice profile, fidelity, the eight layers, synthesis, system prompt, knowledge base) on the
largest corpus author's complete text as one mind, and offline ``ask`` after the knowledge base is
loaded.

Targets (issue 11): the stage in under 60 s on 2 cores; an answer in under 1 s after load. Reported
as ratios to those targets (below 1 meets them), with the stage's phases and the number of claims
and spans it cites. ``ask`` is timed over 20 questions in process (load once, then each question) and
once as the command a user runs (a fresh Python process: imports and load included, for reference).

Usage: python bench/mmos.py [--corpus PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

STAGE_TARGET_SECONDS = 60.0
ASK_TARGET_SECONDS = 1.0
QUESTIONS = ["What is the use of history?", "How should a man trust himself?", "What do you think of friendship?",
             "Is nature a teacher?", "Why does society conspire against the individual?", "What is genius?",
             "How do you read books?", "What is the duty of a scholar?", "Is prudence a virtue?", "What is love?",
             "What do you make of heroism?", "How should we treat our neighbours?", "What is art for?",
             "Does the soul grow old?", "What are laws made of?", "Is travel worth it?", "What is wealth?",
             "Why keep a journal?", "What is the oversoul?", "How does a poet see the world?"]


def largest_author(corpus: Path) -> str:
    return max((p for p in corpus.iterdir() if p.is_dir()), key=lambda p: sum(len(f.read_text().split()) for f in p.glob("*.txt"))).name


def run(corpus: Path) -> dict:
    from lendaria.settings import Settings
    from lendaria.yamlio import dump_yaml, load_yaml
    from stages.etl.run import run_etl
    from stages.mmos.run import ask, load_index, run_mmos

    author = largest_author(corpus)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        spec = folder / "mind.yaml"
        spec.write_text(dump_yaml({"slug": "bench-author", "name": author, "language": "en",
                                   "sources": [{"path": str(f.resolve()), "type": "book"} for f in sorted((corpus / author).glob("*.txt"))]}))
        settings = Settings(home=folder / "home")
        out = folder / "out"
        run_etl(spec, out, settings)
        started = time.perf_counter()
        result = run_mmos("bench-author", out, settings)
        stage = time.perf_counter() - started
        again = time.perf_counter()
        unchanged = run_mmos("bench-author", out, settings)
        rerun = time.perf_counter() - again
        mind = out / "minds" / "bench-author"
        claims = spans = 0
        for path in (mind / "analysis" / "layers").glob("*.yaml"):
            document = load_yaml(path.read_text())
            claims += len(document["claims"])
            spans += sum(len(c["evidence"]) for c in document["claims"])

        loading = time.perf_counter()
        index = load_index(out, "bench-author")
        load_seconds = time.perf_counter() - loading
        per_question, answered = [], 0
        for question in QUESTIONS:
            began = time.perf_counter()
            found = index.passages(question, 3)
            per_question.append(time.perf_counter() - began)
            answered += bool(found)
        began = time.perf_counter()
        ask(out, "bench-author", QUESTIONS[0], 3)  # the service: load + answer
        service_seconds = time.perf_counter() - began
        began = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "lendaria", "ask", "bench-author", QUESTIONS[0], "--outputs", str(out)],
                              capture_output=True, text=True, env={**os.environ, "LENDARIA_HOME": str(folder / "home")})
        cli_seconds = time.perf_counter() - began
        assert done.returncode == 0, done.stderr
        chunks = sum(1 for _ in (mind / "kb" / "chunks.jsonl").open())
    return {
        "author": author, "own_words": result.gate["own_words"], "build_words": result.build_words,
        "stage_seconds": round(stage, 3), "stage_target_seconds": STAGE_TARGET_SECONDS,
        "stage_ratio_to_target": round(stage / STAGE_TARGET_SECONDS, 4),
        "unchanged_rerun_seconds": round(rerun, 3), "unchanged_rerun_written": len(unchanged.written),
        "files_written": len(result.written), "layer_claims": claims, "layer_evidence_spans": spans, "kb_chunks": chunks,
        "ask": {"load_seconds": round(load_seconds, 4), "questions": len(per_question), "questions_with_passages": answered,
                "median_seconds": round(statistics.median(per_question), 5), "max_seconds": round(max(per_question), 5),
                "target_seconds": ASK_TARGET_SECONDS, "max_ratio_to_target": round(max(per_question) / ASK_TARGET_SECONDS, 5),
                "service_with_load_seconds": round(service_seconds, 4), "cli_process_seconds": round(cli_seconds, 3)},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=Path(os.environ.get("LENDARIA_CORPUS", REPO.parent / "shared" / "corpus")))
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "mmos.json")
    args = parser.parse_args()
    if not (args.corpus / "MANIFEST.yaml").is_file():
        sys.exit(f"corpus not found at {args.corpus} (expected ../shared/corpus with MANIFEST.yaml)")
    report = {"machine": {"python": platform.python_version(), "cpus": os.cpu_count()}, **run(args.corpus)}
    report["meets"] = {"stage": report["stage_ratio_to_target"] < 1, "ask": report["ask"]["max_ratio_to_target"] < 1}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    a = report["ask"]
    print(f"MMOS offline on all of {report['author']} ({report['own_words']:,} words, build {report['build_words']:,}):")
    print(f"  stage {report['stage_seconds']:.2f} s = {report['stage_ratio_to_target']:.3f} of the 60 s target "
          f"({report['files_written']} files, {report['layer_claims']} claims citing {report['layer_evidence_spans']} spans, "
          f"{report['kb_chunks']} kb chunks); unchanged re-run {report['unchanged_rerun_seconds']:.2f} s, "
          f"{report['unchanged_rerun_written']} files written")
    print(f"  ask after load: median {a['median_seconds'] * 1000:.2f} ms, max {a['max_seconds'] * 1000:.2f} ms over {a['questions']} "
          f"questions = {a['max_ratio_to_target']:.4f} of the 1 s target (load {a['load_seconds']:.2f} s; service with load "
          f"{a['service_with_load_seconds']:.2f} s; `lendaria ask` as a new process {a['cli_process_seconds']:.2f} s)")
    print(f"  meets: {report['meets']}  -> {args.out}")


if __name__ == "__main__":
    main()
