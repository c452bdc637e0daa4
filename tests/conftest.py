"""Shared fixtures. Fixtures that need Prefect or the corpus are opt-in, so unit tests stay fast."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
DEMO_SPEC = REPO_ROOT / "examples" / "iris-valente" / "mind.yaml"
DEMO_SLUG = "iris-valente"
PT_DEMO_SPEC = REPO_ROOT / "examples" / "dalva-quintino" / "mind.yaml"  # the Portuguese demo mind
PT_DEMO_SLUG = "dalva-quintino"
COMMITTED_OUTPUTS = REPO_ROOT / "outputs"

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
for _name in ("DATABASE_URL", "SUPABASE_URL", "SUPABASE_SERVICE_ROLE_KEY", "ANTHROPIC_API_KEY"):
    os.environ.pop(_name, None)  # tests choose their database explicitly; never a developer's real one

from tests.db.conftest import database, empty_database, pg_server  # noqa: E402,F401 - shared DB fixtures
from tests.support.anthropic_stub import anthropic_stub  # noqa: E402,F401 - the local Messages API, shared


def stop_local_stack(home: Path) -> None:
    """Stop what a LENDARIA_HOME may have started: the local Prefect server and the embedded database."""
    from lendaria.db.embedded import EmbeddedPostgres
    from lendaria.orchestrator.server import LocalPrefectServer

    LocalPrefectServer(home).stop()
    EmbeddedPostgres(home).stop()


@pytest.fixture(scope="session", autouse=True)
def isolated_home(tmp_path_factory):
    """LENDARIA_HOME in a temp folder: an embedded database or a local Prefect server started by a
    test lives (and stops) there."""
    from lendaria.settings import get_settings

    home = tmp_path_factory.mktemp("lendaria-home")
    os.environ["LENDARIA_HOME"] = str(home)
    os.environ.pop("PREFECT_API_URL", None)  # never a developer's own Prefect server
    # each test scripts the answers it expects: one test's paid answers are not read back in another
    # (tests/test_engine_scale.py turns the response cache on where it is what is tested)
    os.environ["LENDARIA_ENGINE_CACHE"] = "false"
    get_settings.cache_clear()
    yield home
    stop_local_stack(home)


@pytest.fixture(scope="session")
def stack_home(tmp_path_factory):
    """A LENDARIA_HOME that starts cold (no Prefect server, no database) and is shared by the local
    stack and UI tests, so the server's first start is paid once; both are stopped at the end."""
    home = tmp_path_factory.mktemp("stack-home")
    yield home
    stop_local_stack(home)


COLD_START_TEST = "test_readme_first_command_twice_at_once_on_a_cold_machine"


def pytest_collection_modifyitems(items):
    """The cold-start test needs ``stack_home`` still cold: it runs before any other test that uses it,
    whatever files or order were asked for."""
    cold = [item for item in items if item.name == COLD_START_TEST]
    users = [i for i, item in enumerate(items) if "stack_home" in getattr(item, "fixturenames", ())]
    if cold and users:
        items.remove(cold[0])
        items.insert(users[0], cold[0])


def run_cli(*args: str, cwd=None, timeout=300, env: dict | None = None) -> subprocess.CompletedProcess:
    """``lendaria ARGS`` as a user runs it (a subprocess through the console entry point)."""
    return subprocess.run([sys.executable, "-m", "lendaria", *args], capture_output=True, text=True, cwd=cwd or REPO_ROOT,
                          timeout=timeout, env={**os.environ, **(env or {})})


@pytest.fixture
def use_database(database, monkeypatch):  # noqa: F811 - the shared fixture, requested by name
    """Point get_settings() (used by flows and the CLI) at a fresh test database."""
    from lendaria.settings import get_settings

    monkeypatch.setenv("DATABASE_URL", database)
    get_settings.cache_clear()
    yield database
    get_settings.cache_clear()


def corpus_dir() -> Path:
    """``../shared/corpus`` (or $LENDARIA_CORPUS). Missing corpus is a loud failure, never a skip."""
    path = Path(os.environ.get("LENDARIA_CORPUS", REPO_ROOT.parent / "shared" / "corpus"))
    if not (path / "MANIFEST.yaml").is_file():
        pytest.fail(f"corpus not found at {path}: tests read it from ../shared/corpus (set LENDARIA_CORPUS to override)")
    return path


@pytest.fixture(scope="session")
def corpus() -> Path:
    return corpus_dir()


@pytest.fixture(scope="session")
def prefect_harness():
    """One Prefect test API for the whole session (start-up is the expensive part)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture
def demo_copy(tmp_path: Path) -> Path:
    """A writable copy of the demo mind's folder; returns the path of its mind.yaml."""
    target = tmp_path / "demo"
    shutil.copytree(DEMO_SPEC.parent, target)
    return target / "mind.yaml"


@pytest.fixture
def settings():
    from lendaria.settings import Settings

    return Settings(http_backoff=0.01, http_max_backoff=0.05, http_timeout=2.0)


def write_spec(folder: Path, sources: list[dict], slug: str = "test-mind", **extra) -> Path:
    """Write a mind.yaml with ``sources`` into ``folder`` and return its path."""
    from lendaria.yamlio import dump_yaml

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "mind.yaml"
    path.write_text(dump_yaml({"slug": slug, "name": "Test Mind", **extra, "sources": sources}), encoding="utf-8")
    return path


def add_source(spec: Path, name: str, text: str, type: str = "notes") -> None:
    """Add a text source to the mind.yaml at ``spec`` (the file is written beside it)."""
    from lendaria.yamlio import dump_yaml, load_yaml

    (spec.parent / name).write_text(text, encoding="utf-8")
    data = load_yaml(spec.read_text(encoding="utf-8"))
    data["sources"].append({"path": name, "type": type})
    spec.write_text(dump_yaml(data), encoding="utf-8")


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (relative path -> bytes)."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}
