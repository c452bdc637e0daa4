"""Versioned mind profiles (migration 20261122120000): every changed profile becomes a new version with
its diff and run, an identical re-persist adds none, and `lendaria profile history|diff` read them."""

from __future__ import annotations

import json

import psycopg
from psycopg.types.json import Jsonb

from lendaria.db.persist import persist_stage
from lendaria.db.repository import PostgresRepository
from lendaria.settings import Settings
from stages.etl.run import run_etl
from stages.mmos.layers import LAYERS
from stages.mmos.run import run_mmos
from tests.conftest import DEMO_SLUG, add_source, run_cli


def diff(conn, old, new) -> dict:
    return conn.execute("select public.profile_diff(%s::jsonb, %s::jsonb)", (Jsonb(old) if old is not None else None, Jsonb(new))).fetchone()[0]


def test_profile_diff_matches_claims_by_id_and_lists_other_changed_fields(database):
    claim = {"id": "values-and-beliefs:count", "claim": "Counts", "weight": 0.2}
    old = {"layer": "values-and-beliefs", "engine": "offline", "claims": [claim, {"id": "values-and-beliefs:tide", "claim": "Tide"}]}
    new = {"layer": "values-and-beliefs", "engine": "offline + anthropic", "measures": {"statements": 3},
           "claims": [{**claim, "weight": 0.3}, {"id": "values-and-beliefs:shore", "claim": "Shore"}]}
    with psycopg.connect(database) as conn:
        assert diff(conn, old, new) == {"added": ["values-and-beliefs:shore"], "removed": ["values-and-beliefs:tide"],
                                        "changed": ["values-and-beliefs:count"], "fields": ["engine", "measures"]}
        assert diff(conn, new, new) == {"added": [], "removed": [], "changed": [], "fields": []}
        assert diff(conn, None, {"words": 10}) == {"added": [], "removed": [], "changed": [], "fields": ["words"]}
        assert diff(conn, None, old)["added"] == ["values-and-beliefs:count", "values-and-beliefs:tide"]


def test_a_changed_source_yields_new_versions_with_a_diff_and_an_unchanged_rerun_none(tmp_path, demo_copy, database):
    settings = Settings(home=tmp_path / "home")
    out = tmp_path / "out"
    run_etl(demo_copy, out, settings)
    run_mmos(DEMO_SLUG, out, settings)
    repository = PostgresRepository(database, settings)
    persist_stage("etl", DEMO_SLUG, out, repository, run_id="run-1")
    persist_stage("mmos", DEMO_SLUG, out, repository, run_id="run-1")
    run_mmos(DEMO_SLUG, out, settings)  # unchanged: nothing rewritten ...
    persist_stage("mmos", DEMO_SLUG, out, repository, run_id="run-2")  # ... and no new version
    with psycopg.connect(database) as conn:
        assert conn.execute("select count(*), max(version) from mind_profile_versions").fetchone() == (9, 1)

    add_source(demo_copy, "lugworms.txt", "".join(
        f"Day {n}. I believe the lugworm casts matter more than anyone thinks, and we must count lugworm casts every spring. "
        "Every morning I walk the sandbar and count the lugworm casts again.\n\n" for n in range(40)))
    run_etl(demo_copy, out, settings)
    run_mmos(DEMO_SLUG, out, settings)
    persist_stage("etl", DEMO_SLUG, out, repository, run_id="run-3")
    persist_stage("mmos", DEMO_SLUG, out, repository, run_id="run-3")
    with psycopg.connect(database) as conn:
        changed = conn.execute("select profile_kind, diff, run_id from mind_profile_versions where version = 2").fetchall()
        assert conn.execute("select count(*) from mind_profile_versions where version = 1").fetchone()[0] == 9
    assert {kind for kind, _, _ in changed} >= {"values-and-beliefs", "communication-style", "voice"}
    assert all(run == "run-3" for _, _, run in changed)
    assert all(d["added"] or d["removed"] or d["changed"] or d["fields"] for _, d, _ in changed)  # never an empty diff
    values = next(d for kind, d, _ in changed if kind == "values-and-beliefs")
    assert any("lugworm" in claim or "cast" in claim for claim in values["added"] + values["changed"])

    env = {"DATABASE_URL": database, "LENDARIA_HOME": str(tmp_path / "home")}
    done = run_cli("profile", "history", DEMO_SLUG, "--layer", "values-and-beliefs", env=env)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 2 and " v1 " in lines[0] and " v2 " in lines[1] and "run run-3" in lines[1] and "claims" in lines[1]
    assert len(json.loads(run_cli("profile", "history", DEMO_SLUG, "--format", "json", env=env).stdout)) == 9 + len(changed)
    report = json.loads(run_cli("profile", "diff", DEMO_SLUG, "--layer", "values-and-beliefs", "--format", "json", env=env).stdout)
    assert report["from"] == 1 and report["to"] == 2 and report["run_id"] == "run-3"
    assert [c["id"] for c in report["added"]] == values["added"] and all(c["claim"] for c in report["added"])
    text = run_cli("profile", "diff", DEMO_SLUG, "--layer", "values-and-beliefs", env=env)
    assert text.returncode == 0 and text.stdout.startswith(f"{DEMO_SLUG} values-and-beliefs: v1 -> v2 (run run-3)")
    assert "  + values-and-beliefs:" in text.stdout or "  ~ values-and-beliefs:" in text.stdout
    first = json.loads(run_cli("profile", "diff", DEMO_SLUG, "--layer", "voice", "--from", "0", "--to", "1", "--format", "json", env=env).stdout)
    assert first["from"] == 0 and "split" in first["fields"]
    missing = run_cli("profile", "diff", DEMO_SLUG, "--layer", "values-and-beliefs", "--to", "7", env=env)
    assert missing.returncode == 1 and "no version 7" in missing.stderr
    assert run_cli("profile", "history", "nobody", env=env).returncode == 1
    assert set(LAYERS) <= {r["kind"] for r in json.loads(run_cli("profile", "history", DEMO_SLUG, "--format", "json", env=env).stdout)}
