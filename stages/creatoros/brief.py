"""The course brief (``outputs/courses/<course>/COURSE-BRIEF.md``, contract creatoros-brief): the
template ``lendaria course init`` scaffolds, and the completeness check (pure functions).

The brief is a Markdown file with one ``##`` section per required field. The template fills each
section with guidance inside an HTML comment, which is not content: a section is **filled** when,
without comments, it holds at least :data:`MIN_WORDS` words (``Outcomes``: at least one list item).
Completeness is the share of required sections filled; below :data:`MIN_COMPLETENESS` the stage stops
and names the missing sections. An untouched template is 0 %.

Sections have a canonical (English) key and a heading per language (:mod:`stages.creatoros.i18n`):
a brief may use the headings of any language CreatorOS knows, even mixed, and the check names what is
missing in the brief's language (its ``language:``, else the language of its headings, else the
mind's) and says what to add.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from lendaria.documents import parse_markdown, render_markdown
from stages.creatoros import i18n

CONTRACT = "creatoros-brief"
MIN_WORDS = 3
MIN_COMPLETENESS = 70.0
SECTIONS = i18n.brief_guidance("en")  # canonical section -> the English template's guidance
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(\S.*)$", re.MULTILINE)


@dataclass
class Completeness:
    filled: list[str]  # headings in the brief's language
    missing: list[str]
    language: str = i18n.DEFAULT  # the brief's language: the one its report speaks

    @property
    def percent(self) -> float:
        total = len(self.filled) + len(self.missing)
        return round(100.0 * len(self.filled) / total, 1) if total else 0.0

    @property
    def passed(self) -> bool:
        return self.percent >= MIN_COMPLETENESS

    def as_dict(self) -> dict[str, Any]:
        return {"percent": self.percent, "filled": self.filled, "missing": self.missing, "minimum": MIN_COMPLETENESS,
                "language": self.language, "to_add": self.to_add()}

    def _text(self) -> dict[str, Any]:
        return i18n.texts(self.language)["brief"]

    def _guidance(self) -> list[tuple[str, str]]:
        guidance = {i18n.brief_headings(self.language)[key]: text for key, text in i18n.brief_guidance(self.language).items()}
        return [(name, guidance.get(name, "")) for name in self.missing]

    def to_add(self) -> list[str]:
        """What to add, one line per missing section, in the brief's language."""
        return [self._text()["to_add"].format(heading=name, guidance=text) for name, text in self._guidance()]

    def summary(self, course: str) -> str:
        """One line: how complete the brief is and what is missing (``lendaria course check``)."""
        line = self._text()["check"].format(course=course, percent=self.percent, minimum=MIN_COMPLETENESS)
        return line + (self._text()["check_missing"].format(missing=", ".join(self.missing)) if self.missing else "")

    def refusal(self) -> tuple[str, str]:
        """(message, hint) when the brief is too incomplete to build: what is missing and what to add."""
        message = self._text()["incomplete"].format(percent=self.percent, minimum=MIN_COMPLETENESS, missing=", ".join(self.missing))
        return message, " ".join([self._text()["incomplete_hint"], *(f"{name}: {text}" for name, text in self._guidance())])


def template(course: str, title: str, mind: str | None, contract_ref: str, language: str = i18n.DEFAULT) -> str:
    """The brief a user fills in (greenfield), in ``language`` (declared in its front matter when not English)."""
    language = i18n.supported(language) or i18n.DEFAULT
    front = {"contract": contract_ref, "course": course, "title": title, "mind": mind, "mode": "greenfield", "review": False,
             **({"language": language} if language != i18n.DEFAULT else {})}
    body = [f"# {title}\n", i18n.texts(language)["brief"]["intro"] + "\n"]
    headings = i18n.brief_headings(language)
    for key, guidance in i18n.brief_guidance(language).items():
        body.append(f"## {headings[key]}\n\n<!-- {guidance} -->\n")
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


def canonical_sections(section_bodies: dict[str, str]) -> dict[str, str]:
    """The brief's sections by canonical key, whichever language their headings are in (a section
    given in two languages: the filled one, else the first); other sections keep their heading."""
    found: dict[str, str] = {}
    for heading, body in section_bodies.items():
        key = i18n.heading_keys("brief").get(heading, (heading, None))[0]
        if key not in found or (not is_filled(key, found[key]) and is_filled(key, body)):
            found[key] = body
    return found


def language_of(front_matter: dict[str, Any], titles: list[str], fallback: str | None = None) -> str:
    """The brief's own language: its ``language:``, else its headings', else ``fallback`` (the mind's), else English."""
    return i18n.first_supported(front_matter.get("language"), i18n.headings_language(titles), fallback)


def completeness(text: str, fallback_language: str | None = None) -> Completeness:
    """How complete the brief is, in the brief's language (``fallback_language``: when neither its
    front matter nor its headings say, e.g. the mind's language)."""
    document = parse_markdown(text)
    sections = canonical_sections(document.section_bodies)
    language = language_of(document.front_matter, document.sections, fallback_language)
    names = i18n.brief_headings(language)
    filled = [key for key in SECTIONS if is_filled(key, sections.get(key))]
    return Completeness([names[key] for key in filled], [names[key] for key in SECTIONS if key not in filled], language)


@dataclass
class Brief:
    course: str
    title: str
    mind: str | None
    review: bool
    mode: str
    sections: dict[str, str]  # canonical name (Topic, Audience…) -> content without comments
    language: str = i18n.DEFAULT  # the course's language (i18n.course_language)
    declared_language: str | None = None  # the front matter's language:, as written
    headings_language: str | None = None  # the language of its section headings

    @property
    def outcomes(self) -> list[str]:
        return outcomes(self.sections.get("Outcomes", ""))

    def _length(self, key: str) -> tuple[re.Match[str], str] | None:
        """The first match of the Length pattern ``key``, in the course's language first, then the others."""
        order = [self.language, *(code for code in i18n.languages() if code != self.language)]
        for code in order:
            match = re.search(i18n.texts(code)["brief"][key], self.sections.get("Length", ""), re.IGNORECASE)
            if match:
                return match, code
        return None

    def lessons_wanted(self) -> int | None:
        """The number of lessons the Length section asks for ("6 lessons", "5 weekly sessions", "6 lições"), if it says."""
        found = self._length("lessons_wanted")
        return int(found[0].group(1)) if found else None

    def words_per_lesson(self, default: int = 800) -> int:
        found = self._length("words_per_lesson")
        if not found:
            return default
        match, code = found
        return int(match.group(1).replace(i18n.texts(code)["brief"]["thousands_separator"], ""))


def parse(text: str, mind_language: str | None = None) -> Brief:
    """The brief, its sections by canonical name; its ``language`` is the course's (``mind_language``:
    the mind's declared language, when known)."""
    document = parse_markdown(text)
    front = document.front_matter
    headings = i18n.headings_language(document.sections)
    return Brief(course=front["course"], title=front.get("title") or front["course"], mind=front.get("mind"),
                 review=bool(front.get("review")), mode=front.get("mode") or "greenfield",
                 sections={name: content(body) for name, body in canonical_sections(document.section_bodies).items()},
                 language=i18n.course_language(front.get("language"), mind_language, headings),
                 declared_language=front.get("language"), headings_language=headings)
