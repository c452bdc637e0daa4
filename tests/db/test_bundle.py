"""Bundles (lendaria.bundle) against real PostgreSQL: the round trip, tampering, malicious bundles,
privacy, a different mind of the same slug; and the audit trail every write leaves."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import psycopg
import pytest

from lendaria.bundle import MANIFEST, BundleError, export_mind, import_bundle, manifest_bytes, manifest_checksum, read_bundle
from lendaria.db.migrations import discover
from lendaria.db.persist import persist_stage
from lendaria.db.repository import PostgresRepository
from lendaria.packs import persisted_stages
from tests.conftest import COMMITTED_OUTPUTS, DEMO_SLUG, run_cli, snapshot
from tests.db.conftest import create_database, drop_database

COURSE = "shore-counting"
PRIVATE_SENTENCE_SOURCE = "field-guide-draft"
LATEST = max(m.version for m in discover())


@pytest.fixture
def demo(database, tmp_path, settings):
    """The committed demo's outputs (a copy) persisted into ``database``, every stage."""
    root = tmp_path / "a"
    shutil.copytree(COMMITTED_OUTPUTS, root)
    repository = PostgresRepository(database, settings)
    for stage in persisted_stages():
        persist_stage(stage, DEMO_SLUG, root, repository, run_id=f"run-{stage}")
    return root, database


@pytest.fixture
def second_database(pg_server):
    url = create_database(pg_server)
    yield url
    drop_database(pg_server, url)


def rows_of(url: str) -> dict[str, list[str]]:
    from lendaria.bundle import TABLES

    with psycopg.connect(url) as conn:
        return {table: [r[0] for r in conn.execute(f"select row_to_json(t)::text from public.{table} t order by 1")]
                for table, _, _ in TABLES}


def export(conn_url: str, root: Path, target: Path, **options) -> dict:
    with psycopg.connect(conn_url) as conn:
        return export_mind(conn, root, DEMO_SLUG, [COURSE], target, **options)


def do_import(url: str, root: Path, bundle: Path, replace: bool = False):
    manifest, members = read_bundle(bundle)
    with psycopg.connect(url, autocommit=True) as conn:
        return import_bundle(conn, root, manifest, members, replace=replace, latest_schema=LATEST)


def test_round_trip_is_byte_and_row_identical_and_validates(demo, second_database, tmp_path):
    root, url = demo
    bundle = tmp_path / "iris.zip"
    manifest = export(url, root, bundle, include_private=True)
    assert manifest["records"]["fragments"] > 700 and manifest["records"]["mind_profile_versions"] == 9
    assert manifest["schema_version"] == LATEST and manifest["withheld"]["sources"] == []
    again = tmp_path / "again.zip"
    export(url, root, again, include_private=True)
    with zipfile.ZipFile(again) as second, zipfile.ZipFile(bundle) as first:  # the same data: the same members
        assert [(i.filename, first.read(i)) for i in first.infolist()] == [(i.filename, second.read(i)) for i in second.infolist()]
        assert b"exported_at=" in first.comment

    target = tmp_path / "b"
    result = do_import(second_database, target, bundle)
    assert result.files == sum(1 for n in manifest["files"] if n.startswith("files/"))
    assert snapshot(target / "minds" / DEMO_SLUG) == snapshot(root / "minds" / DEMO_SLUG)
    assert snapshot(target / "courses" / COURSE) == snapshot(root / "courses" / COURSE)
    assert rows_of(second_database) == rows_of(url)  # every value, ids and times included
    check = run_cli("validate", "--outputs", str(target))
    assert check.returncode == 0, check.stdout + check.stderr
    # importing the same bundle again: the same mind, replaced by itself, nothing changes
    do_import(second_database, target, bundle)
    assert rows_of(second_database) == rows_of(url)


def test_one_changed_byte_in_any_member_is_detected(demo, tmp_path):
    root, url = demo
    bundle = tmp_path / "iris.zip"
    export(url, root, bundle, include_private=True)
    original = zipfile.ZipFile(bundle)
    names = [i.filename for i in original.infolist()]
    for victim in [name for name in names if original.read(name)]:  # an empty member has no byte to change
        tampered = tmp_path / "tampered.zip"
        with zipfile.ZipFile(tampered, "w") as out:
            for name in names:
                data = original.read(name)
                if name == victim:
                    middle = len(data) // 2
                    data = data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1:]
                out.writestr(name, data)
        with pytest.raises(BundleError):
            read_bundle(tampered)
    assert len(names) > 50


def _rewrite(bundle: Path, target: Path, edit) -> Path:
    """A copy of ``bundle`` whose members and manifest ``edit(members, manifest)`` changed, with the
    manifest's sha256s and checksum made consistent again (so only the malice itself is left)."""
    with zipfile.ZipFile(bundle) as archive:
        members = {i.filename: archive.read(i.filename) for i in archive.infolist()}
    manifest = json.loads(members.pop(MANIFEST))
    edit(members, manifest)
    import hashlib

    manifest["files"] = {name: hashlib.sha256(data).hexdigest() for name, data in members.items()}
    manifest["checksum"] = manifest_checksum(manifest)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as out:
        out.writestr(MANIFEST, manifest_bytes(manifest))
        for name, data in members.items():
            out.writestr(name, data)
    return target


def test_malicious_bundles_are_refused_with_nothing_written(demo, second_database, tmp_path):
    root, url = demo
    bundle = tmp_path / "iris.zip"
    export(url, root, bundle, include_private=True)
    body = b"x"
    cases = {
        "traversal": lambda m, man: m.update({"files/minds/iris-valente/../../../evil.txt": body}),
        "absolute": lambda m, man: m.update({"/etc/evil.txt": body}),
        "other-mind": lambda m, man: m.update({"files/minds/someone-else/x.md": body}),
        "bomb": lambda m, man: m.update({"files/minds/iris-valente/bomb.bin": b"\0" * (64 << 20)}),
        "newer-schema": lambda m, man: man.update({"schema_version": "99991231235959"}),
        "major": lambda m, man: man.update({"bundle_format": "2.0.0"}),
        "unknown-table": lambda m, man: m.update({"rows/pg_authid.jsonl": b"{}\n"}),
    }
    target = tmp_path / "b"
    for name, edit in cases.items():
        bad = _rewrite(bundle, tmp_path / f"{name}.zip", edit)
        with pytest.raises(BundleError):
            do_import(second_database, target, bad)
        assert not target.exists() or not any(p.is_file() for p in target.rglob("*")), name
        assert not (tmp_path / "evil.txt").exists() and not Path("/etc/evil.txt").exists()
        with psycopg.connect(second_database) as conn:
            assert conn.execute("select count(*) from public.minds").fetchone()[0] == 0, name
    wrong_sum = _rewrite(bundle, tmp_path / "sum.zip", lambda m, man: None)
    manifest = json.loads(zipfile.ZipFile(wrong_sum).read(MANIFEST))
    manifest["records"]["sources"] = 1  # edited after export, checksum left as it was
    with zipfile.ZipFile(wrong_sum) as archive, zipfile.ZipFile(tmp_path / "sum2.zip", "w") as out:
        for info in archive.infolist():
            out.writestr(info.filename, manifest_bytes(manifest) if info.filename == MANIFEST else archive.read(info.filename))
    with pytest.raises(BundleError, match="checksum"):
        read_bundle(tmp_path / "sum2.zip")
    truncated = tmp_path / "truncated.zip"
    truncated.write_bytes(bundle.read_bytes()[: bundle.stat().st_size // 2])
    with pytest.raises(BundleError, match="corrupted or truncated"):
        read_bundle(truncated)


def test_non_public_material_is_withheld_unless_asked_and_the_manifest_says_what(demo, tmp_path):
    root, url = demo
    bundle = tmp_path / "public.zip"
    manifest = export(url, root, bundle)
    [private] = [p for p in (root / "minds" / DEMO_SLUG / "sources").glob(f"{PRIVATE_SENTENCE_SOURCE}-*.md")]
    body = private.read_text(encoding="utf-8").split("---", 2)[2]
    sentences = [s.strip() for s in body.split(".") if len(s.split()) > 8][:5]
    with zipfile.ZipFile(bundle) as archive:
        everything = b"".join(archive.read(i.filename) for i in archive.infolist()).decode("utf-8", "replace")
    assert sentences and not [s for s in sentences if s in everything]
    withheld = manifest["withheld"]
    assert withheld["sources"] == [private.stem] and withheld["rows"]["sources"] == 1 and withheld["rows"]["fragments"] > 0
    assert f"minds/{DEMO_SLUG}/sources/{private.name}" in withheld["files"] and withheld["lines"]
    assert manifest["include_private"] is False and manifest["records"]["sources"] == 10


def test_a_different_mind_of_the_same_slug_needs_replace(demo, second_database, tmp_path):
    root, url = demo
    bundle = tmp_path / "iris.zip"
    export(url, root, bundle, include_private=True)
    with psycopg.connect(second_database, autocommit=True) as conn:  # another Iris, made elsewhere
        conn.execute("insert into public.minds (slug, display_name, spec_sha256, contract_path, contract_sha256, run_id) "
                     "values ('iris-valente', 'Another Iris', %s, 'minds/iris-valente/sources/metadata.yaml', %s, 'elsewhere')",
                     ("a" * 64, "b" * 64))
    with pytest.raises(BundleError, match="different mind"):
        do_import(second_database, tmp_path / "b", bundle)
    result = do_import(second_database, tmp_path / "b", bundle, replace=True)
    assert result.replaced and rows_of(second_database) == rows_of(url)


def test_every_write_lands_one_audit_event_with_role_counts_and_run(demo):
    root, url = demo
    with psycopg.connect(url) as conn:
        events = conn.execute("select actor, action, table_name, row_key, run_id, details from public.db_audit_events "
                              "where action <> 'persist' order by id").fetchall()
        mind_id = str(conn.execute("select id from public.minds").fetchone()[0])
    by_table = {(e[2], e[1]): e for e in events}
    actor, _, _, key, run, details = by_table[("sources", "insert")]
    assert (actor, key, run, details) == ("lendaria_etl", mind_id, "run-etl", {"rows": 11})
    assert by_table[("fragments", "insert")][0] == "lendaria_innerlens" and by_table[("fragments", "insert")][5]["rows"] > 700
    assert by_table[("mind_profiles", "insert")][0] == "lendaria_mmos" and by_table[("content_lessons", "insert")][0] == "lendaria_creatoros"
    assert by_table[("mind_profile_versions", "insert")][4] == "run-mmos"
    listed = run_cli("audit", "--mind", DEMO_SLUG, "--format", "json", env={"DATABASE_URL": url})
    assert listed.returncode == 0, listed.stderr
    tables = {e["table_name"] for e in json.loads(listed.stdout)}
    assert {"sources", "fragments", "mind_profiles", "content_lessons"} <= tables
    assert "lendaria_etl" in run_cli("audit", env={"DATABASE_URL": url}).stdout


def test_a_bundle_from_before_a_column_was_added_imports_with_its_default(demo, second_database, tmp_path):
    """sources.classification came with migration 20261122100000 (not null, default PUBLIC): a bundle
    exported before it has no such key, and its rows import with the default, as the migration gave
    the rows already in a database. A column this database lacks is refused by name, nothing written."""
    root, url = demo
    bundle = tmp_path / "iris.zip"
    export(url, root, bundle)  # public material only, as an older export would be

    def without_classification(members, manifest):
        rows = [json.loads(line) for line in members["rows/sources.jsonl"].decode().splitlines()]
        assert rows and all(row.pop("classification") == "PUBLIC" for row in rows)
        members["rows/sources.jsonl"] = b"".join(json.dumps(row, sort_keys=True).encode() + b"\n" for row in rows)
        manifest["schema_version"] = "20261122090000"

    older = _rewrite(bundle, tmp_path / "older.zip", without_classification)
    do_import(second_database, tmp_path / "b", older)
    with psycopg.connect(second_database) as conn:
        classes = conn.execute("select classification, count(*) from public.sources group by 1").fetchall()
    assert classes == [("PUBLIC", json.loads(zipfile.ZipFile(bundle).read(MANIFEST))["records"]["sources"])]

    def with_an_unknown_column(members, manifest):
        rows = [{**json.loads(line), "mood": "sunny"} for line in members["rows/sources.jsonl"].decode().splitlines()]
        members["rows/sources.jsonl"] = b"".join(json.dumps(row).encode() + b"\n" for row in rows)

    strange = _rewrite(bundle, tmp_path / "strange.zip", with_an_unknown_column)
    with pytest.raises(BundleError, match="mood"):
        do_import(second_database, tmp_path / "c", strange, replace=True)
    assert not (tmp_path / "c").exists() or not any(p.is_file() for p in (tmp_path / "c").rglob("*"))
    with psycopg.connect(second_database) as conn:  # the earlier import is untouched
        assert conn.execute("select count(*) from public.sources").fetchone()[0] == classes[0][1]
