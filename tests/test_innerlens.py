"""The InnerLens stage on ETL's outputs: fragments.jsonl, incremental re-runs, near-duplicate folding,
and the verbatim check in `lendaria validate`."""

from __future__ import annotations

import json

from lendaria.settings import Settings
from stages.etl.run import run_etl
from stages.innerlens.run import run_innerlens
from tests.conftest import run_cli, snapshot, write_spec

PARAGRAPH = ("We count the same square of shore every month, whatever the weather, because only a long and "
             "patient record can show a change that happens slowly over many years.")


def two_sources(tmp_path, shared: str = PARAGRAPH):
    (tmp_path / "talk.txt").write_text(f"A talk given at the harbour.\n\n{shared}\n\nQuestions followed about gulls and terns.\n")
    (tmp_path / "essay.md").write_text(f"# The Essay\n\nAn essay written later that year.\n\n{shared}\n")
    return write_spec(tmp_path, [{"path": "talk.txt"}, {"path": "essay.md"}])


def test_fragments_file_is_incremental_and_byte_identical_on_rerun(tmp_path):
    settings = Settings(home=tmp_path / "home")
    spec = two_sources(tmp_path)
    out = tmp_path / "out"
    run_etl(spec, out, settings)
    first = run_innerlens("test-mind", out, settings)
    assert first.refragmented == 2 and first.written
    before = snapshot(out)
    again = run_innerlens("test-mind", out, settings)
    assert again.refragmented == 0 and again.written == [] and snapshot(out) == before
    assert "0 of 2 sources re-fragmented" in again.summary()
    (tmp_path / "talk.txt").write_text((tmp_path / "talk.txt").read_text().replace("gulls", "cormorants"))
    run_etl(spec, out, settings)
    changed = run_innerlens("test-mind", out, settings)
    assert "1 of 2 sources re-fragmented" in changed.summary() and changed.written


def test_near_duplicates_across_sources_fold_into_one_with_provenance(tmp_path):
    settings = Settings(home=tmp_path / "home")
    run_etl(two_sources(tmp_path), tmp_path / "out", settings)
    result = run_innerlens("test-mind", tmp_path / "out", settings)
    records = [json.loads(line) for line in result.fragments_path.read_text().splitlines()]
    shared = [r for r in records if r["text"] == PARAGRAPH]
    assert len(shared) == 1 and result.folded == 1
    (other,) = shared[0]["also_in"]
    assert other["source_id"] != shared[0]["source_id"]
    body = (tmp_path / "out" / "minds" / "test-mind" / "sources" / f"{other['source_id']}.md").read_text()
    assert body.split("---\n", 2)[2][other["start"]:other["end"]] == PARAGRAPH


def test_validate_refuses_an_edited_offset_naming_the_fragment_and_pointer(tmp_path):
    settings = Settings(home=tmp_path / "home")
    run_etl(two_sources(tmp_path), tmp_path / "out", settings)
    path = run_innerlens("test-mind", tmp_path / "out", settings).fragments_path
    lines = path.read_text().splitlines()
    record = json.loads(lines[1])
    record["start"] += 1
    lines[1] = json.dumps(record)
    path.write_text("\n".join(lines) + "\n")
    result = run_cli("validate", str(tmp_path / "out"))
    assert result.returncode == 1
    assert record["id"] in result.stderr + result.stdout and "/1/start" in result.stderr + result.stdout


def test_fragments_persist_as_the_innerlens_role_idempotently_and_refuse_edited_offsets(database, tmp_path):
    import psycopg
    import pytest

    from contracts import ContractViolationError
    from lendaria.db.persist import persist_stage
    from lendaria.db.repository import PostgresRepository

    settings = Settings(home=tmp_path / "home")
    out = tmp_path / "out"
    run_etl(two_sources(tmp_path), out, settings)
    result = run_innerlens("test-mind", out, settings)
    repository = PostgresRepository(database, settings)
    persist_stage("etl", "test-mind", out, repository, run_id="run-a")
    first = persist_stage("innerlens", "test-mind", out, repository, run_id="run-a")
    assert first.counts["fragments"]["written"] == result.fragments
    again = persist_stage("innerlens", "test-mind", out, repository, run_id="run-b")
    assert again.counts["fragments"]["written"] == 0  # unchanged file: nothing rewritten
    with psycopg.connect(database) as conn:
        rows = conn.execute("select f.fragment_id, s.source_id, f.start_offset, f.run_id from fragments f "
                            "join sources s on s.id = f.source_row_id").fetchall()
        jobs = conn.execute("select stage, status from job_executions where run_id = 'run-a' order by stage").fetchall()
        profiles = conn.execute("select level, openness, words_analysed, run_id from big_five_profiles").fetchall()
        tags = conn.execute("select t.fragment_id, t.tag from fragment_tags t join fragments f on f.id = t.fragment_row_id "
                            "and f.fragment_id = t.fragment_id").fetchall()
        audits = conn.execute("select suite, success, evaluated, run_id from fragment_quality_audits").fetchall()
    assert len(rows) == result.fragments and {r[3] for r in rows} == {"run-a"}
    assert profiles == [("insufficient", None, result.words, "run-a")]  # two short sources: under 600 words
    assert audits == [("innerlens-fragments", True, result.fragments, "run-a")]
    assert len(tags) == first.counts["fragment_tags"]["rows"] > 0 and ("first-person" in {t for _, t in tags} or "question" in {t for _, t in tags})
    assert all(again.counts[t]["written"] == 0 for t in ("big_five_profiles", "fragment_tags", "fragment_quality_audits"))
    assert jobs == [("etl", "completed"), ("innerlens", "completed")]

    lines = result.fragments_path.read_text().splitlines()
    record = json.loads(lines[0])
    record["end"] -= 2
    lines[0] = json.dumps(record)
    result.fragments_path.write_text("\n".join(lines) + "\n")
    with pytest.raises(ContractViolationError) as info:
        persist_stage("innerlens", "test-mind", out, repository, run_id="run-c")
    assert record["id"] in str(info.value) and "/0/start" in str(info.value)
    with psycopg.connect(database) as conn:
        assert conn.execute("select count(*) from fragments where run_id = 'run-c'").fetchone()[0] == 0


def test_a_300_word_mind_gets_insufficient_and_no_chart(tmp_path):
    from lendaria.yamlio import load_yaml

    settings = Settings(home=tmp_path / "home")
    (tmp_path / "short.txt").write_text(" ".join(["The tide came in slowly and we counted the gulls."] * 30) + "\n")
    run_etl(write_spec(tmp_path, [{"path": "short.txt"}]), tmp_path / "out", settings)
    result = run_innerlens("test-mind", tmp_path / "out", settings)
    profile = load_yaml((result.fragments_path.parent / "psychometric-profile.yaml").read_text())
    assert profile["gate"] == "insufficient" and "big_five" not in profile and "600" in profile["reason"]
    assert not (result.fragments_path.parent / "psychometric-profile.svg").exists()
    assert "Big Five: insufficient" in result.summary()


def test_a_20000_word_mind_gets_scores_evidence_that_exists_and_the_chart(tmp_path, corpus):
    from lendaria.yamlio import load_yaml

    settings = Settings(home=tmp_path / "home")
    words = (corpus / "henry-david-thoreau" / "walden.txt").read_text().split()[:20000]
    (tmp_path / "walden.txt").write_text("\n\n".join(" ".join(words[i:i + 200]) for i in range(0, len(words), 200)) + "\n")
    run_etl(write_spec(tmp_path, [{"path": "walden.txt"}]), tmp_path / "out", settings)
    result = run_innerlens("test-mind", tmp_path / "out", settings)
    analysis = result.fragments_path.parent
    profile = load_yaml((analysis / "psychometric-profile.yaml").read_text())
    ids = {json.loads(line)["id"] for line in result.fragments_path.read_text().splitlines()}
    assert profile["gate"] == "full" and 19_800 <= profile["words_analysed"] <= 20_000  # headings and rules are not prose
    for trait, values in profile["big_five"].items():
        assert 0 <= values["score"] <= 100 and 0 < values["confidence"] <= 1
        assert values["evidence"] and set(values["evidence"]) <= ids, trait
    svg = (analysis / "psychometric-profile.svg").read_text()
    assert svg.startswith("<svg") and svg.count("<text") == 5 and "Openness" in svg
    assert run_cli("validate", str(tmp_path / "out")).returncode == 0
    profile["big_five"]["openness"]["evidence"][0] = "test-mind-000000000000"
    from lendaria.yamlio import dump_yaml

    (analysis / "psychometric-profile.yaml").write_text(dump_yaml(profile))
    refused = run_cli("validate", str(tmp_path / "out"))
    assert refused.returncode == 1 and "/big_five/openness/evidence/0" in refused.stdout + refused.stderr


def test_fragments_carry_their_source_class_and_a_folded_one_takes_the_most_restrictive(tmp_path):
    settings = Settings(home=tmp_path / "home")
    (tmp_path / "talk.txt").write_text(f"A talk given at the harbour.\n\n{PARAGRAPH}\n")
    (tmp_path / "diary.md").write_text(f"A diary page written the same night.\n\n{PARAGRAPH}\n")
    spec = write_spec(tmp_path, [{"path": "talk.txt"}, {"path": "diary.md", "classification": "PRIVATE"}])
    run_etl(spec, tmp_path / "out", settings)
    result = run_innerlens("test-mind", tmp_path / "out", settings)
    records = [json.loads(line) for line in result.fragments_path.read_text().splitlines()]
    classes = {r["text"].split()[1]: r["classification"] for r in records}
    assert classes == {"talk": "PUBLIC", "diary": "PRIVATE", "count": "PRIVATE"}  # the shared paragraph is in both
    assert result.non_public == 2 and "2 non-public" in result.summary()
