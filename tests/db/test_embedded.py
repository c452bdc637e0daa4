"""The embedded PostgreSQL: starts by itself (as root, through an unprivileged user), reuses a
running server, keeps its data across restarts, and listens on a unix socket only."""

from __future__ import annotations

import os
import stat

import psycopg

from lendaria.db.embedded import SERVICE_USER, EmbeddedPostgres


def test_start_reuse_stop_restart_keeps_data(tmp_path):
    server = EmbeddedPostgres(tmp_path / ".lendaria")
    try:
        url = server.start()
        assert server.is_running() and server.start() == url  # reused, not restarted
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("create table kept (x int)")
            conn.execute("insert into kept values (42)")
            assert conn.execute("show listen_addresses").fetchone()[0] == ""  # no TCP at all
        if os.geteuid() == 0:  # PostgreSQL refuses root: the data belongs to the service user
            import pwd

            assert server.pgdata.stat().st_uid == pwd.getpwnam(SERVICE_USER).pw_uid
            assert stat.S_IMODE(server.pgdata.stat().st_mode) == 0o700
        assert server.stop() is True and not server.is_running()
        assert server.stop() is False
        with psycopg.connect(server.start()) as conn:
            assert conn.execute("select x from kept").fetchone() == (42,)
    finally:
        server.stop()


def test_long_paths_use_a_short_socket_folder(tmp_path):
    deep = tmp_path / ("d" * 60) / ("e" * 60)
    server = EmbeddedPostgres(deep / ".lendaria")
    assert str(server.socket_dir).startswith("/tmp/lendaria-pg-") and len(str(server.socket_dir)) < 40
