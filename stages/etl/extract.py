"""Extractors: bytes of one document -> normalised text and a title. Pure functions, one per format.

Libraries and why:
* Charsets -> :mod:`stages.etl.decoding` (UTF-8, the document's declaration, charset-normalizer;
  tiny damage repaired with a warning).
* HTML/XHTML -> :mod:`stages.etl.webpage` (trafilatura picks the main content; our guarded cleaning
  never removes the article; falls back to the whole page and says so).
* EPUB, DOCX -> :mod:`stages.etl.books` (zipfile + lxml for EPUB's spine; python-docx for DOCX).
* PDF -> pypdf (pure Python, no system packages), with de-hyphenation and paragraph re-flow.
* Plain text -> licence wrappers that are not the author's (Project Gutenberg) removed by
  :mod:`stages.etl.boilerplate`.
* SRT/WebVTT -> :mod:`stages.etl.transcripts` (our own parser to the WebVTT spec: we need speaker
  turns and non-speech captions, which subtitle libraries do not model).
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass

from lendaria.text import normalize_text

from stages.etl.boilerplate import strip_wrappers
from stages.etl.books import extract_docx as _docx, extract_epub as _epub
from stages.etl.decoding import decode
from stages.etl.errors import ExtractionError
from stages.etl.transcripts import extract_transcript
from stages.etl.webpage import extract_page

log = logging.getLogger(__name__)

FORMAT_BY_SUFFIX = {
    ".txt": "txt",
    ".text": "txt",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".pdf": "pdf",
    ".epub": "epub",
    ".docx": "docx",
    ".srt": "srt",
    ".vtt": "vtt",
}
FORMAT_BY_MEDIA_TYPE = {
    "text/plain": "txt",
    "text/markdown": "markdown",
    "text/x-markdown": "markdown",
    "text/html": "html",
    "application/xhtml+xml": "html",
    "application/pdf": "pdf",
    "application/epub+zip": "epub",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "text/vtt": "vtt",
    "application/x-subrip": "srt",
}
DEFAULT_TYPE_BY_FORMAT = {
    "txt": "document",
    "markdown": "document",
    "html": "article",
    "pdf": "document",
    "epub": "book",
    "docx": "document",
    "srt": "transcript",
    "vtt": "transcript",
    "feed": "blog_post",
}


@dataclass(frozen=True)
class Extracted:
    text: str
    title: str | None
    format: str
    warnings: tuple[str, ...] = ()  # what was repaired while reading (recorded in metadata.yaml)
    removed: tuple[tuple[str, int | None], ...] = ()  # (what, words or None) removed as not the author's


# --------------------------------------------------------------------------------------------
# formats
_YAML_FRONT_MATTER = re.compile(r"\A---\n.*?\n(?:---|\.\.\.)\n", re.DOTALL)
_MD_TITLE = re.compile(r"^#[ \t]+(.+?)[ \t#]*$", re.MULTILINE)
_MD_FM_TITLE = re.compile(r"^title:[ \t]*['\"]?(.+?)['\"]?[ \t]*$", re.MULTILINE)


def extract_plain(text: str) -> Extracted:
    """Plain text; wrappers that are not the author's (a Project Gutenberg licence) removed, their
    title kept."""
    unwrapped = strip_wrappers(text)
    text = normalize_text(unwrapped.text)
    first = next((line.strip() for line in text.splitlines() if line.strip()), None)
    title = unwrapped.title or (first if first and len(first) <= 120 and len(first.split()) <= 16 else None)
    return Extracted(text, title, "txt", removed=tuple((r.wrapper, r.words) for r in unwrapped.removed))


def extract_markdown(text: str) -> Extracted:
    """Markdown stays Markdown; a leading YAML front matter block is dropped (its title kept)."""
    title = None
    front = _YAML_FRONT_MATTER.match(text.replace("\r\n", "\n"))
    if front:
        found = _MD_FM_TITLE.search(front.group(0))
        title = found.group(1).strip() if found else None
        text = text.replace("\r\n", "\n")[front.end():]
    text = normalize_text(text)
    if title is None:
        heading = _MD_TITLE.search(text)
        title = heading.group(1).strip() if heading else None
    return Extracted(text, title, "markdown")


_HTML_CHARSET = re.compile(rb"<meta[^>]+charset=[\"']?([A-Za-z0-9_.:-]+)", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"\A\s*<\?xml[^>]*encoding=[\"']([A-Za-z0-9_.:-]+)", re.IGNORECASE)


def html_declared_charset(data: bytes) -> str | None:
    """The charset a page declares (XML declaration or ``<meta charset>``), or ``None``."""
    found = _XML_ENCODING.search(data[:1024]) or _HTML_CHARSET.search(data[:4096])
    return found.group(1).decode("ascii") if found else None


def extract_html(html: str) -> Extracted:
    """Main content of a web page as Markdown (see :mod:`stages.etl.webpage`)."""
    page = extract_page(html)
    return Extracted(normalize_text(page.text), page.title, "html", page.warnings)


_HYPHEN_BREAK = re.compile(r"(\w)-\n(\w)")
_SHORT_LINE = 0.8  # a line shorter than this share of the text column ends its paragraph


def reflow_paragraphs(text: str) -> str:
    """Join hard-wrapped lines into paragraphs.

    A paragraph ends at a blank line or after a line clearly shorter than the text column (wrapped
    lines fall short of the column by at most one word; last lines, headings and salutations by more).
    Words hyphenated across a line break are joined.
    """
    text = _HYPHEN_BREAK.sub(r"\1\2", text)
    paragraphs: list[str] = []
    for block in re.split(r"\n\s*\n", text):
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        if not lines:
            continue
        width = max(len(line) for line in lines)
        current: list[str] = []
        for line in lines:
            current.append(line)
            if len(line) < _SHORT_LINE * width:
                paragraphs.append(" ".join(current))
                current = []
        if current:
            paragraphs.append(" ".join(current))
    return "\n\n".join(paragraphs)


def extract_pdf(data: bytes) -> Extracted:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ExtractionError("is an encrypted PDF; export an unencrypted copy")
        pages = [page.extract_text() or "" for page in reader.pages]
        title = (reader.metadata.title if reader.metadata else None) or None
    except ExtractionError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise ExtractionError(f"is not a readable PDF ({exc})") from None
    text = normalize_text(reflow_paragraphs("\n".join(pages)))
    if not text:
        raise ExtractionError("has no text layer (a scanned PDF?); OCR it first")
    return Extracted(text, str(title).strip() or None if title else None, "pdf")


def extract_book(data: bytes, fmt: str) -> Extracted:
    """EPUB or DOCX; front/back matter an EPUB carries (copyright page, contents, colophon) is
    recorded as removed."""
    book = _epub(data) if fmt == "epub" else _docx(data)
    return Extracted(normalize_text(book.text), book.title, fmt, removed=tuple((part, None) for part in book.dropped))


def extract_transcript_document(text: str, fmt: str, speaker: str | None) -> Extracted:
    transcript = extract_transcript(text, fmt, speaker=speaker)
    warnings = ((f"skipped {transcript.skipped_timing_lines} malformed timing line(s)",)
                if transcript.skipped_timing_lines else ())
    removed = (("non-speech captions", transcript.non_speech_words),) if transcript.non_speech_words else ()
    return Extracted(normalize_text(transcript.text), None, fmt, warnings, removed)


def extract_document(data: bytes, fmt: str, *, encoding: str | None = None, speaker: str | None = None) -> Extracted:
    """Dispatch on ``fmt``; raises :class:`ExtractionError` with a reason a user can act on."""
    if fmt == "pdf":
        return extract_pdf(data)
    if fmt in ("epub", "docx"):
        return extract_book(data, fmt)
    if fmt == "html":
        decoded = decode(data, encoding=encoding, declared=html_declared_charset(data), allow_nul=True)
        extracted = extract_html(decoded.text)
        return Extracted(extracted.text, extracted.title, "html", decoded.warnings + extracted.warnings)
    decoded = decode(data, encoding=encoding)
    if fmt == "markdown":
        extracted = extract_markdown(decoded.text)
    elif fmt in ("srt", "vtt"):
        extracted = extract_transcript_document(decoded.text, fmt, speaker)
    elif fmt == "txt":
        extracted = extract_plain(decoded.text)
    else:
        raise ExtractionError(f"unsupported format {fmt!r}")
    if decoded.warnings:
        extracted = Extracted(extracted.text, extracted.title, extracted.format,
                              decoded.warnings + extracted.warnings, extracted.removed)
    return extracted
