"""The ``lendaria`` command as users run it (subprocesses; exit codes and messages)."""

from __future__ import annotations

import json

from tests.conftest import COMMITTED_OUTPUTS, DEMO_SLUG, REPO_ROOT, snapshot
from tests.conftest import run_cli as lendaria

FIXTURES = REPO_ROOT / "tests" / "contracts" / "fixtures" / "invalid"


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


# ---- usage errors: exit 2 with click's own message; bare commands print help and exit 0 ------------------
def test_usage_errors_exit_2_with_clicks_message(tmp_path):
    cases = {
        ("run",): "Missing argument 'MIND'",
        ("run", "x", "--bogus"): "No such option: --bogus",
        ("run", "x", "--stages", "bogus"): "unknown stage(s): bogus",
        ("run", "x", "--stages", "etl,nope"): "unknown stage(s): nope",
        ("persist", "x", "--stage", "nope"): "no persist step for stage(s): nope",
        ("validate", "--format", "xml"): "'xml' is not one of 'text', 'json'",
        ("init", "ada"): "Missing option '--name'",
        ("nonsense",): "No such command 'nonsense'",
        ("db", "rollback", "--to"): "Option '--to' requires an argument",
    }
    for args, message in cases.items():
        result = lendaria(*args, "--outputs", str(tmp_path)) if args[0] == "run" and len(args) > 1 else lendaria(*args)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert message in result.stderr, (args, result.stderr)
        assert "unexpected" not in result.stderr and "Traceback" not in result.stderr


def test_bare_commands_print_help_and_exit_0():
    for args in [(), ("db",), ("server",), ("contracts",)]:
        result = lendaria(*args)
        assert result.returncode == 0, (args, result.stderr)
        assert "Usage:" in result.stdout and "Commands:" in result.stdout


def test_help_shows_flags_as_flags():
    top = lendaria("--help").stdout
    assert "--debug  Show tracebacks" in top and "<bool>" not in top
    run = lendaria("run", "--help").stdout
    assert "--persist / --no-persist" in run and "<bool>" not in run


def test_validate_counts_files_that_fail_to_parse(tmp_path):
    sources = tmp_path / "minds" / "x" / "sources"
    sources.mkdir(parents=True)
    (sources / "metadata.yaml").write_text("contract: etl-mmos-metadata@1.0.0\nsources: [unclosed\n")
    (sources / "broken.md").write_bytes(b"---\ncontract: etl-mmos@1.0.0\n---\n\xff\xfe not utf-8")
    result = lendaria("validate", str(tmp_path))
    assert result.returncode == 1
    assert "2 file(s) checked, 2 violation(s)." in result.stdout, result.stdout


def test_docs_contracts_page_lists_every_contract_the_cli_lists():
    listed = {c["contract"].split("@")[0] for c in json.loads(lendaria("contracts", "list", "--format", "json").stdout)}
    page = (REPO_ROOT / "docs" / "contracts.md").read_text(encoding="utf-8")
    missing = sorted(name for name in listed if f"`{name}" not in page)
    assert not missing, f"docs/contracts.md omits {missing}"


def test_init_then_run_ends_with_one_clear_message_then_works(tmp_path):
    created = lendaria("init", "ada", "--name", "Ada Lovelace", "--outputs", str(tmp_path))
    assert created.returncode == 0, created.stderr
    raw = tmp_path / "minds" / "ada" / "raw"
    assert (raw / "README").is_file() and "Ada Lovelace" in (raw / "README").read_text()
    empty = lendaria("run", "ada", "--outputs", str(tmp_path), "--no-persist")
    assert empty.returncode == 1
    assert empty.stderr.count("\n") == 1 and "holds no supported files yet" in empty.stderr and "Put the person's texts" in empty.stderr
    assert not (tmp_path / "minds" / "ada" / "sources").exists()
    assert lendaria("validate", str(tmp_path / "minds" / "ada")).returncode == 0  # raw/README is not a contract file


def test_anthropic_engine_without_key_or_api_fails_clearly_before_any_work(tmp_path):
    spec = REPO_ROOT / "examples" / "iris-valente" / "mind.yaml"
    env = {"LENDARIA_HOME": str(tmp_path / "home"), "LENDARIA_ENGINE": "anthropic"}
    no_key = lendaria("run", str(spec), "--outputs", str(tmp_path / "out"), "--no-persist", env={**env, "ANTHROPIC_API_KEY": ""})
    assert no_key.returncode == 5 and "ANTHROPIC_API_KEY is not set" in no_key.stderr
    key = "sk-ant-test-CLI-SECRET-42"
    unreachable = lendaria("run", str(spec), "--outputs", str(tmp_path / "out"), "--no-persist",
                           env={**env, "ANTHROPIC_API_KEY": key, "LENDARIA_ANTHROPIC_BASE_URL": "http://127.0.0.1:9",
                                "LENDARIA_ENGINE_MAX_RETRIES": "0"})
    assert unreachable.returncode == 5, unreachable.stderr
    assert "cannot reach the Anthropic API at 127.0.0.1:9" in unreachable.stderr
    assert "Traceback" not in unreachable.stderr and unreachable.stderr.count("\n") == 1
    assert key not in unreachable.stderr + unreachable.stdout
    assert not (tmp_path / "home").exists() and not (tmp_path / "out").exists()  # failed before Prefect, nothing written


def test_a_bad_setting_names_its_variable_and_never_shows_a_secret():
    result = lendaria("validate", env={"LENDARIA_CRASH_AFTER_SECONDS": "10", "LENDARIA_ENGINE": "psychic"})
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "LENDARIA_CRASH_AFTER_SECONDS='10'" in result.stderr and "at least 60" in result.stderr
    assert "LENDARIA_ENGINE='psychic'" in result.stderr and "unexpected" not in result.stderr


def test_a_bad_secret_setting_is_named_but_hidden():
    from lendaria.settings import shown

    assert shown("anthropic_api_key", "sk-ant-very-secret") == "(hidden)" and shown("engine", "x") == "'x'"
