"""The curriculum (``curriculum.yaml``, contract creatoros-curriculum): modules → lessons, built offline
from the brief's outcomes and the mind's knowledge base (pure functions).

One module per outcome. The brief's lesson count (its Length section; default one per outcome) is
spread over the modules in order. Each lesson draws on knowledge-base chunks retrieved for its
outcome (TF-IDF, the ``ask`` index), a different slice of the ranking for each lesson of a module;
its key concepts are the heaviest terms those chunks share with the outcome's neighbourhood; its
objective keeps the outcome's wording and gets a Bloom level from the outcome's leading verb.
Without a mind (no knowledge base) lessons have objectives and no material.
"""

from __future__ import annotations

import re
from typing import Any

CONTRACT = "creatoros-curriculum"
BLOOM = {
    "remember": "define list name recall recognise recognize identify state label memorise memorize",
    "understand": "explain describe summarise summarize interpret classify discuss understand read paraphrase",
    "apply": "use apply keep do carry practise practice count record run follow perform demonstrate implement take",
    "analyse": "analyse analyze compare contrast distinguish examine investigate question test organise organize",
    "evaluate": "evaluate judge assess check justify critique decide verify choose defend",
    "create": "create design plan write build compose develop produce make invent construct start",
}
_VERB_LEVEL = {verb: level for level, verbs in BLOOM.items() for verb in verbs.split()}
CHUNKS_PER_LESSON = 3
CONCEPTS_PER_LESSON = 5


def bloom_level(objective: str) -> str:
    """The Bloom level of an objective from its first verb; "apply" when none is recognised."""
    for word in re.findall(r"[a-z]+", objective.lower())[:4]:
        if word in _VERB_LEVEL:
            return _VERB_LEVEL[word]
    return "apply"


def lesson_plan(outcomes: list[str], lessons: int | None) -> list[int]:
    """How many lessons each outcome (module) gets: ``lessons`` spread in order, at least one each."""
    total = max(lessons or len(outcomes), len(outcomes))
    return [total // len(outcomes) + (1 if i < total % len(outcomes) else 0) for i in range(len(outcomes))]


def key_concepts(index: Any, chunk_ids: list[str], query: str) -> list[str]:
    """The heaviest TF-IDF terms of the lesson's chunks, favouring the terms of the query."""
    import numpy as np

    rows = [i for i, r in enumerate(index.records) if r["id"] in chunk_ids]
    if not rows:
        return []
    weights = np.asarray(index.matrix[rows].mean(axis=0)).ravel()
    boost = index.vectorizer.transform([query]).toarray().ravel()
    score = weights + 0.5 * boost
    terms = index.vectorizer.get_feature_names_out()
    return [str(terms[i]) for i in np.lexsort((terms, -score))[:CONCEPTS_PER_LESSON] if score[i] > 0]


def build(brief: Any, index: Any | None, words_default: int = 800) -> dict[str, Any]:
    """The curriculum document (without the ``contract`` key). ``index``: the mind's kb.Index or None."""
    plan = lesson_plan(brief.outcomes, brief.lessons_wanted())
    words = brief.words_per_lesson(words_default)
    modules, number = [], 0
    for m, (outcome, count) in enumerate(zip(brief.outcomes, plan), start=1):
        ranked = index.passages(outcome, CHUNKS_PER_LESSON * count) if index is not None else []
        lessons = []
        for k in range(count):
            number += 1
            chosen = ranked[k * CHUNKS_PER_LESSON:(k + 1) * CHUNKS_PER_LESSON] or ranked[:CHUNKS_PER_LESSON]
            concepts = key_concepts(index, [c["chunk"] for c in chosen], outcome) if index is not None else []
            title = outcome.rstrip(".") if count == 1 else f"{outcome.rstrip('.')} ({k + 1} of {count})"
            lessons.append({
                "id": f"lesson-{number:03d}", "number": number, "title": title,
                "objectives": [{"text": outcome, "bloom": bloom_level(outcome)}],
                "key_concepts": concepts,
                "chunks": [c["chunk"] for c in chosen],
                "evidence": [{"source_id": c["source_id"], "start": c["start"], "end": c["end"]} for c in chosen],
                "target_words": words,
            })
        modules.append({"id": f"module-{m:02d}", "number": m, "title": outcome.rstrip("."), "lessons": lessons})
    return {"course": brief.course, "title": brief.title, "mind": brief.mind,
            "method": ("one module per outcome of the brief; lessons spread over modules in order; each lesson's "
                       "material: knowledge-base chunks retrieved for its outcome by TF-IDF similarity (a different "
                       "slice of the ranking per lesson); key concepts: the heaviest terms of those chunks and the "
                       "outcome; Bloom level from the outcome's leading verb"),
            "lessons": number, "modules": modules}
