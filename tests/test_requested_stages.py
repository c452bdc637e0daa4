"""What the user names must complete; what the user did not ask for may degrade.

* ``lendaria persist MIND`` persists every stage whose outputs exist and says which it skipped; a stage
  the user names that has no outputs is an error.
* A course or optional stage the user names that cannot complete fails the run (its Prefect run is
  Failed); unnamed, the same stage is skipped with a warning and the run completes.
* Every list option accepts ``--stages a,b`` and repeated ``--stage a --stage b``.
"""

from __future__ import annotations

import shutil

import pytest

from lendaria.catalog import Catalog
from lendaria.packs import get_pack
from tests.conftest import COMMITTED_OUTPUTS, DEMO_SLUG, DEMO_SPEC, run_cli


@pytest.fixture
def etl_only(tmp_path):
    """An outputs root where only ETL ran for the demo mind."""
    out = tmp_path / "out"
    shutil.copytree(COMMITTED_OUTPUTS / "minds" / DEMO_SLUG / "sources", out / "minds" / DEMO_SLUG / "sources")
    return out


@pytest.fixture
def half_done_course(tmp_path):
    """The committed demo outputs plus a course scaffolded for the demo mind and never filled in."""
    from stages.creatoros.run import init_brief

    out = tmp_path / "demo-out"
    shutil.copytree(COMMITTED_OUTPUTS, out)
    init_brief(Catalog(out), "half-done", DEMO_SLUG, None)
    return out


def test_persist_by_default_writes_what_exists_and_names_what_it_skipped(use_database, etl_only):
    env = {"DATABASE_URL": use_database}
    done = run_cli("persist", DEMO_SLUG, "--outputs", str(etl_only), env=env)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith(f"persisted etl of {DEMO_SLUG}") and "sources 11/11 written" in lines[0]
    assert lines[1].startswith(f"skipped innerlens of {DEMO_SLUG}: no outputs to persist") and "fragment-quality.yaml: missing" in lines[1]
    assert lines[2].startswith(f"skipped mmos of {DEMO_SLUG}: no outputs to persist") and "Run MMOS first" in lines[2]
    assert lines[3].startswith(f"persisted creatoros of {DEMO_SLUG}")  # no course names the mind here: nothing to write, recorded


@pytest.mark.parametrize("form", [("--stage", "etl", "--stage", "innerlens"), ("--stages", "etl,innerlens"), ("-s", "etl,innerlens")])
def test_persist_of_a_named_stage_without_outputs_fails_in_every_flag_form(use_database, etl_only, form):
    failed = run_cli("persist", DEMO_SLUG, *form, "--outputs", str(etl_only), env={"DATABASE_URL": use_database})
    assert failed.returncode == 1 and "fragment-quality.yaml: missing. Run InnerLens first" in failed.stderr
    assert "persisted etl" in failed.stdout and "Traceback" not in failed.stderr


def test_persist_of_named_stages_with_outputs_writes_only_those(use_database):
    done = run_cli("persist", DEMO_SLUG, "--stages", "mmos", "--stage", "etl", "--outputs", str(COMMITTED_OUTPUTS),
                   env={"DATABASE_URL": use_database})
    assert done.returncode == 0, done.stderr
    assert [line.split(" of ")[0] for line in done.stdout.splitlines()] == ["persisted etl", "persisted mmos"]


def test_an_optional_stage_must_complete_when_named_or_given_its_own_option():
    from flows.pipeline import required

    creatoros, mmos, etl = get_pack("creatoros"), get_pack("mmos"), get_pack("etl")
    assert not required(creatoros, set(), {}) and not required(mmos, {"etl"}, {})
    assert required(creatoros, {"creatoros"}, {}) and required(creatoros, set(), {"courses": ["x"]})
    assert required(etl, set(), {})  # not optional: always


@pytest.mark.flow
def test_a_named_course_that_cannot_be_built_fails_the_run_and_an_unnamed_one_is_skipped(prefect_harness, half_done_course):
    from flows.pipeline import pipeline

    named = pipeline(mind=str(DEMO_SPEC), outputs=str(half_done_course), stages=["creatoros"], courses=["half-done"], persist=False,
                     return_state=True)
    assert named.is_failed()
    with pytest.raises(Exception, match=r"the course brief is \d+% complete"):
        named.result()

    by_stage = pipeline(mind=str(DEMO_SPEC), outputs=str(half_done_course), stages=["creatoros"], persist=False, return_state=True)
    assert by_stage.is_failed()  # the stage was named: every course of the mind must build

    unnamed = pipeline(mind=str(DEMO_SPEC), outputs=str(half_done_course), persist=False)  # nobody asked: degrade
    assert unnamed["creatoros"]["skipped"] and "the course brief is" in unnamed["creatoros"]["summary"]
    assert unnamed["mmos"]["status"] in ("ran", "skipped")
