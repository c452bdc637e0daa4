"""prefect.yaml stays runnable: entrypoints import, parameters match the flows, no secrets inside."""

from __future__ import annotations

import importlib.util
import inspect
import re

import pytest
import yaml

from tests.conftest import REPO_ROOT

CONFIG = yaml.safe_load((REPO_ROOT / "prefect.yaml").read_text())


def _load_flow(entrypoint: str):
    path, name = entrypoint.split(":")
    spec = importlib.util.spec_from_file_location(f"_entry_{name}", REPO_ROOT / path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, name)


@pytest.mark.parametrize("deployment", CONFIG["deployments"], ids=lambda d: d["name"])
def test_deployment_entrypoint_and_parameters(deployment):
    flow = _load_flow(deployment["entrypoint"])
    signature = inspect.signature(flow.fn)
    assert set(deployment.get("parameters", {})) <= set(signature.parameters)
    required = {n for n, p in signature.parameters.items() if p.default is inspect.Parameter.empty}
    assert required <= set(deployment.get("parameters", {}))
    assert deployment["work_pool"]["name"] == "lendaria-local"


def test_pipeline_deployment_exposes_mind_stages_course_engine_and_force():
    [pipeline] = [d for d in CONFIG["deployments"] if d["name"] == "lendaria-pipeline"]
    assert pipeline["entrypoint"] == "flows/pipeline.py:pipeline"
    assert {"mind", "stages", "courses", "engine", "force"} <= set(pipeline["parameters"])


def test_a_refresh_per_pack_and_a_weekly_refresh_of_every_mind():
    from lendaria.packs import pack_names

    by_name = {d["name"]: d for d in CONFIG["deployments"]}
    for pack in pack_names():
        refresh = by_name[f"refresh-{pack}"]
        assert refresh["entrypoint"] == "flows/pipeline.py:pipeline" and refresh["parameters"]["stages"] == [pack]
    weekly = by_name["weekly-refresh"]
    assert weekly["entrypoint"] == "flows/pipeline.py:refresh_all"
    assert [(s["cron"], s["active"]) for s in weekly["schedules"]] == [("0 6 * * 1", True)]


def test_no_secrets_in_prefect_yaml():
    text = (REPO_ROOT / "prefect.yaml").read_text()
    assert not re.search(r"(?i)(api_key|service_role_key|password)\s*:", text)
