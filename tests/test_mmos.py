"""The MMOS stage, part 1: viability gate, held-out split, voice profile, fidelity self-check, the
`lendaria fidelity` command, the fidelity service and persist."""

from __future__ import annotations

import json
import shutil

import pytest

from lendaria.settings import Settings
from lendaria.yamlio import load_yaml
from stages.etl.run import run_etl
from stages.mmos import layers
from stages.mmos.run import ViabilityGateFailed, run_mmos
from stages.mmos.split import held_out_target, passages, split
from tests.conftest import COMMITTED_OUTPUTS, DEMO_SLUG, run_cli, snapshot, write_spec


@pytest.fixture
def demo(tmp_path):
    """A copy of the committed demo's ETL and InnerLens outputs."""
    out = tmp_path / "out"
    shutil.copytree(COMMITTED_OUTPUTS / "minds" / DEMO_SLUG / "sources", out / "minds" / DEMO_SLUG / "sources")
    return out


def test_a_mind_below_the_gate_is_stopped_with_how_much_more_is_needed_and_nothing_written(tmp_path):
    (tmp_path / "short.txt").write_text("The tide came in slowly and we counted the gulls on the sand.\n" * 25)
    run_etl(write_spec(tmp_path, [{"path": "short.txt"}]), tmp_path / "out", Settings(home=tmp_path / "home"))
    with pytest.raises(ViabilityGateFailed, match=r"needs at least 10,000\. Add about 9,675 more words"):
        run_mmos("test-mind", tmp_path / "out", Settings(home=tmp_path / "home"))
    assert not (tmp_path / "out" / "minds" / "test-mind" / "analysis").exists()


def test_the_split_is_deterministic_interleaved_and_disjoint():
    bodies = {f"s{i}": "\n\n".join(f"Paragraph {j} of source {i} " + "word " * 60 for j in range(60)) for i in range(3)}
    by_source = [passages(sid, body) for sid, body in bodies.items()]
    cut = split(by_source)
    assert split(by_source) == cut
    total = sum(p.words for p in cut.build + cut.held_out)
    held = sum(p.words for p in cut.held_out)
    assert held == sum(c.words for c in cut.chunks) >= held_out_target(total) >= 2_500 and not set(cut.build) & set(cut.held_out)
    assert len({c.source_id for c in cut.chunks}) >= 2  # across sources
    for chunk in cut.chunks:  # a chunk is consecutive held-out passages of one source
        inside = [p for p in cut.held_out if p.source_id == chunk.source_id and chunk.start <= p.start and p.end <= chunk.end]
        assert sum(p.words for p in inside) == chunk.words
    assert held_out_target(12_000) == 2_500 and held_out_target(100_000) == 15_000 and held_out_target(4_000) == 1_200


def test_demo_voice_profile_and_self_check_without_innerlens_then_byte_identical_and_recomputed_on_change(demo, tmp_path):
    settings = Settings(home=tmp_path / "home")
    result = run_mmos(DEMO_SLUG, demo, settings)
    assert "without InnerLens outputs" in result.summary() and result.gate["own_words"] >= 15_000
    analysis = demo / "minds" / DEMO_SLUG / "analysis"
    profile = load_yaml((analysis / "voice-profile.yaml").read_text())
    check = load_yaml((analysis / "fidelity.yaml").read_text())["self_check"]
    assert profile["inputs"].startswith("sources only") and profile["split"]["held_out_words"] >= 2_500
    assert profile["language"] == "en" and len({s["source_id"] for s in profile["split"]["held_out"]}) >= 2
    assert check["status"] == "measured" and check["impostors"] >= 7
    assert check["true_positive_rate"] == 1.0 and check["false_positive_rate"] <= 0.05 and check["auc"] >= 0.95
    assert run_cli("validate", str(demo)).returncode == 0
    before = snapshot(analysis)
    assert run_mmos(DEMO_SLUG, demo, settings).written == [] and snapshot(analysis) == before
    metadata = demo / "minds" / DEMO_SLUG / "sources" / "metadata.yaml"
    data = load_yaml(metadata.read_text())
    dropped = next(e for e in data["sources"] if e["type"] == "notes")
    (demo / "minds" / DEMO_SLUG / "sources" / dropped["file"]).unlink()
    from lendaria.yamlio import dump_yaml
    data["sources"].remove(dropped)
    metadata.write_text(dump_yaml(data))
    assert "voice-profile.yaml" in " ".join(run_mmos(DEMO_SLUG, demo, settings).written)


def test_fidelity_command_and_service_score_files_against_the_mind(demo, tmp_path, corpus):
    from lendaria.packs import service

    run_mmos(DEMO_SLUG, demo, Settings(home=tmp_path / "home"))
    profile = load_yaml((demo / "minds" / DEMO_SLUG / "analysis" / "voice-profile.yaml").read_text())
    bodies = {p.name.removesuffix(".md"): p.read_text().split("---\n", 2)[2] for p in (demo / "minds" / DEMO_SLUG / "sources").glob("*.md")}
    held = "\n\n".join(bodies[s["source_id"]][s["start"]:s["end"]] for s in profile["split"]["held_out"])
    (tmp_path / "iris.txt").write_text(held)
    (tmp_path / "other.txt").write_text(" ".join((corpus / "frederick-douglass").glob("*.txt").__next__().read_text().split()[:2500]))
    done = run_cli("fidelity", DEMO_SLUG, str(tmp_path / "iris.txt"), str(tmp_path / "other.txt"), "--format", "json", "--outputs", str(demo))
    assert done.returncode == 0, done.stderr
    iris, other = json.loads(done.stdout)
    assert iris["file"] == str(tmp_path / "iris.txt") and iris["status"] == "scored" and iris["passed"] and not other["passed"]
    assert iris["score"] > other["score"] and iris["confidence"] == 1.0 and "against the chunks of its impostors" in iris["method"]
    assert [r["score"] for r in service("fidelity")(demo, DEMO_SLUG, [held])] == [iris["score"]]
    assert run_cli("fidelity", DEMO_SLUG, str(tmp_path / "missing.txt"), "--outputs", str(demo)).returncode == 1
    assert run_cli("fidelity", "nobody", str(tmp_path / "iris.txt"), "--outputs", str(demo)).returncode == 1


def test_voice_profile_and_self_check_persist_as_the_mmos_role_idempotently(demo, tmp_path, database):
    import psycopg

    from lendaria.db.persist import persist_stage
    from lendaria.db.repository import PostgresRepository

    settings = Settings(home=tmp_path / "home")
    run_mmos(DEMO_SLUG, demo, settings)
    repository = PostgresRepository(database, settings)
    persist_stage("etl", DEMO_SLUG, demo, repository, run_id="run-m")
    first = persist_stage("mmos", DEMO_SLUG, demo, repository, run_id="run-m")
    again = persist_stage("mmos", DEMO_SLUG, demo, repository, run_id="run-n")
    assert first.counts["mind_profiles"]["written"] == 9 and first.counts["fidelity_checks"]["written"] == 1  # voice + 8 layers
    assert all(c["written"] == 0 for c in again.counts.values())
    with psycopg.connect(database) as conn:
        held = conn.execute("select profile -> 'split' ->> 'held_out_words' from mind_profiles where profile_kind = 'voice'").fetchone()[0]
        kinds = {r[0] for r in conn.execute("select profile_kind from mind_profiles")}
        auc, run_id = conn.execute("select auc, run_id from fidelity_checks").fetchone()
    assert kinds == {"voice", *layers.LAYERS} and int(held) >= 2_500 and float(auc) >= 0.95 and run_id == "run-m"


def test_held_out_spans_cite_fragments_and_validate_refuses_a_span_outside_its_source(tmp_path):
    out = tmp_path / "out"
    shutil.copytree(COMMITTED_OUTPUTS / "minds" / DEMO_SLUG, out / "minds" / DEMO_SLUG)
    path = out / "minds" / DEMO_SLUG / "analysis" / "voice-profile.yaml"
    profile = load_yaml(path.read_text())
    fragments = {json.loads(line)["id"] for line in (path.parent / "fragments.jsonl").read_text().splitlines()}
    cited = [fid for span in profile["split"]["held_out"] for fid in span["fragment_ids"]]
    assert cited and set(cited) <= fragments  # the held-out set names the InnerLens fragments it holds
    text = path.read_text()
    first = profile["split"]["held_out"][0]
    path.write_text(text.replace(f"    end: {first['end']}\n", "    end: 99999999\n", 1))
    done = run_cli("validate", str(out))
    assert done.returncode == 1 and "/split/held_out/0" in done.stdout + done.stderr


def test_other_minds_join_as_impostors_when_texts_are_scored_and_leave_each_mind_s_files_alone(demo, tmp_path, corpus):
    from stages.mmos.run import load_verifier

    settings = Settings(home=tmp_path / "home")
    run_mmos(DEMO_SLUG, demo, settings)
    fidelity_file = demo / "minds" / DEMO_SLUG / "analysis" / "fidelity.yaml"
    before = fidelity_file.read_bytes()
    assert all(w.kind == "pool" for w in load_verifier(demo, DEMO_SLUG).impostors)
    words = (corpus / "benjamin-franklin").glob("*.txt").__next__().read_text().split()[:12_000]
    (tmp_path / "franklin.txt").write_text("\n\n".join(" ".join(words[i:i + 120]) for i in range(0, len(words), 120)) + "\n")
    run_etl(write_spec(tmp_path / "bf", [{"path": "../franklin.txt"}], slug="ben"), demo, settings)
    run_mmos("ben", demo, settings)
    assert run_mmos(DEMO_SLUG, demo, settings).written == [] and fidelity_file.read_bytes() == before  # no build-order effect
    verifier = load_verifier(demo, DEMO_SLUG)
    assert "ben" in [w.id for w in verifier.impostors if w.kind == "mind"]
    ben = load_verifier(demo, "ben")
    assert "benjamin-franklin" not in [w.id for w in ben.impostors]  # its own texts are in the pool: not its impostor
    assert "left out as the mind itself" in ben.basis


@pytest.mark.flow
def test_the_pipeline_skips_mmos_below_the_gate_and_exits_cleanly(prefect_harness, tmp_path):
    from flows.pipeline import pipeline

    (tmp_path / "notes.txt").write_text("We count the same square of shore every month, whatever the weather.\n\n" * 60)
    spec = write_spec(tmp_path, [{"path": "notes.txt"}], slug="small-mind", language="en")
    result = pipeline(mind=str(spec), outputs=str(tmp_path / "out"), persist=False)
    assert result["mmos"]["skipped"] and "MMOS needs at least 10,000" in result["mmos"]["summary"]
    assert not (tmp_path / "out" / "minds" / "small-mind" / "analysis" / "voice-profile.yaml").exists()
    assert not (tmp_path / "out" / "minds" / "small-mind" / "analysis" / "fidelity.yaml").exists()


def test_knowledge_base_chunks_are_verbatim_build_passages_grouped_by_topic_and_ask_cites_them(demo, tmp_path):
    settings = Settings(home=tmp_path / "home")
    run_mmos(DEMO_SLUG, demo, settings)
    mind = demo / "minds" / DEMO_SLUG
    chunks = [json.loads(line) for line in (mind / "kb" / "chunks.jsonl").read_text().splitlines()]
    index = load_yaml((mind / "kb" / "index.yaml").read_text())
    held = load_yaml((mind / "analysis" / "voice-profile.yaml").read_text())["split"]["held_out"]
    assert sum(c["words"] for c in chunks) == load_yaml((mind / "analysis" / "voice-profile.yaml").read_text())["split"]["build_words"]
    for c in chunks:  # verbatim, and never from the held-out set
        assert not any(h["source_id"] == c["source_id"] and c["start"] < h["end"] and h["start"] < c["end"] for h in held)
    assert 2 <= len(index["topics"]) <= 12 and sorted(i for t in index["topics"] for i in t["chunks"]) == sorted(c["id"] for c in chunks)
    done = run_cli("ask", DEMO_SLUG, "Why count the same square of shore every month?", "--format", "json", "--outputs", str(demo))
    assert done.returncode == 0, done.stderr
    answers = json.loads(done.stdout)["passages"]
    assert len(answers) == 3 and answers[0]["score"] >= answers[-1]["score"] > 0
    bodies = {p.name.removesuffix(".md"): p.read_text().split("---\n", 2)[2] for p in (mind / "sources").glob("*.md")}
    for answer in answers:
        assert bodies[answer["source_id"]][answer["start"]:answer["end"]] == answer["text"]
    assert "count" in answers[0]["text"].lower()
    text = run_cli("ask", DEMO_SLUG, "kelp storm holdfast", "--outputs", str(demo))
    assert text.returncode == 0 and text.stdout.startswith("[") and "kelp" in text.stdout.lower()
    assert run_cli("ask", "nobody", "anything", "--outputs", str(demo)).returncode == 1

    lines = (mind / "kb" / "chunks.jsonl").read_text().splitlines()
    record = json.loads(lines[0])  # a held-out passage smuggled into the knowledge base, verbatim
    record.update(source_id=held[0]["source_id"], start=held[0]["start"], end=held[0]["end"],
                  text=bodies[held[0]["source_id"]][held[0]["start"]:held[0]["end"]])
    lines[0] = json.dumps(record)
    (mind / "kb" / "chunks.jsonl").write_text("\n".join(lines) + "\n")
    refused = run_cli("validate", str(mind / "kb" / "chunks.jsonl"))
    assert refused.returncode == 1 and "overlaps the held-out span" in refused.stdout + refused.stderr


def test_a_mind_whose_fidelity_cannot_be_measured_says_so_in_its_file_and_its_row(tmp_path, corpus, database):
    """A mind alone in a language no pool has: fidelity.yaml says 'not measured' and why, with no numbers,
    the run's summary says so, and its fidelity_checks row has a null AUC and rates (the migration's check
    refuses a 'measured' row without them)."""
    import psycopg

    from lendaria.db.persist import persist_stage
    from lendaria.db.repository import PostgresRepository
    from stages.mmos.pool import corpus_texts
    from tests.conftest import write_spec

    words = corpus_texts(corpus)["benjamin-franklin"].split()[:14_000]
    (tmp_path / "notes.txt").write_text("\n\n".join(" ".join(words[i:i + 150]) for i in range(0, len(words), 150)) + "\n")
    spec = write_spec(tmp_path / "lone", [{"path": "../notes.txt"}], slug="lone", language="xx")
    out, settings = tmp_path / "out", Settings(home=tmp_path / "home")
    run_etl(spec, out, settings)
    result = run_mmos("lone", out, settings)
    document = load_yaml((out / "minds" / "lone" / "analysis" / "fidelity.yaml").read_text())
    check = document["self_check"]
    assert document["language"] == "xx" and check["status"] == "not measured" and "no impostor in xx" in check["reason"]
    assert "auc" not in check and "Fidelity self-check not measured: no impostor in xx" in result.summary()
    repository = PostgresRepository(database, settings)
    persist_stage("etl", "lone", out, repository, run_id="run-x")
    persist_stage("mmos", "lone", out, repository, run_id="run-x")
    with psycopg.connect(database) as conn:
        row = conn.execute("select status, language, auc, true_positive_rate, false_positive_rate from fidelity_checks").fetchone()
        assert row == ("not measured", "xx", None, None, None)
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute("update fidelity_checks set status = 'measured'")
