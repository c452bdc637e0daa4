"""Books: EPUB and DOCX bytes -> the author's text as Markdown. Pure functions (bytes in, dataclass out).

EPUB (zipfile + lxml only)
* ``META-INF/container.xml`` names the OPF package; its ``dc:title`` is the title, its spine the reading
  order (manifest hrefs are relative to the OPF's folder and URL-encoded). Spine items marked
  ``linear="no"`` (pop-up notes, answer keys) are skipped and listed in ``dropped``.
* Each spine document is parsed as XML (named HTML entities turned into numeric references first, no
  DTD, no entity expansion, no network), falling back to lxml's HTML parser for tag soup; its body is
  walked by :func:`xhtml_to_markdown` into ``#`` headings, paragraphs, ``- `` items and ``> `` quotes.
* Front and back matter written by the publisher is dropped; each drop is named in ``dropped``. The
  signals, strongest first: the EPUB3 nav document and the NCX; the types the package declares for a
  file (the OPF ``<guide>`` and the nav's landmarks); ``epub:type`` on the body or on any element inside
  it (such an element is cut out of an otherwise kept chapter and named with its ``#id``); last, the file
  name (``toc``, ``contents``, ``copyright``, ``colophon``, ``imprint``, ``titlepage``, ``cover``,
  ``uncopyright``).
  The file name, and a guide/landmark link that points at a ``#fragment`` of a file (converters put a
  whole book in a few files), are weak signals: they drop only a short document (< 1000 words) not
  marked as body matter. Dropped types: cover, title and half-title pages, copyright page, imprint,
  colophon, tables of contents, landmarks, page list, lists of illustrations and tables, index. Kept:
  dedication, epigraph, preface, foreword, introduction, afterword, notes - often the author's own
  words. Standard Ebooks' layout (titlepage, imprint, colophon, uncopyright and toc files, each with
  ``epub:type``) is the model case.
* Guards: archives over 200 MiB uncompressed or 10,000 members (zip bombs), password-protected ZIPs,
  DRM (``META-INF/encryption.xml`` encrypting anything but fonts) and missing files raise
  :class:`ExtractionError`.

DOCX (python-docx to open the package and read styles; the body XML is walked directly)
* Blocks in document order: paragraphs and tables (also inside content controls). Heading levels come
  from the style chain ("Title" and "Heading N" names, or an outline level); list paragraphs (numbering
  or a "List ..." style) become ``- `` items, indented by their level.
* Paragraph text is read from the XML, because python-docx's ``Paragraph.text`` skips runs inside some
  wrappers: every ``w:t`` except those inside tracked deletions or moves-from (``w:del``,
  ``w:moveFrom``) or hidden runs (``w:vanish``); tracked insertions are kept; ``w:tab`` -> space,
  ``w:br`` -> line break; field codes (``w:instrText``) are not ``w:t`` and so never read.
* Not the body, so not included: comments (they live in comments.xml; their anchors carry no text),
  headers, footers, footnotes, endnotes and text boxes (often pull quotes repeating the body; their
  ``mc:Fallback`` copy would double them). Their counts are listed in ``dropped``.
* Tables (both formats): one paragraph per row, its non-empty cells joined with `` | `` (a cell's
  paragraphs joined with spaces; merged cells appear once). Rows keep their meaning ("Year | Event"),
  at the cost of one ``|`` token per cell boundary in word counts.
"""

from __future__ import annotations

import html.entities
import io
import logging
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import unquote

from lxml import etree

from lendaria.text import normalize_text, word_count

from stages.etl.errors import ExtractionError
from stages.etl.webpage import remove_keeping_tail

log = logging.getLogger(__name__)

MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_MEMBERS = 10_000


@dataclass(frozen=True)
class BookText:
    text: str  # Markdown: '# ' headings, blank-line separated paragraphs, '- ' items; normalize_text'd
    title: str | None
    dropped: tuple[str, ...]  # parts left out, e.g. "copyright page: text/imprint.xhtml", "2 comments"


# ============================================================================================
# shared: ZIP and XML
def _open_zip(data: bytes, kind: str) -> zipfile.ZipFile:
    """The archive, after the size and encryption guards."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise ExtractionError(f"is not a valid {kind} (not a ZIP archive)") from None
    members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        raise ExtractionError(f"is not a plausible {kind}: {len(members)} files in the archive (limit {MAX_MEMBERS})")
    total = sum(member.file_size for member in members)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise ExtractionError(
            f"is too large to extract: {total / 2**20:.0f} MiB uncompressed "
            f"(limit {MAX_UNCOMPRESSED_BYTES / 2**20:.0f} MiB; a zip bomb?)"
        )
    if any(member.flag_bits & 0x1 for member in members):
        raise ExtractionError(f"is a password-protected ZIP, not a readable {kind}; export an unprotected copy")
    return archive


def _member(archive: zipfile.ZipFile, name: str) -> zipfile.ZipInfo | None:
    """The member called ``name`` (case-insensitive fallback: some tools change case)."""
    try:
        return archive.getinfo(name)
    except KeyError:
        lowered = name.lower()
        return next((info for info in archive.infolist() if info.filename.lower() == lowered), None)


def _read(archive: zipfile.ZipFile, name: str, kind: str, *, required: bool = True) -> bytes | None:
    info = _member(archive, name)
    if info is None:
        if required:
            raise ExtractionError(f"is not a valid {kind} ({name} is missing from the archive)")
        return None
    try:
        with archive.open(info) as handle:
            # zipfile stops at the declared size and checks the CRC, so the size guard holds
            return handle.read(info.file_size + 1)
    except (zipfile.BadZipFile, zlib.error, NotImplementedError, EOFError, RuntimeError) as exc:
        raise ExtractionError(f"is a damaged {kind} ({name}: {exc})") from None


_NAMED_ENTITY = re.compile(rb"&([A-Za-z][A-Za-z0-9]{1,31});")
_XML_ENTITIES = frozenset({b"amp", b"lt", b"gt", b"quot", b"apos"})


def _numeric_entities(data: bytes) -> bytes:
    """HTML named entities (``&nbsp;``, ``&mdash;``) as numeric references: we never load the DTD."""

    def replace(match: re.Match[bytes]) -> bytes:
        name = match.group(1)
        if name in _XML_ENTITIES:
            return match.group(0)
        codepoint = html.entities.name2codepoint.get(name.decode("ascii"))
        return b"&#%d;" % codepoint if codepoint else match.group(0)

    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16: leave it to the parser
        return data
    return _NAMED_ENTITY.sub(replace, data)


def _parse_xml(data: bytes, *, well_formed: bool = False):
    """Root element of ``data``; safe: no DTD, no entity expansion, no network.

    ``None`` if unparseable, or with ``well_formed`` if the parser had to recover from errors (its
    repairs of tag soup lose text: the caller then uses an HTML parser).
    """
    parser = etree.XMLParser(
        recover=True, resolve_entities=False, no_network=True, load_dtd=False, remove_comments=True, remove_pis=True
    )
    try:
        root = etree.fromstring(_numeric_entities(data), parser)
    except (etree.XMLSyntaxError, ValueError):
        return None
    if well_formed and any(error.level >= etree.ErrorLevels.ERROR for error in parser.error_log):
        return None
    return root


def _local(element) -> str | None:
    """Lower-case local tag name; ``None`` for comments, processing instructions and entities."""
    if not isinstance(element.tag, str):
        return None
    return etree.QName(element).localname.lower()


# ============================================================================================
# XHTML -> Markdown
_EPUB_NS = "http://www.idpf.org/2007/ops"
_EPUB_TYPE = f"{{{_EPUB_NS}}}type"
_SKIP = frozenset({
    "script", "style", "head", "title", "noscript", "template", "svg", "math", "img", "object", "iframe",
    "video", "audio", "button", "input", "select", "textarea", "hr",
})
_BLOCKS = frozenset({
    "address", "article", "aside", "blockquote", "body", "caption", "dd", "details", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
    "hgroup", "html", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "td",
    "tfoot", "th", "thead", "tr", "ul",
})
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
# print-edition page numbers, note reference marks (they would glue to the word before: "lie.1"), "↩" links
_IGNORED_TYPES = frozenset({"pagebreak", "noteref", "backlink"})
_BR = "\ue000"  # private-use marker for <br/> inside inline text


def _epub_types(element) -> set[str]:
    value = element.get(_EPUB_TYPE) or element.get("epub:type") or ""
    role = element.get("role") or ""
    return set(value.lower().split()) | {r.removeprefix("doc-") for r in role.lower().split()}


def xhtml_to_markdown(root) -> str:
    """Markdown of an (X)HTML element, usually a ``<body>``.

    ``h1``-``h6`` -> ``#`` x n (an ``hgroup`` becomes one heading, its parts joined with ": "), text
    blocks (``p``, ``div``, loose text between blocks) -> paragraphs, ``li`` -> ``- `` (nested lists
    indented), ``blockquote`` -> ``> ``, ``pre`` keeps its lines, tables -> one line per row with cells
    joined by `` | ``. Inline whitespace is collapsed; ``<br/>`` is a line break. Scripts, styles,
    images, ``hr``, print page numbers, note reference marks and back-links are skipped (by
    ``epub:type`` or ARIA ``role``); the notes themselves are kept where the book has them.
    """
    blocks: list[str] = []
    _walk(root, blocks)
    return normalize_text("\n\n".join(blocks))


def _walk(element, blocks: list[str]) -> None:
    """Append the blocks of ``element``'s content; inline text between child blocks is a paragraph."""
    inline = [element.text or ""]

    def flush() -> None:
        text = _clean_inline("".join(inline))
        inline.clear()
        if text:
            blocks.append(text)

    for child in element:
        tag = _local(child)
        if tag is None or tag in _SKIP or _epub_types(child) & _IGNORED_TYPES:
            pass
        elif tag in _BLOCKS:
            flush()
            _block(child, tag, blocks)
        else:
            inline.append(_inline(child))
        inline.append(child.tail or "")
    flush()


def _block(element, tag: str, blocks: list[str]) -> None:
    if tag in _HEADINGS:
        text = " ".join(_clean_inline(_inline(element)).split())
        if text:
            blocks.append("#" * _HEADINGS[tag] + " " + text)
    elif tag == "hgroup":
        _hgroup(element, blocks)
    elif tag == "li":
        inner: list[str] = []
        _walk(element, inner)
        blocks.extend(_indent(block, "- " if i == 0 else "  ", "  ") for i, block in enumerate(inner))
    elif tag == "blockquote":
        inner = []
        _walk(element, inner)
        blocks.extend(_indent(block, "> ", "> ") for block in inner)
    elif tag == "pre":
        lines = _inner_text(element).replace(_BR, "\n").split("\n")
        text = "\n".join(line.rstrip() for line in lines).strip("\n")
        if text.strip():
            blocks.append(text)
    elif tag == "table":
        blocks.extend(_table_rows(element))
    else:
        _walk(element, blocks)


def _hgroup(element, blocks: list[str]) -> None:
    levels = [_HEADINGS[_local(child)] for child in element if _local(child) in _HEADINGS]
    parts = [" ".join(_clean_inline(_inline(child)).split()) for child in element if _local(child) not in _SKIP]
    text = ": ".join(part for part in parts if part)
    if text:
        blocks.append("#" * (min(levels) if levels else 2) + " " + text)


def _table_rows(table) -> list[str]:
    rows = []
    for row in table.iter():
        if _local(row) != "tr" or next((a for a in row.iterancestors() if _local(a) == "table"), None) is not table:
            continue
        cells = [" ".join(_clean_inline(_inline(cell)).split()) for cell in row if _local(cell) in ("td", "th")]
        line = " | ".join(cell for cell in cells if cell)
        if line:
            rows.append(line)
    return rows


def _inline(element) -> str:
    """Text of ``element`` and its descendants (``<br/>`` as a marker); block children set off by spaces."""
    tag = _local(element)
    if tag is None or tag in _SKIP or _epub_types(element) & _IGNORED_TYPES:
        return ""
    if tag == "br":
        return _BR
    text = _inner_text(element)
    return f" {text} " if tag in _BLOCKS else text


def _inner_text(element) -> str:
    parts = [element.text or ""]
    for child in element:
        parts.append(_inline(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _clean_inline(text: str) -> str:
    lines = (" ".join(line.split()) for line in text.split(_BR))
    return "\n".join(line for line in lines if line)


def _indent(block: str, first: str, rest: str) -> str:
    lines = block.split("\n")
    return "\n".join([first + lines[0]] + [rest + line for line in lines[1:]])


# ============================================================================================
# EPUB
_XHTML_TYPES = frozenset({"application/xhtml+xml", "text/html", "application/xml", "text/xml"})
_NCX_TYPE = "application/x-dtbncx+xml"
_FONT_OBFUSCATION = frozenset({"http://www.idpf.org/2008/embedding", "http://ns.adobe.com/pdf/enc#RC"})
_DC_TITLE = "{http://purl.org/dc/elements/1.1/}title"

# epub:type / landmark vocabulary of publisher's pages -> the name used in `dropped`
_DROP_LABELS = {
    "cover": "cover",
    "titlepage": "title page",
    "halftitlepage": "half-title page",
    "copyright-page": "copyright page",
    "uncopyright": "copyright page",
    "imprint": "imprint",
    "colophon": "colophon",
    "toc": "table of contents",
    "landmarks": "landmarks",
    "page-list": "page list",
    "loi": "list of illustrations",
    "lot": "list of tables",
    "index": "index",
}
_GUIDE_ALIASES = {"title-page": "titlepage"}  # EPUB2 <guide> spelling -> epub:type spelling
_BODY_TYPES = frozenset({"bodymatter", "chapter", "part", "division", "volume", "subchapter"})
_FILENAME_LABELS = {
    "toc": "table of contents",
    "contents": "table of contents",
    "uncopyright": "copyright page",
    "copyright": "copyright page",
    "colophon": "colophon",
    "imprint": "imprint",
    "titlepage": "title page",
    "title-page": "title page",
    "title_page": "title page",
    "cover": "cover",
}
_FILENAME_PATTERN = re.compile(
    r"(?:^|[^a-z])(" + "|".join(sorted(map(re.escape, _FILENAME_LABELS), key=len, reverse=True)) + r")(?:[^a-z]|$)"
)
_WEAK_SIGNAL_MAX_WORDS = 1000  # a file name (or a #fragment landmark) never drops a longer document


@dataclass(frozen=True)
class _Item:
    path: str  # member name in the archive
    name: str  # href relative to the OPF, decoded: what `dropped` shows
    media_type: str
    properties: frozenset[str]


@dataclass
class _Package:
    title: str | None
    spine: list[tuple[_Item, bool]]  # (item, linear)
    navigation: set[str] = field(default_factory=set)  # paths of the nav document and the NCX
    declared: dict[str, set[str]] = field(default_factory=dict)  # path -> types from guide / landmarks
    whole: set[str] = field(default_factory=set)  # declared paths linked without a #fragment
    partial: set[str] = field(default_factory=set)  # declared paths linked with a #fragment


def extract_epub(data: bytes) -> BookText:
    """The book's own text in spine order, publisher's front and back matter dropped."""
    archive = _open_zip(data, "EPUB")
    with archive:
        _check_mimetype(archive)
        _check_drm(archive)
        package = _read_package(archive, _rootfile(archive))
        chapters: list[str] = []
        dropped: list[str] = []
        for item, linear in package.spine:
            chapter = _spine_document(archive, package, item, linear, dropped)
            if chapter:
                chapters.append(chapter)
    text = normalize_text("\n\n".join(chapters))
    if not text:
        raise ExtractionError("has no text in its reading order (only images, or only front matter?)")
    return BookText(text, package.title, tuple(dict.fromkeys(dropped)))


def _check_mimetype(archive: zipfile.ZipFile) -> None:
    mimetype = _read(archive, "mimetype", "EPUB", required=False)
    if mimetype is not None and mimetype.strip() != b"application/epub+zip":
        shown = mimetype.strip()[:60].decode("ascii", "replace")
        raise ExtractionError(f"is not an EPUB (its mimetype file says {shown!r})")


def _check_drm(archive: zipfile.ZipFile) -> None:
    """Font obfuscation is allowed; any other encrypted resource means DRM."""
    raw = _read(archive, "META-INF/encryption.xml", "EPUB", required=False)
    if raw is None:
        return
    root = _parse_xml(raw)
    algorithms = [] if root is None else [m.get("Algorithm") for m in root.iter("{*}EncryptionMethod")]
    if root is None or any(algorithm not in _FONT_OBFUSCATION for algorithm in algorithms):
        raise ExtractionError(
            "is a DRM-protected EPUB (META-INF/encryption.xml encrypts its content); use a DRM-free copy"
        )


def _rootfile(archive: zipfile.ZipFile) -> str:
    raw = _read(archive, "META-INF/container.xml", "EPUB", required=False)
    if raw is None:
        raise ExtractionError("is not a valid EPUB (no META-INF/container.xml)")
    root = _parse_xml(raw)
    for rootfile in [] if root is None else root.iter("{*}rootfile"):
        path = rootfile.get("full-path")
        if path and rootfile.get("media-type", "application/oebps-package+xml") == "application/oebps-package+xml":
            return unquote(path).lstrip("/")
    raise ExtractionError("is not a valid EPUB (META-INF/container.xml names no OPF package file)")


def _resolve(base_dir: str, href: str) -> str:
    """Archive path of ``href`` (URL-encoded, relative to ``base_dir``), without its #fragment."""
    return posixpath.normpath(posixpath.join(base_dir, unquote(href.split("#", 1)[0]))).lstrip("/")


def _read_package(archive: zipfile.ZipFile, opf_path: str) -> _Package:
    root = _parse_xml(_read(archive, opf_path, "EPUB"))
    if root is None:
        raise ExtractionError(f"is not a valid EPUB ({opf_path} is not readable XML)")
    base = posixpath.dirname(opf_path)
    manifest = {}
    for entry in root.iter("{*}item"):
        href = entry.get("href")
        if entry.get("id") and href:
            manifest[entry.get("id")] = _Item(
                path=_resolve(base, href),
                name=unquote(href.split("#", 1)[0]),
                media_type=(entry.get("media-type") or "").lower(),
                properties=frozenset((entry.get("properties") or "").split()),
            )
    spine_element = root.find("{*}spine")
    if spine_element is None:
        raise ExtractionError(f"is not a valid EPUB ({opf_path} has no spine)")
    spine = []
    for itemref in spine_element.iter("{*}itemref"):
        item = manifest.get(itemref.get("idref"))
        if item is None:
            log.warning("EPUB spine names %r, which is not in the manifest; skipped", itemref.get("idref"))
            continue
        spine.append((item, itemref.get("linear", "yes").lower() != "no"))
    if not spine:
        raise ExtractionError(f"is not a valid EPUB ({opf_path} has an empty spine)")
    package = _Package(title=_package_title(root), spine=spine)
    ncx = manifest.get(spine_element.get("toc") or "")
    for item in manifest.values():
        if "nav" in item.properties or item.media_type == _NCX_TYPE or item is ncx:
            package.navigation.add(item.path)
        if "nav" in item.properties:
            for href, types in _landmarks(archive, item.path):
                _declare(package, posixpath.dirname(item.path), href, types)
    for reference in root.iter("{*}reference"):  # EPUB2 <guide>
        if reference.get("href"):
            _declare(package, base, reference.get("href"), {(reference.get("type") or "").lower()})
    return package


def _declare(package: _Package, base_dir: str, href: str, types: set[str]) -> None:
    """Record the publisher's-page types a guide or landmarks link gives the file of ``href``."""
    types = {_GUIDE_ALIASES.get(kind, kind) for kind in types} & _DROP_LABELS.keys()
    if types:
        path = _resolve(base_dir, href)
        package.declared.setdefault(path, set()).update(types)
        (package.partial if "#" in href else package.whole).add(path)


def _package_title(root) -> str | None:
    """``dc:title``; among several, the one refined as the main title."""
    titles = [t for t in root.iter(_DC_TITLE) if (t.text or "").strip()]
    main_ids = {
        (meta.get("refines") or "").lstrip("#")
        for meta in root.iter("{*}meta")
        if meta.get("property") == "title-type" and (meta.text or "").strip() == "main"
    }
    chosen = next((t for t in titles if t.get("id") in main_ids), titles[0] if titles else None)
    return " ".join(chosen.text.split()) if chosen is not None else None


def _landmarks(archive: zipfile.ZipFile, nav_path: str) -> Iterator[tuple[str, set[str]]]:
    """(href, epub:types) of the links in the nav document's landmarks."""
    raw = _read(archive, nav_path, "EPUB", required=False)
    root = _parse_xml(raw) if raw else None
    for nav in [] if root is None else root.iter("{*}nav"):
        if "landmarks" in _epub_types(nav):
            for link in nav.iter("{*}a"):
                if link.get("href"):
                    yield link.get("href"), _epub_types(link)


def _spine_document(archive, package: _Package, item: _Item, linear: bool, dropped: list[str]) -> str | None:
    """Markdown of one spine document, or ``None`` with the reason appended to ``dropped``.

    The nav document, the NCX and files the guide or landmarks declare publisher's pages are dropped
    unread - except a file declared only through a link to a #fragment, which may be a long file holding
    more than that page: it is judged after reading, like a file name.
    """
    declared = next((_DROP_LABELS[t] for t in sorted(package.declared.get(item.path, ())) if t in _DROP_LABELS), None)
    if item.path in package.navigation:
        declared = _DROP_LABELS["toc"]
    if declared and (item.path in package.whole or item.path in package.navigation):
        dropped.append(f"{declared}: {item.name}")
        return None
    if not linear:
        dropped.append(f"non-linear item: {item.name}")
        return None
    if item.media_type not in _XHTML_TYPES:
        dropped.append(f"non-text item: {item.name}")
        return None
    body = _parse_body(_read(archive, item.path, "EPUB"))
    if body is None:
        dropped.append(f"unreadable document: {item.name}")
        return None
    whole = _marked_label(body)
    if whole:
        dropped.append(f"{whole}: {item.name}")
        return None
    cuts = _drop_marked(body)
    markdown = xhtml_to_markdown(body)
    # a cut that emptied the document names the file; one out of a kept chapter adds the element's #id
    dropped.extend(f"{label}: {item.name}{anchor if markdown else ''}" for label, anchor in cuts)
    if not markdown:
        return None
    by_name = _FILENAME_PATTERN.search(posixpath.splitext(posixpath.basename(item.name))[0].lower())
    weak = declared or (_FILENAME_LABELS[by_name.group(1)] if by_name else None)
    if weak and not _is_body_matter(body) and word_count(markdown) < _WEAK_SIGNAL_MAX_WORDS:
        dropped.append(f"{weak}: {item.name}")
        return None
    return markdown


def _parse_body(data: bytes):
    """The ``<body>`` of an XHTML document: XML parser first, lxml's HTML parser for tag soup."""
    root = _parse_xml(data, well_formed=True)
    body = root.find(".//{*}body") if root is not None else None
    if body is None:
        import lxml.html

        try:
            body = lxml.html.document_fromstring(data).find(".//body")
        except (etree.ParserError, ValueError):
            return None
    return body


def _marked_label(element) -> str | None:
    return next((_DROP_LABELS[t] for t in sorted(_epub_types(element)) if t in _DROP_LABELS), None)


def _drop_marked(body) -> list[tuple[str, str]]:
    """Cut out the elements inside ``body`` whose ``epub:type`` marks publisher's pages.

    Returns (label, "#id" or "") for each element cut.
    """
    marked = [element for element in body.iter() if isinstance(element.tag, str) and _marked_label(element)]
    labels = []
    for element in marked:
        if any(ancestor in marked for ancestor in element.iterancestors()):
            continue
        labels.append((_marked_label(element), f"#{element.get('id')}" if element.get("id") else ""))
        remove_keeping_tail(element)
    return labels


def _is_body_matter(body) -> bool:
    types = set(_epub_types(body))
    for child in body:
        if isinstance(child.tag, str):
            types |= _epub_types(child)
    return bool(types & _BODY_TYPES)


# ============================================================================================
# DOCX
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"


def _w(tag: str) -> str:
    return f"{{{_W}}}{tag}"


_P, _TBL, _TR, _TC, _T, _R = _w("p"), _w("tbl"), _w("tr"), _w("tc"), _w("t"), _w("r")
_VAL = _w("val")
# subtrees never read for body text: deletions, moved-from text, text boxes and their VML fallback copy,
# section and property elements
_NOT_BODY = frozenset({
    _w("del"), _w("moveFrom"), _w("txbxContent"), f"{{{_MC}}}Fallback", _w("sectPr"), _w("pPr"), _w("rPr"),
    _w("sdtPr"), _w("sdtEndPr"), _w("tblPr"), _w("tblGrid"), _w("trPr"), _w("tcPr"),
})
_FALSE = frozenset({"0", "false", "off"})
_HEADING_STYLE = re.compile(r"heading\s*([1-9])")


@dataclass(frozen=True)
class _Style:
    name: str  # lower case, e.g. "heading 1", "list bullet"
    based_on: str | None
    outline_level: int | None  # 0-based; 9 means body text
    numbered: bool


def extract_docx(data: bytes) -> BookText:
    """The document body as Markdown; comments, deletions, headers, footers, notes and text boxes left out."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    archive = _open_zip(data, "DOCX")
    with archive:
        if _member(archive, "[Content_Types].xml") is None:
            raise ExtractionError("is not a valid DOCX (no [Content_Types].xml: some other ZIP archive)")
    try:
        document = docx.Document(io.BytesIO(data))
        styles = _docx_styles(document)
        body = document.element.body
    except (PackageNotFoundError, KeyError, ValueError, AttributeError, zipfile.BadZipFile,
            etree.XMLSyntaxError) as exc:
        raise ExtractionError(f"is not a valid DOCX ({exc})") from None
    blocks: list[str] = []
    title: list[str] = []
    _docx_blocks(body, styles, blocks, title)
    text = normalize_text("\n\n".join(blocks))
    if not text:
        raise ExtractionError("has no text in its body")
    core_title = (document.core_properties.title or "").strip()
    return BookText(text, core_title or (title[0] if title else None), _docx_dropped(body))


def _docx_styles(document) -> dict[str, _Style]:
    styles = {}
    for style in document.styles.element.iterchildren(_w("style")):
        if style.get(_w("type")) != "paragraph" or not style.get(_w("styleId")):
            continue
        name, based = style.find(_w("name")), style.find(_w("basedOn"))
        level = style.find(f"{_w('pPr')}/{_w('outlineLvl')}")
        styles[style.get(_w("styleId"))] = _Style(
            name=(name.get(_VAL) or "").lower() if name is not None else "",
            based_on=based.get(_VAL) if based is not None else None,
            outline_level=_int(level.get(_VAL)) if level is not None else None,
            numbered=style.find(f"{_w('pPr')}/{_w('numPr')}") is not None,
        )
    return styles


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _docx_blocks(container, styles: dict[str, _Style], blocks: list[str], title: list[str]) -> None:
    """Append the Markdown blocks of ``container``'s paragraphs and tables, in document order."""
    for child in container.iterchildren():
        if child.tag == _P:
            block, level = _docx_paragraph(child, styles)
            if block:
                blocks.append(block)
                if level == 1 and not title:
                    title.append(block.removeprefix("# "))
        elif child.tag == _TBL:
            blocks.extend(_docx_table(child))
        elif child.tag not in _NOT_BODY:  # content controls, custom XML, tracked insertions of paragraphs
            _docx_blocks(child, styles, blocks, title)


def _style_chain(paragraph, styles: dict[str, _Style]) -> Iterator[_Style]:
    style_id = paragraph.find(f"{_w('pPr')}/{_w('pStyle')}")
    current = style_id.get(_VAL) if style_id is not None else None
    for _ in range(10):  # basedOn chains are short; a loop guard against cycles
        style = styles.get(current or "")
        if style is None:
            return
        yield style
        current = style.based_on


def _heading_level(paragraph, styles: dict[str, _Style]) -> int | None:
    own = paragraph.find(f"{_w('pPr')}/{_w('outlineLvl')}")
    if own is not None and (level := _int(own.get(_VAL))) is not None:
        return level + 1 if level < 9 else None
    for style in _style_chain(paragraph, styles):
        if style.name == "title":
            return 1
        if match := _HEADING_STYLE.fullmatch(style.name):
            return int(match.group(1))
        if style.outline_level is not None:
            return style.outline_level + 1 if style.outline_level < 9 else None
    return None


def _list_level(paragraph, styles: dict[str, _Style]) -> int | None:
    numbering = paragraph.find(f"{_w('pPr')}/{_w('numPr')}")
    if numbering is not None:
        num_id, level = numbering.find(_w("numId")), numbering.find(_w("ilvl"))
        if num_id is None or num_id.get(_VAL) != "0":
            return (_int(level.get(_VAL)) if level is not None else 0) or 0
        return None  # numId 0 switches numbering off
    if any(style.name.startswith("list") or style.numbered for style in _style_chain(paragraph, styles)):
        return 0
    return None


def _docx_paragraph(paragraph, styles: dict[str, _Style]) -> tuple[str, int | None]:
    """(Markdown block, heading level or ``None``)."""
    text = _paragraph_text(paragraph)
    if not text:
        return "", None
    level = _heading_level(paragraph, styles)
    if level:
        return "#" * min(level, 6) + " " + " ".join(text.split()), level
    depth = _list_level(paragraph, styles)
    if depth is not None:
        return _indent(text, "  " * depth + "- ", "  " * (depth + 1)), None
    return text, None


def _paragraph_text(paragraph) -> str:
    parts: list[str] = []
    _collect_runs(paragraph, parts)
    return _clean_inline("".join(parts))


def _collect_runs(element, parts: list[str]) -> None:
    for child in element.iterchildren():
        tag = child.tag
        if not isinstance(tag, str) or tag in _NOT_BODY:
            continue
        if tag == _T:
            parts.append(child.text or "")
        elif tag in (_w("tab"), _w("ptab")):
            parts.append(" ")
        elif tag in (_w("br"), _w("cr")):
            parts.append(_BR if child.get(_w("type"), "textWrapping") == "textWrapping" else " ")
        elif tag == _w("noBreakHyphen"):
            parts.append("-")
        elif tag == _R and _hidden(child):
            continue
        elif tag != _P:  # a paragraph nested in a run (text box) is not this paragraph's text
            _collect_runs(child, parts)


def _hidden(run) -> bool:
    vanish = run.find(f"{_w('rPr')}/{_w('vanish')}")
    return vanish is not None and (vanish.get(_VAL) or "true").lower() not in _FALSE


def _docx_table(table) -> list[str]:
    rows = []
    for row in table.iter(_TR):
        if _nearest(row, _TBL) is not table or row.find(f"{_w('trPr')}/{_w('del')}") is not None:
            continue
        cells = []
        for cell in row.iter(_TC):
            if _nearest(cell, _TR) is row:
                cells.append(" ".join(" ".join(_paragraph_text(p) for p in _cell_paragraphs(cell)).split()))
        line = " | ".join(cell for cell in cells if cell)
        if line:
            rows.append(line)
    return rows


def _nearest(element, tag: str):
    return next((ancestor for ancestor in element.iterancestors(tag)), None)


def _cell_paragraphs(element) -> Iterator:
    """Paragraphs of a cell, nested tables included, text boxes and deletions not."""
    for child in element.iterchildren():
        if child.tag == _P:
            yield child
        elif isinstance(child.tag, str) and child.tag not in _NOT_BODY:
            yield from _cell_paragraphs(child)


def _docx_dropped(body) -> tuple[str, ...]:
    counts = {
        "comment": sum(1 for _ in body.iter(_w("commentReference"))),
        "tracked deletion": sum(1 for d in body.iter(_w("del")) if d.find(f".//{_w('delText')}") is not None),
        "footnote": sum(1 for _ in body.iter(_w("footnoteReference"))),
        "endnote": sum(1 for _ in body.iter(_w("endnoteReference"))),
        "text box": sum(1 for box in body.iter(_w("txbxContent")) if _nearest(box, f"{{{_MC}}}Fallback") is None),
    }
    return tuple(f"{n} {name}{'s' if n > 1 else ''}" for name, n in counts.items() if n)
