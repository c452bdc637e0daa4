"""Lessons written by a language model in the mind's voice (capability ``write_lesson``).

Claude gets the mind's system prompt (``generalista.md``) as the stable prefix, cached across every
lesson of the course, and the lesson's knowledge-base chunks as numbered material; it returns the six
sections. The first lesson is written alone so that the prefix is cached before the others start in
parallel. A lesson whose own prose scores below the fidelity threshold is written again (at most
:data:`MAX_ATTEMPTS` in all, each retry told the previous score); the last attempt is kept and flagged.
Verbatim copying is measured, not trusted (``lessons.own_prose``): runs of words found in the lesson's
passages count as quotes, so only the model's own prose is scored.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from lendaria.engines.base import Capability
from stages.creatoros import i18n

MAX_ATTEMPTS = 3


class LessonInput(BaseModel):
    title: str
    objective: str
    bloom: str
    key_concepts: list[str]
    target_words: int = Field(ge=100, le=5000)
    passages: int = Field(ge=0, description="how many numbered passages of the person's own words follow")
    previous_score: float | None = Field(None, description="the fidelity score of the previous attempt, when this is a retry")
    language: str = Field(i18n.DEFAULT, description="the course's language (ISO 639-1 code): every section is written in it")


class WrittenLesson(BaseModel):
    hook: str = Field(min_length=1)
    concepts: str = Field(min_length=1)
    examples: str = Field(min_length=1)
    reflective_question: str = Field(min_length=1)
    summary: str = Field(min_length=1)
    action: str = Field(min_length=1)


WRITE_LESSON: Capability[LessonInput, WrittenLesson] = Capability(
    name="write_lesson",
    description="write one lesson of a course in the person's voice",
    input_model=LessonInput,
    output_model=WrittenLesson,
    instructions=(
        "Write the lesson as the person described in the system prompt, in their voice and first person, for the "
        "objective and key concepts given, in about `target_words` words over the six sections (hook, concepts, "
        "examples, reflective_question, summary, action; Markdown inside each). Draw on the numbered source passages "
        "of the person's own words; when you quote them, put the quote in “curly quotes” and keep quotes short: the "
        "lesson should be mostly your writing in their voice. Write every section in the language whose ISO 639-1 code "
        "is `language` (the course's), whatever the language of these instructions. If `previous_score` is set, an "
        "earlier draft read too little like the person: write closer to their measured style."
    ),
    offline=None,  # offline, a lesson is a guided reading of the passages (lessons.guided_reading): nothing is written for the person
)


def render(lesson: dict[str, Any], written: WrittenLesson, mind_name: str, engine: str, language: str | None = i18n.DEFAULT) -> str:
    """The written lesson's Markdown body; its headings and notes in ``language`` (the course's)."""
    words = i18n.texts(language)["lesson"]
    heading = words["sections"]
    objective = lesson["objectives"][0]
    parts = [f"# {lesson['title']}\n",
             words["written"]["note"].format(engine=engine, mind=mind_name, passages=len(lesson["chunks"])) + "\n",
             words["written"]["objective"].format(bloom=words["bloom_names"].get(objective["bloom"], objective["bloom"]),
                                                  objective=objective["text"]) + "\n"]
    for title, text in (("Hook", written.hook), ("Concepts", written.concepts), ("Examples", written.examples),
                        ("Reflective question", written.reflective_question), ("Summary", written.summary), ("Action", written.action)):
        parts += [f"## {heading[title]}\n", text.strip() + "\n"]
    return "\n".join(parts)
