"""Shared fixtures. Fixtures that need Prefect or the corpus are opt-in, so unit tests stay fast."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
DEMO_SPEC = REPO_ROOT / "examples" / "iris-valente" / "mind.yaml"
DEMO_SLUG = "iris-valente"
COMMITTED_OUTPUTS = REPO_ROOT / "outputs"

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
for _name in ("DATABASE_URL", "SUPABASE_URL", "SUPABASE_SERVICE_ROLE_KEY", "ANTHROPIC_API_KEY"):
    os.environ.pop(_name, None)  # tests choose their database explicitly; never a developer's real one

from tests.db.conftest import database, empty_database, pg_server  # noqa: E402,F401 - shared DB fixtures


@pytest.fixture(scope="session", autouse=True)
def isolated_home(tmp_path_factory):
    """LENDARIA_HOME in a temp folder: an embedded database started by a test lives (and stops) there."""
    from lendaria.db.embedded import EmbeddedPostgres
    from lendaria.settings import get_settings

    home = tmp_path_factory.mktemp("lendaria-home")
    os.environ["LENDARIA_HOME"] = str(home)
    get_settings.cache_clear()
    yield home
    EmbeddedPostgres(home).stop()


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


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (relative path -> bytes)."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}
