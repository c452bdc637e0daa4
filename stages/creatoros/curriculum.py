"""The curriculum (``curriculum.yaml``, contract creatoros-curriculum): modules → lessons, built offline
from the brief's outcomes and the mind's knowledge base (pure functions).

One module per outcome. The brief's lesson count (its Length section; default one per outcome) is
spread over the modules in order. Each lesson draws on knowledge-base chunks retrieved for its
outcome (TF-IDF, the ``ask`` index), a different slice of the ranking for each lesson of a module;
its key concepts are the heaviest terms those chunks share with the outcome's neighbourhood; its
objective keeps the outcome's wording and gets a Bloom level from the outcome's leading verb (the
verbs of the course's language, :mod:`stages.creatoros.i18n`). Without a mind (no knowledge base)
lessons have objectives and no material.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from stages.creatoros import i18n

CONTRACT = "creatoros-curriculum"
BLOOM = i18n.texts("en")["curriculum"]["bloom_verbs"]  # level -> its English verbs (the levels are the same in every language)
CHUNKS_PER_LESSON = 3
CONCEPTS_PER_LESSON = 5
_WORD = re.compile(r"[^\W\d_]+")


@lru_cache(maxsize=None)
def _verb_levels(language: str) -> dict[str, str]:
    return {verb: level for level, verbs in i18n.texts(language)["curriculum"]["bloom_verbs"].items() for verb in verbs.split()}


def bloom_level(objective: str, language: str = i18n.DEFAULT) -> str:
    """The Bloom level of an objective from its first verb (in ``language``); "apply" when none is recognised."""
    levels = _verb_levels(i18n.supported(language) or i18n.DEFAULT)
    for word in _WORD.findall(objective.lower())[:4]:
        if word in levels:
            return levels[word]
    return "apply"


def lesson_plan(outcomes: list[str], lessons: int | None) -> list[int]:
    """How many lessons each outcome (module) gets: ``lessons`` spread in order, at least one each."""
    total = max(lessons or len(outcomes), len(outcomes))
    return [total // len(outcomes) + (1 if i < total % len(outcomes) else 0) for i in range(len(outcomes))]


def key_concepts(index: Any, chunk_ids: list[str], query: str, language: str = i18n.DEFAULT) -> list[str]:
    """The heaviest TF-IDF terms of the lesson's chunks, favouring the terms of the query; never one of
    ``language``'s own stop words (the knowledge base's index is the mind's, not the course's)."""
    import numpy as np

    rows = [i for i, r in enumerate(index.records) if r["id"] in chunk_ids]
    if not rows:
        return []
    weights = np.asarray(index.matrix[rows].mean(axis=0)).ravel()
    boost = index.vectorizer.transform([query]).toarray().ravel()
    score = weights + 0.5 * boost
    terms = index.vectorizer.get_feature_names_out()
    stop = frozenset(i18n.texts(language)["lesson"]["stop_words"].split())
    ranked = [i for i in np.lexsort((terms, -score)) if str(terms[i]) not in stop] if stop else np.lexsort((terms, -score))
    return [str(terms[i]) for i in ranked[:CONCEPTS_PER_LESSON] if score[i] > 0]


def build(brief: Any, index: Any | None, words_default: int = 800) -> dict[str, Any]:
    """The curriculum document (without the ``contract`` key), its method said in the course's language.
    ``index``: the mind's kb.Index or None."""
    plan = lesson_plan(brief.outcomes, brief.lessons_wanted())
    words = brief.words_per_lesson(words_default)
    modules, number = [], 0
    for m, (outcome, count) in enumerate(zip(brief.outcomes, plan), start=1):
        ranked = index.passages(outcome, CHUNKS_PER_LESSON * count) if index is not None else []
        lessons = []
        for k in range(count):
            number += 1
            chosen = ranked[k * CHUNKS_PER_LESSON:(k + 1) * CHUNKS_PER_LESSON] or ranked[:CHUNKS_PER_LESSON]
            concepts = key_concepts(index, [c["chunk"] for c in chosen], outcome, brief.language) if index is not None else []
            title = (outcome.rstrip(".") if count == 1 else
                     i18n.texts(brief.language)["curriculum"]["part"].format(title=outcome.rstrip("."), part=k + 1, parts=count))
            lessons.append({
                "id": f"lesson-{number:03d}", "number": number, "title": title,
                "objectives": [{"text": outcome, "bloom": bloom_level(outcome, brief.language)}],
                "key_concepts": concepts,
                "chunks": [c["chunk"] for c in chosen],
                "evidence": [{"source_id": c["source_id"], "start": c["start"], "end": c["end"]} for c in chosen],
                "target_words": words,
            })
        modules.append({"id": f"module-{m:02d}", "number": m, "title": outcome.rstrip("."), "lessons": lessons})
    return {"course": brief.course, "title": brief.title, "mind": brief.mind,
            "method": i18n.texts(brief.language)["curriculum"]["method"],
            "lessons": number, "modules": modules}
