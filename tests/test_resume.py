"""Resume keys (lendaria.resume) and the run summary (lendaria.orchestrator.summary), without Prefect."""

from __future__ import annotations

import base64
import re
import shutil
from pathlib import Path

import pytest

from lendaria.orchestrator.summary import run_summary, stage_rows
from lendaria.packs import get_pack, load
from lendaria.resume import StageState, code_version, scope_digest, settings_fingerprint, stage_key
from lendaria.settings import Settings
from lendaria.yamlio import load_yaml
from tests.conftest import COMMITTED_OUTPUTS, DEMO_SLUG, DEMO_SPEC


def key_of(stage: str, mind: str, root: Path, settings: Settings, options: dict | None = None) -> str | None:
    paths = load(get_pack(stage).scope)(DEMO_SLUG, mind, root, options or {})
    return None if paths is None else stage_key(stage, f"stages/{stage}", options or {}, settings, scope_digest(paths, root))


@pytest.fixture
def outputs(tmp_path: Path) -> Path:
    root = tmp_path / "outputs"
    shutil.copytree(COMMITTED_OUTPUTS, root)
    return root


def test_each_stage_key_moves_with_its_own_scope_only(outputs, tmp_path):
    settings = Settings(home=tmp_path / "home")
    before = {stage: key_of(stage, str(DEMO_SPEC), outputs, settings) for stage in ("etl", "innerlens", "mmos", "creatoros")}
    assert all(before.values()) and len(set(before.values())) == 4
    # a lesson edited by hand: only CreatorOS must run again
    lesson = outputs / "courses" / "shore-counting" / "lessons" / "lesson-001.md"
    lesson.write_text(lesson.read_text(encoding="utf-8") + "\nedited\n", encoding="utf-8")
    after = {stage: key_of(stage, str(DEMO_SPEC), outputs, settings) for stage in before}
    assert [s for s in before if before[s] != after[s]] == ["creatoros"]
    # an MMOS output deleted: MMOS and CreatorOS (which reads the mind folder), not ETL or InnerLens
    (outputs / "minds" / DEMO_SLUG / "system_prompts" / "generalista.md").unlink()
    later = {stage: key_of(stage, str(DEMO_SPEC), outputs, settings) for stage in before}
    assert [s for s in before if after[s] != later[s]] == ["mmos", "creatoros"]
    # a source: every stage
    source = next((outputs / "minds" / DEMO_SLUG / "sources").glob("essay-*.md"))
    source.write_text(source.read_text(encoding="utf-8") + " more", encoding="utf-8")
    last = {stage: key_of(stage, str(DEMO_SPEC), outputs, settings) for stage in before}
    assert all(later[s] != last[s] for s in before)


def test_etl_key_reads_the_spec_files_and_remote_sources_always_run(tmp_path):
    settings = Settings(home=tmp_path / "home")
    folder = tmp_path / "mind"
    shutil.copytree(DEMO_SPEC.parent, folder)
    spec = folder / "mind.yaml"
    first = key_of("etl", str(spec), tmp_path / "out", settings)
    (folder / "notes-on-uncertainty.txt").write_text("changed", encoding="utf-8")
    assert key_of("etl", str(spec), tmp_path / "out", settings) != first
    spec.write_text(spec.read_text(encoding="utf-8") + "\n  - url: https://example.org/essay\n", encoding="utf-8")
    assert key_of("etl", str(spec), tmp_path / "out", settings) is None


def test_key_moves_with_settings_that_shape_outputs_but_not_with_places_or_secrets(outputs, tmp_path):
    base = key_of("mmos", DEMO_SLUG, outputs, Settings(home=tmp_path / "a"))
    assert key_of("mmos", DEMO_SLUG, outputs, Settings(home=tmp_path / "b", prefect_port=4300, review_timeout=5)) == base
    assert key_of("mmos", DEMO_SLUG, outputs, Settings(home=tmp_path / "a", engine="anthropic")) != base
    assert key_of("mmos", DEMO_SLUG, outputs, Settings(home=tmp_path / "a", mmos_min_words=5000)) != base
    fingerprint = settings_fingerprint(Settings(ANTHROPIC_API_KEY="sk-ant-secret-value"))
    assert fingerprint["anthropic_api_key"] is True and "sk-ant-secret-value" not in repr(fingerprint)
    assert key_of("creatoros", DEMO_SLUG, outputs, Settings(), {"courses": ["shore-counting"]}) != \
        key_of("creatoros", DEMO_SLUG, outputs, Settings())  # parameters are part of the key


def test_code_version_covers_helpers_not_only_task_bodies():
    assert code_version("stages/mmos") != code_version("stages/etl")
    assert len(code_version(None)) == 64


def test_state_decides_skip_force_and_change(tmp_path):
    state = StageState(tmp_path / "home", tmp_path / "out", DEMO_SLUG)
    assert not state.decide("etl", "k1", False).skip and state.decide("etl", "k1", False).reason == "no earlier run"
    state.remember("etl", "k1", {"summary": "collected 11", "totals": {"collected": 11}}, "run-1")
    skip = state.decide("etl", "k1", False)
    assert skip.skip and skip.result["totals"] == {"collected": 11} and skip.persisted_run == "run-1"
    assert not state.decide("etl", "k1", True).skip and state.decide("etl", "k1", True).reason == "forced"
    assert not state.decide("etl", "k2", False).skip
    assert not state.decide("etl", None, False).skip
    other_root = StageState(tmp_path / "home", tmp_path / "elsewhere", DEMO_SLUG)
    assert not other_root.decide("etl", "k1", False).skip  # another outputs folder has its own history
    state.path.write_text("{not json", encoding="utf-8")
    assert not state.decide("etl", "k1", False).skip  # a damaged state file means: run


def test_run_summary_has_the_stage_table_big_five_radar_fidelity_and_outputs():
    results = {
        "etl": {"status": "skipped", "duration_ms": 12, "totals": {"collected": 11, "words": 18249}, "engine": "offline",
                "engine_totals": {"calls": 0, "input_tokens": 0, "output_tokens": 0, "cost_usd": 0.0}},
        "creatoros": {"status": "ran", "duration_ms": 2400, "totals": {"lessons": 6}, "engine": "anthropic", "courses": ["shore-counting"],
                      "engine_totals": {"calls": 3, "input_tokens": 900, "output_tokens": 1200, "cost_usd": 0.0213}},
        "run": {"correlation_id": "abc", "engine": "anthropic", "totals": {"calls": 3, "cost_usd": 0.0213}, "status": "completed"},
    }
    text = run_summary(DEMO_SLUG, COMMITTED_OUTPUTS, results)
    assert "| etl | skipped | 0.0 | collected 11, words 18249 | offline | 0 | 0/0 | 0.0000 |" in text
    radar = base64.b64decode(re.search(r"data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)", text).group(1)).decode()
    assert radar.startswith("<svg") and "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>" in radar
    assert "| creatoros | ran | 2.4 | lessons 6 | anthropic | 3 | 900/1200 | 0.0213 |" in text
    openness = load_yaml((COMMITTED_OUTPUTS / "minds" / DEMO_SLUG / "analysis" / "psychometric-profile.yaml").read_text())["big_five"]["openness"]
    assert "![Big Five radar of iris-valente](data:image/svg+xml;base64," in text
    assert f"| openness | {openness['score']:.1f} | {openness['level']} |" in text
    check = load_yaml((COMMITTED_OUTPUTS / "minds" / DEMO_SLUG / "analysis" / "fidelity.yaml").read_text())["self_check"]
    assert f"against {check['impostors']} impostors (impostors verification): AUC {check['auc']}" in text and "Course **shore-counting**: 6 lessons, 0 scored" in text
    assert "- `minds/iris-valente/system_prompts/generalista.md`" in text and "- `courses/shore-counting`" in text
    assert [row["stage"] for row in stage_rows(results)] == ["etl", "creatoros"]
    failed = run_summary("nobody", COMMITTED_OUTPUTS, {"run": {"status": "failed"}}, RuntimeError("boom"))
    assert "**Failed:** boom" in failed and "Big Five" not in failed
