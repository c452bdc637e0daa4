"""The local Prefect server that Lendária starts on first use and reuses, like the embedded PostgreSQL.

Everything lives under ``<LENDARIA_HOME>/prefect/``:

* ``home/``        the server's own ``PREFECT_HOME`` (its SQLite database, never the user's profile);
* ``server.json``  pid, port and Prefect version of the running server (written atomically);
* ``server.log``   the server's output (``prefect server start -b`` would throw it away);
* ``server.lock``  held while a process starts or stops the server, so concurrent runs start one.

The server binds 127.0.0.1 only. A stale state file (the process died or was killed), a recorded
port now taken by another program, a hung server or a Prefect upgrade are detected and handled
by starting it again; the caller gets one line saying why.

No ``import prefect`` here: the CLI decides where Prefect's API is *before* importing Prefect.
"""

from __future__ import annotations

import fcntl
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Callable, Iterator

from lendaria.errors import LendariaError
from lendaria.fileio import atomic_write_bytes

HOST = "127.0.0.1"
BUSY_GRACE_SECONDS = 10.0  # a live server that does not answer gets this long before it is replaced


class PrefectServerError(LendariaError):
    """The local Prefect server could not be started."""


@dataclass(frozen=True)
class ServerState:
    """What ``server.json`` records about the server this home started."""

    pid: int
    port: int
    prefect_version: str
    started_at: str

    @property
    def url(self) -> str:
        """Base address of the UI."""
        return f"http://{HOST}:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api"


@dataclass(frozen=True)
class Probe:
    """The server as found now: recorded state, whether its process lives, whether it answers."""

    state: ServerState | None
    alive: bool
    healthy: bool

    @property
    def running(self) -> bool:
        return self.alive and self.healthy


@dataclass(frozen=True)
class Ensured:
    """Result of :meth:`LocalPrefectServer.ensure_running`."""

    state: ServerState
    action: str  # reused | started | restarted
    note: str | None = None  # why it was restarted or moved (one line), if it was


def port_is_free(port: int, host: str = HOST) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def any_free_port(host: str = HOST) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def api_is_healthy(api_url: str, timeout: float = 2.0) -> bool:
    """True when ``GET <api>/health`` answers ``true`` (Prefect's health endpoint)."""
    try:
        with urllib.request.urlopen(f"{api_url}/health", timeout=timeout) as response:  # noqa: S310 - loopback
            return response.status == 200 and response.read().strip() == b"true"
    except (urllib.error.URLError, OSError, ValueError):
        return False


def process_is_server(pid: int, port: int) -> bool:
    """True when ``pid`` is alive and is a ``prefect server start`` on ``port`` (not a reused pid)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # alive, owned by someone else: the cmdline check decides
    cmdline = Path(f"/proc/{pid}/cmdline")
    if not cmdline.parent.exists():  # no procfs (macOS): trust the pid
        return True
    try:
        args = cmdline.read_bytes().split(b"\0")
    except OSError:
        return False
    return b"prefect" in b" ".join(args) and b"server" in args and str(port).encode() in args


class LocalPrefectServer:
    """Start, stop, probe and reuse the Prefect server whose state lives in ``<home>/prefect``."""

    def __init__(self, home: Path, *, preferred_port: int = 4200, start_timeout: float = 180.0):
        self.folder = home.resolve() / "prefect"
        self.prefect_home = self.folder / "home"
        self.state_file = self.folder / "server.json"
        self.logfile = self.folder / "server.log"
        self.preferred_port = preferred_port
        self.start_timeout = start_timeout

    # ---- reading -----------------------------------------------------------------------------
    def read_state(self) -> ServerState | None:
        try:
            data = json.loads(self.state_file.read_text(encoding="utf-8"))
            return ServerState(int(data["pid"]), int(data["port"]), str(data["prefect_version"]), str(data["started_at"]))
        except (FileNotFoundError, ValueError, KeyError, TypeError):
            return None

    def probe(self) -> Probe:
        state = self.read_state()
        if state is None:
            return Probe(None, False, False)
        alive = process_is_server(state.pid, state.port)
        return Probe(state, alive, alive and api_is_healthy(state.api_url))

    # ---- lifecycle ---------------------------------------------------------------------------
    def ensure_running(self, say: Callable[[str], None] = lambda line: None) -> Ensured:
        """Reuse the running server, or start it (again); ``say`` receives progress lines."""
        found = self.probe()
        if found.running and found.state and self._version_matches(found.state):
            return Ensured(found.state, "reused")
        with self._lock(say):
            found = self.probe()  # another process may have started it while we waited for the lock
            state = found.state
            if state is not None and found.alive and self._version_matches(state):
                # still starting (another process launched it), or busy: give it time before replacing it
                grace = max(self._started_monotonic(state) + self.start_timeout, time.monotonic() + BUSY_GRACE_SECONDS)
                if found.healthy or self._wait_healthy(state, deadline=grace):
                    return Ensured(state, "reused")
                note = f"the local Prefect server (pid {state.pid}) stopped answering; restarted it"
            elif state is not None and found.alive:
                note = (f"the local Prefect server ran Prefect {state.prefect_version} but "
                        f"{package_version('prefect')} is installed; restarted it")
            elif state is not None:
                note = f"the local Prefect server (pid {state.pid}) had stopped; started it again"
            else:
                note = None
            if state is not None and found.alive:
                self._terminate(state.pid)
            started = self._start(say, previous=state)
            if state is not None and started.port != state.port:
                moved = f"port {state.port} is taken by another program, so it now listens on {started.port}"
                note = f"{note} ({moved})" if note else moved
            return Ensured(started, "started" if state is None else "restarted", note)

    def stop(self) -> bool:
        """Stop the server if it runs (SIGTERM, then SIGKILL). True if it was running."""
        with self._lock():
            found = self.probe()
            if found.state is not None and found.alive:
                self._terminate(found.state.pid)
            self.state_file.unlink(missing_ok=True)
            return found.alive

    # ---- internals ---------------------------------------------------------------------------
    def _version_matches(self, state: ServerState) -> bool:
        return state.prefect_version == package_version("prefect")

    def _started_monotonic(self, state: ServerState) -> float:
        try:
            age = (datetime.now(timezone.utc) - datetime.fromisoformat(state.started_at)).total_seconds()
        except ValueError:
            age = self.start_timeout
        return time.monotonic() - max(age, 0.0)

    def _wait_healthy(self, state: ServerState, *, deadline: float, process: subprocess.Popen | None = None) -> bool:
        while True:
            if api_is_healthy(state.api_url, timeout=1.0):
                return True
            if process is not None and process.poll() is not None:
                return False
            if process is None and not process_is_server(state.pid, state.port):
                return False
            if time.monotonic() > deadline:
                return False
            time.sleep(0.2)

    def _choose_port(self, previous: ServerState | None) -> int:
        for candidate in ([previous.port] if previous else []) + [self.preferred_port]:
            if candidate and port_is_free(candidate):
                return candidate
        return any_free_port()

    def _start(self, say: Callable[[str], None], *, previous: ServerState | None) -> ServerState:
        self.prefect_home.mkdir(parents=True, exist_ok=True)
        first_start = not (self.prefect_home / "prefect.db").exists()
        say("starting the local Prefect server" + (" (the first start creates its database: about 20 s)" if first_start else "") + " …")
        for _attempt in range(3):  # a free port can be taken between our check and the server's bind
            port = self._choose_port(previous)
            process = self._spawn(port)
            state = ServerState(process.pid, port, package_version("prefect"), datetime.now(timezone.utc).isoformat())
            atomic_write_bytes(self.state_file, json.dumps(asdict(state), indent=2).encode("utf-8"))
            if self._wait_healthy(state, deadline=time.monotonic() + self.start_timeout, process=process):
                return state
            self._terminate(process.pid)
            self.state_file.unlink(missing_ok=True)
            tail = self._log_tail()
            if "address already in use" not in tail.lower():
                raise PrefectServerError(
                    f"the local Prefect server did not become healthy within {self.start_timeout:.0f} s. Log: {tail}",
                    file=self.logfile,
                    hint="Read the log above; `lendaria server stop` then retry, or set LENDARIA_PREFECT=ephemeral.",
                )
            previous = None
        raise PrefectServerError("could not find a free port for the local Prefect server.", file=self.logfile,
                                 hint="Set LENDARIA_PREFECT_PORT to a free port.")

    def _spawn(self, port: int) -> subprocess.Popen:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
        env.update(
            PREFECT_HOME=str(self.prefect_home),
            PREFECT_SERVER_API_HOST=HOST,
            PREFECT_SERVER_API_PORT=str(port),
            # The UI's own API address: Prefect derives it from the two settings above, not from --port,
            # so without them a UI on any port but 4200 would talk to whatever answers on 4200.
            PREFECT_UI_API_URL=f"http://{HOST}:{port}/api",
            PREFECT_SERVER_ANALYTICS_ENABLED="false",
            PREFECT_SERVER_UI_SHOW_PROMOTIONAL_CONTENT="false",
        )
        for key in ("PREFECT_SERVER_DATABASE_CONNECTION_URL", "PREFECT_SERVER_LOGGING_LEVEL"):
            if key in os.environ:  # a user's explicit choice for the server itself
                env[key] = os.environ[key]
        with open(self.logfile, "ab") as log:
            log.write(f"\n---- {datetime.now(timezone.utc).isoformat()} starting on {HOST}:{port}\n".encode())
            log.flush()
            return subprocess.Popen(
                [sys.executable, "-m", "prefect", "server", "start", "--host", HOST, "--port", str(port)],
                env=env, cwd=self.folder, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C in the terminal of a run must not stop the shared server
            )

    def _terminate(self, pid: int, timeout: float = 15.0) -> None:
        for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(pid, sig)  # the server leads its own session (start_new_session)
            except ProcessLookupError:
                return
            except PermissionError:
                os.kill(pid, sig)
            deadline = time.monotonic() + wait
            while time.monotonic() < deadline:
                if not _alive(pid):
                    return
                time.sleep(0.1)

    def _log_tail(self, lines: int = 8) -> str:
        try:
            text = self.logfile.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return "(no log)"
        return " | ".join(line.strip() for line in text.splitlines()[-lines:] if line.strip())

    @contextmanager
    def _lock(self, say: Callable[[str], None] | None = None) -> Iterator[None]:
        self.folder.mkdir(parents=True, exist_ok=True)
        with open(self.folder / "server.lock", "a+") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if say is not None:
                    say("waiting for another lendaria process that is starting or stopping the local Prefect server …")
                fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def _alive(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie (a child we started but have not reaped)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        finished, _status = os.waitpid(pid, os.WNOHANG)
        return finished == 0
    except ChildProcessError:  # not our child: check procfs for a zombie state
        try:
            return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][:1] != "Z"
        except (OSError, IndexError):
            return True
