"""The demo run (`lendaria run examples/iris-valente/mind.yaml`, the README's first command) against
the reused local Prefect server versus Prefect's temporary ("ephemeral") API, as a user runs it: a
fresh process each time, wall time from launch to exit.

In one run, with a fresh LENDARIA_HOME and outputs folder:
  * ``server_cold_start`` - `lendaria server start` with no Prefect database yet (first start);
  * ``server_warm_start`` - `lendaria server stop` then `lendaria server start` (a restart);
  * ``run_local``         - `lendaria run` with the server already running (median of N);
  * ``run_ephemeral``     - the same with LENDARIA_PREFECT=ephemeral (median of N);
  * ``bad_input``         - `lendaria run` of a spec that names a binary .txt (fails pre-flight);
  * ``floor_*``           - bench/prefect_floor_flow.py (plain Prefect: a flow, a subflow, five trivial
                            tasks) against the same server and in ephemeral mode: Prefect's own floor.
Runs alternate (ephemeral, local, ephemeral, …) so a load spike hits both. The first run of each
mode is a warm-up (the embedded database starts, the OS caches the files) and is not counted.
Target: run_local / run_ephemeral < 0.25. Prints a table and writes bench/results/prefect_stack.json.

Usage: python bench/prefect_stack.py [--repeat N]
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
DEMO = REPO / "examples" / "iris-valente" / "mind.yaml"
TARGET_RATIO = 0.25


def lendaria(args: list[str], env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess]:
    clock = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "lendaria", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=900)
    seconds = time.perf_counter() - clock
    if result.returncode not in (0, 1):
        sys.exit(f"`lendaria {' '.join(args)}` failed ({result.returncode}):\n{result.stderr[-3000:]}")
    return seconds, result


def floor_run(env: dict[str, str]) -> float:
    clock = time.perf_counter()
    subprocess.run([sys.executable, str(REPO / "bench" / "prefect_floor_flow.py")], cwd=REPO, env=env, check=True,
                   capture_output=True, timeout=600)
    return time.perf_counter() - clock


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="counted runs per mode (median reported)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="lendaria-bench-") as tmp:
        home, outputs = Path(tmp) / "home", Path(tmp) / "outputs"
        env = {**os.environ, "LENDARIA_HOME": str(home), "LENDARIA_OUTPUTS": str(outputs), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
        for name in ("PREFECT_API_URL", "LENDARIA_PREFECT", "DATABASE_URL", "SUPABASE_URL"):
            env.pop(name, None)
        ephemeral_env = {**env, "LENDARIA_PREFECT": "ephemeral"}
        try:
            cold, _ = lendaria(["server", "start"], env)
            lendaria(["server", "stop"], env)
            warm, _ = lendaria(["server", "start"], env)
            times: dict[str, list[float]] = {"local": [], "ephemeral": [], "floor_local": [], "floor_ephemeral": []}
            api_url = lendaria(["server", "url", "--api"], env)[1].stdout.strip()
            floor_envs = {"floor_ephemeral": {**env, "PREFECT_SERVER_EPHEMERAL_ENABLED": "true"},
                          "floor_local": {**env, "PREFECT_API_URL": api_url}}
            for round_ in range(args.repeat + 1):
                for mode, mode_env in (("ephemeral", ephemeral_env), ("local", env)):
                    seconds, result = lendaria(["run", str(DEMO)], mode_env)
                    if result.returncode != 0 or "5 collected" not in result.stdout:
                        sys.exit(f"{mode} run failed:\n{result.stderr[-3000:]}")
                    if round_ > 0:  # round 0 warms up the embedded database and the file cache
                        times[mode].append(seconds)
                    print(f"  {mode:<15} run {round_}: {seconds:6.2f} s" + ("  (warm-up)" if round_ == 0 else ""), flush=True)
                for mode, mode_env in floor_envs.items():
                    seconds = floor_run(mode_env)
                    if round_ > 0:
                        times[mode].append(seconds)
                    print(f"  {mode:<15} run {round_}: {seconds:6.2f} s" + ("  (warm-up)" if round_ == 0 else ""), flush=True)
            bad = Path(tmp) / "bad"
            (bad / "raw").mkdir(parents=True)
            (bad / "raw" / "notes.txt").write_bytes(b"looks like text\x00\x00 but is not")
            (bad / "mind.yaml").write_text("slug: bad\nname: Bad\nsources:\n  - path: raw/notes.txt\n")
            bad_seconds, bad_result = lendaria(["run", str(bad / "mind.yaml")], env)
            assert bad_result.returncode == 1 and "NUL bytes" in bad_result.stderr, bad_result.stderr
        finally:
            subprocess.run([sys.executable, "-m", "lendaria", "server", "stop"], cwd=REPO, env=env, capture_output=True)
            subprocess.run([sys.executable, "-m", "lendaria", "db", "stop"], cwd=REPO, env=env, capture_output=True)

    local, ephemeral = statistics.median(times["local"]), statistics.median(times["ephemeral"])
    ratio = local / ephemeral
    floor_local, floor_ephemeral = statistics.median(times["floor_local"]), statistics.median(times["floor_ephemeral"])
    report = {
        "benchmark": "prefect_stack",
        "machine": {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count()},
        "repeat": args.repeat,
        "seconds": {
            "server_cold_start": round(cold, 2),
            "server_warm_start": round(warm, 2),
            "run_local_median": round(local, 2),
            "run_ephemeral_median": round(ephemeral, 2),
            "run_local_all": [round(t, 2) for t in times["local"]],
            "run_ephemeral_all": [round(t, 2) for t in times["ephemeral"]],
            "bad_input_fails_after": round(bad_seconds, 2),
            "floor_local_median": round(floor_local, 2),
            "floor_ephemeral_median": round(floor_ephemeral, 2),
        },
        "ratio_local_to_ephemeral": round(ratio, 3),
        "floor_ratio_local_to_ephemeral": round(floor_local / floor_ephemeral, 3),
        "target_ratio": TARGET_RATIO,
        "meets_target": ratio < TARGET_RATIO,
    }
    print()
    print(f"{'measure':<34}{'seconds':>10}")
    for key in ("server_cold_start", "server_warm_start", "run_ephemeral_median", "run_local_median", "bad_input_fails_after",
                "floor_ephemeral_median", "floor_local_median"):
        print(f"{key:<34}{report['seconds'][key]:>10.2f}")
    print(f"{'run_local / run_ephemeral':<34}{ratio:>10.3f}   (target < {TARGET_RATIO})")
    print(f"{'floor: plain Prefect, same ratio':<34}{floor_local / floor_ephemeral:>10.3f}")
    out = REPO / "bench" / "results" / "prefect_stack.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out.relative_to(REPO)}")
    if not report["meets_target"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
