"""Voice fidelity (stages/mmos/fidelity.py) on two corpus authors: a smaller version of bench/fidelity.py."""

from __future__ import annotations

import numpy as np

from stages.mmos.fidelity import FULL_CONFIDENCE_WORDS, build_model, score
from stages.mmos.reference import CHUNKS_FILE, corpus_chunks, load_reference

AUTHORS = ("henry-david-thoreau", "epictetus")


def test_each_author_s_held_out_passages_score_highest_on_their_own_mind(corpus):
    from sklearn.metrics import roc_auc_score

    chunks = corpus_chunks(corpus)
    reference = load_reference()
    minds = {a: build_model(reference, [t for t, held in chunks[a] if not held], exclude_authors=frozenset({a})) for a in AUTHORS}
    labels, values = [], []
    for author in AUTHORS:
        passages = [t for t, held in chunks[author] if held]
        assert len(passages) >= 5
        for text in passages:
            results = {mind: score(model, text) for mind, model in minds.items()}
            assert results[author].score > max(r.score for m, r in results.items() if m != author), author
            assert results[author].passed and not any(r.passed for m, r in results.items() if m != author)
            for mind, result in results.items():
                labels.append(int(mind == author))
                values.append(result.score)
    assert roc_auc_score(labels, values) >= 0.95


def test_confidence_drops_below_2500_words_and_the_result_names_its_method(corpus):
    chunks = corpus_chunks(corpus)
    model = build_model(load_reference(), [t for t, held in chunks["epictetus"] if not held], exclude_authors=frozenset({"epictetus"}))
    passage = next(t for t, held in chunks["epictetus"] if held)
    full, short = score(model, passage), score(model, " ".join(passage.split()[:500]))
    assert full.words == 2000 and full.confidence == round(2000 / FULL_CONFIDENCE_WORDS, 2)
    assert short.confidence == 0.2 < full.confidence
    assert "cosine Delta" in full.as_dict()["method"] and 0 <= short.score <= 100


def test_the_shipped_reference_is_numbers_only():
    arrays = np.load(CHUNKS_FILE, allow_pickle=False)
    assert sorted(arrays.files) == ["author", "ngram_rel", "word_rel"]
    assert all(arrays[name].dtype.kind in "if" for name in arrays.files)
    reference = load_reference()
    assert len(reference.space.words) == 300 and all(" " not in w for w in reference.space.words)
    assert len(set(reference.authors)) == 7
