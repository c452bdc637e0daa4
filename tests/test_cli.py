"""The ``lendaria`` command as users run it (subprocesses; exit codes and messages)."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import COMMITTED_OUTPUTS, DEMO_SLUG, DEMO_SPEC, REPO_ROOT, snapshot

FIXTURES = REPO_ROOT / "tests" / "contracts" / "fixtures" / "invalid"


def lendaria(*args: str, cwd=None, timeout=300, env: dict | None = None) -> subprocess.CompletedProcess:
    import os

    return subprocess.run([sys.executable, "-m", "lendaria.cli", *args], capture_output=True, text=True, cwd=cwd or REPO_ROOT,
                          timeout=timeout, env={**os.environ, **(env or {})})


def test_validate_committed_outputs():
    result = lendaria("validate", "--outputs", str(COMMITTED_OUTPUTS))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 violation(s)" in result.stdout


def test_validate_json_reports_violations_and_exits_1():
    result = lendaria("validate", str(FIXTURES), "--format", "json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert not report["ok"]
    assert {"file", "contract", "pointer", "message"} <= set(report["violations"][0])
    assert any(v["pointer"] == "/front_matter/words" for v in report["violations"])


def test_contracts_list_and_check():
    listing = lendaria("contracts", "list", "--format", "json")
    assert any(c["contract"] == "etl-mmos@1.0.0" for c in json.loads(listing.stdout))
    same = lendaria("contracts", "check", "etl-mmos@1.0.0", "etl-mmos@1.0.0")
    assert same.returncode == 0 and ": none" in same.stdout


def test_contracts_check_refuses_breaking_change(tmp_path):
    old = tmp_path / "old.json"
    new = tmp_path / "new.json"
    old.write_text(json.dumps({"type": "object", "properties": {"a": {"type": "string"}}}))
    new.write_text(json.dumps({"type": "object", "properties": {}}))
    result = lendaria("contracts", "check", str(old), str(new))
    assert result.returncode == 1 and "breaking" in result.stdout and "field 'a' removed" in result.stdout


def test_init_scaffolds_a_valid_spec_and_refuses_to_overwrite(tmp_path):
    created = lendaria("init", "ana-lima", "--name", "Ana Lima", "--language", "pt", "--outputs", str(tmp_path))
    assert created.returncode == 0, created.stderr
    spec = tmp_path / "minds" / "ana-lima" / "mind.yaml"
    check = lendaria("validate", str(spec))
    assert check.returncode == 0, check.stdout
    again = lendaria("init", "ana-lima", "--name", "Ana Lima", "--outputs", str(tmp_path))
    assert again.returncode == 1 and "already exists" in again.stderr


def test_errors_are_one_paragraph_without_traceback(tmp_path):
    bad = lendaria("init", "../escape", "--name", "X", "--outputs", str(tmp_path))
    assert bad.returncode == 1
    assert "unsafe or invalid slug '../escape'" in bad.stderr and "Traceback" not in bad.stderr
    assert not (tmp_path / "escape").exists()
    spec = tmp_path / "mind.yaml"
    spec.write_text("slug: x\nname: X\nsources:\n  - path: nowhere.txt\n")
    missing = lendaria("run", str(spec), "--outputs", str(tmp_path / "out"))
    assert missing.returncode == 1
    assert missing.stderr.strip().count("\n") == 0 and "nowhere.txt" in missing.stderr and str(spec) in missing.stderr
    assert not (tmp_path / "out").exists()


def test_readme_demo_command_end_to_end(tmp_path):
    """The README's first command, into a temp outputs root: real CLI, real Prefect (ephemeral API),
    and the embedded PostgreSQL started, migrated and persisted into by itself."""
    env = {"LENDARIA_HOME": str(tmp_path / "home")}
    try:
        result = lendaria("run", str(DEMO_SPEC), "--outputs", str(tmp_path / "out"), timeout=600, env=env)
        assert result.returncode == 0, result.stderr[-3000:]
        assert "5 collected" in result.stdout and "sources 5/5 written" in result.stdout
        assert snapshot(tmp_path / "out" / "minds" / DEMO_SLUG) == snapshot(COMMITTED_OUTPUTS / "minds" / DEMO_SLUG)
        status = lendaria("db", "status", env=env)
        assert status.returncode == 0 and status.stdout.count("applied") == len(list((REPO_ROOT / "supabase" / "migrations").glob("*.sql")))
        again = lendaria("persist", str(DEMO_SPEC), "--outputs", str(tmp_path / "out"), env=env)
        assert again.returncode == 0 and "sources 0/5 written" in again.stdout, again.stderr
        url = lendaria("db", "url", env=env).stdout.strip()
        assert url.startswith("postgresql://postgres@/lendaria?host=")
    finally:
        stop = lendaria("db", "stop", env=env)
    assert stop.stdout.strip() == "stopped"


def test_db_commands_on_a_database_url(database):
    env = {"DATABASE_URL": database}
    status = lendaria("db", "status", "--format", "json", env=env)
    assert status.returncode == 0 and all(s["state"] == "applied" for s in json.loads(status.stdout))
    newest = json.loads(status.stdout)[-1]["version"]
    down = lendaria("db", "rollback", env=env)
    assert down.returncode == 0 and newest in down.stdout
    pending = json.loads(lendaria("db", "status", "--format", "json", env=env).stdout)
    assert pending[-1]["state"] == "pending"
    up = lendaria("db", "migrate", env=env)
    assert up.returncode == 0 and newest in up.stdout
    assert "nothing to apply" in lendaria("db", "migrate", env=env).stdout
    shown = lendaria("db", "url", env=env).stdout
    assert shown.startswith("DATABASE_URL (") and "postgres@" not in shown


def test_persist_with_the_database_down_exits_4_and_keeps_outputs(tmp_path):
    env = {"DATABASE_URL": f"postgresql://postgres@/x?host={tmp_path}/none", "LENDARIA_DB_CONNECT_RETRIES": "1",
           "LENDARIA_DB_CONNECT_BACKOFF": "0.01"}
    before = snapshot(COMMITTED_OUTPUTS)
    result = lendaria("persist", DEMO_SLUG, "--outputs", str(COMMITTED_OUTPUTS), env=env)
    assert result.returncode == 4 and "cannot reach the database" in result.stderr and "Traceback" not in result.stderr
    assert snapshot(COMMITTED_OUTPUTS) == before
