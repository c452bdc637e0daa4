"""The orchestrator's decisions without a server: where runs report, which console lines are hidden,
how a stale state file and taken ports are read, what `lendaria serve` deploys. (The real server,
started, stopped, killed and shared, is tested in test_local_stack.py.)"""

from __future__ import annotations

import json
import logging
import os
import socket

import pytest

from lendaria.errors import InputError
from lendaria.orchestrator import connect, serve
from lendaria.orchestrator.server import LocalPrefectServer, ServerState, port_is_free, process_is_server
from lendaria.settings import Settings
from tests.conftest import REPO_ROOT


@pytest.fixture
def no_prefect_env(monkeypatch, tmp_path):
    for name in ("PREFECT_API_URL", "PREFECT_PROFILE", "PREFECT_PROFILES_PATH"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "user-prefect-home"))
    return tmp_path


def write_profiles(path, active: str, profiles: dict) -> None:
    lines = [f'active = "{active}"']
    for name, values in profiles.items():
        lines.append(f"[profiles.{name}]")
        lines += [f'{key} = "{value}"' for key, value in values.items()]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")


def test_profile_api_url_reads_the_active_profile(no_prefect_env, monkeypatch):
    profiles = no_prefect_env / "user-prefect-home" / "profiles.toml"
    assert connect.profile_api_url() == (None, None)  # no file
    write_profiles(profiles, "team", {"team": {"PREFECT_API_URL": "http://team:4200/api"}, "solo": {}})
    assert connect.profile_api_url() == ("http://team:4200/api", "team")
    monkeypatch.setenv("PREFECT_PROFILE", "solo")
    assert connect.profile_api_url() == (None, None)
    profiles.write_text("not toml [")
    assert connect.profile_api_url() == (None, None)


def test_target_precedence_env_then_profile_then_ephemeral(no_prefect_env, monkeypatch):
    home = no_prefect_env / "home"
    say = []
    monkeypatch.setenv("PREFECT_API_URL", "http://elsewhere:4200/api")
    target = connect.select_target(Settings(home=home), say.append)
    assert (target.mode, target.api_url, target.note) == ("external", "http://elsewhere:4200/api", None)

    monkeypatch.delenv("PREFECT_API_URL")
    write_profiles(no_prefect_env / "user-prefect-home" / "profiles.toml", "team", {"team": {"PREFECT_API_URL": "http://team:4200/api"}})
    target = connect.select_target(Settings(home=home, prefect="ephemeral"), say.append)
    assert target.mode == "external" and "Prefect profile 'team'" in target.note

    (no_prefect_env / "user-prefect-home" / "profiles.toml").unlink()
    target = connect.select_target(Settings(home=home, prefect="ephemeral"), say.append)
    assert target.mode == "ephemeral" and not target.keeps_history
    assert say == [] and not home.exists()  # nothing was started for any of these
    assert "PREFECT_API_URL" not in os.environ


def test_explained_failures_are_hidden_from_the_console_only():
    from lendaria.db.connect import DatabaseUnavailableError

    def record(message: str, level=logging.ERROR, exc=None) -> logging.LogRecord:
        return logging.LogRecord("prefect.flow_runs", level, __file__, 1, message, None, (type(exc), exc, None) if exc else None)

    assert connect.is_explained_failure(record("Task run failed", exc=InputError("bad file")))
    assert connect.is_explained_failure(record("Finished in state Failed('Flow run encountered an exception: InputError: x')", logging.INFO))
    assert connect.is_explained_failure(record("Encountered exception during execution: DatabaseUnavailableError('…')"))
    assert DatabaseUnavailableError.__name__ in connect._error_class_names()  # subclasses anywhere count
    assert not connect.is_explained_failure(record("Task run failed", exc=ValueError("a bug")))
    assert not connect.is_explained_failure(record("Finished in state Failed('… KeyError: x')"))
    assert not connect.is_explained_failure(record("collected 3/5: notes.txt", logging.INFO))


def test_state_file_and_port_choice(tmp_path):
    server = LocalPrefectServer(tmp_path / "home", preferred_port=0)
    assert server.read_state() is None and not server.probe().running
    server.folder.mkdir(parents=True)
    server.state_file.write_text("{not json")
    assert server.read_state() is None
    state = ServerState(pid=2**22 + 7, port=1, prefect_version="3.8.8", started_at="2026-01-01T00:00:00+00:00")
    server.state_file.write_text(json.dumps(state.__dict__))
    probe = server.probe()
    assert probe.state == state and not probe.alive and not probe.running  # a pid that does not exist
    assert state.url == "http://127.0.0.1:1" and state.api_url == "http://127.0.0.1:1/api"

    with socket.socket() as taken, socket.socket() as also_taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        also_taken.bind(("127.0.0.1", 0))
        also_taken.listen()
        port, preferred = taken.getsockname()[1], also_taken.getsockname()[1]
        assert not port_is_free(port)
        chooser = LocalPrefectServer(tmp_path / "home", preferred_port=preferred)
        chosen = chooser._choose_port(ServerState(1, port, "3.8.8", ""))
        assert chosen not in (port, preferred) and port_is_free(chosen)
    assert LocalPrefectServer(tmp_path / "home", preferred_port=port)._choose_port(ServerState(1, preferred, "3.8.8", "")) == preferred


def test_a_live_pid_that_is_not_the_server_is_not_trusted():
    assert not process_is_server(os.getpid(), 4200)  # pytest, not `prefect server start`


def test_serve_finds_the_project_and_its_work_pools(tmp_path):
    assert serve.find_project_dir(REPO_ROOT) == REPO_ROOT
    assert serve.find_project_dir(tmp_path) == REPO_ROOT  # elsewhere: this checkout's prefect.yaml
    assert serve.work_pool_names(REPO_ROOT) == ["lendaria-local"]
    (tmp_path / "prefect.yaml").write_text("deployments:\n  - name: x\n    entrypoint: f.py:f\n")
    with pytest.raises(InputError, match="no deployment names a work pool"):
        serve.work_pool_names(tmp_path)


def test_deploy_failure_is_reported_with_prefects_message(tmp_path, monkeypatch):
    (tmp_path / "prefect.yaml").write_text("deployments:\n  - name: broken\n    entrypoint: missing.py:nothing\n    work_pool:\n      name: p\n")
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:9/api")  # nothing listens: deploy must fail
    with pytest.raises(serve.DeployError) as info:
        serve.deploy_all(tmp_path)
    assert "prefect deploy --all" in str(info.value) and str(tmp_path / "prefect.yaml") in str(info.value)



def test_crash_automation_follows_the_setting(prefect_harness):
    """Against a real Prefect API: created once, left alone when unchanged, updated when the window
    changes, removed with 0; the trigger is Prefect's zombie recipe with the configured window."""
    from prefect.client.orchestration import get_client

    def stored():
        with get_client(sync_client=True) as client:
            return client.read_automations_by_name(serve.CRASH_AUTOMATION)

    assert serve.ensure_crash_automation(90) == "created"
    assert serve.ensure_crash_automation(90) == "unchanged"
    [automation] = stored()
    trigger = automation.trigger
    assert trigger.posture == "Proactive" and trigger.within.total_seconds() == 90 and trigger.after == {"prefect.flow-run.heartbeat"}
    assert "prefect.flow-run.Paused" not in trigger.expect and "prefect.flow-run.Completed" in trigger.expect
    assert automation.actions[0].state == "CRASHED" and not automation.actions[0].force  # see the test below

    assert serve.ensure_crash_automation(120) == "updated"
    [automation] = stored()
    assert automation.trigger.within.total_seconds() == 120
    assert serve.ensure_crash_automation(0) == "removed" and stored() == []
    assert serve.ensure_crash_automation(0) == "off"


def test_crash_automation_crashes_a_silent_run_and_never_a_finished_one(prefect_harness):
    """The automation on a real Prefect server (its triggers service), with a 10 s window: a Running
    run whose heartbeat stopped turns Crashed; a Completed run whose heartbeat arrives after its end
    (events travel apart from state changes, so this happens) stays Completed, because the action is
    not forced and Prefect refuses Crashed for a finished run."""
    import time

    from prefect import flow
    from prefect.client.orchestration import get_client
    from prefect.events import emit_event
    from prefect.states import Running

    @flow
    def short() -> int:
        return 1

    with get_client(sync_client=True) as client:
        client.create_automation(serve.crash_automation(10))
        try:
            finished = short(return_state=True).state_details.flow_run_id
            silent = client.create_flow_run(flow=short, state=Running()).id
            for run_id in (finished, silent):
                emit_event(event="prefect.flow-run.heartbeat", resource={"prefect.resource.id": f"prefect.flow-run.{run_id}"})
            deadline = time.monotonic() + 90
            while client.read_flow_run(silent).state.type.value != "CRASHED":
                assert time.monotonic() < deadline, "the silent run was not marked Crashed"
                time.sleep(1)
            time.sleep(3)  # the finished run's bucket expired in the same evaluation
            assert client.read_flow_run(finished).state.type.value == "COMPLETED"
            assert "no heartbeat for 10 s" in client.read_flow_run(silent).state.message
        finally:
            serve.ensure_crash_automation(0)


def test_crash_window_sets_the_heartbeat_and_refuses_too_short_a_window():
    assert serve.heartbeat_seconds(60) == 30 and serve.heartbeat_seconds(90) == 30 and serve.heartbeat_seconds(300) == 100
    with pytest.raises(ValueError, match="at least 60"):
        Settings(crash_after_seconds=45)
    assert Settings(crash_after_seconds=0).crash_after_seconds == 0
