"""Versioned mind profiles at the SQL level (migration 20261122120000), with small hand-made profiles
sent through the real ``public.lendaria_persist`` as the MMOS role: the exact diff of a version, no
version for an identical (or only re-filed) profile, who may append, the rollback, and what
`lendaria profile history|diff` print for them. The pipeline-level test is test_profile_versions.py."""

from __future__ import annotations

import copy
import json

import psycopg
import pytest
from psycopg.types.json import Jsonb

from lendaria.db import migrations
from lendaria.db.repository import PostgresRepository
from lendaria.settings import Settings
from tests.conftest import run_cli
from tests.db.conftest import as_role, create_database, drop_database

SLUG = "versioned-mind"
VERSIONS_MIGRATION = "20261122120000"


def sha(char: str) -> str:
    return char * 64


def claim(claim_id: str, text: str, weight: float, spans: int = 1) -> dict:
    evidence = [{"source_id": "notes-0a1b2c3d", "start": 10 * n, "end": 10 * n + 9, "text": f"span {n}"} for n in range(spans)]
    return {"id": f"values-and-beliefs:{claim_id}", "claim": text, "label": claim_id, "weight": weight, "evidence": evidence}


LAYER = {"mind": SLUG, "layer": "values-and-beliefs", "title": "Values and beliefs", "engine": "offline", "method": "log-odds",
         "claims": [claim("tide", "Believes the tide sets the day", 0.7, 2), claim("count", "Counts what others guess", 0.5),
                    claim("shore", "Trusts the shore more than the model", 0.4)],
         "measures": {"statements": 12}}
VOICE = {"mind": SLUG, "words": 1200, "split": {"held_out_words": 300}, "features": {"mattr": 0.71}}


class Minds:
    """Persists hand-made profiles for one mind through the real persist function."""

    def __init__(self, url: str):
        self.url = url
        self.repository = PostgresRepository(url, Settings(database_url=url, db_connect_retries=0))
        self.repository.persist("etl", {"run_id": "run-0", "mind": {"slug": SLUG, "row": {
            "display_name": "Versioned Mind", "contract_path": f"minds/{SLUG}/sources/metadata.yaml", "contract_sha256": sha("0")}},
            "tables": []})

    def persist(self, run_id: str, **profiles: tuple[dict, str]) -> dict:
        rows = [{"profile_kind": kind.replace("_", "-"), "profile": profile, "contract_path": f"minds/{SLUG}/analysis/{kind}.yaml",
                 "contract_sha256": digest} for kind, (profile, digest) in profiles.items()]
        payload = {"run_id": run_id, "mind": {"slug": SLUG}, "tables": [{"table": "mind_profiles", "key": ["profile_kind"], "rows": rows}]}
        return self.repository.persist("mmos", payload)["counts"]["mind_profiles"]

    def versions(self, kind: str) -> list[tuple]:
        with psycopg.connect(self.url) as conn:
            return conn.execute("select version, profile, diff, run_id, contract_sha256 from mind_profile_versions "
                                "where profile_kind = %s order by version", (kind,)).fetchall()


@pytest.fixture
def minds(database) -> Minds:
    return Minds(database)


def second_layer() -> dict:
    """LAYER with `tide` changed (weight and one more span), `count` removed, `lugworm` added, engine changed."""
    layer = copy.deepcopy(LAYER)
    layer["engine"] = "offline + anthropic"
    tide = claim("tide", "Believes the tide sets the day", 0.8, 3)
    layer["claims"] = [tide, LAYER["claims"][2], claim("lugworm", "Counts lugworm casts every spring", 0.6)]
    return layer


def test_versions_through_the_persist_function_with_their_exact_diff(minds):
    assert minds.persist("run-1", values_and_beliefs=(LAYER, sha("1")), voice=(VOICE, sha("a"))) == {"rows": 2, "written": 2, "deleted": 0}
    [(version, profile, diff, run_id, digest)] = minds.versions("values-and-beliefs")
    assert (version, profile, run_id, digest) == (1, LAYER, "run-1", sha("1"))
    assert diff == {"added": ["values-and-beliefs:count", "values-and-beliefs:shore", "values-and-beliefs:tide"], "removed": [],
                    "changed": [], "fields": ["engine", "layer", "measures", "method", "mind", "title"]}
    assert minds.versions("voice")[0][2] == {"added": [], "removed": [], "changed": [], "fields": ["features", "mind", "split", "words"]}

    # the same files again (another run): nothing written, no version
    assert minds.persist("run-2", values_and_beliefs=(LAYER, sha("1")), voice=(VOICE, sha("a")))["written"] == 0
    # the same profile from a re-written file (new sha256): the current row follows it, still no version
    assert minds.persist("run-2", values_and_beliefs=(LAYER, sha("2")))["written"] == 1
    assert len(minds.versions("values-and-beliefs")) == 1 and len(minds.versions("voice")) == 1

    voice = {**{k: v for k, v in VOICE.items() if k != "features"}, "words": 1500, "sentences": 80}
    assert minds.persist("run-3", values_and_beliefs=(second_layer(), sha("3")), voice=(voice, sha("b")))["written"] == 2
    [_, (version, profile, diff, run_id, digest)] = minds.versions("values-and-beliefs")
    assert (version, profile, run_id, digest) == (2, second_layer(), "run-3", sha("3"))
    assert diff == {"added": ["values-and-beliefs:lugworm"], "removed": ["values-and-beliefs:count"],
                    "changed": ["values-and-beliefs:tide"], "fields": ["engine"]}
    [_, (version, _, diff, _, _)] = minds.versions("voice")
    assert version == 2 and diff == {"added": [], "removed": [], "changed": [], "fields": ["features", "sentences", "words"]}
    # and idempotent again at version 2
    assert minds.persist("run-4", values_and_beliefs=(second_layer(), sha("3")), voice=(voice, sha("b")))["written"] == 0
    # only the order of the claims moved: the current row follows, no version with an empty diff
    reordered = {**second_layer(), "claims": list(reversed(second_layer()["claims"]))}
    assert minds.persist("run-5", values_and_beliefs=(reordered, sha("4")))["written"] == 1
    with psycopg.connect(minds.url) as conn:
        assert conn.execute("select count(*) from mind_profile_versions").fetchone()[0] == 4


def test_profile_diff_cases(database):
    def diff(old, new) -> dict:
        with psycopg.connect(database) as conn:
            return conn.execute("select public.profile_diff(%s::jsonb, %s::jsonb)",
                                (None if old is None else Jsonb(old), Jsonb(new))).fetchone()[0]

    empty = {"added": [], "removed": [], "changed": [], "fields": []}
    assert diff(LAYER, LAYER) == empty
    assert diff(LAYER, {**LAYER, "claims": list(reversed(LAYER["claims"]))}) == empty  # claims are matched by id, not position
    assert diff({"a": 1, "b": {"x": 1}}, {"b": {"x": 2}, "c": None}) == {**empty, "fields": ["a", "b", "c"]}
    assert diff(LAYER, {k: v for k, v in LAYER.items() if k != "claims"})["removed"] == sorted(c["id"] for c in LAYER["claims"])
    assert diff({}, {"claims": []}) == empty  # claims are not a field
    assert diff(None, {}) == empty
    with psycopg.connect(database) as conn:
        assert conn.execute("select provolatile from pg_proc where proname = 'profile_diff'").fetchone()[0] == "i"


def test_only_the_mmos_persist_appends_versions_and_nobody_edits_them(minds):
    minds.persist("run-1", values_and_beliefs=(LAYER, sha("1")))
    [(mind_id, version_id)] = psycopg.connect(minds.url).execute("select mind_id, id from mind_profile_versions").fetchall()
    row = (mind_id, "values-and-beliefs", 9, Jsonb({}), Jsonb({}), "p", sha("f"), "forged")
    insert = ("insert into public.mind_profile_versions (mind_id, profile_kind, version, profile, diff, contract_path, contract_sha256, run_id) "
              "values (%s, %s, %s, %s, %s, %s, %s, %s)")
    for role in ("lendaria_etl", "lendaria_innerlens", "lendaria_mmos", "lendaria_creatoros", "lendaria_ops", "authenticated", "anon"):
        with as_role(minds.url, role) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege, match="mind_profile_versions"):
            conn.execute(insert, row)  # not even MMOS: only its persist's trigger appends, so no version can be forged
    with as_role(minds.url, "lendaria_mmos") as conn:
        for statement in ("update public.mind_profile_versions set run_id = 'edited'", "delete from public.mind_profile_versions"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="mind_profile_versions"):
                conn.execute(statement)
    with as_role(minds.url, "lendaria_mmos", mind_id="6f1c1d52-8a59-4c38-9b0e-1f6f1f8f2a11") as conn:  # scoped to another mind
        assert conn.execute("select count(*) from public.mind_profile_versions").fetchone()[0] == 0
    with as_role(minds.url, "authenticated", claims={"role": "authenticated", "mind_id": str(mind_id)}) as conn:
        assert conn.execute("select id from public.mind_profile_versions").fetchall() == [(version_id,)]
    with as_role(minds.url, "authenticated", claims={"role": "authenticated", "mind_id": "6f1c1d52-8a59-4c38-9b0e-1f6f1f8f2a11"}) as conn:
        assert conn.execute("select count(*) from public.mind_profile_versions").fetchone()[0] == 0


def test_rollback_drops_the_versions_and_restores_the_kinds_and_reapplying_starts_the_history(minds):
    minds.persist("run-1", values_and_beliefs=(LAYER, sha("1")), voice=(VOICE, sha("a")))
    previous = max(m.version for m in migrations.discover() if m.version < VERSIONS_MIGRATION)
    with psycopg.connect(minds.url, autocommit=True) as conn:
        migrations.rollback(conn, to=previous)
        assert conn.execute("select to_regclass('public.mind_profile_versions'), to_regprocedure('public.profile_diff(jsonb, jsonb)')"
                            ).fetchone() == (None, None)
        assert conn.execute("select count(*) from pg_trigger where tgrelid = 'public.mind_profiles'::regclass and not tgisinternal"
                            ).fetchone()[0] == 0
        assert [r[0] for r in conn.execute("select profile_kind from mind_profiles")] == ["voice"]  # a layer row cannot stay
        with pytest.raises(psycopg.errors.CheckViolation, match="mind_profiles_profile_kind_check"):
            conn.execute("update mind_profiles set profile_kind = 'values-and-beliefs'")
        migrations.migrate(conn)
    # the profiles already there when the migration runs are their version 1
    [(version, profile, diff, run_id, digest)] = minds.versions("voice")
    assert (version, profile, run_id, digest) == (1, VOICE, "run-1", sha("a")) and diff["fields"] == ["features", "mind", "split", "words"]
    assert minds.persist("run-2", values_and_beliefs=(LAYER, sha("1")), voice=(VOICE, sha("a")))["written"] == 1  # the layer only
    assert [v[0] for v in minds.versions("values-and-beliefs")] == [1] and len(minds.versions("voice")) == 1


def test_profile_history_and_diff_commands(minds, tmp_path):
    minds.persist("run-1", values_and_beliefs=(LAYER, sha("1")), voice=(VOICE, sha("a")))
    minds.persist("run-3", values_and_beliefs=(second_layer(), sha("3")))
    env = {"DATABASE_URL": minds.url, "LENDARIA_HOME": str(tmp_path / "home")}

    history = run_cli("profile", "history", SLUG, env=env)
    assert history.returncode == 0, history.stderr
    lines = history.stdout.splitlines()
    print(history.stdout)
    assert [line.split()[:2] for line in lines] == [["values-and-beliefs", "v1"], ["values-and-beliefs", "v2"], ["voice", "v1"]]
    assert "run run-3" in lines[1] and f"sha256 {sha('3')[:12]} " in lines[1] and lines[1].endswith("+1 -1 ~1 claims; fields: engine")
    assert lines[0].endswith("+3 -0 ~0 claims; fields: engine, layer, measures, method, mind, title")
    assert lines[2].endswith("fields: features, mind, split, words")
    rows = json.loads(run_cli("profile", "history", SLUG, "--layer", "values-and-beliefs", "--format", "json", env=env).stdout)
    assert [(r["kind"], r["version"], r["run_id"]) for r in rows] == [("values-and-beliefs", 1, "run-1"), ("values-and-beliefs", 2, "run-3")]

    shown = run_cli("profile", "diff", SLUG, "--layer", "values-and-beliefs", env=env)
    assert shown.returncode == 0, shown.stderr
    print(shown.stdout)
    assert shown.stdout.splitlines() == [
        f"{SLUG} values-and-beliefs: v1 -> v2 (run run-3): +1 -1 ~1 claims; fields: engine",
        "  + values-and-beliefs:lugworm: Counts lugworm casts every spring",
        "  - values-and-beliefs:count: Counts what others guess",
        "  ~ values-and-beliefs:tide: Believes the tide sets the day (weight 0.7, 2 spans) -> "
        "Believes the tide sets the day (weight 0.8, 3 spans)",
        "  field changed: engine"]
    report = json.loads(run_cli("profile", "diff", SLUG, "--layer", "values-and-beliefs", "--from", "0", "--to", "1",
                                "--format", "json", env=env).stdout)
    assert (report["from"], report["to"], report["run_id"]) == (0, 1, "run-1") and len(report["added"]) == 3

    for args, message in ((("history", "nobody"), "mind 'nobody' is not in the database"),
                          (("history", SLUG, "--layer", "habits"), "no 'habits' profile"),
                          (("diff", SLUG, "--layer", "habits"), "no 'habits' profile"),
                          (("diff", SLUG, "--layer", "voice", "--to", "4"), "no version 4")):
        failed = run_cli("profile", *args, env=env)
        assert failed.returncode == 1 and message in failed.stderr and "Traceback" not in failed.stderr, (args, failed.stderr)


def test_profile_commands_refuse_a_database_with_pending_migrations(pg_server, tmp_path):
    url = create_database(pg_server, migrate=False)
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            migrations.apply_bootstrap(conn)
            migrations.migrate(conn, target=max(m.version for m in migrations.discover() if m.version < VERSIONS_MIGRATION))
        Minds(url)
        failed = run_cli("profile", "history", SLUG, env={"DATABASE_URL": url, "LENDARIA_HOME": str(tmp_path / "home")})
        assert failed.returncode == 1 and "lendaria db migrate" in failed.stderr and "unexpected" not in failed.stderr, failed.stderr
    finally:
        drop_database(pg_server, url)
