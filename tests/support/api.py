"""The Prefect server's REST API from a test, as careful as Prefect's own client and UI.

* Retries: the server answers 503 "Service Unavailable" for errors a client is meant to retry (its
  SQLite database busy while the worker, a flow run and the test all write), and Prefect's client
  retries 429, 502 and 503 with exponential backoff. A test that talks to the API with bare HTTP must
  do the same, or it fails on a server behaving as documented. Any other error status raises at once.
* Resuming a run paused for input: Prefect sets the run PAUSED first and saves the input's schema
  just after, and the server rejects a resume until that schema exists ("Run input schema not
  found"). The UI shows its form only once the schema is there; ``resume_with_input`` waits the same
  way, and asserts the server accepted the resume."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

RETRYABLE = frozenset({429, 502, 503})
ATTEMPTS = 6  # Prefect's client: 5 retries after the first try


def request(method: str, url: str, payload: Any = None) -> httpx.Response:
    """``method url`` (``payload`` as its JSON body), retried on the codes above; the last response."""
    delay = 0.5
    for attempt in range(ATTEMPTS):
        response = httpx.request(method, url, json=payload, timeout=30)
        if response.status_code not in RETRYABLE or attempt == ATTEMPTS - 1:
            return response
        time.sleep(delay)
        delay *= 2
    raise AssertionError("unreachable")


def get_json(url: str) -> Any:
    response = request("GET", url)
    response.raise_for_status()
    return response.json()


def post_json(url: str, payload: Any = None) -> Any:
    response = request("POST", url, payload if payload is not None else {})
    response.raise_for_status()
    return response.json() if response.content else None


def resume_with_input(api: str, flow_run_id: str, run_input: dict, timeout: float = 60) -> None:
    """Resume a flow run paused for input once its input form exists, as a reviewer in the UI does."""
    deadline = time.monotonic() + timeout
    while True:
        state = get_json(f"{api}/flow_runs/{flow_run_id}")["state"]
        details = (state or {}).get("state_details") or {}
        schema_key = (details.get("run_input_keyset") or {}).get("schema")  # null until the pause asks for input
        if schema_key and request("GET", f"{api}/flow_runs/{flow_run_id}/input/{schema_key}").status_code == 200:
            break
        if time.monotonic() > deadline:
            pytest.fail(f"flow run {flow_run_id} did not offer its input form within {timeout:.0f} s (state: {state})")
        time.sleep(0.2)
    result = post_json(f"{api}/flow_runs/{flow_run_id}/resume", {"run_input": run_input})
    assert result["status"] == "ACCEPT", result
