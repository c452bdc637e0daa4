"""The fragments' quality audit (great-expectations suite): blocking and warning checks, what a failed
blocking check does to InnerLens and to the pipeline, and no progress bars in non-interactive runs."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from lendaria.settings import Settings
from stages.etl.run import run_etl
from stages.innerlens import audit
from stages.innerlens.run import QualityAuditFailed, run_innerlens
from tests.conftest import COMMITTED_OUTPUTS, DEMO_SLUG, REPO_ROOT, write_spec

BODY = ("The tide came in slowly all morning while we counted the gulls on the wet sand.\n\n"
        "After lunch the team went back to the same square of shore to measure the water.\n")
# Our own Portuguese sentences: a mind declared `language: en` whose material is not English.
PORTUGUESE = ("A maré subiu devagar durante a manhã inteira, e nós contamos as gaivotas que pousavam na areia molhada perto do cais.\n\n"
              "Depois do almoço, a equipe voltou ao mesmo quadrado da praia para medir a temperatura da água e anotar tudo no caderno.\n\n"
              "Ninguém sabia explicar por que os caranguejos tinham desaparecido das pedras, mas todos concordaram em continuar observando.\n\n"
              "Quando a noite chegou, escrevemos uma carta aos voluntários agradecendo a paciência e o cuidado com cada registro.\n")


def record(fid: str, start: int, end: int, text: str, **extra) -> dict:
    return {"id": fid, "source_id": "notes-1", "start": start, "end": end, "text": text, "words": len(text.split()),
            "is_question": False, "first_person": True, "quotes_other": False, **extra}


def good_records() -> list[dict]:
    first, second = BODY.split("\n\n")
    second = second.rstrip("\n")
    return [record("notes-1-aaaaaaaaaaaa", 0, len(first), first),
            record("notes-1-bbbbbbbbbbbb", BODY.index(second), BODY.index(second) + len(second), second)]


def run(records: list[dict], language: str | None = "en") -> dict:
    return audit.audit("test-mind", "minds/test-mind/analysis/fragments.jsonl", records, {"notes-1": BODY},
                       language=language, speaker="Test Mind", max_words=120)


def by_check(report: dict) -> dict[str, dict]:
    return {c["check"]: c for c in report["checks"]}


def test_clean_fragments_pass_every_check():
    report = run(good_records())
    assert report["status"] == "passed" and report["blocking_failed"] == [] and report["warnings"] == []
    assert report["statistics"]["checks"] == len(audit.CHECKS) == report["statistics"]["passed"]
    assert report["validator"].startswith("great_expectations 1.")


def test_broken_fragments_fail_blocking_checks_naming_the_fragments():
    records = good_records()
    records[1] = {**records[1], "id": records[0]["id"]}  # an id twice
    records.append(record("notes-1-cccccccccccc", 10, len(BODY) + 5, BODY[10:] + "extra"))  # past the end, not verbatim
    report = run(records)
    checks = by_check(report)
    assert report["status"] == "failed"
    assert {"ids-unique", "end-in-source", "verbatim"} <= set(report["blocking_failed"])
    assert checks["ids-unique"]["unexpected_ids"] == ["notes-1-aaaaaaaaaaaa"]
    assert checks["verbatim"]["unexpected_ids"] == ["notes-1-cccccccccccc"]
    assert checks["end-in-source"]["observed"]["unexpected_count"] == 1
    assert checks["source-known"]["success"] and checks["word-count"]["success"]


def test_a_folded_copy_must_be_a_near_duplicate_inside_its_source():
    first, second = good_records()
    near = {**first, "also_in": [{"source_id": "notes-1", "start": second["start"], "end": second["end"]}]}
    report = run([near, second])  # the "copy" is a different sentence: not a near-duplicate
    assert report["blocking_failed"] == ["also-in-near-duplicate"]
    assert by_check(report)["also-in-near-duplicate"]["unexpected_ids"] == [first["id"]]
    same = {**first, "also_in": [{"source_id": "notes-1", "start": first["start"], "end": first["end"]}]}
    assert run([same, second])["blocking_failed"] == []


def test_warnings_do_not_fail_the_audit():
    records = [{**r, "quotes_other": True} for r in good_records()]  # every fragment quotes someone else
    report = run(records)
    assert report["status"] == "warnings" and report["warnings"] == ["quoted-others"] and report["blocking_failed"] == []
    assert by_check(report)["quoted-others"]["observed"]["observed_value"] == 1.0


def test_without_a_declared_language_the_language_checks_do_not_apply():
    report = run(good_records(), language=None)
    assert report["language"] == "undeclared" and not {"language", "language-mostly"} & set(by_check(report))


def test_the_committed_demo_passes_its_audit():
    from lendaria.yamlio import load_yaml

    report = load_yaml((COMMITTED_OUTPUTS / "minds" / DEMO_SLUG / "analysis" / "fragment-quality.yaml").read_text())
    assert report["status"] in ("passed", "warnings") and report["blocking_failed"] == []
    assert report["fragments"] == len((COMMITTED_OUTPUTS / "minds" / DEMO_SLUG / "analysis" / "fragments.jsonl").read_text().splitlines())


def test_a_mind_mostly_in_another_language_stops_innerlens_before_writing_fragments(tmp_path):
    from lendaria.yamlio import load_yaml

    settings = Settings(home=tmp_path / "home")
    (tmp_path / "notas.txt").write_text(PORTUGUESE)
    run_etl(write_spec(tmp_path, [{"path": "notas.txt"}], language="en"), tmp_path / "out", settings)
    with pytest.raises(QualityAuditFailed, match="language-mostly") as info:
        run_innerlens("test-mind", tmp_path / "out", settings)
    analysis = tmp_path / "out" / "minds" / "test-mind" / "analysis"
    assert "fragment-quality.yaml" in str(info.value)
    report = load_yaml((analysis / "fragment-quality.yaml").read_text())
    assert report["status"] == "failed" and "language-mostly" in report["blocking_failed"]
    assert by_check(report)["language-mostly"]["observed"]["unexpected_percent"] == 100.0
    assert not (analysis / "fragments.jsonl").exists() and not (analysis / "psychometric-profile.yaml").exists()


@pytest.mark.flow
def test_the_pipeline_goes_on_without_innerlens_and_records_the_failed_audit(prefect_harness, use_database, tmp_path):
    import psycopg

    from flows.pipeline import pipeline

    (tmp_path / "notas.txt").write_text(PORTUGUESE)
    spec = write_spec(tmp_path, [{"path": "notas.txt"}], slug="mind-pt", language="en")
    result = pipeline(mind=str(spec), outputs=str(tmp_path / "out"))
    assert result["etl"]["totals"]["collected"] == 1
    assert result["innerlens"]["skipped"] and "quality audit failed" in result["innerlens"]["summary"]
    assert "fragment_quality_audits 1/1 written" in result["innerlens"]["persisted"]
    with psycopg.connect(use_database) as conn:
        audits = conn.execute("select suite, success, evaluated, statistics ->> 'status' from fragment_quality_audits").fetchall()
        jobs = dict(conn.execute("select stage, status from job_executions where run_id = %s", (result["run"]["correlation_id"],)).fetchall())
        fragments = conn.execute("select count(*) from fragments").fetchone()[0]
    assert audits == [("innerlens-fragments", False, 4, "failed")]
    assert jobs == {"etl": "completed", "innerlens": "failed", "mmos": "failed", "creatoros": "completed"} and fragments == 0  # mmos: under its gate; creatoros: no course names this mind


SCRIPT = """
import json, sys
from pathlib import Path
from stages.innerlens import audit
records = [json.loads(line) for line in Path(sys.argv[1]).read_text().splitlines()]
bodies = {r["source_id"]: " " * 100_000 for r in records}
audit.audit("m", "f", records, bodies, language="en", speaker=None, max_words=120)
print("=== great-expectations defaults ===", file=sys.stderr, flush=True)
import great_expectations as gx, great_expectations.expectations as gxe, pandas as pd
context = gx.get_context(mode="ephemeral")
batch = context.data_sources.add_pandas("p").add_dataframe_asset("a").add_batch_definition_whole_dataframe("b")
suite = context.suites.add(gx.ExpectationSuite(name="s"))
suite.add_expectation(gxe.ExpectColumnValuesToBeUnique(column="id"))
context.validation_definitions.add(gx.ValidationDefinition(name="v", data=batch, suite=suite)).run(
    batch_parameters={"dataframe": pd.DataFrame(records)})
"""


def test_no_progress_bars_in_a_non_interactive_run():
    fragments = COMMITTED_OUTPUTS / "minds" / DEMO_SLUG / "analysis" / "fragments.jsonl"
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(fragments)], cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    ours, defaults = done.stderr.split("=== great-expectations defaults ===")
    assert "Calculating Metrics" in defaults  # the same library, left to its defaults, would draw them
    assert "Calculating Metrics" not in ours and "it/s" not in ours
