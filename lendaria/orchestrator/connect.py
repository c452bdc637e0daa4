"""Where a CLI run reports to, decided *before* ``import prefect`` (Prefect reads its settings once,
at import time), and how Prefect's console output is kept to what a user needs.

Order of precedence:

1. ``PREFECT_API_URL`` in the environment, or in the active Prefect profile -> that server;
2. ``LENDARIA_PREFECT=ephemeral`` -> Prefect's temporary API for this process only (no history);
3. otherwise the local server under ``LENDARIA_HOME``, started on first use and reused.
"""

from __future__ import annotations

import logging
import os
import tomllib
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from lendaria.errors import LendariaError
from lendaria.fileio import atomic_write_bytes
from lendaria.orchestrator.server import Ensured, LocalPrefectServer
from lendaria.settings import Settings


@dataclass(frozen=True)
class PrefectTarget:
    mode: str  # external | local | ephemeral
    api_url: str | None
    note: str | None = None  # one line for the user (server started, restarted, profile used)

    @property
    def keeps_history(self) -> bool:
        return self.mode != "ephemeral"


def local_server(settings: Settings) -> LocalPrefectServer:
    return LocalPrefectServer(settings.home, preferred_port=settings.prefect_port, start_timeout=settings.prefect_start_timeout)


def profile_api_url(environ: dict[str, str] | None = None) -> tuple[str | None, str | None]:
    """(PREFECT_API_URL, profile name) of the active Prefect profile, read without importing Prefect."""
    environ = os.environ if environ is None else environ
    home = Path(environ.get("PREFECT_HOME") or "~/.prefect").expanduser()
    path = Path(environ.get("PREFECT_PROFILES_PATH") or home / "profiles.toml").expanduser()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return None, None
    active = environ.get("PREFECT_PROFILE") or data.get("active")
    profile = (data.get("profiles") or {}).get(active) if active else None
    url = profile.get("PREFECT_API_URL") if isinstance(profile, dict) else None
    return (str(url), str(active)) if url else (None, None)


def _telemetry_off() -> None:
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")  # Prefect's SDK telemetry too (it would call out from a terminal)


def use_local_server(settings: Settings, say: Callable[[str], None]) -> Ensured:
    """Start or reuse the local server and point this process, and every child it starts, at it."""
    _telemetry_off()
    server = local_server(settings)
    ensured = server.ensure_running(say)
    os.environ["PREFECT_API_URL"] = ensured.state.api_url
    os.environ["PREFECT_SERVER_EPHEMERAL_ENABLED"] = "false"  # a vanished server fails fast, never a silent temp API
    if "PREFECT_API_SSL_CERT_FILE" not in os.environ:
        os.environ["PREFECT_API_SSL_CERT_FILE"] = str(loopback_ca_file(server.folder))
    return ensured


def select_target(settings: Settings, say: Callable[[str], None]) -> PrefectTarget:
    """Decide where runs report, start or reuse the local server if that is the answer, and export
    the choice to the environment (this process and every child). Call before ``import prefect``."""
    _telemetry_off()
    if os.environ.get("PREFECT_API_URL"):
        return PrefectTarget("external", os.environ["PREFECT_API_URL"])
    url, profile = profile_api_url()
    if url:
        return PrefectTarget("external", url, f"reporting to {url} (PREFECT_API_URL of Prefect profile {profile!r})")
    if settings.prefect == "ephemeral":
        return PrefectTarget("ephemeral", None)
    ensured = use_local_server(settings, say)
    note = ensured.note
    if ensured.action == "started":
        note = f"started the local Prefect server at {ensured.state.url} (`lendaria server stop` stops it)"
    return PrefectTarget("local", ensured.state.api_url, note)


def loopback_ca_file(folder: Path) -> Path:
    """A one-certificate CA file for Prefect clients talking to the local server.

    The local API is plain HTTP on 127.0.0.1, so no certificate is ever checked, yet every Prefect
    client builds an SSL context from the whole CA bundle first: three of them per run, about 0.3 s
    of a 5 s run (measured). A bundle of one certificate (the first of certifi's, never used) makes
    that instant. Only for the local server Lendária started; never for a PREFECT_API_URL of yours.
    """
    path = folder / "loopback-ca.pem"
    if not path.is_file():
        import certifi

        bundle = Path(certifi.where()).read_text(encoding="ascii")
        end = bundle.index("-----END CERTIFICATE-----") + len("-----END CERTIFICATE-----")
        atomic_write_bytes(path, (bundle[bundle.index("-----BEGIN CERTIFICATE-----"):end] + "\n").encode("ascii"))
    return path


def flow_run_url(flow_run_id: object) -> str | None:
    """UI address of a flow run on the current API (``None`` without one)."""
    from prefect.utilities.urls import url_for

    try:
        return url_for("flow-run", obj_id=str(flow_run_id))
    except Exception:  # noqa: BLE001 - a missing link must never fail a finished run
        return None


def run_settings(settings: Settings) -> AbstractContextManager:
    """Prefect settings for flows run in the CLI process.

    Flow-run heartbeats are off unless ``LENDARIA_PREFECT_HEARTBEATS=true``: Prefect's heartbeat
    thread sleeps in 1 s steps and each flow waits for it at exit (about 0.8 s per flow, measured),
    and heartbeats only matter to the zombie-detection automation. Runs started by the worker of
    ``lendaria serve`` send them at the interval its crash window needs (``serve.heartbeat_seconds``).
    """
    if settings.prefect_heartbeats:
        return nullcontext()
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    return temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None})


# ---- console logging -------------------------------------------------------------------------------
def _error_class_names() -> set[str]:
    names, todo = set(), [LendariaError]
    while todo:
        cls = todo.pop()
        names.add(cls.__name__)
        todo.extend(cls.__subclasses__())
    return names


def is_explained_failure(record: logging.LogRecord) -> bool:
    """True for Prefect's own lines about a failure the CLI explains itself (one of our errors)."""
    if record.exc_info and isinstance(record.exc_info[1], LendariaError):
        return True
    message = record.getMessage()  # e.g. "Finished in state Failed('… InputError: …')"
    return any(f"{name}(" in message or f"{name}:" in message for name in _error_class_names())


class _HideExplainedFailures(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not is_explained_failure(record)


def configure_console_logging(debug: bool) -> None:
    """Prefect's logging, with its lines about failures we already explain kept off the terminal.
    They still reach the Prefect UI: the API log handler is not filtered."""
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "DEBUG" if debug else "INFO")
    from prefect.logging.configuration import ensure_logging_setup

    ensure_logging_setup()
    if debug:
        return
    hide = _HideExplainedFailures()
    loggers = [logging.getLogger()] + [logging.getLogger(name) for name in list(logging.root.manager.loggerDict)]
    for logger in loggers:
        for handler in getattr(logger, "handlers", []):
            if isinstance(handler, logging.StreamHandler):  # the API handler is not one
                handler.addFilter(hide)
