"""Offline Big Five (stages/innerlens/bigfive.py): gates, scores, split-half stability, the reference."""

from __future__ import annotations

import json

from bench.bigfive_stability import stability
from stages.innerlens.bigfive import (REFERENCE_FILE, TRAITS, assess, fragment_contributions, reference_statistics,
                                      score_words, tokens)


def author_text(corpus, name: str) -> str:
    return "\n\n".join(p.read_text(encoding="utf-8") for p in sorted((corpus / name).glob("*.txt")))


def test_a_300_word_mind_is_insufficient_with_a_reason_and_no_scores(corpus):
    words = author_text(corpus, "marcus-aurelius").split()[:300]
    gate, scores, reason = assess([" ".join(words)])
    assert gate == "insufficient" and scores is None and "300 words" in reason and "600" in reason


def test_a_20000_word_mind_gets_five_scores_levels_and_confidences(corpus):
    words = author_text(corpus, "ralph-waldo-emerson").split()[:20000]
    paragraphs = [" ".join(words[i:i + 500]) for i in range(0, len(words), 500)]
    gate, scores, reason = assess(paragraphs)
    assert gate == "full" and set(scores) == set(TRAITS) and "20,000 words" in reason
    for trait in TRAITS:
        assert 0 <= scores[trait].score <= 100 and 0 < scores[trait].confidence <= 1 and scores[trait].level
    assert assess(paragraphs) == (gate, scores, reason)  # deterministic


def test_low_gate_between_600_and_3000_words(corpus):
    words = author_text(corpus, "epictetus").split()[:1500]
    gate, scores, reason = assess([" ".join(words[:750]), " ".join(words[750:])])
    assert gate == "low" and scores is not None and "low confidence" in reason
    assert all(s.confidence <= 0.2 for s in scores.values())


def test_split_halves_of_an_author_are_closer_than_another_author(corpus):
    texts = {name: author_text(corpus, name) for name in ("henry-david-thoreau", "frederick-douglass")}
    report = stability(texts)
    assert report["stable"] == 2, report


def test_features_move_traits_in_the_published_direction():
    anxious = "I am afraid and nervous, I feel sad and worried and I fear the pain. " * 30
    calm = "We celebrate with friends at the party and laugh together with joy. " * 30
    assert fragment_contributions(anxious, "neuroticism") > 0 > fragment_contributions(calm, "neuroticism")
    assert score_words(tokens(anxious))["neuroticism"] > score_words(tokens(calm))["neuroticism"]
    assert score_words(tokens(calm))["extraversion"] > score_words(tokens(anxious))["extraversion"]


def test_the_shipped_reference_holds_numbers_only_and_can_be_rebuilt(corpus):
    shipped = json.loads(REFERENCE_FILE.read_text(encoding="utf-8"))
    assert set(shipped) == {"source", "chunk_words", "chunks", "features", "trait_sd"}
    assert all(set(v) == {"mean", "sd"} for v in shipped["features"].values())
    rebuilt = reference_statistics((p.read_text(encoding="utf-8") for p in sorted(corpus.glob("*/*.txt"))),
                                   source=shipped["source"])
    assert rebuilt["chunks"] == shipped["chunks"] and rebuilt["trait_sd"] == shipped["trait_sd"]


def test_the_english_lexicon_is_never_run_on_portuguese_text():
    from stages.innerlens.profile import build_profile

    text = ("A gente observa primeiro e depois planta. Eu anoto a chuva todo dia no caderno da horta, "
            "porque quem anota não briga com a memória. ") * 120
    fragments = [{"id": f"f{i}", "text": text} for i in range(3)]
    profile = build_profile("dalva", fragments, language="pt")
    assert profile["gate"] == "insufficient" and "big_five" not in profile
    assert profile["reason"].startswith("no openly licensed lexicon for pt")
    assert "LENDARIA_ENGINE=anthropic" in profile["reason"]
    assert build_profile("iris", fragments, language="en")["gate"] != "insufficient"  # enough words: English is estimated
