"""Extractors: bytes of one document -> normalised text and a title. Pure functions, one per format.

Libraries and why:
* HTML -> trafilatura (maintained, benchmarked main-content extraction; drops navigation, sidebars,
  footers, scripts and styles), with an lxml fallback for pages too short for its heuristics.
* PDF -> pypdf (pure Python, no system packages), with de-hyphenation and paragraph re-flow.
* Charsets -> UTF-8 first, then a declared charset, then charset-normalizer's detection.
* SRT/WebVTT -> :mod:`stages.etl.transcripts` (our own small parser: the formats are simple and we
  need speaker turns, which subtitle libraries do not model).
"""

from __future__ import annotations

import codecs
import io
import logging
import re
from dataclasses import dataclass

from lendaria.text import normalize_text

from stages.etl.errors import ExtractionError
from stages.etl.transcripts import transcript_to_text

log = logging.getLogger(__name__)
# trafilatura's WARNINGs ("discarding data: None") describe its own heuristics, not the user's input;
# what matters (no text extracted) is reported by us.
logging.getLogger("trafilatura").setLevel(logging.ERROR)

FORMAT_BY_SUFFIX = {
    ".txt": "txt",
    ".text": "txt",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".pdf": "pdf",
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
    "text/vtt": "vtt",
    "application/x-subrip": "srt",
}
DEFAULT_TYPE_BY_FORMAT = {
    "txt": "document",
    "markdown": "document",
    "html": "article",
    "pdf": "document",
    "srt": "transcript",
    "vtt": "transcript",
    "feed": "blog_post",
}


@dataclass(frozen=True)
class Extracted:
    text: str
    title: str | None
    format: str


# --------------------------------------------------------------------------------------------
# bytes -> str
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def looks_binary(data: bytes) -> str | None:
    """Why ``data`` is not text (``None`` if it may be). Checks magic numbers and NUL/control bytes."""
    head = data[:65536]
    if head.startswith(b"%PDF-"):
        return "is a PDF (give it a .pdf extension)"
    for magic, kind in ((b"PK\x03\x04", "a ZIP/Office archive"), (b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"),
                        (b"GIF8", "a GIF image"), (b"\x1f\x8b", "gzip-compressed")):
        if head.startswith(magic):
            return f"is {kind}, not text"
    if any(head.startswith(bom) for bom, _ in _BOMS):
        return None
    if b"\x00" in head:
        return "contains NUL bytes: it is binary, not text"
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    if head and controls / len(head) > 0.05:
        return "is mostly control bytes: it is binary, not text"
    return None


def decode_text(data: bytes, declared: str | None = None) -> str:
    """Decode ``data``: BOM, declared charset, UTF-8, then detection. Raises :class:`ExtractionError`."""
    reason = looks_binary(data)
    if reason:
        raise ExtractionError(reason)
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding)
    if declared:
        try:
            return data.decode(declared)
        except LookupError:
            raise ExtractionError(f"unknown encoding {declared!r}") from None
        except UnicodeDecodeError as exc:
            raise ExtractionError(f"not valid {declared} (byte {exc.start}); fix `encoding:` in the spec") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    encoding = detect_charset(data)
    if encoding is None:
        raise ExtractionError(
            f"not UTF-8 (invalid byte at offset {first_bad}) and its charset could not be detected; "
            "convert it to UTF-8 or set `encoding:` on this source in mind.yaml"
        )
    log.info("decoded as %s (detected)", encoding)
    return data.decode(encoding)


# Among equally plausible single-byte charsets, Western ones are far more common in our sources.
_PREFERRED_CHARSETS = ("cp1252", "latin_1", "iso8859_15", "mac_roman")


def detect_charset(data: bytes) -> str | None:
    """charset-normalizer's guess, preferring common Western charsets on ties; ``None`` if unsure."""
    from charset_normalizer import from_bytes

    matches = list(from_bytes(data[:1_000_000]))
    if not matches:
        return None
    best = min(m.chaos for m in matches)
    if best > 0.2:
        return None
    plausible = [m.encoding for m in matches if m.chaos <= best + 0.01]
    for encoding in _PREFERRED_CHARSETS:
        if encoding in plausible:
            candidate = encoding
            break
    else:
        candidate = plausible[0]
    try:
        data.decode(candidate)
    except UnicodeDecodeError:
        return None
    return candidate


# --------------------------------------------------------------------------------------------
# formats
_YAML_FRONT_MATTER = re.compile(r"\A---\n.*?\n(?:---|\.\.\.)\n", re.DOTALL)
_MD_TITLE = re.compile(r"^#[ \t]+(.+?)[ \t#]*$", re.MULTILINE)
_MD_FM_TITLE = re.compile(r"^title:[ \t]*['\"]?(.+?)['\"]?[ \t]*$", re.MULTILINE)


def extract_plain(text: str) -> Extracted:
    text = normalize_text(text)
    first = next((line.strip() for line in text.splitlines() if line.strip()), None)
    title = first if first and len(first) <= 120 and len(first.split()) <= 16 else None
    return Extracted(text, title, "txt")


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


def html_declared_charset(data: bytes) -> str | None:
    found = _HTML_CHARSET.search(data[:4096])
    return found.group(1).decode("ascii") if found else None


_BOILERPLATE_XPATH = (
    "//script|//style|//noscript|//template|//svg|//iframe|//form|//nav|//aside"
    "|//header[not(ancestor::article) and not(ancestor::main)]"
    "|//footer[not(ancestor::article) and not(ancestor::main)]"
    "|//*[@role='navigation' or @role='banner' or @role='contentinfo' or @role='complementary']"
)


def _clean_tree(html: str):
    """lxml tree of ``html`` with navigation, sidebars, site header/footer, forms and scripts removed."""
    import lxml.etree
    import lxml.html

    try:
        root = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return None
    for element in root.xpath(_BOILERPLATE_XPATH):
        if element.getparent() is not None:
            element.drop_tree()
    return root


def extract_html(html: str) -> Extracted:
    """Main content of a web page as Markdown (headings, paragraphs, lists); boilerplate dropped.

    Site chrome is removed structurally first (nav, aside, forms, scripts, page header/footer), then
    trafilatura picks the main content; pages too small for its heuristics use the cleaned body.
    """
    import trafilatura

    metadata = trafilatura.extract_metadata(html)
    title = metadata.title.strip() if metadata is not None and metadata.title else None
    tree = _clean_tree(html)
    if tree is None:
        return Extracted("", title, "html")
    text = trafilatura.extract(
        tree,
        output_format="markdown",
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_links=False,
        favor_recall=True,
        deduplicate=False,
        with_metadata=False,
    )
    if not text or not text.strip():
        text = _fallback_text(tree)
    return Extracted(normalize_text(text or ""), title, "html")


def _fallback_text(root) -> str:
    """Blocks of the article/main/body of an already cleaned tree, as simple Markdown."""
    container = next(iter(root.xpath("//article") or root.xpath("//main") or root.xpath("//body") or [root]))
    blocks = []
    for element in container.iter("h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "blockquote", "pre"):
        line = " ".join(element.text_content().split())
        if line:
            if element.tag[0] == "h" and element.tag[1:].isdigit():
                line = "#" * int(element.tag[1]) + " " + line
            elif element.tag == "li":
                line = "- " + line
            blocks.append(line)
    return "\n\n".join(blocks) if blocks else " ".join(container.text_content().split())


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


def extract_document(data: bytes, fmt: str, *, encoding: str | None = None, speaker: str | None = None) -> Extracted:
    """Dispatch on ``fmt``; raises :class:`ExtractionError` with a reason a user can act on."""
    if fmt == "pdf":
        return extract_pdf(data)
    if fmt == "html":
        return extract_html(decode_text(data, encoding or html_declared_charset(data)))
    text = decode_text(data, encoding)
    if fmt == "markdown":
        return extract_markdown(text)
    if fmt in ("srt", "vtt"):
        return Extracted(transcript_to_text(text, fmt, speaker=speaker), None, fmt)
    if fmt == "txt":
        return extract_plain(text)
    raise ExtractionError(f"unsupported format {fmt!r}")
