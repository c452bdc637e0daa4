"""Voice fidelity by verification against impostors (stages/mmos/fidelity.py, impostors.py, pool.py, split.py): the
method's parts, a small version of bench/fidelity.py on two same-genre corpus authors, scores that do
not depend on build order, and languages that never mix."""

from __future__ import annotations

import importlib.util
import json
import sys
import zipfile

import numpy as np
import pytest

from lendaria.settings import Settings
from stages.etl.run import run_etl
from stages.mmos import impostors as gi
from stages.mmos.fidelity import MindText, prepare, self_check
from stages.mmos.pool import DATA, POOL_FILE, corpus_texts, load_pool
from stages.mmos.run import run_mmos, score_texts
from stages.mmos.split import held_out_target, passages, split
from tests.conftest import REPO_ROOT, run_cli, write_spec


def bench(name: str = "fidelity"):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", REPO_ROOT / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


# ---- the split ---------------------------------------------------------------------------------------
def test_one_long_source_without_paragraph_breaks_gets_interleaved_held_out_chunks_inside_it():
    sentence = "The tide keeps its own time and I keep mine beside it, counting what the water leaves behind. "
    body = sentence * 2_400  # one 40,000-word paragraph: a book extracted without blank lines
    cut = split([passages("book", body)])
    total = len(body.split())
    held = sum(c.words for c in cut.chunks)
    assert held >= held_out_target(total) >= max(0.15 * total, 2_500) and held <= 0.30 * total
    assert len(cut.chunks) >= 3 and all(c.words >= 1_000 for c in cut.chunks)
    starts = [c.start for c in cut.chunks]
    assert starts == sorted(starts) and starts[0] > 0 and cut.chunks[-1].end < len(body)  # inside the source, spread over it
    assert all(body[c.start:c.end].startswith("The tide") and body[c.start:c.end].endswith("behind.") for c in cut.chunks)
    assert not {(p.start, p.end) for p in cut.build} & {(p.start, p.end) for p in cut.held_out}
    assert split([passages("book", body)]) == cut  # deterministic


def test_several_sources_give_chunks_across_them_and_a_small_mind_still_holds_out_two():
    bodies = {f"s{i}": "\n\n".join(f"Paragraph {j} of source {i} " + "word " * 60 for j in range(200)) for i in range(3)}
    cut = split([passages(sid, body) for sid, body in bodies.items()])
    assert {c.source_id for c in cut.chunks} == set(bodies) and all(c.words >= 2_000 for c in cut.chunks)
    for chunk in cut.chunks:  # whole paragraphs here: each chunk starts and ends at a paragraph
        body = bodies[chunk.source_id]
        assert body[chunk.start:chunk.end].startswith("Paragraph") and body[chunk.end:].startswith(("\n\n", ""))
    small = "\n\n".join("A short note about the shore, written plainly. " * 12 for _ in range(105))  # about 10,000 words
    small_cut = split([passages("small", small)])
    assert len(small_cut.chunks) >= 2 and sum(c.words for c in small_cut.chunks) >= 2_500


# ---- the method's parts --------------------------------------------------------------------------------
def test_the_boundary_separates_the_mind_from_its_impostors_deterministically_and_by_direction_not_length():
    rng = np.random.default_rng(1)
    centre, rival = rng.normal(size=40), rng.normal(size=40)
    mind = centre + 0.4 * rng.normal(size=(12, 40))
    impostors = np.vstack([rival + 0.4 * rng.normal(size=(30, 40)), -rival + 0.4 * rng.normal(size=(30, 40))])
    boundary = gi.fit_linear(mind, impostors)
    own, other = centre + 0.4 * rng.normal(size=40), rival + 0.4 * rng.normal(size=40)
    assert boundary.decision(own) > 0 > boundary.decision(other)
    assert boundary.decision(3 * own) == pytest.approx(boundary.decision(own))  # unit length: cosine geometry
    again = gi.fit_linear(mind, impostors)
    assert np.array_equal(again.weights, boundary.weights) and again.bias == boundary.bias  # the same rows, the same boundary
    with pytest.raises(ValueError, match="chunks of the mind and of impostors"):
        gi.fit_linear(mind, impostors[:0])


def test_impostor_chunks_of_the_self_check_are_scored_by_a_boundary_that_never_learnt_them(corpus):
    texts = corpus_texts(corpus)
    words = texts["mary-wollstonecraft"].split()
    mind = MindText.of("ann", "Ann", "en", [" ".join(words[:20_000])], [" ".join(words[20_000 + i:22_000 + i]) for i in (0, 2_000)])
    assert len(mind.build_chunks) == 10 and sum(t.total_words for t in mind.build_chunks) == mind.build.total_words
    verifier = prepare(mind, [], load_pool())
    scored = verifier.impostor_distances()
    assert {writer for writer, _ in scored} == {w.id for w in verifier.impostors} and len(scored) <= 3 * len(verifier.impostors)
    seen = [verifier.distance(verifier.space.z(chunk)) for chunk in gi_spread(verifier.impostors[0].chunks)]
    unseen = [d for writer, d in scored if writer == verifier.impostors[0].id]
    assert np.mean(seen) < np.mean(unseen)  # learnt as a negative, a chunk is pushed further away: it must not grade the mind
    assert min(verifier.own_distances()) > max(unseen)


def gi_spread(chunks):
    from stages.mmos.fidelity import CALIBRATION_CHUNKS, spread

    return spread(chunks, CALIBRATION_CHUNKS)


def test_platt_scaling_is_monotone_and_balanced():
    platt = gi.fit_platt([0.4, 0.9, 0.2], [-1.0, -0.6, -0.8, -1.2, -0.2, -0.9, -0.7])
    values = [platt.probability(s) for s in (-1.0, -0.5, 0.0, 0.5, 1.0)]
    assert values == sorted(values) and values[0] < 0.1 and values[-1] > 0.6 and platt.slope > 0
    assert 0.3 < platt.probability(0.0) < 0.7  # halfway between the classes, whatever their counts


def test_the_shipped_pool_is_numbers_only_and_records_its_sources_and_coverage():
    meta = json.loads(POOL_FILE.read_text(encoding="utf-8"))
    assert "en" in meta["coverage"] and meta["coverage"]["en"]["writers"] >= 7
    for language, entry in meta["languages"].items():
        for writer in entry["writers"]:
            assert writer["sources"] and all({"repository", "commit", "paths", "words"} <= set(s) for s in writer["sources"])
        with zipfile.ZipFile(DATA / f"pool-{language}.npz") as archive:
            assert sorted(archive.namelist()) == ["counts.npy", "sketch.npy", "totals.npy", "writer.npy"]
        arrays = np.load(DATA / f"pool-{language}.npz", allow_pickle=False)
        assert arrays["counts"].dtype == np.uint16 and arrays["counts"].shape[1] == len(entry["words"]) + len(entry["ngrams"])
    corpus_chunk_texts = json.dumps(meta)
    assert "Walden" not in corpus_chunk_texts or "title" in corpus_chunk_texts  # titles of works at most, never their text


# ---- a small version of the benchmark --------------------------------------------------------------
SAME_GENRE = ("henry-david-thoreau", "ralph-waldo-emerson")  # essays, Concord, the 1840s-1850s


def test_two_same_genre_authors_out_of_the_pool_are_told_apart(corpus):
    fidelity_bench = bench()
    texts = corpus_texts(corpus)
    cases = {}
    for author in SAME_GENRE:
        words = texts[author].split()
        material, tests = " ".join(words[:40_000]), [" ".join(words[i:i + 2_000]) for i in range(60_000, 80_000, 2_000)]
        cases[author] = fidelity_bench.Case(fidelity_bench.mind_from_text(author, material),
                                            [fidelity_bench.Tally.of(t) for t in tests])
    counts = fidelity_bench.attribute_pair(cases, load_pool(), "en", frozenset(SAME_GENRE))
    assert counts["total"] == 20 and counts["right"] >= 19 and counts["right"] >= counts["base_right"]
    assert counts["own_pass"] >= 18 and counts["other_pass"] <= 1  # verified too: each passes its own mind, not the other


def test_the_external_benchmark_builds_minds_through_the_product_path_and_scores_the_baseline_beside(corpus):
    external = bench("fidelity_external")
    texts = corpus_texts(corpus)
    writers = []
    for author in SAME_GENRE:
        words = texts[author].split()[:25_000]
        writers.append((author, "\n\n".join(" ".join(words[i:i + 150]) for i in range(0, len(words), 150))))
    [case] = external.paired(writers, "en", "essays")
    assert [len(c.material.split()) for c in case.candidates] == [20_100, 20_100]  # four fifths, whole paragraphs
    assert [author for _, author in case.tests] == [SAME_GENRE[0]] * 2 + [SAME_GENRE[1]] * 2  # 2,000-word excerpts of the rest
    line = external.run_case(case)
    assert line["passages"] == 4 and line["lendaria"] >= 3 and line["lendaria"] >= line["baseline"]
    assert len(line["wrong"]) == 4 - line["lendaria"]


# ---- one scale, no build order ------------------------------------------------------------------------
def corpus_spec(tmp_path, corpus, author: str, slug: str, words: int = 14_000):
    text = corpus_texts(corpus)[author].split()
    paragraphs = [" ".join(text[i:i + 150]) for i in range(0, words, 150)]
    source = tmp_path / f"{slug}.txt"
    source.write_text("\n\n".join(paragraphs) + "\n")
    return write_spec(tmp_path / slug, [{"path": f"../{slug}.txt"}], slug=slug, language="en")


def test_building_the_same_minds_in_reverse_order_gives_identical_files_and_scores(tmp_path, corpus):
    specs = {"ann": corpus_spec(tmp_path, corpus, "mary-wollstonecraft", "ann"),
             "bob": corpus_spec(tmp_path, corpus, "benjamin-franklin", "bob")}
    probe = " ".join(corpus_texts(corpus)["benjamin-franklin"].split()[30_000:32_000])
    results = []
    for order in (("ann", "bob"), ("bob", "ann")):
        out = tmp_path / f"out-{order[0]}"
        settings = Settings(home=tmp_path / f"home-{order[0]}")
        for slug in order:
            run_etl(specs[slug], out, settings)
            run_mmos(slug, out, settings)
        files = {slug: (out / "minds" / slug / "analysis" / "fidelity.yaml").read_bytes() for slug in specs}
        scores = {slug: score_texts(out, slug, [probe])[0] for slug in specs}
        results.append((files, scores))
    assert results[0] == results[1]
    scores = results[0][1]
    assert scores["bob"]["score"] > 50 > scores["ann"]["score"]  # the other mind is an impostor of each


# ---- languages never mix ------------------------------------------------------------------------------
PORTUGUESE = ("A maré subiu devagar durante a manhã inteira, e nós contamos as gaivotas que pousavam na areia molhada perto do cais. "
              "Depois do almoço, a equipe voltou ao mesmo quadrado da praia para medir a temperatura da água e anotar tudo no caderno. "
              "Ninguém sabia explicar por que os caranguejos tinham desaparecido das pedras, mas todos concordaram em continuar "
              "observando. Quando a noite chegou, escrevemos uma carta aos voluntários agradecendo a paciência e o cuidado com cada registro. ")


def test_a_text_in_another_language_is_not_comparable_and_a_language_without_impostors_is_not_measured(tmp_path, corpus):
    english = " ".join(corpus_texts(corpus)["benjamin-franklin"].split()[:12_000])
    mind = MindText.of("ben", "Ben", "en", [english[: len(english) * 4 // 5]], [english[len(english) * 4 // 5:]])
    verifier = prepare(mind, [], load_pool())
    portuguese = PORTUGUESE * 12
    result = verifier.score(portuguese).as_dict()
    assert result["status"] == "not comparable" and result["score"] is None and result["language"] == "pt"
    assert "not scored with another language's features" in result["note"]

    lonely = MindText.of("eu", "Eu", "xx", [portuguese * 20], [portuguese * 5])  # a language no pool and no other mind has
    alone = prepare(lonely, [], load_pool())
    assert not alone.measured and "no impostor in xx" in alone.reason
    check = self_check(alone)
    assert check == {"status": "not measured", "reason": alone.reason}  # a reason, never a number
    assert verifier.score(english[:3_000]).status == "scored"


def test_a_not_measured_self_check_with_numbers_is_refused_by_the_contract(tmp_path):
    from contracts import get_registry

    document = {"contract": "mmos-fidelity@3.0.0", "mind": "x", "language": "xx", "language_from": "declared", "method": "m",
                "threshold": 50.0, "confidence": "c", "impostor_policy": "p", "held_out": {"chunks": 0, "words": 0, "chunk_words": 0},
                "self_check": {"status": "not measured", "reason": "no impostor", "language": "xx", "impostors": 0,
                               "impostor_ids": [], "against": "nobody"}}
    registry = get_registry()
    assert registry.check(document, registry.get("mmos-fidelity", "3.0.0"), file="f").__len__() == 0
    document["self_check"]["auc"] = 0.0
    assert registry.check(document, registry.get("mmos-fidelity", "3.0.0"), file="f")


# ---- lendaria attribute -------------------------------------------------------------------------------
def test_attribute_ranks_the_minds_with_the_margin_and_exits_1_on_bad_input(tmp_path, corpus):
    out = tmp_path / "out"
    settings = Settings(home=tmp_path / "home")
    for author, slug in (("mary-wollstonecraft", "ann"), ("benjamin-franklin", "bob")):
        run_etl(corpus_spec(tmp_path, corpus, author, slug), out, settings)
        run_mmos(slug, out, settings)
    text = tmp_path / "letter.txt"
    text.write_text(" ".join(corpus_texts(corpus)["mary-wollstonecraft"].split()[40_000:42_000]))
    done = run_cli("attribute", str(text), "--minds", "bob,ann", "--format", "json", "--outputs", str(out))
    assert done.returncode == 0, done.stderr
    [result] = json.loads(done.stdout)
    assert result["attribution"] == "ann" and [r["mind"] for r in result["ranking"]] == ["ann", "bob"]
    assert result["margin"] == round(result["ranking"][0]["score"] - result["ranking"][1]["score"], 1) > 0
    assert "linear SVM" in result["method"] and "impostors" in result["method"]
    shown = run_cli("attribute", str(text), "--outputs", str(out))
    assert shown.returncode == 0 and shown.stdout.startswith(f"{text}: ann, margin") and "1. ann:" in shown.stdout
    assert run_cli("attribute", str(tmp_path / "missing.txt"), "--outputs", str(out)).returncode == 1
    assert run_cli("attribute", str(text), "--mind", "nobody", "--outputs", str(out)).returncode == 1


def test_a_language_the_pool_lacks_is_verified_against_the_other_minds_of_that_language_and_says_so(corpus):
    """Two minds declared in a language the pool has no writer of: the space is chosen on them, each is
    the other's impostor, the map is the pool's one map, and the policy says so."""
    texts = corpus_texts(corpus)
    minds = [MindText.of(slug, slug, "xx", [" ".join(texts[author].split()[:16_000])],
                         [" ".join(texts[author].split()[16_000 + i:18_000 + i]) for i in (0, 2_000)])
             for slug, author in (("ann", "mary-wollstonecraft"), ("bob", "benjamin-franklin"))]
    ann = prepare(minds[0], minds, load_pool())
    assert ann.measured and [w.id for w in ann.impostors] == ["bob"] and ann.space.language == "xx"
    assert "no reference pool for xx: verified against the other minds of xx only (1)" in ann.describe()["space"] + ann.basis
    assert "the 2 mind(s) of language xx" in ann.space.basis
    own = ann.distance(ann.space.z(ann.space.doc(" ".join(texts["mary-wollstonecraft"].split()[30_000:32_000]))))
    other = ann.distance(ann.space.z(ann.space.doc(" ".join(texts["benjamin-franklin"].split()[30_000:32_000]))))
    assert own > 0 > other  # the other mind of the language is the impostor that decides


def test_a_declared_language_is_read_as_its_two_letter_code():
    from lendaria.text import language_code

    assert [language_code(v) for v in ("pt-BR", "pt_PT", "POR", "Português", "en-US", "english", "und", "", None, "fr")] == \
        ["pt", "pt", "pt", "pt", "en", "en", None, None, None, "fr"]
