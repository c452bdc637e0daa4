"""The demo minds' letters as PDFs (one layout, fpdf2's core Helvetica font), byte-reproducible:
fixed creation date and metadata. Used by each example's _build/make_*_pdf.py script.

Helvetica encodes latin-1 only (English and Portuguese accents are fine; curly quotes, en/em dashes and
ellipsis characters are not): :func:`build_letter` refuses text it cannot show.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from fpdf import FPDF


def build_letter(out_path: Path, *, title: str, author: str, subject: str, creator: str, keywords: str, lang: str,
                 header_lines: list[str], salutation: str, paragraphs: list[str], closing: str, signature: list[str]) -> None:
    for text in (title, author, salutation, closing, *header_lines, *paragraphs, *signature):
        text.encode("latin-1")  # raises UnicodeEncodeError if the core font cannot show it
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_creation_date(datetime(2026, 1, 1, tzinfo=timezone.utc))
    pdf.set_title(title)
    pdf.set_author(author)
    pdf.set_subject(subject)
    pdf.set_creator(creator)
    pdf.set_keywords(keywords)
    pdf.set_lang(lang)
    pdf.set_margins(left=25, top=25, right=25)
    pdf.set_auto_page_break(auto=True, margin=25)
    pdf.add_page()

    pdf.set_font("Helvetica", style="B", size=18)
    pdf.multi_cell(0, 10, title, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)

    pdf.set_font("Helvetica", style="I", size=10)
    for line in header_lines:
        pdf.multi_cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)

    pdf.set_font("Helvetica", size=11.5)
    line_h = 6.2
    pdf.multi_cell(0, line_h, salutation, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    for para in paragraphs:
        pdf.multi_cell(0, line_h, para, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)

    pdf.ln(2)
    pdf.multi_cell(0, line_h, closing, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    pdf.set_font("Helvetica", style="B", size=11.5)
    pdf.multi_cell(0, line_h, signature[0], new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=11.5)
    for line in signature[1:]:
        pdf.multi_cell(0, line_h, line, new_x="LMARGIN", new_y="NEXT")

    pdf.output(str(out_path))
