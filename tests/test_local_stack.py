"""The local Prefect stack as a user meets it, through the real CLI, a real Prefect server and the
embedded PostgreSQL: the README's first command on a cold machine, a server started once and reused,
stopped, killed or robbed of its port, the ephemeral opt-out, and every exit code.

The tests share one cold ``LENDARIA_HOME`` (``stack_home``) and run in file order."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import COMMITTED_OUTPUTS, DEMO_SLUG, DEMO_SPEC, REPO_ROOT, run_cli, snapshot, write_spec
from tests.support.api import get_json, post_json

pytestmark = pytest.mark.stack


def server_state(home: Path) -> dict:
    return json.loads((home / "prefect" / "server.json").read_text())


def servers_for(home: Path) -> list[int]:
    """Pids of live `prefect server start` processes whose PREFECT_HOME is this home's."""
    wanted = f"PREFECT_HOME={(home / 'prefect' / 'home').resolve()}".encode()
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
            environ = (entry / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"server" in cmdline and b"start" in cmdline and any(b"prefect" in a for a in cmdline) and wanted in environ:
            pids.append(int(entry.name))
    return pids


def run_line(stderr: str) -> str:
    return next(line for line in stderr.splitlines() if line.startswith("run: "))


def test_readme_first_command_twice_at_once_on_a_cold_machine(stack_home, tmp_path):
    """The README's first command, started twice at the same moment with nothing running: both
    succeed, one Prefect server is started and shared, outputs match the golden demo, the embedded
    database is created, migrated and persisted into once."""
    env = {**os.environ, "LENDARIA_HOME": str(stack_home)}
    out = tmp_path / "out"
    command = [sys.executable, "-m", "lendaria", "run", str(DEMO_SPEC), "--outputs", str(out)]
    runs = [subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]
    results = [(run.wait(timeout=600), *run.communicate()) for run in runs]
    for code, stdout, stderr in results:
        assert code == 0, stderr[-3000:]
        assert "11 collected" in stdout and "Traceback" not in stderr
    starts = [stderr.count("started the local Prefect server at") for _, _, stderr in results]
    assert sorted(starts) == [0, 1], [stderr[-1500:] for _, _, stderr in results]
    url = server_state(stack_home)["port"]
    assert all(f"run: http://127.0.0.1:{url}/runs/flow-run/" in stderr for _, _, stderr in results)
    assert servers_for(stack_home) == [server_state(stack_home)["pid"]]
    assert snapshot(out / "minds" / DEMO_SLUG) == snapshot(COMMITTED_OUTPUTS / "minds" / DEMO_SLUG)
    # the advisory lock serialises the two persists: the second changes nothing; or the second run found
    # ETL already done by the first (resume) and did not persist it again
    written = [int(stdout.split("sources ")[1].split("/")[0]) for _, stdout, _ in results if "[etl] persisted" in stdout]
    assert sorted(written) in ([0, 11], [11]), [stdout for _, stdout, _ in results]
    assert all("[etl] persisted" in stdout or "[etl] already persisted by run" in stdout for _, stdout, _ in results)

    status = run_cli("db", "status", env={"LENDARIA_HOME": str(stack_home)})
    assert status.returncode == 0 and status.stdout.count("applied") == len(list((REPO_ROOT / "supabase" / "migrations").glob("*.sql")))
    again = run_cli("persist", str(DEMO_SPEC), "--outputs", str(out), env={"LENDARIA_HOME": str(stack_home)})
    assert again.returncode == 0 and "sources 0/11 written" in again.stdout, again.stderr
    assert run_cli("db", "url", env={"LENDARIA_HOME": str(stack_home)}).stdout.startswith("postgresql://postgres@/lendaria?host=")


def test_second_run_reuses_the_server_and_links_the_run(stack_home, tmp_path):
    before = server_state(stack_home)
    result = run_cli("run", str(DEMO_SPEC), "--outputs", str(tmp_path / "out"), "--no-persist", env={"LENDARIA_HOME": str(stack_home)})
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Prefect server" not in result.stderr  # reused silently
    flow_run_id = run_line(result.stderr).rsplit("/", 1)[1]
    assert server_state(stack_home) == before
    state = get_json(f"http://127.0.0.1:{before['port']}/api/flow_runs/{flow_run_id}")
    assert state["state_type"] == "COMPLETED" and state["name"]  # the run outlives the command, in the server


def test_a_named_course_that_cannot_be_built_exits_1_and_its_run_is_failed(stack_home, tmp_path):
    from lendaria.catalog import Catalog
    from stages.creatoros.run import init_brief

    out = tmp_path / "out"
    shutil.copytree(COMMITTED_OUTPUTS, out)
    init_brief(Catalog(out), "half-done", DEMO_SLUG, None)  # scaffolded, never filled in
    result = run_cli("run", str(DEMO_SPEC), "--course", "half-done", "--stages", "creatoros", "--no-persist", "--outputs", str(out),
                     env={"LENDARIA_HOME": str(stack_home)})
    assert result.returncode == 1, result.stderr[-2000:]
    assert "error: courses/half-done/COURSE-BRIEF.md: the course brief is" in result.stderr and "Traceback" not in result.stderr
    flow_run_id = run_line(result.stderr).rsplit("/", 1)[1]
    state = get_json(f"http://127.0.0.1:{server_state(stack_home)['port']}/api/flow_runs/{flow_run_id}")
    assert state["state_type"] == "FAILED"


def test_server_commands(stack_home):
    env = {"LENDARIA_HOME": str(stack_home)}
    state = server_state(stack_home)
    status = run_cli("server", "status", env=env)
    assert status.returncode == 0 and status.stdout.startswith(f"running: http://127.0.0.1:{state['port']} (pid {state['pid']}")
    as_json = json.loads(run_cli("server", "status", "--format", "json", env=env).stdout)
    assert as_json["status"] == "running" and as_json["pid"] == state["pid"]
    assert run_cli("server", "url", env=env).stdout.strip() == f"http://127.0.0.1:{state['port']}"
    assert run_cli("server", "url", "--api", env=env).stdout.strip() == f"http://127.0.0.1:{state['port']}/api"
    start = run_cli("server", "start", env=env)
    assert start.returncode == 0 and start.stdout.strip() == f"http://127.0.0.1:{state['port']}" and server_state(stack_home) == state


def test_stop_then_run_starts_it_again(stack_home, tmp_path):
    env = {"LENDARIA_HOME": str(stack_home)}
    assert run_cli("server", "stop", env=env).stdout.strip() == "stopped"
    assert servers_for(stack_home) == []
    stopped = run_cli("server", "status", env=env)
    assert stopped.returncode == 1 and stopped.stdout.startswith("stopped")
    url = run_cli("server", "url", env=env)
    assert url.returncode == 1 and "not running" in url.stderr
    result = run_cli("run", str(DEMO_SPEC), "--outputs", str(tmp_path / "out"), "--no-persist", env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "started the local Prefect server at" in result.stderr
    assert servers_for(stack_home) == [server_state(stack_home)["pid"]]


def test_killed_server_is_restarted_and_said_so(stack_home, tmp_path):
    env = {"LENDARIA_HOME": str(stack_home)}
    killed = server_state(stack_home)["pid"]
    os.kill(killed, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while killed in servers_for(stack_home) and time.monotonic() < deadline:
        time.sleep(0.1)
    result = run_cli("run", str(DEMO_SPEC), "--outputs", str(tmp_path / "out"), "--no-persist", env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    assert f"the local Prefect server (pid {killed}) had stopped; started it again" in result.stderr
    assert servers_for(stack_home) == [server_state(stack_home)["pid"]] and server_state(stack_home)["pid"] != killed


def test_port_taken_by_another_program(stack_home, tmp_path):
    env = {"LENDARIA_HOME": str(stack_home)}
    port = server_state(stack_home)["port"]
    assert run_cli("server", "stop", env=env).returncode == 0
    with socket.socket() as squatter:
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        squatter.bind(("127.0.0.1", port))
        squatter.listen()
        (stack_home / "prefect" / "server.json").write_text(json.dumps({"pid": 999999, "port": port, "prefect_version": "3.8.8",
                                                                        "started_at": "2026-01-01T00:00:00+00:00"}))
        result = run_cli("run", str(DEMO_SPEC), "--outputs", str(tmp_path / "out"), "--no-persist", env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    moved = server_state(stack_home)["port"]
    assert moved != port
    assert f"port {port} is taken by another program, so it now listens on {moved}" in result.stderr
    assert f"run: http://127.0.0.1:{moved}/runs/flow-run/" in result.stderr


def test_ephemeral_opt_out_reports_to_a_temporary_api(stack_home, tmp_path):
    """LENDARIA_PREFECT=ephemeral: Prefect's temporary API, even with the local server running."""
    state = server_state(stack_home)
    api = f"http://127.0.0.1:{state['port']}/api"
    before = post_json(f"{api}/flow_runs/count", {})
    env = {"LENDARIA_HOME": str(stack_home), "LENDARIA_PREFECT": "ephemeral"}
    result = run_cli("run", str(DEMO_SPEC), "--outputs", str(tmp_path / "out"), "--no-persist", env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Starting temporary server" in result.stderr and "run: " not in result.stderr
    assert post_json(f"{api}/flow_runs/count", {}) == before and server_state(stack_home) == state


# ---- exit codes: 0 ok (above), 1 bad input, 2 usage, 3 nothing collected, 4 database unreachable ----------
def test_bad_local_input_fails_before_prefect_starts(tmp_path):
    home = tmp_path / "home"
    folder = tmp_path / "mind"
    (folder / "raw").mkdir(parents=True)
    (folder / "raw" / "a.txt").write_text("Good words.")
    (folder / "raw" / "b.txt").write_bytes(b"%PDF-1.4 a pdf named .txt\x00\x00")
    (folder / "talk.vtt").write_text("WEBVTT\n\n00:00.000 --> 00:01.000\n<v Ana>Hello there.\n")
    spec = write_spec(folder, [{"path": "raw/a.txt"}, {"path": "raw/b.txt"}])  # named: fatal (in a folder: failed, run goes on)
    result = run_cli("run", str(spec), "--outputs", str(tmp_path / "out"), env={"LENDARIA_HOME": str(home)})
    assert result.returncode == 1
    assert "b.txt: is a PDF (give it a .pdf extension)" in result.stderr and result.stderr.count("\n") == 1
    write_spec(folder, [{"path": "raw/a.txt"}, {"path": "talk.vtt", "speaker": "Bruno"}])
    speaker = run_cli("run", str(spec), "--outputs", str(tmp_path / "out"), env={"LENDARIA_HOME": str(home)})
    assert speaker.returncode == 1 and "speaker 'Bruno' not found; speakers in this transcript: Ana" in speaker.stderr
    assert not home.exists() and not (tmp_path / "out").exists()  # no server, no database, no output


def test_usage_error_exits_2_before_anything_starts(tmp_path):
    result = run_cli("run", str(DEMO_SPEC), "--stages", "bogus", env={"LENDARIA_HOME": str(tmp_path / "home")})
    assert result.returncode == 2 and "Available stages: etl" in result.stderr
    assert not (tmp_path / "home").exists()


def test_nothing_collected_exits_3(stack_home, tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    spec = write_spec(tmp_path, [{"url": f"http://127.0.0.1:{port}/gone"}])
    result = run_cli("run", str(spec), "--outputs", str(tmp_path / "out"), "--no-persist",
                     env={"LENDARIA_HOME": str(stack_home), "LENDARIA_HTTP_RETRIES": "0"})
    assert result.returncode == 3 and "nothing was collected" in result.stderr
    assert result.stderr.count("NothingCollectedError") == 0  # Prefect's own lines about it stay in the UI


def test_database_unreachable_exits_4_before_any_output(stack_home, tmp_path):
    env = {"LENDARIA_HOME": str(stack_home), "DATABASE_URL": f"postgresql://postgres@/x?host={tmp_path}/none",
           "LENDARIA_DB_CONNECT_RETRIES": "1", "LENDARIA_DB_CONNECT_BACKOFF": "0.01"}
    result = run_cli("run", str(DEMO_SPEC), "--outputs", str(tmp_path / "out"), env=env)
    assert result.returncode == 4 and "cannot reach the database" in result.stderr and "Traceback" not in result.stderr
    assert "running etl" not in result.stderr and not (tmp_path / "out").exists()


def test_ctrl_c_on_the_command_that_started_the_database_leaves_it_running(tmp_path):
    """Ctrl-C (SIGINT to the process group of the command that started the embedded PostgreSQL, e.g.
    `lendaria run`, or a worker under `lendaria serve`) must not stop it: pg_ctl detaches the server
    into its own session, and this keeps it that way."""
    from lendaria.db.embedded import EmbeddedPostgres

    home = tmp_path / "home"
    env = {**os.environ, "LENDARIA_HOME": str(home)}
    starter = subprocess.Popen([sys.executable, "-m", "lendaria", "db", "start"], cwd=REPO_ROOT, env=env, start_new_session=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert starter.wait(timeout=120) == 0
    try:
        try:
            os.killpg(starter.pid, signal.SIGINT)  # the group is empty unless the server stayed in it
        except ProcessLookupError:
            pass
        time.sleep(1)
        assert EmbeddedPostgres(home).is_running()
    finally:
        EmbeddedPostgres(home).stop()
