"""Lessons (``lessons/lesson-NNN.md``, contract creatoros-lesson): the offline guided reading and the
honest fidelity report of a lesson's own prose (pure functions).

Offline, nothing is written in the person's voice. A lesson is a **guided reading** of the person's own
passages for the lesson's objective (method ``extractive``): the objective and its Bloom level; three
or four passages from the lesson's knowledge-base chunks (a sentence, or a short run of consecutive
ones, with no quotation marks of other people), each quoted as “…” with its ``[source_id@start:end]``
citation and followed by a line saying why it was chosen, from observable facts only (the words of
the objective and key concepts it uses, whether it is told in the first person or opens as an
instruction, its source's title and type); questions for the reader from the curriculum and the
person's own questions; an exercise for the objective's Bloom level. The text around the quotes is
the engine's, says so, and counts as the lesson's own prose. A lesson written in the person's voice
needs the Anthropic engine (``writer.py``).

The text around the quotes is in the course's language (:mod:`stages.creatoros.i18n`: headings, the
why lines' pieces, questions, exercises; which words are first person or open an instruction), and so
are the fidelity notes and the course's fidelity method (the statuses are the contracts' values).

The lesson's fidelity is measured on its **own prose** only (the text that is not a verbatim quote):
a guided reading has little, so it is reported as "too little own prose" rather than scoring the
quotes, which are the person's by construction.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from lendaria.documents import split_sections
from lendaria.engines.capabilities import sentences_with_offsets
from stages.creatoros import i18n

CONTRACT = "creatoros-lesson"
FIDELITY_CONTRACT = "creatoros-fidelity"
SECTIONS = tuple(i18n.texts("en")["lesson"]["sections"])  # written lessons, outlines (canonical: English)
GUIDED_SECTIONS = tuple(i18n.texts("en")["lesson"]["guided"]["headings"])  # the offline guided reading (canonical: English)
MIN_OWN_WORDS = 150  # less own prose than this is not scored
_QUOTE = re.compile(r"“[^”]*”\s*\[[a-z0-9][a-z0-9-]*@\d+:\d+\]")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_TOKEN = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*", re.UNICODE)
VERBATIM_NGRAM = 8  # a run of this many words found in the lesson's passages counts as copied


def quotable(text: str) -> bool:
    """Whether a sentence is the person's own to quote: not a heading, list item or block quote, and
    holding no quotation marks (someone else's words) or brackets."""
    return not (text.lstrip().startswith(("#", "-", "*", ">")) or any(mark in text for mark in '“”[]"'))


def candidate_sentences(chunks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The quotable sentences of the chunks as spans of their sources (in chunk order)."""
    found = []
    for chunk in chunks:
        for start, end in sentences_with_offsets(chunk["text"]):
            text = chunk["text"][start:end]
            if not quotable(text):
                continue
            found.append({"source_id": chunk["source_id"], "start": chunk["start"] + start, "end": chunk["start"] + end, "text": text})
    return found


def quote(span: dict[str, Any]) -> str:
    return f"“{' '.join(span['text'].split())}” [{span['source_id']}@{span['start']}:{span['end']}]"


INSTRUCTION_OPENERS = frozenset(i18n.texts("en")["lesson"]["instruction_openers"].split())  # English imperatives
PASSAGES = (3, 4)  # a guided reading quotes at least 3 passages when the material has them, at most 4
RUN_WORDS = (8, 20, 60)  # a passage: one sentence of 8+ words, or a run of consecutive ones until 20+ words, at most 60
ENGINE_SETTING = "LENDARIA_ENGINE=anthropic"
EXERCISES = i18n.texts("en")["lesson"]["guided"]["exercises"]  # one deterministic exercise per Bloom level (curriculum.BLOOM); English


def _lesson_text(language: str | None) -> dict[str, Any]:
    return i18n.texts(language)["lesson"]


def terms(text: str, language: str | None = i18n.DEFAULT) -> list[str]:
    """The content words of ``text`` (lower case, in order, once each): no stop word (the shared lists and
    ``language``'s own), three letters or more."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    from lendaria.text import stopwords_for

    stop = frozenset(ENGLISH_STOP_WORDS) | stopwords_for(None) | frozenset(_lesson_text(language)["stop_words"].split())
    found: list[str] = []
    for word in (w.lower() for w in _WORD.findall(text)):
        if len(word) >= 3 and word not in stop and word not in found:
            found.append(word)
    return found


def shared(text: str, wanted: list[str]) -> list[str]:
    """The words of ``wanted`` that ``text`` uses (whole words; a plural -s/-es counts), in ``wanted``'s order."""
    words = {w.lower() for w in _WORD.findall(text)}
    return [t for t in wanted if words & {t, t + "s", t + "es"} or (t.endswith("s") and t[:-1] in words)]


def passages(chunks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every quotable passage of the chunks: a sentence of the person's own (no quotation marks of
    others, no heading or list line), extended with the sentences right after it in the same
    paragraph run while it is under ``RUN_WORDS[1]`` words; 8-60 words; spans of their sources."""
    low, enough, high = RUN_WORDS
    found = []
    for chunk in chunks:
        text = chunk["text"]
        spans = sentences_with_offsets(text)
        own = [quotable(text[s:e]) for s, e in spans]
        for i, (start, end) in enumerate(spans):
            if not own[i]:
                continue
            j = i
            while (len(text[start:end].split()) < enough and j + 1 < len(spans) and own[j + 1]
                   and not text[end:spans[j + 1][0]].strip()):
                j += 1
                end = spans[j][1]
            if low <= len(text[start:end].split()) <= high:
                found.append({"source_id": chunk["source_id"], "start": chunk["start"] + start, "end": chunk["start"] + end,
                              "text": text[start:end]})
    return found


def kind_of(text: str, language: str | None = i18n.DEFAULT) -> list[str]:
    """Observable facts about how a passage is written, in ``language``'s words: an instruction (it opens
    with one of the language's imperatives), first person, addressed to the reader."""
    facts, lesson, why = [], _lesson_text(language), _lesson_text(language)["guided"]["why"]
    first = (_TOKEN.findall(text) or [""])[0].lower()
    if first in lesson["instruction_openers"].split():
        facts.append(why["instruction"])
    if i18n.pattern(language, "lesson", "first_person").search(text):
        facts.append(why["first_person"])
    elif i18n.pattern(language, "lesson", "second_person").search(text):
        facts.append(why["reader"])
    return facts


def _listed(words: list[str], language: str | None = i18n.DEFAULT) -> str:
    return i18n.listed(words, language)


def why_chosen(passage: dict[str, Any], objective: list[str], concepts: list[str], source: dict[str, Any] | None,
               language: str | None = i18n.DEFAULT) -> str:
    """One plain line saying why a passage was chosen, from observable facts only: the objective's words
    and key concepts it uses, how it is written, and which source it comes from (in ``language``)."""
    why = _lesson_text(language)["guided"]["why"]
    from_objective = shared(passage["text"], objective)
    from_concepts = [c for c in shared(passage["text"], concepts) if c not in from_objective]
    reasons = []
    if from_objective:
        reasons.append(why["objective"].format(words=_listed(from_objective, language)))
    if from_concepts:
        reasons.append(why["concepts_after" if from_objective else "concepts_only"].format(words=_listed(from_concepts, language)))
    line = " ".join(reasons) if reasons else why["none"]
    facts = kind_of(passage["text"], language)
    if source and source.get("title"):
        kind = str(source.get("type") or "")
        kind = _lesson_text(language)["guided"]["source_types"].get(kind) or kind.replace("_", " ") or why["unknown_type"]
        facts.append(why["source"].format(title=source["title"], kind=kind))
    return why["prefix"] + "; ".join([line, *facts]) + "."


def relevance(text: str, objective: list[str], concepts: list[str]) -> int:
    """How much a passage has to do with the objective: its words twice, the other key concepts once."""
    from_objective = shared(text, objective)
    return 2 * len(from_objective) + len([c for c in shared(text, concepts) if c not in from_objective])


def choose_passages(candidates: list[dict[str, Any]], objective: list[str], concepts: list[str],
                    count: tuple[int, int] = PASSAGES) -> list[dict[str, Any]]:
    """The passages to read, never overlapping: each time the most relevant passage, its relevance
    lowered by one for each passage already taken from its source (so they spread over sources without
    letting a passage that shares one weak word in); first among those sharing a word of the objective
    or two key concepts, then any shared word, others only to reach ``count[0]``; at most ``count[1]``.
    In order of relevance (ties: source, position)."""
    scored = [(relevance(c["text"], objective, concepts), c) for c in candidates]
    chosen: list[tuple[int, dict[str, Any]]] = []
    used: dict[str, int] = {}
    while len(chosen) < count[1]:
        free = [(score, c) for score, c in scored
                if not any(c["source_id"] == o["source_id"] and c["start"] < o["end"] and o["start"] < c["end"] for _, o in chosen)]
        pool = ([p for p in free if p[0] >= 2] or ([p for p in free if p[0] > 0] or free if len(chosen) < count[0] else []))
        if not pool:
            break
        score, best = min(pool, key=lambda p: (used.get(p[1]["source_id"], 0) - p[0], -p[0], p[1]["source_id"], p[1]["start"]))
        chosen.append((score, best))
        used[best["source_id"]] = used.get(best["source_id"], 0) + 1
    return [c for _, c in sorted(chosen, key=lambda p: (-p[0], p[1]["source_id"], p[1]["start"]))]


def reader_questions(lesson: dict[str, Any], chosen: list[dict[str, Any]], asked: list[dict[str, Any]], mind_name: str,
                     module_title: str | None = None, language: str | None = i18n.DEFAULT) -> list[str]:
    """Questions for the reader, from the curriculum (objective, key concepts, module) and the person's
    own questions (quoted with their citations), in ``language``."""
    text = _lesson_text(language)["guided"]["questions"]
    objective = lesson["objectives"][0]["text"].rstrip(".")
    used = [c for c in lesson["key_concepts"] if any(shared(p["text"], [c.lower()]) for p in chosen)][:3]
    found = [text["closest"]]
    if used:
        found.append(text["meaning"].format(concepts=_listed(used, language)))
    if module_title and module_title.rstrip(".").lower() != objective.lower():
        found.append(text["module"].format(module=module_title.rstrip(".")))
    found += [text["asks"].format(mind=mind_name, quote=quote(q)) for q in asked]
    return found


def own_questions(chunks: list[dict[str, Any]], objective: list[str], concepts: list[str], count: int = 2) -> list[dict[str, Any]]:
    """The person's own questions in the lesson's material (quotable sentences ending in "?"), the most
    relevant first (ties: source, position)."""
    asked = [s for s in candidate_sentences(chunks) if s["text"].rstrip().endswith("?")]
    return sorted(asked, key=lambda s: (-relevance(s["text"], objective, concepts), s["source_id"], s["start"]))[:count]


def guided_reading(lesson: dict[str, Any], chunks: list[dict[str, Any]], mind_name: str,
                   sources: dict[str, dict[str, Any]] | None = None, module_title: str | None = None,
                   language: str | None = i18n.DEFAULT) -> str:
    """The offline lesson's Markdown body (no front matter): a guided reading of the person's own
    passages for the lesson's objective. Sections: Objective, Passages (each quoted with its citation
    and a line saying why it was chosen), Questions, Exercise, headed and written in ``language`` (the
    course's). ``sources``: source id -> its metadata entry (type, title), when known. The engine's own
    text is kept under ``MIN_OWN_WORDS`` words (it is guidance, not the person's voice, and is not to be
    scored as theirs): the person's questions, then the least relevant passages beyond ``PASSAGES[0]``,
    are left out until it fits."""
    objective_terms = terms(lesson["objectives"][0]["text"], language)
    concepts = [c.lower() for c in lesson["key_concepts"]]
    chosen = choose_passages(passages(chunks), objective_terms, concepts)
    asked = own_questions(chunks, objective_terms, concepts)
    material = [c["text"] for c in chunks]
    shapes = [(chosen, asked[:n]) for n in range(len(asked), -1, -1)]
    shapes += [(chosen[:k], []) for k in range(len(chosen) - 1, min(PASSAGES[0], len(chosen)) - 1, -1)]
    for read, questions in shapes:
        body = _guided_body(lesson, read, questions, mind_name, sources or {}, module_title, objective_terms, concepts, language)
        if own_prose(body, material)[1] < MIN_OWN_WORDS:
            break
    return body


def _guided_body(lesson: dict[str, Any], chosen: list[dict[str, Any]], asked: list[dict[str, Any]], mind_name: str,
                 sources: dict[str, dict[str, Any]], module_title: str | None, objective_terms: list[str], concepts: list[str],
                 language: str | None = i18n.DEFAULT) -> str:
    text = _lesson_text(language)
    guided, heading = text["guided"], text["guided"]["headings"]
    objective = lesson["objectives"][0]
    bloom = text["bloom_names"].get(objective["bloom"], objective["bloom"])
    lines = [f"# {lesson['title']}\n",
             guided["intro"].format(mind=mind_name, engine_setting=ENGINE_SETTING) + "\n",
             f"## {heading['Objective']}\n",
             guided["objective"].format(objective=objective["text"].rstrip("."), bloom=bloom) + "\n",
             *([guided["key_concepts"].format(concepts=", ".join(lesson["key_concepts"])) + "\n"] if lesson["key_concepts"] else []),
             f"## {heading['Passages']}\n"]
    for number, passage in enumerate(chosen, start=1):
        lines += [f"{number}. {quote(passage)}\n",
                  f"   {why_chosen(passage, objective_terms, concepts, sources.get(passage['source_id']), language)}\n"]
    if not chosen:
        lines.append(guided["no_passages"] + "\n")
    exercises = guided["exercises"]
    lines += [f"## {heading['Questions']}\n",
              *(f"- {q}" for q in reader_questions(lesson, chosen, asked, mind_name, module_title, language)), "",
              f"## {heading['Exercise']}\n", exercises.get(objective["bloom"], exercises["apply"]) + "\n"]
    return "\n".join(lines)


def own_prose(body: str, sources: list[str] = ()) -> tuple[str, int, int]:
    """(own prose, its words, all words) of a lesson: the text of its sections without quoted material
    (“…” with a citation), without runs of words copied from ``sources`` (the lesson's passages), and
    without the template's own lines (title, notes, objective: a guided reading's Objective section, in any
    language, restates the curriculum's objective and key concepts)."""
    titles, bodies = split_sections(body)
    objective = i18n.headings_of("guided", "Objective")
    sections = "\n".join(bodies[t] for t in titles if t not in objective)
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
                    sources: list[str] = (), guided: bool = False, language: str | None = i18n.DEFAULT) -> dict[str, Any]:
    """How much the lesson's own prose reads like the mind, stated honestly; its note in ``language`` (the
    course's). ``guided``: the lesson is a guided reading, whose own prose is the engine's guidance (the note
    says so)."""
    text = i18n.texts(language)["fidelity"]
    own, own_words, words = own_prose(body, sources)
    report: dict[str, Any] = {"words": words, "own_words": own_words,
                              "verbatim_share": round(1 - own_words / words, 4) if words else 0.0}
    if mind is None or score is None:
        return {**report, "status": "no mind", "note": text["no_mind"]}
    if own_words < MIN_OWN_WORDS:
        return {**report, "status": "too little own prose",
                "note": text["too_little"].format(own_words=own_words, minimum=MIN_OWN_WORDS) + (text["guided_rest"] if guided else "")}
    result = score([own])[0]
    if result["status"] != "scored":  # another language than the mind's, or a mind whose fidelity is not measured
        return {**report, "status": result["status"], "note": result.get("note", ""), "method": result["method"]}
    return {**report, "status": "scored", "score": result["score"], "passed": result["passed"], "confidence": result["confidence"],
            "method": result["method"]}


def neutral_body(lesson: dict[str, Any], language: str | None = i18n.DEFAULT) -> str:
    """A lesson outline in a neutral voice, when there is no mind's material to draw on: the objective
    and concepts only, plainly generic, and saying why (in ``language``)."""
    text = _lesson_text(language)
    outline, heading = text["outline"], text["sections"]
    objective = lesson["objectives"][0]["text"].rstrip(".")
    lower = objective[0].lower() + objective[1:]
    bloom = lesson["objectives"][0]["bloom"]
    concepts = lesson["key_concepts"] or [objective]
    return "\n".join([
        f"# {lesson['title']}\n",
        outline["intro"] + "\n",
        outline["objective"].format(bloom=text["bloom_names"].get(bloom, bloom), objective=objective) + "\n",
        f"## {heading['Hook']}\n", outline["hook"].format(objective_lower=lower) + "\n",
        f"## {heading['Concepts']}\n", *(f"- {c}" for c in concepts), "",
        f"## {heading['Examples']}\n", outline["examples"] + "\n",
        f"## {heading['Reflective question']}\n", outline["reflective"].format(objective_lower=lower) + "\n",
        f"## {heading['Summary']}\n", outline["summary"].format(objective=objective) + "\n",
        f"## {heading['Action']}\n", outline["action"].format(objective=objective) + "\n"])


def course_fidelity(course: str, mind: str | None, results: list[tuple[str, dict[str, Any]]], guided: int = 0,
                    language: str | None = i18n.DEFAULT) -> dict[str, Any]:
    """The course's fidelity summary: per lesson, and overall over the lessons that could be scored; its
    method in ``language`` (the course's). ``guided``: how many lessons are offline guided readings (the
    method says what they are)."""
    text = i18n.texts(language)["fidelity"]
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
    note = text["course_no_mind"] if mind is None else text["course_scored"]
    if mind is not None and guided:
        note += text["course_guided"].format(guided=guided, lessons=len(results), engine_setting=ENGINE_SETTING)
    return {"course": course, "mind": mind, "method": text["method"].format(note=note),
            "statuses": statuses, "overall": overall,
            "lessons": [{"lesson": lesson_id, **fidelity} for lesson_id, fidelity in results]}
