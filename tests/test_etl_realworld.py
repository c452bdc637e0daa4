"""Real-world source kinds through the whole ETL run: books (EPUB, DOCX, XHTML), a Project Gutenberg
text, damaged pages, transcripts with non-speech captions, and one bad file among many.

Every fixture is written here (or by the builders in test_books/test_boilerplate), never copied.
"""

from __future__ import annotations

import pytest

from lendaria.documents import parse_markdown
from lendaria.errors import InputError
from lendaria.yamlio import load_yaml
from stages.etl.run import run_etl
from tests.conftest import snapshot, write_spec
from tests.test_boilerplate import BODY as GUTENBERG_BODY
from tests.test_boilerplate import HEADER_MODERN
from tests.test_books import BODY_WORDS, _words_without_markup, make_docx, make_zip, standard_ebooks_like

CHAPTER = ("The ferryman counted the crossings in a ledger with a cracked spine, and he counted them twice "
           "when the river was high, because a tired man's arithmetic floats away with the current.")
GUTENBERG_FOOTER = """
*** END OF THE PROJECT GUTENBERG EBOOK THE LANTERN CLERK ***

Updated editions will replace the previous one. This imitation licence mentions Project Gutenberg
several times: Project Gutenberg, Project Gutenberg, Project Gutenberg and the Project Gutenberg
Literary Archive Foundation, as a real footer would at far greater length.
"""


def entries_by_location(result) -> dict[str, dict]:
    metadata = load_yaml((result.sources_dir / "metadata.yaml").read_text(encoding="utf-8"))
    return {entry["origin"]["location"]: entry for entry in metadata["sources"]}


def body_of(result, entry: dict) -> str:
    return parse_markdown((result.sources_dir / entry["file"]).read_text(encoding="utf-8")).body


def gutenberg_text() -> str:
    return HEADER_MODERN + "\n*** START OF THE PROJECT GUTENBERG EBOOK THE LANTERN CLERK ***\n\n" + GUTENBERG_BODY + GUTENBERG_FOOTER


def test_books_collect_with_word_counts_within_two_percent(tmp_path, settings):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "river-book.epub").write_bytes(make_zip(standard_ebooks_like()))
    (raw / "ferry-notes.docx").write_bytes(make_docx())
    chapter = ('<?xml version="1.0" encoding="utf-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><head><title>Chapter One</title>'
               f'</head><body><section><h2>Chapter One</h2>{"".join(f"<p>{CHAPTER}</p>" for _ in range(12))}</section></body></html>')
    (raw / "chapter-1.xhtml").write_text(chapter, encoding="utf-8")
    (raw / "chapter-1-copy.html").write_text(chapter.replace("Chapter One</h2>", "Chapter One (copy)</h2>"), encoding="utf-8")
    result = run_etl(write_spec(tmp_path, [{"path": "raw/"}]), tmp_path / "out", settings)
    entries = entries_by_location(result)
    assert {e["status"] for e in entries.values()} == {"collected"}

    epub = entries["raw/river-book.epub"]
    assert epub["format"] == "epub" and epub["type"] == "book"
    assert abs(_words_without_markup(body_of(result, epub)) - BODY_WORDS) <= 0.02 * BODY_WORDS
    assert any("imprint" in part["what"] or "colophon" in part["what"] for part in epub["removed"])

    docx = entries["raw/ferry-notes.docx"]
    assert docx["format"] == "docx"
    assert "DELETEDMARK" not in body_of(result, docx) and "INSERTEDMARK" in body_of(result, docx)

    visible = 2 + 12 * len(CHAPTER.split())  # heading + paragraphs
    for location in ("raw/chapter-1.xhtml", "raw/chapter-1-copy.html"):
        words = _words_without_markup(body_of(result, entries[location]))
        assert abs(words - visible) <= 0.02 * visible + 2, location


def test_gutenberg_text_keeps_no_licence_words_and_says_what_was_removed(tmp_path, settings):
    (tmp_path / "lantern-clerk.txt").write_text(gutenberg_text(), encoding="utf-8")
    result = run_etl(write_spec(tmp_path, [{"path": "lantern-clerk.txt", "type": "book"}]), tmp_path / "out", settings)
    entry = entries_by_location(result)["lantern-clerk.txt"]
    body = body_of(result, entry)
    assert "Gutenberg" not in body and "licence" not in body.lower()
    assert len(body.split()) == len(GUTENBERG_BODY.split())
    assert entry["title"].startswith("The Lantern Clerk")
    assert [part["what"] for part in entry["removed"]] == ["Project Gutenberg header", "Project Gutenberg licence"]
    for part in entry["removed"]:
        assert part["words"] > 0 and f"{part['words']:,} words of {part['what']} removed" in result.summary()


def test_damaged_page_is_repaired_and_the_warning_recorded(tmp_path, settings):
    page = ("<html><head><meta charset='utf-8'><title>Maré</title></head><body><article><h1>Maré</h1>"
            + "".join(f"<p>{CHAPTER} Coração.</p>" for _ in range(40)) + "</article></body></html>").encode()
    (tmp_path / "page.html").write_bytes(page.replace("Coração".encode(), b"Cora\xe7\xe3o", 1).replace(b"<article>", b"<article>\x00", 1))
    result = run_etl(write_spec(tmp_path, [{"path": "page.html"}]), tmp_path / "out", settings)
    entry = entries_by_location(result)["page.html"]
    assert entry["status"] == "collected"
    assert any("invalid UTF-8" in w for w in entry["warnings"]) and any("NUL" in w for w in entry["warnings"])
    assert "Coração." in body_of(result, entry)


def test_transcript_non_speech_is_kept_out_of_words(tmp_path, settings):
    vtt = ("WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n<v Iris Valente>We count the gulls first. [laughs]\n\n"
           "00:00:03.000 --> 00:00:05.000\n<i>Applause</i>\n\n"
           "00:00:05.000 --> 00:00:07.000\n<v Iris Valente>Then the terns.\n")
    (tmp_path / "talk.vtt").write_text(vtt, encoding="utf-8")
    result = run_etl(write_spec(tmp_path, [{"path": "talk.vtt", "speaker": "Iris Valente"}]), tmp_path / "out", settings)
    entry = entries_by_location(result)["talk.vtt"]
    assert body_of(result, entry).split() == "We count the gulls first. Then the terns.".split()
    assert entry["words"] == 8
    assert entry["removed"] == [{"what": "non-speech captions", "words": 2}]  # "laughs", "Applause"


def test_one_bad_file_in_a_folder_is_recorded_and_the_run_goes_on(tmp_path, settings):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "good.txt").write_text(CHAPTER + "\n", encoding="utf-8")
    (raw / "empty.html").write_text("<html><body><div></div></body></html>", encoding="utf-8")
    (raw / "broken.epub").write_bytes(b"PK\x03\x04 not really an epub")
    result = run_etl(write_spec(tmp_path, [{"path": "raw/"}]), tmp_path / "out", settings)
    entries = entries_by_location(result)
    assert entries["raw/good.txt"]["status"] == "collected"
    assert entries["raw/empty.html"]["status"] == "failed"
    assert "no text could be extracted" in entries["raw/empty.html"]["error"]
    assert entries["raw/broken.epub"]["status"] == "failed"
    assert result.totals["failed"] == 2 and result.totals["collected"] == 1
    assert "2 failed" in result.summary()
    assert any(line.startswith("raw/empty.html:") for line in result.failures)
    assert str(tmp_path) not in (result.sources_dir / "metadata.yaml").read_text()  # reasons carry no machine paths


@pytest.mark.parametrize("name, content", [
    ("empty.html", b"<html><body><div></div></body></html>"),
    ("broken.epub", b"PK\x03\x04 not really an epub"),
])
def test_a_bad_file_named_in_the_spec_still_stops_the_run_before_any_write(tmp_path, settings, name, content):
    (tmp_path / "good.txt").write_text(CHAPTER + "\n", encoding="utf-8")
    (tmp_path / name).write_bytes(content)
    out = tmp_path / "out"
    with pytest.raises(InputError) as info:
        run_etl(write_spec(tmp_path, [{"path": "good.txt"}, {"path": name}]), out, settings)
    assert name in str(info.value)
    assert snapshot(out) == {}


def test_rerun_of_real_world_sources_is_byte_identical(tmp_path, settings):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "river-book.epub").write_bytes(make_zip(standard_ebooks_like()))
    (raw / "ferry-notes.docx").write_bytes(make_docx())
    (raw / "lantern-clerk.txt").write_text(gutenberg_text(), encoding="utf-8")
    spec = write_spec(tmp_path, [{"path": "raw/"}])
    first = run_etl(spec, tmp_path / "out", settings)
    before = snapshot(tmp_path / "out")
    second = run_etl(spec, tmp_path / "out", settings)
    assert snapshot(tmp_path / "out") == before
    assert second.report.written == [] and first.totals == second.totals
