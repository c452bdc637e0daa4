"""Wrappers that are not the author's words: a distributor's header, licence and credits around a text.

:func:`strip_wrappers` runs every wrapper of :data:`WRAPPERS` in turn on plain text and reports what it
removed. Pure: ``str`` in, :class:`Unwrapped` out.

Adding a wrapper: write a function ``(text: str) -> Unwrapped | None`` that returns ``None`` quickly
when its wrapper is absent (test a few KB at the ends of the text with a substring search before any
regex) and otherwise the inner text, the title the wrapper's metadata gives (or ``None``) and one
:class:`Removal` per part cut; append it to :data:`WRAPPERS`. It must return ``None`` - never a guess -
when its markers are ambiguous: removing the author's words is worse than keeping a licence.

Project Gutenberg (plain-text editions, 1990s to today)
* Header: everything up to and including the START line. Variants: ``*** START OF THE PROJECT GUTENBERG
  EBOOK <TITLE> ***``, ``... OF THIS PROJECT GUTENBERG EBOOK``, ``***START OF ...`` (any number of
  asterisks, or none, any spacing, any case), ``... ETEXT``, and the 1990s ``*END*THE SMALL PRINT!`` line
  that closes a licence printed at the top. When a file has several (a START line and a small print),
  the header ends after the last one found before the footer, within 30,000 characters of the first.
* Footer: from the first END line after the header to the end of the text (the full licence).
  Variants: ``*** END OF THE/THIS PROJECT GUTENBERG EBOOK ...``, ``End of the Project Gutenberg EBook of
  ...``, ``End of Project Gutenberg's ...``, ``End of this Project Gutenberg Etext ...``; all must begin a
  line.
* Credits: short paragraphs right after the header naming the producers ("Produced by ...", "This eBook
  was produced by ...", "Transcribed from ...", "... Distributed Proofreading ...").
* Title: the header's ``Title:`` line (with its indented continuation lines), else the START line's.
* Plausibility: a START line is looked for in the first half of the text only (a header is short); an
  END line anywhere after it (a short work's licence can be ten times its length), or, without a START
  line, in the second half only. A marker elsewhere is someone quoting it: the text is left unchanged.
* Speed: a text without "gutenberg" in its first or last 20 KB is returned at once; otherwise
  ``str.find`` locates the lines naming Gutenberg and the marker regexes run on those lines only.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Removal:
    wrapper: str  # what was cut, e.g. "Project Gutenberg licence"
    words: int  # len(cut.split())


@dataclass(frozen=True)
class Unwrapped:
    text: str
    title: str | None  # from the wrapper's metadata, e.g. Gutenberg's "Title:" line
    removed: tuple[Removal, ...]


def strip_wrappers(text: str) -> Unwrapped:
    """``text`` without the known wrappers; unchanged (and nothing removed) when none is found."""
    title: str | None = None
    removed: list[Removal] = []
    for wrapper in WRAPPERS:
        found = wrapper(text)
        if found is not None:
            text = found.text
            title = title or found.title
            removed.extend(found.removed)
    return Unwrapped(text, title, tuple(removed))


# --------------------------------------------------------------------------------------------
# Project Gutenberg
_PROBE_CHARS = 20_000  # the markers sit near the ends; a text without "gutenberg" there is left alone
_MAX_HEADER_SPREAD = 30_000  # chars between the first and the last header-closing marker
_SP = r"[ \t]"
_PG = rf"PROJECT{_SP}+GUTENBERG"
_GUTENBERG_START = re.compile(
    rf"^{_SP}*\**{_SP}*START{_SP}+OF{_SP}+(?:THE|THIS){_SP}+{_PG}{_SP}*E-?(?:BOOK|TEXT)S?\b(?P<title>[^\n]*)$"
    rf"|^{_SP}*\*?END\*{_SP}*THE{_SP}+SMALL{_SP}+PRINT[^\n]*$",
    re.IGNORECASE | re.MULTILINE,
)
_GUTENBERG_END = re.compile(
    rf"^{_SP}*\**{_SP}*END{_SP}+OF{_SP}+(?:THE|THIS){_SP}+{_PG}\b"
    rf"|^{_SP}*END{_SP}+OF{_SP}+(?:(?:THE|THIS){_SP}+)?{_PG}(?:'S|\u2019S|{_SP}+E-?(?:BOOK|TEXT))",
    re.IGNORECASE | re.MULTILINE,
)
_TITLE_LINE = re.compile(  # "Title: ..." and its indented continuation lines
    rf"^{_SP}*Title:{_SP}*(?P<title>[^\r\n]*)(?P<more>(?:\r?\n{_SP}+[^\s][^\r\n]*)*)", re.MULTILINE
)
_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r]*\n")
_SPACE = re.compile(r"\s*")
# a credit paragraph starts with the credit ("Produced by", "This eBook was produced by", "E-text
# prepared by", "Transcribed from") or names Distributed Proofreaders
_CREDIT_START = re.compile(
    r"\s*(?:this\s+)?(?:e-?(?:book|text)\s+)?(?:was\s+)?"
    r"(?:produced|prepared|transcribed|created|scanned)\s+(?:by|from)\b",
    re.IGNORECASE,
)
_CREDIT_ANYWHERE = re.compile(r"distributed\s+proofread|online\s+distributed|pgdp\.net", re.IGNORECASE)
_MAX_CREDIT_WORDS = 80
_MAX_CREDIT_PARAGRAPHS = 3


def strip_gutenberg(text: str) -> Unwrapped | None:
    """Project Gutenberg's header, production credits and licence footer removed; ``None`` if absent."""
    if not _mentions_gutenberg(text):
        return None
    header_end = _header_end(text)
    footer_start = _footer_start(text, header_end or 0)
    if header_end is None and (footer_start is None or footer_start < len(text) / 2):
        return None
    start, end = header_end or 0, len(text) if footer_start is None else footer_start
    removed = []
    if start:
        removed.append(Removal("Project Gutenberg header", len(text[:start].split())))
    body = text[start:end]
    credits, body = _split_credits(body)
    if credits.split():
        removed.append(Removal("Project Gutenberg production credits", len(credits.split())))
    if end < len(text):
        removed.append(Removal("Project Gutenberg licence", len(text[end:].split())))
    body = body.strip("\r\n")
    return Unwrapped(body + "\n" if body.strip() else "", _title(text, start), tuple(removed))


def _mentions_gutenberg(text: str) -> bool:
    return "gutenberg" in text[:_PROBE_CHARS].lower() or "gutenberg" in text[-_PROBE_CHARS:].lower()


_MARKER_WORDS = ("GUTENBERG", "Gutenberg", "gutenberg", "SMALL PRINT", "Small Print", "small print")


def _marker_lines(text: str, pattern: re.Pattern[str], start: int, end: int) -> Iterator[re.Match[str]]:
    """Matches of ``pattern`` at the start of lines that name Gutenberg or the small print, in order.

    Fast on long books: ``str.find`` locates the few candidate lines, the regex runs only there.
    """
    line_starts = set()
    for word in _MARKER_WORDS:
        position = text.find(word, start, end)
        while position != -1:
            line_starts.add(text.rfind("\n", 0, position) + 1)
            position = text.find(word, position + len(word), end)
    for line_start in sorted(line_starts):
        if line_start >= start and (match := pattern.match(text, line_start)):
            yield match


def _header_end(text: str) -> int | None:
    """End of the line that closes the header; ``None`` without a START marker in the first half."""
    end = first = None
    for match in _marker_lines(text, _GUTENBERG_START, 0, len(text) // 2):
        if first is None:
            first = match.start()
        elif match.start() - first > _MAX_HEADER_SPREAD or _footer_start(text, end, match.start()) is not None:
            break
        end = match.end()
    if end is None:
        return None
    return end + 1 if text.startswith("\n", end) else end


def _footer_start(text: str, after: int, before: int | None = None) -> int | None:
    match = next(_marker_lines(text, _GUTENBERG_END, after, len(text) if before is None else before), None)
    return match.start() if match else None


def _split_credits(body: str) -> tuple[str, str]:
    """(credit paragraphs at the start of ``body``, the rest)."""
    position = _SPACE.match(body).end()
    for _ in range(_MAX_CREDIT_PARAGRAPHS):
        paragraph_break = _PARAGRAPH_BREAK.search(body, position)
        paragraph_end = _SPACE.match(body, paragraph_break.end()).end() if paragraph_break else len(body)
        paragraph = body[position:paragraph_end]
        if len(paragraph.split()) > _MAX_CREDIT_WORDS or not (
            _CREDIT_START.match(paragraph) or _CREDIT_ANYWHERE.search(paragraph)
        ):
            break
        position = paragraph_end
    return body[:position], body[position:]


def _title(text: str, header_end: int) -> str | None:
    header = text[:header_end]
    found = _TITLE_LINE.search(header)
    if found:
        title = " ".join((found.group("title") + " " + found.group("more")).split())
        if title:
            return title
    marker = next((m for m in _GUTENBERG_START.finditer(header) if m.group("title")), None)
    if marker:
        title = marker.group("title").strip(" \t\r*:,.-")
        title = re.sub(r"^OF\s+", "", title, flags=re.IGNORECASE).strip()
        return title or None
    return None


WRAPPERS: list[Callable[[str], Unwrapped | None]] = [strip_gutenberg]
