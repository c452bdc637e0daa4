"""EPUB and DOCX extraction on small books built here (our own made-up text, written for these tests)."""

from __future__ import annotations

import io
import zipfile

import pytest

from lendaria.text import word_count
from stages.etl import books
from stages.etl.books import extract_docx, extract_epub, xhtml_to_markdown
from stages.etl.errors import ExtractionError

# ---- our own fixture prose --------------------------------------------------------------------
CHAPTER_ONE = [
    "Marta kept the ferry ledger in a tin box under the bench, and every evening she copied the day's "
    "crossings into it with a pencil that was never quite sharp enough.",
    "The river was low that autumn. Sandbanks rose like the backs of sleeping animals, and the pilot "
    "steered around them by memory rather than by the faded buoys that nobody had repainted in years.",
    "On the third Tuesday a stranger paid in foreign coins and asked whether the ferry ever went upstream. "
    "Marta told him it did not, and he laughed as if she had told him a small and pleasant lie.",
    "She wrote his coins into the ledger anyway, one line for each, because her father had taught her that "
    "a ledger which leaves things out is only a story with numbers in it.",
]
CHAPTER_TWO = [
    "By winter the stranger had become a regular passenger, crossing in the morning with an empty satchel "
    "and returning at dusk with the satchel full of something that clinked softly against his knee.",
    "Nobody in the village asked him about it. Questions cost nothing, the baker said, but answers had a "
    "way of arriving with a bill attached, and the baker had enough bills already.",
    "Marta watched the satchel and counted the clinks the way she counted fares, patiently and without "
    "drawing conclusions, until one grey evening the count came out odd and she could not stop thinking about it.",
    "The next morning she rowed the small boat upstream herself, past the last buoy and the broken jetty, "
    "to find out where a man could fill a satchel with coins in a country that had never minted them.",
]
CHAPTER_THREE = [
    "The source of the coins turned out to be a drowned village, its church tower standing up out of a "
    "reservoir like a finger raised to ask a question that nobody upstream wanted to answer.",
    "When the water dropped in dry years, the old square surfaced, and with it the collection box of the "
    "church, split open by frost, spilling money from a currency that had been abolished before Marta was born.",
    "She did not take any. She sat in the boat until the light went orange and then rowed home, and that "
    "night she opened a fresh page in the ledger and wrote, in careful capitals, a heading with no numbers under it.",
    "In the spring the stranger stopped coming. Marta kept his page, and sometimes, on slow afternoons, she "
    "read it to passengers who asked why the ferry ledger had one page that was only words.",
    "Some of them laughed, as the stranger had laughed on the first day. Others went quiet and looked over the "
    "side at the brown water, as if they expected to see a tower rising out of it, asking its question again.",
    "The pilot retired the following year and the council finally repainted the buoys, bright red and green, "
    "so that any fool could cross without memory. Marta steered by memory anyway, out of habit, and out of "
    "loyalty to the sandbanks, which had never once pretended to be anything other than what they were.",
]
QUOTE = "A river remembers every boat, even the ones that never came back."
LIST_ITEMS = ["one tin box", "two blunt pencils", "a ledger with a cracked spine"]
POEM_LINES = ["Low water, slow water,", "carry the ledger home."]


def _xhtml(body: str, *, body_type: str = "bodymatter", title: str = "Chapter") -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" '
        'epub:prefix="z3998: http://www.daisy.org/z3998/2012/vocab/structure/#" xml:lang="en-GB">\n'
        f"<head><title>{title}</title><link href=\"../css/core.css\" rel=\"stylesheet\" type=\"text/css\"/>"
        "<style>p { margin: 0 }</style></head>\n"
        f'<body epub:type="{body_type}">\n{body}\n</body>\n</html>\n'
    )


def _paragraphs(paragraphs: list[str]) -> str:
    return "\n".join(f"<p>{p}</p>" for p in paragraphs)


def make_zip(files: dict[str, str | bytes], *, mimetype: bytes | None = b"application/epub+zip") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if mimetype is not None:
            archive.writestr(zipfile.ZipInfo("mimetype"), mimetype, compress_type=zipfile.ZIP_STORED)
        for name, content in files.items():
            archive.writestr(name, content, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


CONTAINER = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">'
    '<rootfiles><rootfile full-path="epub/content.opf" media-type="application/oebps-package+xml"/></rootfiles>'
    "</container>"
)


def standard_ebooks_like() -> dict[str, str]:
    """An EPUB3 laid out like Standard Ebooks' books: front/back matter files marked with epub:type."""
    chapter_one = _xhtml(
        '<section id="chapter-1" epub:type="chapter">\n<h2 epub:type="title">The Ledger</h2>\n'
        + _paragraphs(CHAPTER_ONE[:2])
        + f"\n<blockquote><p>{QUOTE}</p></blockquote>\n"
        + '<p>'
        + CHAPTER_ONE[2].replace("foreign coins", "<em>foreign</em> coins")
        + '<a href="endnotes.xhtml#note-1" id="noteref-1" epub:type="noteref">1</a></p>\n'
        + '<span epub:type="pagebreak" id="page-7" title="7">7</span>\n'
        + "<ul>" + "".join(f"<li>{item}</li>" for item in LIST_ITEMS) + "</ul>\n"
        + _paragraphs(CHAPTER_ONE[3:])
        + "\n</section>"
    )
    chapter_two = _xhtml(
        '<section id="chapter-2" epub:type="chapter">\n'
        '<hgroup><h2 epub:type="ordinal z3998:roman">II</h2><p epub:type="title">Upstream</p></hgroup>\n'
        + _paragraphs(CHAPTER_TWO)
        + '\n<p class="verse"><span>' + "</span><br/>\n<span>".join(POEM_LINES) + "</span></p>\n"
        + "<hr/>\n"
        + '<nav id="inline-toc" epub:type="toc"><ol><li><a href="#x">Inline TOCMARK list</a></li></ol></nav>\n'
        + "</section>"
    )
    files = {
        "META-INF/container.xml": CONTAINER,
        "epub/content.opf": """<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="uid" xml:lang="en-GB">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
    <dc:identifier id="uid">urn:uuid:00000000-0000-0000-0000-000000000000</dc:identifier>
    <dc:title id="title">The Ferry Ledger</dc:title>
    <dc:title id="subtitle">A Made-up Story</dc:title>
    <meta property="title-type" refines="#title">main</meta>
    <meta property="title-type" refines="#subtitle">subtitle</meta>
    <dc:language>en-GB</dc:language>
  </metadata>
  <manifest>
    <item href="css/core.css" id="core.css" media-type="text/css"/>
    <item href="images/cover.svg" id="cover.svg" media-type="image/svg+xml" properties="cover-image"/>
    <item href="text/chapter%202.xhtml" id="chapter-2" media-type="application/xhtml+xml"/>
    <item href="text/chapter-1.xhtml" id="chapter-1" media-type="application/xhtml+xml"/>
    <item href="text/colophon.xhtml" id="colophon" media-type="application/xhtml+xml"/>
    <item href="text/imprint.xhtml" id="imprint" media-type="application/xhtml+xml"/>
    <item href="text/titlepage.xhtml" id="titlepage" media-type="application/xhtml+xml"/>
    <item href="text/uncopyright.xhtml" id="uncopyright" media-type="application/xhtml+xml"/>
    <item href="toc.xhtml" id="toc.xhtml" media-type="application/xhtml+xml" properties="nav"/>
  </manifest>
  <spine>
    <itemref idref="titlepage"/>
    <itemref idref="imprint"/>
    <itemref idref="chapter-1"/>
    <itemref idref="chapter-2"/>
    <itemref idref="colophon"/>
    <itemref idref="uncopyright"/>
  </spine>
</package>""",
        "epub/css/core.css": "p { text-indent: 1em; }",
        "epub/images/cover.svg": '<svg xmlns="http://www.w3.org/2000/svg"><text>COVERMARK</text></svg>',
        "epub/text/titlepage.xhtml": _xhtml(
            '<section id="titlepage" epub:type="titlepage"><h1 epub:type="fulltitle">The Ferry Ledger</h1>'
            "<p>By TITLEPAGEMARK Nobody.</p></section>",
            body_type="frontmatter",
        ),
        "epub/text/imprint.xhtml": _xhtml(
            '<section id="imprint" epub:type="imprint"><h2 epub:type="title">Imprint</h2>'
            "<p>This IMPRINTMARK ebook was assembled by volunteers from a transcription.</p></section>",
            body_type="frontmatter",
        ),
        "epub/text/chapter-1.xhtml": chapter_one,
        "epub/text/chapter 2.xhtml": chapter_two,
        "epub/text/colophon.xhtml": _xhtml(
            '<section id="colophon" epub:type="colophon"><h2 epub:type="title">Colophon</h2>'
            "<p>COLOPHONMARK set in a typeface with old-style figures.</p></section>",
            body_type="backmatter",
        ),
        "epub/text/uncopyright.xhtml": _xhtml(
            '<section id="uncopyright" epub:type="copyright-page"><h2 epub:type="title">Uncopyright</h2>'
            "<p>UNCOPYRIGHTMARK dedicated to the public domain.</p></section>",
            body_type="backmatter",
        ),
        "epub/toc.xhtml": _xhtml(
            '<nav id="toc" epub:type="toc"><h2 epub:type="title">Table of Contents</h2><ol>'
            '<li><a href="text/chapter-1.xhtml">TOCMARK The Ledger</a></li>'
            '<li><a href="text/chapter%202.xhtml">TOCMARK Upstream</a></li></ol></nav>'
            '<nav id="landmarks" epub:type="landmarks"><h2>Landmarks</h2><ol>'
            '<li><a href="text/titlepage.xhtml" epub:type="titlepage">LANDMARKSMARK Title page</a></li>'
            '<li><a href="text/chapter-1.xhtml" epub:type="bodymatter z3998:fiction">Story</a></li></ol></nav>',
            body_type="frontmatter",
        ),
    }
    return files


BODY_WORDS = word_count(
    " ".join(CHAPTER_ONE + CHAPTER_TWO + [QUOTE] + LIST_ITEMS + POEM_LINES + ["The Ledger", "II", "Upstream"])
)
MARKS = ("TITLEPAGEMARK", "IMPRINTMARK", "COLOPHONMARK", "UNCOPYRIGHTMARK", "TOCMARK", "LANDMARKSMARK", "COVERMARK")


def _within(actual: int, expected: int, share: float = 0.02) -> bool:
    return abs(actual - expected) <= share * expected


def _words_without_markup(text: str) -> int:
    """Words of our Markdown minus its markers (heading hashes, list dashes, quote marks, cell bars)."""
    return sum(1 for token in text.split() if token not in ("-", ">", "|") and set(token) != {"#"})


# ---- EPUB -------------------------------------------------------------------------------------
def test_epub3_standard_ebooks_layout():
    book = extract_epub(make_zip(standard_ebooks_like()))
    assert book.title == "The Ferry Ledger"
    for mark in MARKS:
        assert mark not in book.text
    for paragraph in CHAPTER_ONE[:2] + CHAPTER_TWO:
        assert paragraph in book.text
    assert "Marta told him" in book.text and "foreign coins" in book.text
    # spine order (not manifest order), with headings
    assert book.text.index("## The Ledger") < book.text.index(CHAPTER_ONE[0]) < book.text.index("## II: Upstream")
    assert book.text.index(CHAPTER_ONE[-1]) < book.text.index(CHAPTER_TWO[0])
    assert f"> {QUOTE}" in book.text
    assert all(f"- {item}" in book.text.splitlines() for item in LIST_ITEMS)
    assert "\n".join(POEM_LINES) in book.text
    assert "\n7\n" not in book.text and "lie.1" not in book.text  # print page number and note mark dropped
    assert _within(word_count(book.text), BODY_WORDS)
    assert _words_without_markup(book.text) == BODY_WORDS
    assert book.dropped == (
        "title page: text/titlepage.xhtml",
        "imprint: text/imprint.xhtml",
        "table of contents: text/chapter 2.xhtml#inline-toc",  # cut out of a kept chapter
        "colophon: text/colophon.xhtml",
        "copyright page: text/uncopyright.xhtml",
    )


def test_epub3_nav_document_in_spine_is_dropped():
    files = standard_ebooks_like()
    files["epub/content.opf"] = files["epub/content.opf"].replace(
        '<itemref idref="imprint"/>', '<itemref idref="imprint"/><itemref idref="toc.xhtml"/>'
    )
    book = extract_epub(make_zip(files))
    assert "table of contents: toc.xhtml" in book.dropped
    assert "TOCMARK" not in book.text and "LANDMARKSMARK" not in book.text


EPUB2_OPF = """<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="2.0" unique-identifier="BookId">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:opf="http://www.idpf.org/2007/opf">
    <dc:title>Ledger Two</dc:title>
    <dc:identifier id="BookId">made-up-0002</dc:identifier>
  </metadata>
  <manifest>
    <item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>
    <item id="cover" href="Text/cover.xhtml" media-type="application/xhtml+xml"/>
    <item id="legal" href="Text/legal.xhtml" media-type="application/xhtml+xml"/>
    <item id="contents" href="Text/contents.html" media-type="application/xhtml+xml"/>
    <item id="c1" href="Text/part0001.xhtml" media-type="application/xhtml+xml"/>
    <item id="c2" href="Text/part0002.xhtml" media-type="application/xhtml+xml"/>
    <item id="notes" href="Text/notes.xhtml" media-type="application/xhtml+xml"/>
    <item id="colo" href="Text/colophon.xhtml" media-type="application/xhtml+xml"/>
  </manifest>
  <spine toc="ncx">
    <itemref idref="cover"/>
    <itemref idref="legal"/>
    <itemref idref="contents"/>
    <itemref idref="c1"/>
    <itemref idref="notes" linear="no"/>
    <itemref idref="c2"/>
    <itemref idref="colo"/>
  </spine>
  <guide>
    <reference type="cover" title="Cover" href="Text/cover.xhtml"/>
    <reference type="copyright-page" title="Legal" href="Text/legal.xhtml#top"/>
    <reference type="toc" title="Contents" href="Text/contents.html"/>
    <reference type="text" title="Start" href="Text/part0001.xhtml"/>
  </guide>
</package>"""


def _xhtml11(body: str) -> str:
    return (
        '<?xml version="1.0" encoding="utf-8" standalone="no"?>\n'
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.1//EN" "http://www.w3.org/TR/xhtml11/DTD/xhtml11.dtd">\n'
        '<html xmlns="http://www.w3.org/1999/xhtml"><head><title>x</title></head>\n'
        f"<body>\n{body}\n</body></html>"
    )


def epub2_files() -> dict[str, str]:
    return {
        "META-INF/container.xml": CONTAINER.replace("epub/content.opf", "OEBPS/content.opf"),
        "OEBPS/content.opf": EPUB2_OPF,
        "OEBPS/toc.ncx": '<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/"><navMap/></ncx>',
        "OEBPS/Text/cover.xhtml": _xhtml11('<div><img src="../Images/cover.jpg" alt="COVERMARK"/></div>'),
        "OEBPS/Text/legal.xhtml": _xhtml11('<p id="top">IMPRINTMARK All rights reserved.</p>'),
        "OEBPS/Text/contents.html": _xhtml11("<h1>Contents</h1><p>TOCMARK One</p><p>TOCMARK Two</p>"),
        "OEBPS/Text/part0001.xhtml": _xhtml11(
            "<h1>One</h1>\n" + _paragraphs(CHAPTER_ONE).replace("foreign coins", "foreign&nbsp;coins&mdash;odd")
        ),
        "OEBPS/Text/notes.xhtml": _xhtml11("<p>NOTESMARK a pop-up note.</p>"),
        "OEBPS/Text/part0002.xhtml": _xhtml11("<h1>Two</h1>\n" + _paragraphs(CHAPTER_TWO)),
        "OEBPS/Text/colophon.xhtml": _xhtml11("<p>COLOPHONMARK made with a text editor.</p>"),
    }


def test_epub2_ncx_and_guide():
    book = extract_epub(make_zip(epub2_files()))
    assert book.title == "Ledger Two"
    assert book.text.startswith("# One\n\n" + CHAPTER_ONE[0])
    assert "foreign coins\u2014odd" in book.text  # named HTML entities without the DTD (nbsp collapsed)
    assert book.text.index("# Two") > book.text.index(CHAPTER_ONE[-1])
    for mark in ("COVERMARK", "IMPRINTMARK", "TOCMARK", "NOTESMARK", "COLOPHONMARK"):
        assert mark not in book.text
    assert book.dropped == (
        "cover: Text/cover.xhtml",
        "copyright page: Text/legal.xhtml",
        "table of contents: Text/contents.html",
        "non-linear item: Text/notes.xhtml",
        "colophon: Text/colophon.xhtml",  # by its file name
    )
    expected = word_count(" ".join(CHAPTER_ONE + CHAPTER_TWO + ["One", "Two"]))
    assert _within(word_count(book.text), expected)
    assert _words_without_markup(book.text) == expected


def test_epub_weak_signals_spare_long_documents():
    """A file name, or a guide link to a #fragment, does not drop a document of 1000+ words."""
    files = epub2_files()
    files["OEBPS/Text/colophon.xhtml"] = _xhtml11(_paragraphs(CHAPTER_TWO * 30))  # 2,000+ words: a chapter
    files["OEBPS/content.opf"] = files["OEBPS/content.opf"].replace(
        '<reference type="toc" title="Contents" href="Text/contents.html"/>',
        '<reference type="toc" title="Contents" href="Text/part0001.xhtml#contents"/>',
    )
    files["OEBPS/Text/part0001.xhtml"] = _xhtml11(
        '<div id="contents"><p>One</p><p>Two</p></div>' + _paragraphs(CHAPTER_ONE * 30)
    )
    book = extract_epub(make_zip(files))
    assert book.text.count(CHAPTER_TWO[0]) == 31
    assert book.text.count(CHAPTER_ONE[0]) == 30
    assert "table of contents: Text/part0001.xhtml" not in book.dropped
    assert "table of contents: Text/contents.html" in book.dropped  # the file name still drops the short one


def test_epub_tag_soup_chapter_uses_the_html_parser():
    files = epub2_files()
    files["OEBPS/Text/part0002.xhtml"] = (
        '<?xml version="1.0" encoding="utf-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><body>'
        "<p>one<br>two<p>salt & pepper<p>last words</body></html>"
    )
    book = extract_epub(make_zip(files))
    assert book.text.endswith("one\ntwo\n\nsalt & pepper\n\nlast words\n")


def test_xhtml_to_markdown_blocks():
    from lxml import etree

    root = etree.fromstring(
        "<body><div>loose <b>text</b><p>para  one\n wrapped</p>tail words</div>"
        "<h3>Deep <i>heading</i></h3><ol><li>first<ul><li>nested</li></ul></li><li>second</li></ol>"
        "<table><tr><th>Year</th><th>Event</th></tr><tr><td>1901</td><td><p>Flood</p><p>again</p></td></tr></table>"
        "<pre>line one\n  line two</pre><script>var x = 1;</script>"
        '<p>note<a role="doc-backlink" href="#r1">\u21a9</a></p></body>'
    )
    assert xhtml_to_markdown(root) == (
        "loose text\n\npara one wrapped\n\ntail words\n\n### Deep heading\n\n- first\n\n  - nested\n\n- second\n\n"
        "Year | Event\n\n1901 | Flood again\n\nline one\n  line two\n\nnote\n"
    )


# ---- EPUB errors --------------------------------------------------------------------------------
def test_epub_not_a_zip():
    with pytest.raises(ExtractionError, match="not a ZIP"):
        extract_epub(b"just some text, not an archive")


def test_epub_without_container():
    with pytest.raises(ExtractionError, match="no META-INF/container.xml"):
        extract_epub(make_zip({"hello.txt": "hi"}))


def test_epub_wrong_mimetype():
    with pytest.raises(ExtractionError, match="mimetype"):
        extract_epub(make_zip(standard_ebooks_like(), mimetype=b"application/vnd.oasis.opendocument.text"))


def test_epub_drm_protected():
    files = standard_ebooks_like()
    files["META-INF/encryption.xml"] = (
        '<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container" '
        'xmlns:enc="http://www.w3.org/2001/04/xmlenc#"><enc:EncryptedData>'
        '<enc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes128-cbc"/>'
        '<enc:CipherData><enc:CipherReference URI="epub/text/chapter-1.xhtml"/></enc:CipherData>'
        "</enc:EncryptedData></encryption>"
    )
    with pytest.raises(ExtractionError, match="DRM-protected EPUB"):
        extract_epub(make_zip(files))


def test_epub_font_obfuscation_is_not_drm():
    files = standard_ebooks_like()
    files["META-INF/encryption.xml"] = (
        '<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container" '
        'xmlns:enc="http://www.w3.org/2001/04/xmlenc#"><enc:EncryptedData>'
        '<enc:EncryptionMethod Algorithm="http://www.idpf.org/2008/embedding"/>'
        '<enc:CipherData><enc:CipherReference URI="epub/fonts/a.otf"/></enc:CipherData>'
        "</enc:EncryptedData></encryption>"
    )
    assert CHAPTER_ONE[0] in extract_epub(make_zip(files)).text


def test_epub_missing_files():
    files = standard_ebooks_like()
    del files["epub/text/chapter-1.xhtml"]
    with pytest.raises(ExtractionError, match="text/chapter-1.xhtml is missing"):
        extract_epub(make_zip(files))
    files = standard_ebooks_like()
    del files["epub/content.opf"]
    with pytest.raises(ExtractionError, match="content.opf is missing"):
        extract_epub(make_zip(files))


def test_epub_size_guard(monkeypatch):
    monkeypatch.setattr(books, "MAX_UNCOMPRESSED_BYTES", 4096)
    with pytest.raises(ExtractionError, match="zip bomb"):
        extract_epub(make_zip(standard_ebooks_like()))


def test_epub_entity_expansion_is_not_performed():
    files = epub2_files()
    files["OEBPS/Text/part0002.xhtml"] = (
        '<?xml version="1.0"?><!DOCTYPE html [<!ENTITY a "BOOM BOOM BOOM"><!ENTITY b "&a;&a;&a;&a;">]>'
        '<html xmlns="http://www.w3.org/1999/xhtml"><body><p>safe &b; text</p></body></html>'
    )
    book = extract_epub(make_zip(files))
    assert "BOOM" not in book.text and "safe text" in book.text


# ---- DOCX -------------------------------------------------------------------------------------
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
TABLE = [["Crossing", "Fare"], ["Morning", "two coins"], ["Dusk", "three coins"]]
DELETED = "DELETEDMARK words"
INSERTED = "INSERTEDMARK words"


def _tracked_paragraph(document, before: str, after: str) -> None:
    """A paragraph with a tracked deletion and a tracked insertion (raw WordprocessingML)."""
    from docx.oxml import parse_xml

    paragraph = document.add_paragraph(before + " ")
    for xml in (
        f'<w:del xmlns:w="{W_NS}" w:id="101" w:author="Editor" w:date="2026-01-01T00:00:00Z">'
        f'<w:r><w:delText xml:space="preserve">{DELETED} </w:delText></w:r></w:del>',
        f'<w:ins xmlns:w="{W_NS}" w:id="102" w:author="Editor" w:date="2026-01-01T00:00:00Z">'
        f'<w:r><w:t xml:space="preserve">{INSERTED} </w:t></w:r></w:ins>',
        f'<w:r xmlns:w="{W_NS}"><w:t>{after}</w:t></w:r>',
        f'<w:r xmlns:w="{W_NS}"><w:rPr><w:vanish/></w:rPr><w:t>HIDDENMARK</w:t></w:r>',
        f'<w:r xmlns:w="{W_NS}"><w:fldChar w:fldCharType="begin"/></w:r>',
        f'<w:r xmlns:w="{W_NS}"><w:instrText xml:space="preserve"> PAGE FIELDCODEMARK </w:instrText></w:r>',
        f'<w:r xmlns:w="{W_NS}"><w:fldChar w:fldCharType="end"/></w:r>',
    ):
        paragraph._p.append(parse_xml(xml))


def make_docx() -> bytes:
    import docx

    document = docx.Document()
    document.core_properties.title = ""
    document.add_heading("The Ferry Ledger", 0)
    document.add_heading("The Ledger", 1)
    first = document.add_paragraph(CHAPTER_ONE[0])
    for paragraph in CHAPTER_ONE[1:]:
        document.add_paragraph(paragraph)
    for item in LIST_ITEMS:
        document.add_paragraph(item, style="List Bullet")
    table = document.add_table(rows=len(TABLE), cols=2)
    for row, values in zip(table.rows, TABLE):
        for cell, value in zip(row.cells, values):
            cell.text = value
    document.add_heading("Upstream", 2)
    for paragraph in CHAPTER_TWO[:-1]:
        document.add_paragraph(paragraph)
    _tracked_paragraph(document, "She rowed", "upstream herself.")
    document.add_paragraph(CHAPTER_TWO[-1])
    document.add_heading("The Drowned Square", 2)
    for paragraph in CHAPTER_THREE:
        document.add_paragraph(paragraph)
    document.sections[0].header.paragraphs[0].text = "HEADERMARK running head"
    document.sections[0].footer.paragraphs[0].text = "FOOTERMARK page"
    if hasattr(document, "add_comment"):
        document.add_comment(first.runs, text="COMMENTMARK check this date", author="Editor", initials="ED")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_docx_body_blocks():
    book = extract_docx(make_docx())
    assert book.title == "The Ferry Ledger"  # first Title paragraph (core title empty)
    lines = book.text.splitlines()
    assert lines[0] == "# The Ferry Ledger"
    assert "# The Ledger" in lines and "## Upstream" in lines
    assert all(f"- {item}" in lines for item in LIST_ITEMS)
    assert "Crossing | Fare" in lines and "Dusk | three coins" in lines
    for paragraph in CHAPTER_ONE + CHAPTER_TWO:
        assert paragraph in book.text
    assert f"She rowed {INSERTED} upstream herself." in lines
    for mark in ("DELETEDMARK", "COMMENTMARK", "HEADERMARK", "FOOTERMARK", "HIDDENMARK", "FIELDCODEMARK"):
        assert mark not in book.text
    assert book.text.index(CHAPTER_ONE[-1]) < book.text.index("Crossing | Fare") < book.text.index("## Upstream")
    expected = word_count(
        " ".join(["The Ferry Ledger", "The Ledger", "Upstream", "She rowed", INSERTED, "upstream herself.",
                  "The Drowned Square"]
                 + CHAPTER_ONE + CHAPTER_TWO + CHAPTER_THREE + LIST_ITEMS + [cell for row in TABLE for cell in row])
    )
    assert _within(word_count(book.text), expected)
    assert _words_without_markup(book.text) == expected
    assert "1 tracked deletion" in book.dropped
    if hasattr(__import__("docx").Document(), "add_comment"):
        assert "1 comment" in book.dropped


def test_docx_hyperlinks_content_controls_nested_lists_and_text_boxes():
    import docx
    from docx.oxml import parse_xml

    document = docx.Document()
    namespaces = (
        f'xmlns:w="{W_NS}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
        'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
    )
    paragraph = document.add_paragraph("See ")
    paragraph._p.append(parse_xml(
        f'<w:hyperlink {namespaces} r:id="rId99"><w:r><w:t>the linked words</w:t></w:r></w:hyperlink>'
    ))
    paragraph._p.append(parse_xml(
        f'<w:r {namespaces}><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><w:txbxContent>'
        "<w:p><w:r><w:t>TEXTBOXMARK pull quote</w:t></w:r></w:p></w:txbxContent></w:drawing></mc:Choice>"
        "<mc:Fallback><w:pict><w:txbxContent><w:p><w:r><w:t>TEXTBOXMARK again</w:t></w:r></w:p>"
        "</w:txbxContent></w:pict></mc:Fallback></mc:AlternateContent></w:r>"
    ))
    document.add_paragraph("top item", style="List Bullet")
    nested = document.add_paragraph("inner item", style="List Bullet")
    nested._p.get_or_add_pPr().append(parse_xml(
        f'<w:numPr {namespaces}><w:ilvl w:val="1"/><w:numId w:val="1"/></w:numPr>'
    ))
    document.element.body.insert(0, parse_xml(
        f'<w:sdt {namespaces}><w:sdtPr><w:alias w:val="Box"/></w:sdtPr><w:sdtContent>'
        "<w:p><w:r><w:t>Inside a content control.</w:t></w:r></w:p></w:sdtContent></w:sdt>"
    ))
    buffer = io.BytesIO()
    document.save(buffer)
    book = extract_docx(buffer.getvalue())
    assert book.text == "Inside a content control.\n\nSee the linked words\n\n- top item\n\n  - inner item\n"
    assert book.dropped == ("1 text box",)


def test_docx_core_title_wins():
    import docx

    document = docx.Document()
    document.core_properties.title = "Ledger, the Manuscript"
    document.add_paragraph("Just one line of text.")
    buffer = io.BytesIO()
    document.save(buffer)
    book = extract_docx(buffer.getvalue())
    assert (book.title, book.text, book.dropped) == ("Ledger, the Manuscript", "Just one line of text.\n", ())


def test_docx_errors():
    with pytest.raises(ExtractionError, match="not a ZIP"):
        extract_docx(b"%PDF-1.7 not a word file")
    with pytest.raises(ExtractionError, match="not a valid DOCX"):
        extract_docx(make_zip({"hello.txt": "hi"}, mimetype=None))
    with pytest.raises(ExtractionError, match="not a valid DOCX"):
        extract_docx(make_zip(standard_ebooks_like()))
    corrupted = bytearray(make_docx())
    corrupted[len(corrupted) // 3: len(corrupted) // 3 + 200] = b"\x00" * 200
    with pytest.raises(ExtractionError):
        extract_docx(bytes(corrupted))
