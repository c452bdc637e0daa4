"""Resume: a no-op re-run of the full demo pipeline against a cold run, both against the same local
Prefect server and embedded PostgreSQL, in one process; and Prefect's own overhead per run and per task.

Each round:
  * ``cold``  - the pipeline (ETL, InnerLens, MMOS, CreatorOS with the demo course, persisted) into a
                fresh outputs folder, with every local cache emptied (stage states, InnerLens's fragment
                cache, MMOS's state, Prefect's persisted task results): everything is computed;
  * ``noop``  - the same pipeline again on that folder: every stage is skipped (resume check), no
                persist is sent again; the summary artifact and the run's history are still written.
Both are wall time of the flow call (perf_counter), the median over the rounds is reported, and
``noop / cold`` is compared with the target (<= 0.15). Prefect's overhead is measured on the same
server with trivial flows: an empty flow run, and a flow of 50 no-op tasks (per task = the
difference / 50). For reference, one `lendaria run` of each kind as a fresh process (imports included).

Usage: python bench/resume.py [--repeat N]    Prints a table; writes bench/results/resume.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "examples" / "iris-valente" / "mind.yaml"
BRIEF = REPO / "outputs" / "courses" / "shore-counting" / "COURSE-BRIEF.md"
TARGET_RATIO = 0.15
TASKS = 50


def lendaria(args: list[str], env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess]:
    clock = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "lendaria", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=900)
    if result.returncode != 0:
        sys.exit(f"`lendaria {' '.join(args)}` failed ({result.returncode}):\n{result.stderr[-3000:]}")
    return time.perf_counter() - clock, result


def fresh_outputs(root: Path) -> Path:
    shutil.rmtree(root, ignore_errors=True)
    (root / "courses" / "shore-counting").mkdir(parents=True)
    shutil.copyfile(BRIEF, root / "courses" / "shore-counting" / "COURSE-BRIEF.md")
    return root


def empty_caches(home: Path) -> None:
    for folder in (home / "cache", home / "prefect" / "results"):
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="rounds (cold + no-op each); medians reported")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="lendaria-bench-resume-"))
    home = tmp / "home"
    env = {**os.environ, "LENDARIA_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    for name in ("PREFECT_API_URL", "LENDARIA_PREFECT", "DATABASE_URL", "SUPABASE_URL", "LENDARIA_DASK"):
        env.pop(name, None)
    try:
        lendaria(["server", "start"], env)
        api = lendaria(["server", "url", "--api"], env)[1].stdout.strip()
        os.environ.update({"LENDARIA_HOME": str(home), "PREFECT_API_URL": api, "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                           "PREFECT_LOGGING_LEVEL": "WARNING"})
        for name in ("DATABASE_URL", "SUPABASE_URL", "LENDARIA_DASK"):
            os.environ.pop(name, None)
        report = measure(home, tmp, api, args.repeat)
        cli_cold, _ = lendaria(["run", str(DEMO), "--outputs", str(fresh_outputs(tmp / "cli"))], {**env, "LENDARIA_OUTPUTS": str(tmp / "cli")})
        cli_noop, result = lendaria(["run", str(DEMO), "--outputs", str(tmp / "cli")], env)
        assert result.stdout.count("skipped: unchanged") == 4, result.stdout
        report["seconds"]["cli_cold_run"] = round(cli_cold, 2)
        report["seconds"]["cli_noop_run"] = round(cli_noop, 2)
    finally:
        subprocess.run([sys.executable, "-m", "lendaria", "server", "stop"], cwd=REPO, env=env, capture_output=True)
        subprocess.run([sys.executable, "-m", "lendaria", "db", "stop"], cwd=REPO, env=env, capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)

    print()
    print(f"{'measure':<40}{'seconds':>10}")
    for key, value in report["seconds"].items():
        if not isinstance(value, list):
            print(f"{key:<40}{value:>10.3f}")
    print(f"{'noop / cold':<40}{report['ratio_noop_to_cold']:>10.3f}   (target <= {TARGET_RATIO})")
    print("no-op run, per stage (s): " + ", ".join(f"{k} {v}" for k, v in report["noop_stage_seconds"].items()))
    out = REPO / "bench" / "results" / "resume.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out.relative_to(REPO)}")
    if not report["meets_target"]:
        sys.exit(1)


def measure(home: Path, tmp: Path, api: str, repeat: int) -> dict:
    from prefect import flow, task
    from prefect.cache_policies import NO_CACHE

    from flows.pipeline import pipeline
    from lendaria.orchestrator.connect import run_settings
    from lendaria.settings import get_settings

    get_settings.cache_clear()

    @task(cache_policy=NO_CACHE)
    def noop_task(i: int) -> int:
        return i

    @flow(name="bench-empty")
    def empty_flow() -> None:
        return None

    @flow(name="bench-tasks")
    def tasks_flow(n: int) -> None:
        for i in range(n):
            noop_task(i)

    def timed(fn, *a, **kw) -> tuple[float, object]:
        clock = time.perf_counter()
        value = fn(*a, **kw)
        return time.perf_counter() - clock, value

    cold, noop, empty, many = [], [], [], []
    stages: dict[str, list[float]] = {}
    with run_settings(get_settings()):
        timed(pipeline, mind=str(DEMO), outputs=str(fresh_outputs(tmp / "warm-up")))  # the database and file cache warm up
        for round_ in range(repeat):
            root = fresh_outputs(tmp / f"round-{round_}")
            empty_caches(home)
            seconds, result = timed(pipeline, mind=str(DEMO), outputs=str(root))
            assert all(result[s]["status"] == "ran" for s in ("etl", "innerlens", "mmos", "creatoros")), result
            assert result["creatoros"]["totals"]["lessons_generated"] == 6
            cold.append(seconds)
            seconds, result = timed(pipeline, mind=str(DEMO), outputs=str(root))
            assert all(result[s]["status"] == "skipped" for s in ("etl", "innerlens", "mmos", "creatoros")), result
            noop.append(seconds)
            for name in ("etl", "innerlens", "mmos", "creatoros"):
                stages.setdefault(name, []).append(result[name]["duration_ms"] / 1000)
            empty.append(timed(empty_flow)[0])
            many.append(timed(tasks_flow, TASKS)[0])
            print(f"  round {round_}: cold {cold[-1]:6.2f} s, no-op {noop[-1]:5.2f} s, empty flow {empty[-1]:5.2f} s, "
                  f"{TASKS} tasks {many[-1]:5.2f} s", flush=True)
    cold_median, noop_median = statistics.median(cold), statistics.median(noop)
    per_task = (statistics.median(many) - statistics.median(empty)) / TASKS
    ratio = noop_median / cold_median
    return {
        "benchmark": "resume",
        "machine": {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count()},
        "server": api,
        "repeat": repeat,
        "seconds": {
            "cold_run_median": round(cold_median, 2),
            "noop_run_median": round(noop_median, 3),
            "cold_all": [round(t, 2) for t in cold],
            "noop_all": [round(t, 3) for t in noop],
            "prefect_overhead_per_run": round(statistics.median(empty), 3),
            "prefect_overhead_per_task": round(per_task, 4),
        },
        "noop_stage_seconds": {name: round(statistics.median(values), 3) for name, values in stages.items()},
        "ratio_noop_to_cold": round(ratio, 3),
        "target_ratio": TARGET_RATIO,
        "meets_target": ratio <= TARGET_RATIO,
    }


if __name__ == "__main__":
    main()
