"""`lendaria export` / `lendaria import` as a user runs them: into a database with nothing applied
(import migrates it first), and a bad bundle refused with one clear message and exit 1."""

from __future__ import annotations

import shutil
import zipfile

import psycopg

from lendaria.db.persist import persist_stage
from lendaria.db.repository import PostgresRepository
from lendaria.packs import persisted_stages
from tests.conftest import COMMITTED_OUTPUTS, DEMO_SLUG, run_cli, snapshot


def test_export_then_import_into_an_unmigrated_database_through_the_cli(database, empty_database, tmp_path, settings):
    source = tmp_path / "a"
    shutil.copytree(COMMITTED_OUTPUTS, source)
    repository = PostgresRepository(database, settings)
    for stage in persisted_stages():
        persist_stage(stage, DEMO_SLUG, source, repository, run_id=f"run-{stage}")
    bundle = tmp_path / "iris.zip"
    exported = run_cli("export", DEMO_SLUG, "-o", str(bundle), "--course", "shore-counting", "--outputs", str(source),
                       env={"DATABASE_URL": database})
    assert exported.returncode == 0, exported.stderr
    assert f"exported {DEMO_SLUG} to {bundle}" in exported.stdout and "Withheld (non-public): 1 source(s)" in exported.stdout

    imported = run_cli("import", str(bundle), "--outputs", str(tmp_path / "b"), env={"DATABASE_URL": empty_database})
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.startswith(f"imported {DEMO_SLUG}: ")
    with psycopg.connect(empty_database) as conn:  # migrated by the import, then filled
        assert conn.execute("select count(*) from public.sources").fetchone()[0] == 10
    assert snapshot(tmp_path / "b" / "courses" / "shore-counting") == snapshot(source / "courses" / "shore-counting")

    broken = tmp_path / "broken.zip"
    with zipfile.ZipFile(bundle) as archive, zipfile.ZipFile(broken, "w") as out:
        for info in archive.infolist():
            data = archive.read(info.filename)
            out.writestr(info.filename, data.replace(b"Iris", b"Irma") if info.filename.endswith(".md") else data)
    refused = run_cli("import", str(broken), "--outputs", str(tmp_path / "c"), env={"DATABASE_URL": empty_database})
    assert refused.returncode == 1 and "does not match its sha256" in refused.stderr and "Traceback" not in refused.stderr
    assert not (tmp_path / "c").exists()
