"""A brownfield brief: the course brief extracted from legacy materials (an old syllabus, course
outline, sales page) placed in ``outputs/courses/<course>/sources/`` (pure functions over their text).

The files are read through ETL's extractors, reached as the ``extract_text`` service (any format ETL
reads: Markdown, text, HTML, PDF, DOCX, EPUB…). Each brief section is filled only with sentences or
list items found in the materials, verbatim, each followed by a comment naming its file; a section
with nothing found keeps the template's guidance, so the completeness check says what is left to write.
Nothing is invented.

* Topic: the first paragraph of 12+ words.
* Outcomes: list items under a heading about outcomes, objectives, goals or "what you will learn",
  and sentences such as "you will (be able to) …", "learn how to …", "students will …".
* Audience: sentences about who the course is for ("for beginners", "designed for", "audience", "no
  experience").
* Format: sentences about lessons, sessions, modules, weeks, videos, workshops, self-paced study.
* Length: sentences with a count of lessons, sessions, modules, weeks or hours.
* Constraints: sentences with "no …", "without", "avoid", "must", "never", "only".
* Voice: only a sentence about tone or voice; otherwise the mind given to ``course init --mind``.
"""

from __future__ import annotations

import re
from typing import Any

from stages.creatoros import i18n
from stages.creatoros.brief import SECTIONS

_SENTENCE = re.compile(r"[^.!?\n]+[.!?]?")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+(\S.*)$")
_HEADING = re.compile(r"^\s*#{1,6}\s+(.*)$")
OUTCOME_HEADING = re.compile(r"outcome|objective|goal|you(?:'ll| will) learn|what you learn|learning", re.IGNORECASE)
PATTERNS = {
    "Audience": re.compile(r"\b(?:for (?:beginners|anyone|adults|people|volunteers|newcomers|those|learners|students|teachers|families)|"
                           r"designed for|audience|no (?:prior )?experience|who (?:want|are|have|live))\b", re.IGNORECASE),
    "Format": re.compile(r"\b(?:lessons?|sessions?|modules?|weekly|videos?|workshops?|self-paced|cohort|exercises?|worksheets?)\b", re.IGNORECASE),
    "Length": re.compile(r"\b\d+\s+(?:[a-z-]+\s+)?(?:lessons?|sessions?|modules?|weeks?|hours?|days?)\b", re.IGNORECASE),
    "Constraints": re.compile(r"\b(?:no|without|avoid|must|never|only)\b", re.IGNORECASE),
    "Voice": re.compile(r"\b(?:tone|voice|friendly|conversational|plain language)\b", re.IGNORECASE),
}
OUTCOME_SENTENCE = re.compile(r"\b(?:you(?:'ll| will)(?: be able to)?|learn (?:how )?to|students will|participants will|learners will)\s+(.+)",
                              re.IGNORECASE)
MAX_PER_SECTION = 4


def _sentences(text: str) -> list[str]:
    found = []
    for line in text.splitlines():
        if _HEADING.match(line) or _LIST_ITEM.match(line):
            continue
        found += [s.strip() for s in _SENTENCE.findall(line) if len(s.split()) >= 4]
    return found


def outcomes(text: str) -> list[str]:
    """Outcome phrases: list items under an outcomes heading, then "you will …" sentences."""
    found, under_outcomes = [], False
    for line in text.splitlines():
        heading = _HEADING.match(line)
        if heading:
            under_outcomes = bool(OUTCOME_HEADING.search(heading.group(1)))
            continue
        item = _LIST_ITEM.match(line)
        if item and under_outcomes:
            found.append(item.group(1).strip().rstrip("."))
    for sentence in _sentences(text):
        match = OUTCOME_SENTENCE.search(sentence)
        if match:
            phrase = match.group(1).strip().rstrip(".!?")
            found.append(phrase[0].upper() + phrase[1:])
    return list(dict.fromkeys(found))


def sections(documents: list[dict[str, Any]]) -> dict[str, list[tuple[str, str]]]:
    """Per brief section, the (text, file) found in the materials, in file order."""
    found: dict[str, list[tuple[str, str]]] = {name: [] for name in SECTIONS}
    for document in documents:
        text, name = document["text"], document["file"]
        if not found["Topic"]:
            paragraph = next((p.strip() for p in re.split(r"\n\s*\n", text)
                              if len(p.split()) >= 12 and not _HEADING.match(p.strip()) and not _LIST_ITEM.match(p.strip())), None)
            if paragraph:
                found["Topic"].append((" ".join(paragraph.split()), name))
        found["Outcomes"] += [(o, name) for o in outcomes(text)]
        for section, pattern in PATTERNS.items():
            found[section] += [(s, name) for s in _sentences(text) if pattern.search(s)]
    for section in found:
        unique = list(dict.fromkeys(found[section]))
        found[section] = unique[:MAX_PER_SECTION] if section != "Outcomes" else unique[:8]
    return found


def body(title: str, found: dict[str, list[tuple[str, str]]], mind_name: str | None, language: str = i18n.DEFAULT) -> str:
    """The brief's body: extracted text with its file named in a comment, guidance where nothing was found
    (headings, guidance and notes in ``language``; the extracted text as found)."""
    text = i18n.texts(language)["brief"]["brownfield"]
    headings = i18n.brief_headings(language)
    parts = [f"# {title}\n", text["intro"] + "\n"]
    for section, guidance in i18n.brief_guidance(language).items():
        parts.append(f"## {headings[section]}\n")
        items = found.get(section) or []
        if section == "Voice" and not items and mind_name:
            parts.append(text["voice_from_mind"].format(mind=mind_name) + "\n")
        elif not items:
            parts.append(text["nothing_found"].format(guidance=guidance) + "\n")
        elif section == "Outcomes":
            parts.append("\n".join(f"- {text} <!-- {file} -->" for text, file in items) + "\n")
        else:
            parts.append("\n".join(f"{text} <!-- {file} -->" for text, file in items) + "\n")
    return "\n".join(parts)
