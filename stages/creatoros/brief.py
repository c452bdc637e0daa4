"""The course brief (``outputs/courses/<course>/COURSE-BRIEF.md``, contract creatoros-brief): the
template ``lendaria course init`` scaffolds, and the completeness check (pure functions).

The brief is a Markdown file with one ``##`` section per required field. The template fills each
section with guidance inside an HTML comment, which is not content: a section is **filled** when,
without comments, it holds at least :data:`MIN_WORDS` words (``Outcomes``: at least one list item).
Completeness is the share of required sections filled; below :data:`MIN_COMPLETENESS` the stage stops
and names the missing sections. An untouched template is 0 %.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from lendaria.documents import parse_markdown, render_markdown

CONTRACT = "creatoros-brief"
MIN_WORDS = 3
MIN_COMPLETENESS = 70.0
SECTIONS = {
    "Topic": "What the course teaches, in a sentence or two.",
    "Audience": "Who it is for: what they already know, what they want.",
    "Outcomes": "What a learner can do at the end: one list item per outcome, starting with a verb (e.g. - Keep a field notebook that others can check).",
    "Format": "Self-paced text lessons, a cohort, a workshop…; what each lesson contains.",
    "Length": "How many lessons and about how long each (e.g. 6 lessons of about 800 words).",
    "Voice": "Whose voice the lessons speak in (the mind named in the front matter) and the tone.",
    "Constraints": "What to avoid, must-include topics, reading level, anything else.",
}
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(\S.*)$", re.MULTILINE)


@dataclass
class Completeness:
    filled: list[str]
    missing: list[str]

    @property
    def percent(self) -> float:
        total = len(self.filled) + len(self.missing)
        return round(100.0 * len(self.filled) / total, 1) if total else 0.0

    @property
    def passed(self) -> bool:
        return self.percent >= MIN_COMPLETENESS

    def as_dict(self) -> dict[str, Any]:
        return {"percent": self.percent, "filled": self.filled, "missing": self.missing, "minimum": MIN_COMPLETENESS}


def template(course: str, title: str, mind: str | None, contract_ref: str) -> str:
    """The brief a user fills in (greenfield)."""
    front = {"contract": contract_ref, "course": course, "title": title, "mind": mind, "mode": "greenfield", "review": False}
    body = [f"# {title}\n", "Fill in each section below (replace the comments). `lendaria course check` says what is still missing.\n"]
    for name, guidance in SECTIONS.items():
        body.append(f"## {name}\n\n<!-- {guidance} -->\n")
    return render_markdown(front, "\n".join(body))


def content(section_body: str) -> str:
    """A section's text without HTML comments."""
    return _COMMENT.sub("", section_body).strip()


def outcomes(section_body: str) -> list[str]:
    return [item.strip() for item in _LIST_ITEM.findall(content(section_body))]


def is_filled(name: str, section_body: str | None) -> bool:
    if section_body is None:
        return False
    if name == "Outcomes":
        return bool(outcomes(section_body))
    return len(content(section_body).split()) >= MIN_WORDS


def completeness(text: str) -> Completeness:
    sections = parse_markdown(text).section_bodies
    filled = [name for name in SECTIONS if is_filled(name, sections.get(name))]
    return Completeness(filled, [name for name in SECTIONS if name not in filled])


@dataclass
class Brief:
    course: str
    title: str
    mind: str | None
    review: bool
    mode: str
    sections: dict[str, str]  # name -> content without comments

    @property
    def outcomes(self) -> list[str]:
        return outcomes(self.sections.get("Outcomes", ""))

    def lessons_wanted(self) -> int | None:
        """The number of lessons the Length section asks for ("6 lessons", "5 weekly sessions"), if it says."""
        match = re.search(r"(\d+)\s+(?:[a-z-]+\s+)?(?:lessons?|sessions?|modules?)\b", self.sections.get("Length", ""), re.IGNORECASE)
        return int(match.group(1)) if match else None

    def words_per_lesson(self, default: int = 800) -> int:
        match = re.search(r"(\d[\d,]*)\s+words", self.sections.get("Length", ""), re.IGNORECASE)
        return int(match.group(1).replace(",", "")) if match else default


def parse(text: str) -> Brief:
    document = parse_markdown(text)
    front = document.front_matter
    return Brief(course=front["course"], title=front.get("title") or front["course"], mind=front.get("mind"),
                 review=bool(front.get("review")), mode=front.get("mode") or "greenfield",
                 sections={name: content(body) for name, body in document.section_bodies.items()})
