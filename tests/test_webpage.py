"""Web pages that used to come out empty or wrong, one small page of our own per failure class.

Each test asserts the words recovered and the absence of what must stay out. The pages imitate the
shapes seen on trafilatura's evaluation set (``bench/html_extraction.py``), never its content.
"""

from __future__ import annotations

import pytest

from stages.etl.decoding import decode
from stages.etl.extract import extract_document, html_declared_charset
from stages.etl.webpage import extract_page, parse_html, remove_chrome

ARTICLE = [
    "The tide tables for the northern inlet were rewritten after three seasons of careful counting by volunteers.",
    "Each morning the group walked the same transect and wrote down every bird they could name without guessing.",
    "When the counts disagreed, they went back the next day instead of averaging the numbers away.",
    "By the third winter the corrections were small enough that the harbour office adopted the new tables.",
]
NAV = ["Home", "Archive", "Contact us", "Newsletter signup"]


def paragraphs(indent: str = "") -> str:
    return "\n".join(f"{indent}<p>{p}</p>" for p in ARTICLE)


def assert_article(text: str) -> None:
    for sentence in ARTICLE:
        assert sentence in " ".join(text.split()), sentence


def test_xml_declaration_does_not_empty_an_xhtml_chapter():
    page = f"""<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" lang="en-GB" xml:lang="en-GB">
<head><title>Chapter I</title><link href="../css/core.css" rel="stylesheet" type="text/css"/></head>
<body epub:type="bodymatter z3998:fiction">
<section id="chapter-1" epub:type="chapter"><h2 epub:type="title">Chapter I</h2>
{paragraphs()}
</section></body></html>"""
    for suffix_format in ("html",):
        extracted = extract_document(page.encode(), suffix_format)
        assert_article(extracted.text)
        assert extracted.title == "Chapter I"


def test_xml_declared_charset_is_read():
    page = ('<?xml version="1.0" encoding="iso-8859-1"?><html><body><article><h1>Maré</h1>'
            + "".join(f"<p>{p} Coração à beira-mar.</p>" for p in ARTICLE) + "</article></body></html>")
    data = page.encode("latin-1")
    assert html_declared_charset(data) == "iso-8859-1"
    text = extract_document(data, "html").text
    assert "Coração à beira-mar." in text and "\ufffd" not in text


def test_unclosed_header_that_swallows_the_page_is_kept():
    nav = "".join(f"<a href='/{n}'>{n}</a>" for n in NAV)
    page = f"<html><body><header><div class='logo'>Shore Count</div><nav>{nav}</nav>\n{paragraphs()}\n</body></html>"
    text = extract_document(page.encode(), "html").text
    assert_article(text)


@pytest.mark.parametrize("wrapper", ["form", "aside", "noscript"])
def test_article_inside_a_page_wide_wrapper_is_kept(wrapper):
    opening = "<form method='post' action='./Default.aspx' id='aspnetForm'>" if wrapper == "form" else f"<{wrapper}>"
    page = (f"<html><body>{opening}<input type='hidden' name='__VIEWSTATE' value='x'/>"
            f"<div id='content'><h1>Counting birds</h1>{paragraphs()}</div></{wrapper}>"
            "<footer>Copyright Shore Count</footer></body></html>")
    text = extract_document(page.encode(), "html").text
    assert_article(text)


def test_self_closed_script_does_not_swallow_the_article():
    page = (f"<html><head><script src='/a.js'/></head><body><h1>Counting birds</h1>{paragraphs()}"
            "<script>var tracker = 1;</script></body></html>")
    text = extract_document(page.encode(), "html").text
    assert_article(text)
    assert "tracker" not in text


def test_comments_do_not_hide_the_lead_paragraph():
    lead = "Volunteers have counted the same beach every week since the storm of the first winter."
    page = (f"<html><body><article><h1>Counting birds</h1><div class='lead'><!-- lead start -->{lead}<!-- lead end --></div>"
            f"{paragraphs()}</article></body></html>")
    text = extract_document(page.encode(), "html").text
    assert lead in " ".join(text.split())
    assert "lead start" not in text
    assert_article(text)


def test_site_chrome_and_reader_comments_stay_out():
    nav = "".join(f"<li><a href='/{n}'>{n}</a></li>" for n in NAV)
    comments = "".join(f"<li class='comment'><p>Reader {i} says this is lovely and thanks the volunteers warmly.</p></li>"
                       for i in range(5))
    page = (f"<html><body><nav><ul>{nav}</ul></nav><main><article><h1>Counting birds</h1>{paragraphs()}</article>"
            f"<section id='comments' class='comments'><h2>5 comments</h2><ol>{comments}</ol></section></main>"
            "<aside><h3>Popular posts</h3><ul><li>Gull season</li></ul></aside></body></html>")
    text = extract_document(page.encode(), "html").text
    assert_article(text)
    for absent in ("Newsletter signup", "Popular posts", "Reader 3 says"):
        assert absent not in text


def test_guard_keeps_chrome_that_holds_the_article():
    root = parse_html(f"<html><body><aside><h1>Counting birds</h1>{paragraphs()}</aside><nav>{' '.join(NAV)}</nav></body></html>")
    remove_chrome(root)
    assert root.find(".//aside") is not None  # it holds the h1 and most of the text
    assert root.find(".//nav") is None


def test_stray_bytes_in_a_utf8_page_are_replaced_with_a_warning():
    page = ("<html><head><meta charset='utf-8'></head><body><article><h1>Maré alta</h1>"
            + "".join(f"<p>{p} Ação e coração.</p>" for p in ARTICLE * 10) + "</article></body></html>").encode()
    assert len(page) > 2 / 0.001  # two bad bytes stay under 0.1 %
    damaged = page.replace("Ação".encode(), b"A\xe7\xe3o", 1)  # two latin-1 bytes inside UTF-8
    extracted = extract_document(damaged, "html")
    assert_article(extracted.text)
    assert "coração" in extracted.text  # the rest is not garbled by a wrong charset
    assert any("invalid UTF-8 byte" in w for w in extracted.warnings)


def test_many_bad_bytes_are_not_treated_as_utf8():
    text = ("Não há razão para pressa. A maré volta sempre, e o caderno espera por nós. " * 20)
    decoded = decode(text.encode("latin-1"))
    assert decoded.text == text and decoded.warnings == ()


def test_nul_bytes_in_a_page_are_dropped_with_a_warning():
    page = f"<html><body><article><h1>Counting birds</h1>{paragraphs()}</article></body></html>".encode()
    damaged = page.replace(b"<article>", b"<article>\x00\x00", 1)
    extracted = extract_document(damaged, "html")
    assert_article(extracted.text)
    assert any("NUL" in w for w in extracted.warnings)


def test_a_page_with_nothing_but_markup_is_empty_not_an_error():
    assert extract_page("<html><body><div></div></body></html>").text == ""
    assert extract_page("").text == ""
