"""Which database should the local Prefect server use? SQLite (Prefect's default) against PostgreSQL,
under concurrent runs.

For each backend, in a fresh LENDARIA_HOME: start the local server, then start K `lendaria run`
of the demo at the same moment (separate outputs, --no-persist), R rounds. Reports successes, the
wall time of each round (all K finished) and "database is locked" errors seen in the server log.

PostgreSQL needs the pg_trgm extension, which the pgserver wheel (the embedded database) lacks; this
benchmark uses a system PostgreSQL with contrib (Debian: postgresql + postgresql-contrib) when one
is installed, and reports SQLite alone otherwise. Writes bench/results/prefect_backend.json.

Usage: python bench/prefect_backend.py [--concurrency K] [--rounds R]
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "examples" / "iris-valente" / "mind.yaml"


def system_postgres() -> Path | None:
    """A PostgreSQL bin folder whose installation has pg_trgm, or None."""
    for bin_dir in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if Path(bin_dir, "postgres").exists() and glob.glob(str(Path(bin_dir).parent / "lib" / "pg_trgm.so")):
            return Path(bin_dir)
    return None


def as_postgres_user(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


def start_postgres(bin_dir: Path, folder: Path) -> tuple[str, callable]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    data = folder / "pgdata"
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:  # the server runs as `postgres`: it must reach its folder
        os.chmod(folder.parent, 0o711)
        shutil.chown(folder, "postgres")
    subprocess.run(as_postgres_user([str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"]),
                   check=True, capture_output=True)
    subprocess.run(as_postgres_user([str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(folder / "log"), "-w", "-o",
                                     f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={folder}", "start"]),
                   check=True, capture_output=True)
    import psycopg

    with psycopg.connect(f"postgresql://postgres@127.0.0.1:{port}/postgres", autocommit=True) as conn:
        conn.execute("create database prefect")
    with psycopg.connect(f"postgresql://postgres@127.0.0.1:{port}/prefect", autocommit=True) as conn:
        conn.execute("create extension if not exists pg_trgm")

    def stop() -> None:
        subprocess.run(as_postgres_user([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"]), capture_output=True)

    return f"postgresql+asyncpg://postgres@127.0.0.1:{port}/prefect", stop


def measure(name: str, home: Path, extra_env: dict[str, str], concurrency: int, rounds: int) -> dict:
    env = {**os.environ, "LENDARIA_HOME": str(home), **extra_env}
    for key in ("PREFECT_API_URL", "LENDARIA_PREFECT", "DATABASE_URL", "SUPABASE_URL"):
        env.pop(key, None)
    clock = time.perf_counter()
    subprocess.run([sys.executable, "-m", "lendaria", "server", "start"], cwd=REPO, env=env, check=True, capture_output=True)
    start_seconds = time.perf_counter() - clock
    walls, failures = [], []
    try:
        for round_ in range(rounds):
            clock = time.perf_counter()
            runs = [subprocess.Popen([sys.executable, "-m", "lendaria", "run", str(DEMO), "--no-persist", "--outputs",
                                      str(home / f"out-{round_}-{i}")], cwd=REPO, env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True) for i in range(concurrency)]
            for run in runs:
                _, stderr = run.communicate(timeout=900)
                if run.returncode != 0:
                    failures.append(stderr.strip().splitlines()[-1] if stderr.strip() else f"exit {run.returncode}")
            walls.append(time.perf_counter() - clock)
            print(f"  {name:<10} round {round_}: {walls[-1]:6.2f} s for {concurrency} concurrent runs", flush=True)
    finally:
        subprocess.run([sys.executable, "-m", "lendaria", "server", "stop"], cwd=REPO, env=env, capture_output=True)
    log = (home / "prefect" / "server.log").read_text(errors="replace")
    return {"server_first_start_s": round(start_seconds, 2), "round_wall_s": [round(w, 2) for w in walls],
            "round_wall_median_s": round(statistics.median(walls), 2), "runs": concurrency * rounds,
            "failed_runs": len(failures), "failures": failures[:5], "database_is_locked_in_log": log.count("database is locked")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    report = {"benchmark": "prefect_backend", "concurrency": args.concurrency, "rounds": args.rounds, "backends": {}}
    with tempfile.TemporaryDirectory(prefix="lendaria-backend-") as tmp:
        report["backends"]["sqlite"] = measure("sqlite", Path(tmp) / "sqlite", {}, args.concurrency, args.rounds)
        bin_dir = system_postgres()
        if bin_dir is None:
            report["backends"]["postgresql"] = "skipped: no system PostgreSQL with pg_trgm (install postgresql-contrib)"
        else:
            url, stop = start_postgres(bin_dir, Path(tmp) / "pg")
            try:
                report["backends"]["postgresql"] = measure(
                    "postgresql", Path(tmp) / "postgres", {"PREFECT_SERVER_DATABASE_CONNECTION_URL": url}, args.concurrency, args.rounds)
            finally:
                stop()
    print(json.dumps(report, indent=2))
    out = REPO / "bench" / "results" / "prefect_backend.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out.relative_to(REPO)}")


if __name__ == "__main__":
    main()
