"""An embedded PostgreSQL for users who configured no database.

The server binaries come from the ``pgserver`` wheel (PostgreSQL 16, installed by pip) or, failing
that, from a system installation. Data lives under ``<home>/pgdata`` (git-ignored). The server
listens on a unix socket only (no TCP), with ``trust`` authentication limited to that socket's
folder. As root, PostgreSQL refuses to run, so the server runs as an unprivileged system user
(``lendaria-pg``) that we create; it needs to traverse the folders above the data and the binaries.
"""

from __future__ import annotations

import fcntl
import glob
import hashlib
import logging
import os
import shutil
import stat
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from lendaria.errors import LendariaError

log = logging.getLogger(__name__)
SERVICE_USER = "lendaria-pg"
DATABASE = "lendaria"
_SOCKET_PATH_LIMIT = 100  # sun_path is 108 bytes on Linux, minus ".s.PGSQL.5432"


class EmbeddedDatabaseError(LendariaError):
    """The embedded PostgreSQL could not be initialised or started."""


def find_bin_dir() -> Path:
    """Folder with initdb/pg_ctl/postgres: the pgserver wheel first, then a system installation."""
    try:
        import warnings

        with warnings.catch_warnings():  # pgserver's import warns about XDG_RUNTIME_DIR; irrelevant here
            warnings.simplefilter("ignore")
            from pgserver._commands import POSTGRES_BIN_PATH  # type: ignore[import-untyped]

        if (Path(POSTGRES_BIN_PATH) / "pg_ctl").exists():
            return Path(POSTGRES_BIN_PATH)
    except ImportError:
        pass
    on_path = shutil.which("pg_ctl")
    candidates = [Path(on_path).resolve().parent] if on_path else []
    candidates += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)]
    for candidate in candidates:
        if (candidate / "initdb").exists() and (candidate / "postgres").exists():
            return candidate
    raise EmbeddedDatabaseError(
        "no PostgreSQL server binaries found.",
        hint="Install the project (`python -m pip install -e .` brings the pgserver wheel) or set DATABASE_URL.",
    )


class EmbeddedPostgres:
    """Start, stop and locate the local server whose data lives in ``home/pgdata``."""

    def __init__(self, home: Path):
        self.home = home.resolve()
        self.pgdata = self.home / "pgdata"
        self.logfile = self.home / "postgres.log"

    # ---- paths ---------------------------------------------------------------------------
    @property
    def socket_dir(self) -> Path:
        if len(str(self.pgdata)) <= _SOCKET_PATH_LIMIT:
            return self.pgdata
        digest = hashlib.sha256(str(self.pgdata).encode()).hexdigest()[:12]
        return Path("/tmp") / f"lendaria-pg-{digest}"

    def url(self, database: str = DATABASE) -> str:
        return f"postgresql://postgres@/{database}?host={self.socket_dir}"

    # ---- lifecycle ---------------------------------------------------------------------------
    def is_running(self) -> bool:
        if not (self.pgdata / "PG_VERSION").exists():
            return False
        result = self._run([str(find_bin_dir() / "pg_ctl"), "-D", str(self.pgdata), "status"], check=False)
        return result.returncode == 0

    def start(self) -> str:
        """Initialise if needed, start if not running, create the database; return its URL."""
        self.home.mkdir(parents=True, exist_ok=True)
        with self._lock():
            bin_dir = find_bin_dir()
            if not (self.pgdata / "PG_VERSION").exists():
                self._initdb(bin_dir, self._service_user())
            if not self.is_running():
                self._start(bin_dir)
            self._ensure_database()
        return self.url()

    def stop(self) -> bool:
        """Stop the server if it runs; True if it was running."""
        if not self.is_running():
            return False
        with self._lock():
            self._run([str(find_bin_dir() / "pg_ctl"), "-D", str(self.pgdata), "-m", "fast", "-w", "stop"])
        return True

    # ---- internals ---------------------------------------------------------------------------
    @contextmanager
    def _lock(self) -> Iterator[None]:
        with open(self.home / "postgres.lock", "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _service_user(self) -> str | None:
        if os.geteuid() != 0:
            return None
        import pwd

        try:
            pwd.getpwnam(SERVICE_USER)
        except KeyError:
            subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", SERVICE_USER],
                           check=True, capture_output=True, text=True)
        return SERVICE_USER

    def _run(self, args: list[str], *, check: bool = True) -> subprocess.CompletedProcess:
        user = self._service_user()
        # drop root's group too: with gid 0 the *group* bits of root-owned folders would apply
        identity = {"user": user, "group": user, "extra_groups": []} if user else {}
        result = subprocess.run(args, capture_output=True, text=True, cwd="/", timeout=120, **identity)
        if check and result.returncode != 0:
            tail = ""
            if self.logfile.exists():
                tail = " Server log: " + " | ".join(self.logfile.read_text(errors="replace").splitlines()[-5:])
            raise EmbeddedDatabaseError(f"`{Path(args[0]).name} {' '.join(args[1:3])}…` failed: {result.stderr.strip() or result.stdout.strip()}.{tail}",
                                        hint="Run `lendaria db stop`, or delete the data folder to start afresh.")
        return result

    def _grant_traversal(self, path: Path) -> None:
        """Let the service user reach ``path``: o+x on each ancestor lacking it (never read)."""
        for parent in [path, *path.parents]:
            mode = parent.stat().st_mode
            if not mode & stat.S_IXOTH:
                log.info("granting traversal (o+x) on %s for the embedded database user", parent)
                os.chmod(parent, mode | stat.S_IXOTH)

    def _give_to_service_user(self, path: Path) -> None:
        user = self._service_user()
        if user is not None:
            import pwd

            entry = pwd.getpwnam(user)
            os.chown(path, entry.pw_uid, entry.pw_gid)

    def _initdb(self, bin_dir: Path, user: str | None) -> None:
        self.pgdata.mkdir(mode=0o700, exist_ok=True)
        if user is not None:
            self._grant_traversal(self.home)
            self._grant_traversal(bin_dir)
            self._grant_traversal(bin_dir.parent / "lib")
            self._give_to_service_user(self.pgdata)
        log.info("initialising embedded PostgreSQL in %s", self.pgdata)
        self._run([str(bin_dir / "initdb"), "-D", str(self.pgdata), "--auth=trust", "--encoding=UTF8",
                   "--locale=C", "-U", "postgres"])

    def _start(self, bin_dir: Path) -> None:
        socket_dir = self.socket_dir
        if socket_dir != self.pgdata:
            socket_dir.mkdir(mode=0o700, exist_ok=True)
            self._give_to_service_user(socket_dir)
        self.logfile.touch()
        self._give_to_service_user(self.logfile)
        options = f"-c listen_addresses='' -c unix_socket_directories='{socket_dir}' -c max_connections=50"
        log.info("starting embedded PostgreSQL (socket %s)", socket_dir)
        self._run([str(bin_dir / "pg_ctl"), "-D", str(self.pgdata), "-l", str(self.logfile), "-o", options, "-w", "-t", "60", "start"])

    def _ensure_database(self) -> None:
        import psycopg

        deadline = time.monotonic() + 30
        while True:
            try:
                with psycopg.connect(self.url("postgres"), autocommit=True, connect_timeout=5) as conn:
                    exists = conn.execute("select 1 from pg_database where datname = %s", (DATABASE,)).fetchone()
                    if not exists:
                        conn.execute(f'create database "{DATABASE}"')
                    return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
