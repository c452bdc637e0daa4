"""Lessons (``lessons/lesson-NNN.md``, contract creatoros-lesson): the offline extractive lesson and the
honest fidelity report of a lesson's own prose (pure functions).

Offline, a lesson is **extractive**: built from the mind's own sentences in the lesson's knowledge-base
chunks, chosen for the lesson's objective and key concepts, each quoted as “…” with its
``[source_id@start:end]`` citation. The connective text is short, generic and says so. The lesson's
fidelity is measured on its **own prose** only (the text that is not a verbatim quote): an extractive
lesson has little, so it is usually reported as "too little own prose to score" rather than scoring the
quotes, which are the person's by construction.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from lendaria.documents import split_sections
from lendaria.engines.capabilities import sentences_with_offsets

CONTRACT = "creatoros-lesson"
FIDELITY_CONTRACT = "creatoros-fidelity"
SECTIONS = ("Hook", "Concepts", "Examples", "Reflective question", "Summary", "Action")
MIN_OWN_WORDS = 150  # less own prose than this is not scored
_QUOTE = re.compile(r"“[^”]*”\s*\[[a-z0-9][a-z0-9-]*@\d+:\d+\]")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_TOKEN = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*", re.UNICODE)
VERBATIM_NGRAM = 8  # a run of this many words found in the lesson's passages counts as copied


def candidate_sentences(chunks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The quotable sentences of the chunks as spans of their sources (in chunk order)."""
    found = []
    for chunk in chunks:
        for start, end in sentences_with_offsets(chunk["text"]):
            text = chunk["text"][start:end]
            if text.lstrip().startswith(("#", "-", "*", ">")) or any(mark in text for mark in "“”[]"):
                continue
            found.append({"source_id": chunk["source_id"], "start": chunk["start"] + start, "end": chunk["start"] + end, "text": text})
    return found


def quote(span: dict[str, Any]) -> str:
    return f"“{' '.join(span['text'].split())}” [{span['source_id']}@{span['start']}:{span['end']}]"


def _overlap(text: str, terms: set[str]) -> int:
    return len({w.lower() for w in _WORD.findall(text)} & terms)


def extractive_body(lesson: dict[str, Any], chunks: list[dict[str, Any]], mind_name: str) -> str:
    """The lesson's Markdown body from the mind's own sentences (no front matter)."""
    objective = lesson["objectives"][0]["text"]
    sentences = candidate_sentences(chunks)
    objective_terms = {w.lower() for w in _WORD.findall(objective) if len(w) > 3}
    used: set[tuple[str, int]] = set()

    def take(choose: Callable[[dict[str, Any]], float], count: int) -> list[dict[str, Any]]:
        ranked = sorted((s for s in sentences if (s["source_id"], s["start"]) not in used and 8 <= len(s["text"].split()) <= 60),
                        key=lambda s: (-choose(s), s["source_id"], s["start"]))
        chosen = ranked[:count]
        used.update((s["source_id"], s["start"]) for s in chosen)
        return chosen

    lines = [f"# {lesson['title']}\n",
             f"*An extractive lesson: the quoted sentences are {mind_name}'s own words, chosen offline for this lesson's "
             "objective; the text around them is generic connective text.*\n",
             f"**Objective** ({lesson['objectives'][0]['bloom']}): {objective}\n"]
    hook = take(lambda s: _overlap(s["text"], objective_terms) + 0.1 * ("?" in s["text"]), 1)
    lines += ["## Hook\n", *(f"> {quote(s)}\n" for s in hook)]
    lines.append("## Concepts\n")
    for concept in lesson["key_concepts"]:
        found = take(lambda s, c=concept: float(c in s["text"].lower()) + 0.1 * _overlap(s["text"], objective_terms), 1)
        if found and concept in found[0]["text"].lower():
            lines.append(f"- **{concept}**: {quote(found[0])}")
    lines.append("")
    examples = take(lambda s: float(bool(re.search(r"\b(?:I|we|my|our)\b", s["text"]))) + 0.1 * _overlap(s["text"], objective_terms), 2)
    lines += ["## Examples\n", *(f"> {quote(s)}\n" for s in examples)]
    asked = take(lambda s: float(s["text"].rstrip().endswith("?")), 1)
    question = (quote(asked[0]) if asked and asked[0]["text"].rstrip().endswith("?")
                else f"Where in your own work could you try this: {objective.rstrip('.')}?")
    lines += ["## Reflective question\n", question + "\n"]
    concepts = ", ".join(lesson["key_concepts"][:3]) or "the objective"
    lines += ["## Summary\n", f"This lesson brought together {mind_name}'s own words on {concepts}.\n"]
    lines += ["## Action\n", f"Before the next lesson: {objective.rstrip('.')}.\n"]
    return "\n".join(lines)


def own_prose(body: str, sources: list[str] = ()) -> tuple[str, int, int]:
    """(own prose, its words, all words) of a lesson: the text of its sections without quoted material
    (“…” with a citation), without runs of words copied from ``sources`` (the lesson's passages), and
    without the template's own lines (title, notes, objective)."""
    titles, bodies = split_sections(body)
    sections = "\n".join(bodies[t] for t in titles)
    total = len(_TOKEN.findall(sections))
    text = _QUOTE.sub(" ", sections)
    tokens = list(_TOKEN.finditer(text))
    copied = copied_words([t.group() for t in tokens], sources)
    pieces, cursor = [], 0
    for token, is_copied in zip(tokens, copied):
        if is_copied:
            pieces.append(text[cursor:token.start()])
            cursor = token.end()
    pieces.append(text[cursor:])
    return re.sub(r"[ \t]+", " ", "".join(pieces)).strip(), sum(not c for c in copied), total


def copied_words(words: list[str], sources: list[str], n: int = VERBATIM_NGRAM) -> list[bool]:
    """For each word, whether it lies in a run of ``n`` words that also occurs in one of ``sources``
    (case-folded): copied text, whatever its markup."""
    grams = set()
    for source in sources:
        tokens = [w.lower() for w in _TOKEN.findall(source)]
        grams.update(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))
    lowered = [w.lower() for w in words]
    copied = [False] * len(words)
    for i in range(len(words) - n + 1):
        if tuple(lowered[i:i + n]) in grams:
            copied[i:i + n] = [True] * n
    return copied


def fidelity_report(body: str, mind: str | None, score: Callable[[list[str]], list[dict[str, Any]]] | None,
                    sources: list[str] = ()) -> dict[str, Any]:
    """How much the lesson's own prose reads like the mind, stated honestly."""
    own, own_words, words = own_prose(body, sources)
    report: dict[str, Any] = {"words": words, "own_words": own_words,
                              "verbatim_share": round(1 - own_words / words, 4) if words else 0.0}
    if mind is None or score is None:
        return {**report, "status": "no mind", "note": "the course has no mind: lessons are in a neutral voice, nothing to score against"}
    if own_words < MIN_OWN_WORDS:
        return {**report, "status": "too little own prose",
                "note": f"{own_words} words of own prose (under {MIN_OWN_WORDS}): the quotes are the person's by construction and are not scored"}
    result = score([own])[0]
    if result["status"] != "scored":  # another language than the mind's, or a mind whose fidelity is not measured
        return {**report, "status": result["status"], "note": result.get("note", ""), "method": result["method"]}
    return {**report, "status": "scored", "score": result["score"], "passed": result["passed"], "confidence": result["confidence"],
            "method": result["method"]}


def neutral_body(lesson: dict[str, Any]) -> str:
    """A lesson outline in a neutral voice, when there is no mind's material to draw on: the objective
    and concepts only, plainly generic, and saying why."""
    objective = lesson["objectives"][0]["text"].rstrip(".")
    concepts = lesson["key_concepts"] or [objective]
    return "\n".join([
        f"# {lesson['title']}\n",
        "*An outline in a neutral voice: this course names no mind with a knowledge base, so there are no passages to "
        "draw on offline. Write the lesson from it, or build the mind (MMOS) and run again.*\n",
        f"**Objective** ({lesson['objectives'][0]['bloom']}): {objective}.\n",
        "## Hook\n", f"Why does it matter to {objective[0].lower() + objective[1:]}?\n",
        "## Concepts\n", *(f"- {c}" for c in concepts), "",
        "## Examples\n", "Examples come from the material the course is built on; none was given.\n",
        "## Reflective question\n", f"Where in your own work could you {objective[0].lower() + objective[1:]}?\n",
        "## Summary\n", f"This lesson set out the objective: {objective}.\n",
        "## Action\n", f"Before the next lesson: {objective}.\n"])


def course_fidelity(course: str, mind: str | None, results: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """The course's fidelity summary: per lesson, and overall over the lessons that could be scored."""
    scored = [f for _, f in results if f["status"] == "scored"]
    statuses: dict[str, int] = {}
    for _, f in results:
        statuses[f["status"]] = statuses.get(f["status"], 0) + 1
    overall: dict[str, Any] = {"lessons": len(results), "scored": len(scored)}
    if scored:
        overall.update(mean_score=round(sum(f["score"] for f in scored) / len(scored), 1), passed=sum(f["passed"] for f in scored))
    words = sum(f["words"] for _, f in results)
    own = sum(f["own_words"] for _, f in results)
    overall["verbatim_share"] = round(1 - own / words, 4) if words else 0.0
    note = ("no mind: the course is in a neutral voice and nothing is scored" if mind is None else
            "only lessons with enough own prose (text that is not a verbatim quote) are scored; quotes are the person's "
            "by construction")
    return {"course": course, "mind": mind, "method": f"MMOS voice fidelity of each lesson's own prose; {note}",
            "statuses": statuses, "overall": overall,
            "lessons": [{"lesson": lesson_id, **fidelity} for lesson_id, fidelity in results]}
