"""Wrapper removal on imitations of Project Gutenberg files (made-up header, body and licence, written here)."""

from __future__ import annotations

import pytest

from stages.etl.boilerplate import Removal, strip_wrappers

BODY = """THE LANTERN CLERK

I.

The clerk of lanterns kept his register in the cellar of the town hall, where the damp made the ink
spread a little further every year, so that the oldest entries had grown into small grey clouds.

Every lamp in the town had a line in that register: when it was lit, when it was trimmed, and when a
boy had thrown a stone at it and missed. Hits were recorded in a separate book, kept upstairs.

II.

Nobody remembered appointing him. The council minutes said only that the post was "filled", and the
clerk, when asked, said that he had been filled too, like the post, and had stayed that way since.
"""

HEADER_MODERN = """The Project Gutenberg eBook of The Lantern Clerk, by Odile Framp

This made-up header only imitates the layout of a Project Gutenberg file: a paragraph about who may
read and share the text, and where, followed by the book's catalogue record.

Title: The Lantern Clerk
       and Other Small Errands

Author: Odile Framp

Release date: March 3, 2031 [eBook #99999]

Language: English

Credits: Imaginary Volunteers


*** START OF THE PROJECT GUTENBERG EBOOK THE LANTERN CLERK ***
"""

CREDITS = """Produced by Imaginary Volunteers and the Online Distributed
Proofreading Team (a made-up credit line for this test).

"""

LICENCE = """*** END OF THE PROJECT GUTENBERG EBOOK THE LANTERN CLERK ***

Updating the edition replaces the older files. This imitation licence is written for a test: it says
that Project Gutenberg is a name, that the Project Gutenberg collection may be copied under its terms,
and that anyone redistributing a Project Gutenberg file must keep this notice with it.

Section 1. Imaginary terms of use of Project Gutenberg works.

1.A. Reading this file means you accept these made-up terms, which exist only to be removed.

Section 2. Imaginary information about the Project Gutenberg Literary Archive.

Volunteers and donations keep the archive going; Project Gutenberg thanks them in this pretend text.
"""

TITLE = "The Lantern Clerk and Other Small Errands"


def words(text: str) -> int:
    return len(text.split())


def modern() -> str:
    return HEADER_MODERN + "\n\n\n" + CREDITS + BODY + "\n\n\n" + LICENCE


def two_thousands() -> str:
    """2000s layout: THIS, an 'End of the Project Gutenberg EBook of' line before the END marker, CRLF."""
    text = (
        HEADER_MODERN.replace("*** START OF THE", "*** START OF THIS")
        .replace("Title: The Lantern Clerk\n       ", "Title: The Lantern Clerk\n  ")
        + "\n"
        + "This eBook was produced by Imaginary Volunteers.\n\n"
        + BODY
        + "\n\nEnd of the Project Gutenberg EBook of The Lantern Clerk, by Odile Framp\n\n"
        + LICENCE.replace("*** END OF THE", "*** END OF THIS")
    )
    return text.replace("\n", "\r\n")


def nineties() -> str:
    """1990s layout: the small print at the top, closed by *END*THE SMALL PRINT!; 'End of Project Gutenberg's'."""
    return (
        "**The Project Gutenberg Etext of The Lantern Clerk, by Odile Framp**\n"
        "**This is a made-up imitation of an old Project Gutenberg etext header**\n\n"
        "Title: The Lantern Clerk\n\n"
        "**Welcome To The World of Free Plain Vanilla Electronic Texts**\n\n"
        "*****THE SMALL PRINT!**FOR PUBLIC DOMAIN ETEXTS*****\n"
        "This pretend small print says what Project Gutenberg promises (nothing) and what you may do.\n"
        "*END*THE SMALL PRINT! FOR PUBLIC DOMAIN ETEXTS*Ver.00.00.00*END*\n\n"
        "Transcribed from an imaginary 1901 edition by a made-up volunteer.\n\n"
        + BODY
        + "\n\nEnd of Project Gutenberg's The Lantern Clerk, by Odile Framp\n"
    )


def squeezed_no_title() -> str:
    """No catalogue record; markers without spaces inside the asterisks; the old ETEXT spelling."""
    return (
        "A short made-up note that names Project Gutenberg once.\n\n"
        "***START OF THE PROJECT GUTENBERG ETEXT THE LANTERN CLERK***\n\n"
        + BODY
        + "\n***END OF THE PROJECT GUTENBERG ETEXT THE LANTERN CLERK***\n\n"
        "More pretend licence text about Project Gutenberg.\n"
    )


@pytest.mark.parametrize(
    ("make", "title"),
    [
        (modern, TITLE),
        (two_thousands, TITLE),
        (nineties, "The Lantern Clerk"),
        (squeezed_no_title, "THE LANTERN CLERK"),
    ],
    ids=["modern", "2000s-crlf", "1990s-small-print", "squeezed-etext"],
)
def test_gutenberg_variants(make, title):
    original = make()
    unwrapped = strip_wrappers(original)
    assert "project gutenberg" not in unwrapped.text.lower()
    assert "produced by" not in unwrapped.text.lower() and "transcribed" not in unwrapped.text.lower()
    assert words(unwrapped.text) == words(BODY)
    assert unwrapped.text.replace("\r\n", "\n") == BODY
    assert unwrapped.title == title
    assert all(removal.words > 0 for removal in unwrapped.removed)
    assert sum(removal.words for removal in unwrapped.removed) + words(BODY) == words(original)


def test_gutenberg_removals_are_named_and_counted():
    unwrapped = strip_wrappers(modern())
    assert unwrapped.removed == (
        Removal("Project Gutenberg header", words(HEADER_MODERN)),
        Removal("Project Gutenberg production credits", words(CREDITS)),
        Removal("Project Gutenberg licence", words(LICENCE)),
    )


def test_text_without_markers_is_unchanged():
    unwrapped = strip_wrappers(BODY)
    assert (unwrapped.text, unwrapped.title, unwrapped.removed) == (BODY, None, ())


def test_body_that_mentions_project_gutenberg_is_unchanged():
    essay = (
        "An essay of my own about libraries. Project Gutenberg, I argue, changed how people read old books,\n"
        "and the end of the Project Gutenberg era is nowhere in sight.\n\n" + BODY
    )
    assert strip_wrappers(essay).text == essay and strip_wrappers(essay).removed == ()


def test_single_marker_in_an_implausible_place_is_ignored():
    quoting = BODY * 20 + "\nA writer once quoted the line:\n*** START OF THE PROJECT GUTENBERG EBOOK X ***\n" + BODY
    assert strip_wrappers(quoting).removed == ()
    ending = "A writer quoted it:\n*** END OF THE PROJECT GUTENBERG EBOOK X ***\n" + BODY * 20
    assert strip_wrappers(ending).text == ending


def test_single_plausible_marker_cuts_its_side():
    truncated = HEADER_MODERN + "\n" + BODY  # a copy that lost its footer
    unwrapped = strip_wrappers(truncated)
    assert unwrapped.text == BODY and [r.wrapper for r in unwrapped.removed] == ["Project Gutenberg header"]


def test_body_opening_with_a_story_about_transcribing_is_kept():
    story = "The monk transcribed the ledger by candlelight, and the candle transcribed him onto the wall.\n\n"
    text = HEADER_MODERN + "\n" + story + BODY + "\n" + LICENCE
    unwrapped = strip_wrappers(text)
    assert unwrapped.text == story + BODY


def test_marker_far_from_the_ends_is_not_searched():
    middle = BODY * 200 + "\n*** START OF THE PROJECT GUTENBERG EBOOK X ***\n" + BODY * 200
    assert strip_wrappers(middle).removed == ()
