"""The mind's knowledge base (``kb/``): retrieval-sized chunks of the build set, grouped by topic, with
provenance, and the offline retrieval behind ``lendaria ask``.

Chunks are the build set's passages (whole paragraphs, about 250 words; ``split.py``), never the
held-out set, each with its span and, when InnerLens ran, the fragment ids inside it. Topics: TF-IDF
vectors of the chunks (scikit-learn's ``TfidfVectorizer``: the stop words of the mind's language,
scikit-learn's list for English; sublinear term frequency) grouped by agglomerative clustering with Ward linkage on the unit-length vectors (so distances follow cosine similarity), which is
deterministic (no random seed to drift); each topic is labelled by the terms of highest mean weight.
Retrieval ranks the chunks by TF-IDF cosine similarity to the question and returns them verbatim.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from stages.mmos.split import Passage

TOPIC_TERMS = 6
TOKEN_PATTERN = r"(?u)\b[^\W\d_]{3,}\b"


def topic_count(chunks: int) -> int:
    """About sqrt(chunks / 2) topics, between 2 and 12 (never more than the chunks)."""
    return min(chunks, max(2, min(12, round(math.sqrt(chunks / 2)))))


def chunk_records(slug: str, build: list[Passage], bodies: dict[str, str],
                  fragments: dict[str, list[tuple[int, int, str]]] | None) -> list[dict[str, Any]]:
    """One record per build passage: id, span, words, verbatim text, fragment ids (when InnerLens ran)."""
    records = []
    for index, passage in enumerate(build):
        record: dict[str, Any] = {"id": f"{slug}-kb-{index:04d}", "source_id": passage.source_id, "start": passage.start,
                                  "end": passage.end, "words": passage.words,
                                  "text": bodies[passage.source_id][passage.start:passage.end]}
        if fragments is not None:
            record["fragment_ids"] = passage.fragment_ids(fragments)
        records.append(record)
    return records


def _vectorizer(language: str = "en"):
    from sklearn.feature_extraction.text import TfidfVectorizer

    from stages.mmos.layers import content_stopwords

    stop: Any = "english" if language == "en" else sorted(content_stopwords(language))
    return TfidfVectorizer(stop_words=stop, sublinear_tf=True, token_pattern=TOKEN_PATTERN)


def stop_words_note(language: str) -> str:
    """What the KB's method note says of its stop words."""
    return "English stop words" if language == "en" else f"stop words of '{language}'"


def assign_topics(records: list[dict[str, Any]], language: str = "en") -> list[dict[str, Any]]:
    """Set each record's ``topic``; return the topics (number, label terms, chunk ids) in order of
    their first chunk."""
    from sklearn.cluster import AgglomerativeClustering

    if len(records) < 2:
        for record in records:
            record["topic"] = 0
        return [{"topic": 0, "terms": [], "chunks": [r["id"] for r in records]}] if records else []
    tfidf = _vectorizer(language)
    matrix = tfidf.fit_transform([r["text"] for r in records]).toarray()
    labels = AgglomerativeClustering(n_clusters=topic_count(len(records)), linkage="ward").fit_predict(matrix)  # rows are unit length: ward on them follows cosine
    terms = tfidf.get_feature_names_out()
    first_seen: dict[int, int] = {}
    for index, label in enumerate(labels):
        first_seen.setdefault(int(label), index)
    topics = []
    for number, label in enumerate(sorted(first_seen, key=first_seen.get)):
        members = [i for i, lab in enumerate(labels) if lab == label]
        weights = matrix[members].mean(axis=0)
        top = [str(terms[i]) for i in np.lexsort((terms, -weights))[:TOPIC_TERMS] if weights[i] > 0]
        for i in members:
            records[i]["topic"] = number
        topics.append({"topic": number, "terms": top, "chunks": [records[i]["id"] for i in members]})
    return topics


@dataclass
class Index:
    """A loaded knowledge base, ready to answer questions."""

    records: list[dict[str, Any]]
    vectorizer: Any
    matrix: Any

    @classmethod
    def build(cls, records: list[dict[str, Any]], language: str = "en") -> "Index":
        vectorizer = _vectorizer(language)
        return cls(records, vectorizer, vectorizer.fit_transform([r["text"] for r in records]))

    def search(self, question: str, top: int = 3) -> list[tuple[float, dict[str, Any]]]:
        """The ``top`` chunks most similar to ``question`` (score > 0), best first, ties by chunk id."""
        query = self.vectorizer.transform([question])
        scores = (self.matrix @ query.T).toarray().ravel()
        ranked = sorted(((float(s), r) for s, r in zip(scores, self.records) if s > 0), key=lambda p: (-p[0], p[1]["id"]))
        return ranked[:top]

    def passages(self, question: str, top: int = 3) -> list[dict[str, Any]]:
        """:meth:`search` as citable passages: relevance, chunk id, span, verbatim text, fragment ids."""
        return [{"score": round(score, 4), "chunk": r["id"], "source_id": r["source_id"], "start": r["start"], "end": r["end"],
                 "text": r["text"], **({"fragment_ids": r["fragment_ids"]} if "fragment_ids" in r else {})}
                for score, r in self.search(question, top)]
