"""Web pages (HTML, XHTML) -> the page's main text as Markdown, with trafilatura doing the choosing.

trafilatura is the extractor; our job is to hand it a sound tree and never make it worse:

1. **Parse** the decoded text with lxml's HTML parser after removing an XML declaration (lxml
   refuses a ``str`` that carries one, which used to turn XHTML pages and book chapters into nothing)
   and spelling out XHTML's self-closed ``<script/>`` (read as HTML it swallows the page).
   Comments and processing instructions are dropped: left in the tree they split a paragraph's text
   and trafilatura then loses the lead.
2. **Structural cleaning, guarded, only where it helps.** Site chrome (navigation, sidebars, the
   page header and footer, iframes, noscript) is removed only when the element neither contains the
   article (``article``, ``main``, ``h1``, ``[itemprop=articleBody]``) nor holds most of the page's
   text, so an unclosed ``<header>`` that swallows the body, or an article inside an
   ``<aside>``/``<noscript>``, keeps its text. Forms and scripts are left to trafilatura: page-wide
   ASP.NET ``<form>``s and product forms hold real text, and a JSON-LD ``<script>`` carries the
   article body trafilatura falls back on. Each rule was kept only if it won more pages of the
   evaluation set than it lost (``bench/html_extraction.py``).
3. **trafilatura** picks the main content (``favor_recall``, reader comments excluded).
4. **Fallback:** when the cleaned tree yields nothing, the raw page goes to trafilatura; when that
   too is empty, the blocks of the page's body are kept. Either is recorded as a warning.

``bench/html_extraction.py`` scores this against plain trafilatura on trafilatura's own evaluation set.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

log = logging.getLogger(__name__)
# trafilatura's WARNINGs ("discarding data: None") describe its own heuristics, not the user's input;
# what matters (no text extracted) is reported by us.
logging.getLogger("trafilatura").setLevel(logging.ERROR)

_XML_DECLARATION = re.compile(r"\A\s*<\?xml[^>]*\?>", re.IGNORECASE)
# XHTML writes empty elements as <script src="…"/>; an HTML parser reads that as an opening tag and
# swallows the page up to the next </script>. Spelled out, the element stays empty.
_SELF_CLOSED_RAW_TEXT = re.compile(r"<(script|style|title|textarea|iframe)(\s[^<>]*?)?/>", re.IGNORECASE)
_CHROME_XPATH = (
    "//noscript|//svg|//iframe|//nav|//aside"
    "|//header[not(ancestor::article) and not(ancestor::main)]"
    "|//footer[not(ancestor::article) and not(ancestor::main)]"
    "|//*[@role='navigation' or @role='banner' or @role='contentinfo' or @role='complementary']"
)
_ARTICLE_XPATH = "descendant-or-self::*[self::article or self::main or self::h1 or @itemprop='articleBody']"
_INVISIBLE = frozenset({"script", "style"})
MOST_OF_THE_TEXT = 0.5


@dataclass(frozen=True)
class Page:
    text: str
    title: str | None
    warnings: tuple[str, ...] = ()


def parse_html(html: str):
    """lxml tree of ``html`` (comments and processing instructions removed), or ``None``."""
    import lxml.etree
    import lxml.html

    html = _XML_DECLARATION.sub("", html, count=1)
    html = _SELF_CLOSED_RAW_TEXT.sub(lambda m: f"<{m.group(1)}{m.group(2) or ''}></{m.group(1)}>", html)
    if not html.strip():
        return None
    try:
        root = lxml.html.document_fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return None
    for node in root.xpath("//comment()|//processing-instruction()"):
        parent = node.getparent()
        if parent is not None:
            remove_keeping_tail(node)
    return root


def remove_keeping_tail(node) -> None:
    """Remove ``node`` but keep the text that follows it (lxml keeps it in ``node.tail``)."""
    parent = node.getparent()
    tail = node.tail
    if tail:
        previous = node.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(node)


def visible_length(element) -> int:
    """Characters of text in ``element`` outside scripts, styles and templates (whitespace ignored)."""
    total = 0
    for node in element.iter():
        if not isinstance(node.tag, str):
            continue
        if node.tag not in _INVISIBLE and node.text:
            total += len("".join(node.text.split()))
        if node is not element and node.tail and (node.getparent() is None or node.getparent().tag not in _INVISIBLE):
            total += len("".join(node.tail.split()))
    return total


def remove_chrome(root) -> int:
    """Remove site chrome that holds neither the article nor most of the page's text. Returns the
    number of elements removed."""
    body = root.find("body")
    page_length = visible_length(body if body is not None else root)
    removed = 0
    for element in root.xpath(_CHROME_XPATH):
        if element.getparent() is None or _ancestor_removed(element, root):
            continue
        if element.xpath(_ARTICLE_XPATH):
            continue
        if page_length and visible_length(element) >= MOST_OF_THE_TEXT * page_length:
            continue
        element.drop_tree()
        removed += 1
    return removed


def _ancestor_removed(element, root) -> bool:
    """True when an ancestor of ``element`` was already dropped (it no longer reaches ``root``)."""
    node = element
    while node.getparent() is not None:
        node = node.getparent()
    return node is not root


def page_title(root) -> str | None:
    """The page's title as trafilatura reads it (meta tags, JSON-LD, then <title>/<h1>), without the
    date and author searches of its full metadata pass."""
    try:
        from trafilatura.metadata import examine_meta, extract_meta_json, extract_title
    except ImportError:  # pragma: no cover - trafilatura reorganised; fall back to <title>
        found = root.findtext(".//title")
        return " ".join(found.split()) or None if found else None
    metadata = examine_meta(root)
    try:
        metadata = extract_meta_json(root, metadata)
    except Exception:  # noqa: BLE001 - malformed JSON-LD must not cost the page its text
        pass
    title = metadata.title or extract_title(root)
    return " ".join(title.split()) if title and title.strip() else None


def _trafilatura(tree) -> str:
    """trafilatura's main content of ``tree`` as Markdown (see :func:`render_markdown`)."""
    from trafilatura import bare_extraction

    document = bare_extraction(
        tree,
        include_formatting=False,
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_links=False,
        favor_recall=True,
        deduplicate=False,
        with_metadata=False,
    )
    body = getattr(document, "body", None)
    return render_markdown(body) if body is not None else ""


_BLOCK_TAGS = frozenset({"p", "head", "list", "quote", "table", "code", "div", "section"})
# trafilatura converts HTML to its own tags, but leaves some HTML in place on malformed pages
_TEI_NAME = {"h1": "head", "h2": "head", "h3": "head", "h4": "head", "h5": "head", "h6": "head", "ul": "list",
             "ol": "list", "li": "item", "blockquote": "quote", "br": "lb", "tr": "row", "td": "cell", "th": "cell",
             "pre": "code", "article": "div", "main": "div"}


def _name(element) -> str:
    tag = element.tag if isinstance(element.tag, str) else ""
    return _TEI_NAME.get(tag, tag)


def render_markdown(body) -> str:
    """trafilatura's content tree (head/p/list/quote/table/code blocks) as Markdown: ``#`` headings,
    ``- `` items, ``> `` quotes, table rows as ``cell | cell``, ``<lb/>`` as a line break.

    Rendered here rather than by trafilatura's Markdown output, which needs its formatting option
    for headings and then puts ``**`` inside sentences and escapes characters such as ``*``; the
    text stays the author's, character for character. Blocks nested in a paragraph (trafilatura
    keeps them from malformed pages) become blocks of their own."""
    blocks: list[str] = []
    _render_container(body, blocks, depth=0)
    return "\n\n".join(block for block in blocks if block.strip()).strip()


def _render_container(element, blocks: list[str], depth: int) -> None:
    """Text and inline children of ``element`` as paragraphs; block children rendered in place."""
    current: list[str] = [element.text or ""]

    def flush() -> None:
        text = _lines("".join(current))
        if text:
            blocks.append(text)
        current.clear()

    for child in element:
        if _name(child) in _BLOCK_TAGS:
            flush()
            _render_block(child, blocks, depth)
        elif _name(child) == "lb":
            current.append("\n")
        else:
            current.append(_inline(child))
        current.append(child.tail or "")
    flush()


def _render_block(element, blocks: list[str], depth: int) -> None:
    tag = _name(element)
    if tag == "head":
        rend = element.get("rend", "") if element.tag == "head" else element.tag
        level = int(rend[1:]) if rend[:1] == "h" and rend[1:].isdigit() else 2
        text = _inline(element).replace("\n", " ")
        if text:
            blocks.append("#" * min(max(level, 1), 6) + " " + text)
    elif tag == "list":
        lines: list[str] = []
        for item in (child for child in element if _name(child) == "item"):
            lines.append("  " * depth + "- " + _inline(item, skip="list").replace("\n", " "))
            for nested in (child for child in item if _name(child) == "list"):
                sub: list[str] = []
                _render_block(nested, sub, depth + 1)
                lines.extend(sub)
        blocks.append("\n".join(line for line in lines if line.strip() not in ("-", "")))
    elif tag == "quote":
        text = _inline(element)
        if text:
            blocks.append("> " + text)  # continuation lines join the quote (Markdown's lazy lines)
    elif tag == "table":
        rows = (" | ".join(_inline(cell).replace("\n", " ") for cell in row if _name(cell) == "cell")
                for row in element.iter() if _name(row) == "row")
        blocks.append("\n".join(row for row in rows if row.strip(" |")))
    elif tag == "code":
        code = "".join(element.itertext()).strip("\n")
        if code.strip():
            blocks.append("```\n" + code + "\n```")
    else:
        _render_container(element, blocks, depth)


def _inline(element, skip: str | None = None) -> str:
    """Text of ``element`` (and its children but ``skip``), ``<lb/>`` as a line break."""
    parts: list[str] = []

    def walk(node) -> None:
        parts.append(node.text or "")
        for child in node:
            if _name(child) == "lb":
                parts.append("\n")
            elif _name(child) != skip:
                walk(child)
            parts.append(child.tail or "")

    walk(element)
    return _lines("".join(parts))


def _lines(text: str) -> str:
    """Whitespace collapsed within each line; empty lines dropped."""
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def body_blocks(root) -> str:
    """Blocks of the article/main/body as simple Markdown (for pages too small for trafilatura)."""
    container = next(iter(root.xpath("//article") or root.xpath("//main") or root.xpath("//body") or [root]))
    blocks = []
    for element in container.iter("h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "blockquote", "pre"):
        if any(ancestor.tag in _INVISIBLE for ancestor in element.iterancestors()):
            continue
        line = " ".join(element.text_content().split())
        if line:
            if element.tag[0] == "h" and element.tag[1:].isdigit():
                line = "#" * int(element.tag[1]) + " " + line
            elif element.tag == "li":
                line = "- " + line
            blocks.append(line)
    return "\n\n".join(blocks)


def extract_page(html: str) -> Page:
    """Main content of a web page as Markdown (headings, paragraphs, lists, tables); see the module
    docstring for the steps. Never raises on malformed markup; empty text means none was found."""
    root = parse_html(html)
    if root is None:
        return Page("", None)
    title = page_title(root)
    remove_chrome(root)
    text = _trafilatura(root)
    if text:
        return Page(text, title)
    raw = parse_html(html)  # rare: parsing again is cheaper than copying every tree up front
    text = _trafilatura(raw)
    if text:
        return Page(text, title, ("the cleaned page had no main text; extracted from the whole page",))
    text = body_blocks(root) or body_blocks(parse_html(html))
    if text:
        return Page(text, title, ("too little text for main-content detection; kept the page's text blocks",))
    return Page("", title)
