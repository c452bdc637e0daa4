"""Build field-guide-draft.docx for the Iris Valente example: a Word draft with a reviewer's comment
and a tracked edit, as real drafts arrive. ETL keeps Iris's text, the accepted insertion and her
headings and lists; it leaves out the comment and the deleted words.

Run from anywhere:  python make_field_guide_docx.py
The DOCX is written to ../field-guide-draft.docx relative to this script. Output is
byte-reproducible: fixed document properties and fixed timestamps on every archive member.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import docx
from docx.oxml import parse_xml

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
FIXED = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)

TITLE = "A Field Guide to the Shore Count"
INTRO = [
    "This is a first draft of the little guide we hand to new counters. It is not a book about "
    "seashore life; there are good ones already, and I will not pretend to improve on them. It is a "
    "guide to one habit: counting the same square of shore, the same way, every month, for years.",
    "If you read only one page of it, read the next one. Everything else is detail, and detail can "
    "be learned on the rock with someone beside you.",
]
HABIT = [
    "Choose your square before you look at it. The moment you choose it because it looks "
    "interesting, you have already started to measure your own curiosity instead of the shore.",
    "Count what is there, not what should be there. A square with nothing in it is a result. Write "
    "the zero in full, with the time and the state of the tide, so that nobody later mistakes it "
    "for a square you forgot.",
]
KIT = ["a square frame of half a metre", "a pencil, never a pen", "the notebook with two pages per square",
       "a flask, because the tide does not wait for you to warm up"]
WHEN_UNSURE = [
    "Write what you saw in the words you would use to describe it to a child. Dark shape, thumb "
    "long, moved away from the shadow. Names can come later, from someone who has seen a thousand "
    "of them; a description cannot be recovered once the tide is back.",
]
REVIEW_COMMENT = "Should we say which flask? People will ask."


def build() -> bytes:
    document = docx.Document()
    properties = document.core_properties
    properties.title, properties.author, properties.last_modified_by = TITLE, "Iris Valente", "Iris Valente"
    properties.created = properties.modified = FIXED.replace(tzinfo=None)
    properties.revision = 1
    document.add_heading(TITLE, 0)
    for text in INTRO:
        document.add_paragraph(text)
    document.add_heading("The one habit", 1)
    for text in HABIT:
        document.add_paragraph(text)
    _tracked_edit(document)
    document.add_heading("What to bring", 1)
    items = [document.add_paragraph(item, style="List Bullet") for item in KIT]
    comment = document.add_comment(items[-1].runs, text=REVIEW_COMMENT, author="Tomas (reviewer)", initials="TR")
    comment._comment_elm.set(f"{{{W_NS}}}date", "2026-02-20T10:05:00Z")  # python-docx stamps the current time
    document.add_heading("When you are not sure", 1)
    for text in WHEN_UNSURE:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return _fixed_timestamps(buffer.getvalue())


def _tracked_edit(document) -> None:
    """A paragraph where a reviewer's suggestion was tracked: one phrase deleted, one inserted."""
    paragraph = document.add_paragraph("Then do it again next month, ")
    for xml in (
        f'<w:del xmlns:w="{W_NS}" w:id="201" w:author="Tomas" w:date="2026-02-20T10:00:00Z">'
        '<w:r><w:delText xml:space="preserve">whatever the weather, </w:delText></w:r></w:del>',
        f'<w:ins xmlns:w="{W_NS}" w:id="202" w:author="Tomas" w:date="2026-02-20T10:00:00Z">'
        '<w:r><w:t xml:space="preserve">at the same state of the tide, </w:t></w:r></w:ins>',
        f'<w:r xmlns:w="{W_NS}"><w:t>and the month after that. The shore changes slowly, and only a '
        'patient count can see it.</w:t></w:r>',
    ):
        paragraph._p.append(parse_xml(xml))


def _fixed_timestamps(data: bytes) -> bytes:
    """The same archive with every member dated FIXED (python-docx stamps the current time)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


if __name__ == "__main__":
    path = Path(__file__).resolve().parent.parent / "field-guide-draft.docx"
    path.write_bytes(build())
    print(f"wrote {path}")
