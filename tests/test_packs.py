"""Packs declare themselves once (stages/<pack>/pack.py); the shared package reads the declarations."""

from __future__ import annotations

import re

import pytest

from lendaria.errors import InputError
from lendaria.packs import Pack, check_stages, get_pack, load, packs, persisted_stages, pipeline_order
from tests.conftest import REPO_ROOT


def test_etl_declares_itself_and_its_parts_resolve():
    etl = get_pack("etl")
    assert [p.name for p in packs()][0] == "etl" and etl.role == "etl"
    assert callable(load(etl.payload_builder)) and callable(load(etl.preflight))
    assert load(etl.flow).name == "etl"  # a Prefect flow
    from contracts import get_registry

    assert all(get_registry().latest(name) for name in etl.contracts)
    assert persisted_stages()[0] == "etl"


def test_pipeline_order_follows_after_and_refuses_bad_graphs():
    a, b, c = Pack("a", "m:f"), Pack("b", "m:f", after=("c",)), Pack("c", "m:f", after=("a",))
    assert [p.name for p in pipeline_order([b, c, a])] == ["a", "c", "b"]
    with pytest.raises(TypeError, match="unknown pack"):
        pipeline_order([Pack("x", "m:f", after=("nope",))])
    with pytest.raises(TypeError, match="circle"):
        pipeline_order([Pack("x", "m:f", after=("y",)), Pack("y", "m:f", after=("x",))])


def test_unknown_stages_are_refused_with_the_available_ones():
    assert check_stages(None) == [p.name for p in packs()]
    with pytest.raises(InputError, match="Available stages: etl"):
        check_stages(["nope"])


def test_the_shared_persist_step_and_pack_registry_name_no_pack():
    for path in ("lendaria/db/persist.py", "lendaria/packs.py", "lendaria/db/metrics.py"):
        text = (REPO_ROOT / path).read_text(encoding="utf-8")
        assert not re.search(r"\betl\b|innerlens|\bmmos\b|creatoros", text, re.IGNORECASE), path
