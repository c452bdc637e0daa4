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
* Any of these but Topic and Outcomes also takes what stands under a heading that is only its label
  ("Audience", "Duration", "Público-alvo"…: its sentences and list items) and a line opening with its
  label and a colon ("Duração: seis semanas").

The patterns are each language's (``brief.brownfield.match`` in :mod:`stages.creatoros.i18n`'s files:
the examples above are the English ones), and every language's apply to every file: legacy materials
need not be in the course's language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from stages.creatoros import i18n
from stages.creatoros.brief import SECTIONS

_SENTENCE = re.compile(r"[^.!?\n]+[.!?]?")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+(\S.*)$")
_HEADING = re.compile(r"^\s*#{1,6}\s+(.*)$")
MAX_PER_SECTION = 4


@dataclass(frozen=True)
class Patterns:
    """What the brief's sections look like in the materials, in every language CreatorOS knows."""

    outcome_heading: tuple[re.Pattern[str], ...]
    outcome_sentence: tuple[re.Pattern[str], ...]
    sentences: dict[str, tuple[re.Pattern[str], ...]]  # section -> a sentence about it
    labels: dict[str, re.Pattern[str]]  # section -> a heading that is only its label, or a line opening with it and a colon


@lru_cache(maxsize=None)
def patterns() -> Patterns:
    found = [i18n.texts(code)["brief"]["brownfield"]["match"] for code in i18n.languages()]

    def compiled(key: str) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(match[key], re.IGNORECASE) for match in found)

    sections = list(found[0]["sentences"])
    label = {section: "|".join(f"(?:{match['labels'][section]})" for match in found) for section in sections}
    return Patterns(compiled("outcome_heading"), compiled("outcome_sentence"),
                    {section: tuple(re.compile(match["sentences"][section], re.IGNORECASE) for match in found) for section in sections},
                    {section: re.compile(rf"^\s*(?:\*\*)?(?:{words})(?:\*\*)?\s*(?::\s*(?:\*\*)?\s*(.*))?$", re.IGNORECASE)
                     for section, words in label.items()})


def _any(found: tuple[re.Pattern[str], ...], text: str) -> re.Match[str] | None:
    return next((match for match in (p.search(text) for p in found) if match), None)


def _label(line: str, colon: bool) -> str | None:
    """The section whose label ``line`` is: a heading's text that is only the label (``colon`` False), or a line
    opening with the label and a colon, with something after it (``colon`` True)."""
    for section, pattern in patterns().labels.items():
        match = pattern.match(line.strip())
        rest = (match.group(1) or "").strip() if match else ""
        if match and (bool(rest) if colon else match.group(1) is None):
            return section
    return None


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
            under_outcomes = bool(_any(patterns().outcome_heading, heading.group(1)))
            continue
        item = _LIST_ITEM.match(line)
        if item and under_outcomes:
            found.append(item.group(1).strip().rstrip("."))
    for sentence in _sentences(text):
        match = _any(patterns().outcome_sentence, sentence)
        if match:
            phrase = match.group(1).strip().rstrip(".!?")
            found.append(phrase[0].upper() + phrase[1:])
    return list(dict.fromkeys(found))


def labelled(text: str) -> list[tuple[str, str]]:
    """(section, text) of what the materials put under a label: the sentences (4+ words) and list items under
    a heading that is only a section's label, and the lines opening with a section's label and a colon."""
    found, under = [], None
    for line in text.splitlines():
        heading = _HEADING.match(line)
        if heading:
            under = _label(heading.group(1).strip().rstrip(":?!.").strip(), colon=False)
            continue
        item = _LIST_ITEM.match(line)
        section = _label(item.group(1) if item else line, colon=True)
        if section:
            found.append((section, " ".join((item.group(1) if item else line).split())))
            continue
        if under and item:
            found.append((under, item.group(1).strip()))
        elif under:
            found += [(under, s.strip()) for s in _SENTENCE.findall(line) if len(s.split()) >= 4]
    return found


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
        labels = labelled(text)
        found_here = {section: [t for s, t in labels if s == section] for section in patterns().sentences}
        for section, pattern in patterns().sentences.items():
            taken = found_here[section]  # a sentence of a labelled line or paragraph is not listed twice
            found[section] += [(t, name) for t in taken] + [(s, name) for s in _sentences(text)
                                                            if _any(pattern, s) and not any(s in t for t in taken)]
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
