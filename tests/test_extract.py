"""Unit tests of each extractor on small documents made here (and on the demo's own files)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from stages.etl.errors import ExtractionError
from stages.etl.decoding import decode_text, looks_binary
from stages.etl.extract import extract_document, extract_html, extract_markdown, extract_pdf, reflow_paragraphs
from tests.conftest import DEMO_SPEC

DEMO = DEMO_SPEC.parent


def make_pdf(paragraphs: list[str], title: str = "A Test Title") -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_creation_date(datetime(2026, 1, 1, tzinfo=timezone.utc))
    pdf.set_title(title)
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    for paragraph in paragraphs:
        pdf.multi_cell(0, 6, paragraph)
        pdf.ln(4)
    return bytes(pdf.output())


# ---- charsets and binaries -------------------------------------------------------------------
def test_decode_utf8_and_bom():
    assert decode_text("café".encode()) == "café"
    assert decode_text(b"\xef\xbb\xbfhello") == "hello"
    assert decode_text("olá".encode("utf-16")) == "olá"


def test_decode_detects_latin1_text():
    text = ("Não há razão para pressa. A maré volta sempre, e o caderno espera por nós. " * 20)
    assert decode_text(text.encode("latin-1")) == text


def test_declared_encoding_wins_and_wrong_one_is_reported():
    assert decode_text("naïve".encode("cp1252"), "cp1252") == "naïve"
    with pytest.raises(ExtractionError, match="unknown encoding"):
        decode_text(b"abc", "no-such-codec")
    with pytest.raises(ExtractionError, match="not valid utf-8"):
        decode_text(b"caf\xe9 au lait", "utf-8")


def test_undetectable_bytes_are_rejected_with_advice():
    garbage = bytes(range(128, 256)) * 8
    with pytest.raises(ExtractionError, match="encoding:"):
        decode_text(garbage)


@pytest.mark.parametrize("data, reason", [
    (b"%PDF-1.7 rest", "is a PDF"),
    (b"PK\x03\x04zip", "ZIP"),
    (b"\x89PNG\r\n", "PNG"),
    (b"text\x00with nul", "NUL"),
    (bytes(range(1, 9)) * 100, "control bytes"),
])
def test_binary_detection(data, reason):
    assert reason in looks_binary(data)
    with pytest.raises(ExtractionError):
        decode_text(data)


def test_plain_text_is_not_binary():
    assert looks_binary("Hello\tworld\r\n".encode()) is None


# ---- markdown ---------------------------------------------------------------------------------
def test_markdown_keeps_text_and_drops_own_front_matter():
    extracted = extract_markdown("---\ntitle: 'Jekyll Post'\nlayout: post\n---\n# Heading\n\nBody *text*.\n")
    assert extracted.title == "Jekyll Post"
    assert extracted.text == "# Heading\n\nBody *text*.\n"
    assert extract_markdown("# Only Heading\n\ntext").title == "Only Heading"


# ---- html ---------------------------------------------------------------------------------------
def test_html_main_content_without_boilerplate():
    extracted = extract_document((DEMO / "blog-slow-looking.html").read_bytes(), "html")
    text = extracted.text
    assert extracted.title == "Slow Looking at Low Tide"
    assert text.startswith("# Slow Looking at Low Tide")
    assert "## " in text  # sub-headings survive as Markdown
    for boilerplate in ("Popular posts", "cookie", "function", "Subscribe", "©"):
        assert boilerplate.lower() not in text.lower(), boilerplate
    assert "&amp;" not in text and "&mdash;" not in text  # entities decoded


def test_tiny_html_uses_fallback_and_still_drops_scripts():
    html = "<html><head><script>var secret=1;</script></head><body><nav>Menu</nav><p>Just one line.</p></body></html>"
    text = extract_html(html).text
    assert "Just one line." in text
    assert "secret" not in text and "Menu" not in text


def test_html_charset_from_meta():
    html = '<html><head><meta charset="iso-8859-1"><title>T</title></head><body><article><p>Coração do mar, sempre à espera da maré que volta devagar ao fim do dia.</p></article></body></html>'
    text = extract_document(html.encode("latin-1"), "html").text
    assert "Coração" in text


# ---- pdf -----------------------------------------------------------------------------------------
def test_pdf_text_and_paragraphs():
    long = ("This paragraph is long enough to wrap over several lines of the page so that the "
            "extractor has to join hard-wrapped lines back into one paragraph of running text. ")
    data = make_pdf(["Short Heading", long * 2, "Second paragraph ends here."])
    extracted = extract_pdf(data)
    paragraphs = extracted.text.strip().split("\n\n")
    assert extracted.title == "A Test Title"
    assert paragraphs[0] == "Short Heading"
    assert paragraphs[1].startswith("This paragraph is long") and "\n" not in paragraphs[1]
    assert paragraphs[-1] == "Second paragraph ends here."


def test_demo_pdf_spans_pages_without_breaking_paragraphs():
    text = extract_document((DEMO / "letter-to-volunteers.pdf").read_bytes(), "pdf").text
    assert text.startswith("A Letter to New Volunteers\n\n")
    assert text.rstrip().endswith("Shore Count coordinator, Gullhaven")
    assert all(len(p) > 0 for p in text.split("\n\n"))


def test_reflow_joins_hyphenated_words():
    text = "The obser-\nvation was long enough to fill the line up to the column edge and more\nand it ended.\n"
    assert "observation" in reflow_paragraphs(text)


def test_broken_pdf_is_reported():
    with pytest.raises(ExtractionError, match="not a readable PDF"):
        extract_pdf(b"%PDF-1.4 this is not really a pdf")


def test_pdf_without_text_layer_is_reported():
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    with pytest.raises(ExtractionError, match="no text layer"):
        extract_pdf(bytes(pdf.output()))
