"""Fragments: verbatim spans that keep a thought whole (stages/innerlens/fragments.py)."""

from __future__ import annotations

import pytest

from stages.innerlens.fragments import MAX_WORDS, fragment_source, sentences


def test_verbatim_for_every_fragment_of_every_corpus_author(corpus):
    files = sorted(corpus.glob("*/*.txt"))
    assert len(files) == 7
    for path in files:
        body = path.read_text(encoding="utf-8")
        fragments = fragment_source(path.stem, body)
        assert fragments, path
        for fragment in fragments:
            assert body[fragment.start:fragment.end] == fragment.text, (path.name, fragment.id)
            assert fragment.words <= MAX_WORDS
        assert len({f.id for f in fragments}) == len(fragments)
        covered = sum(f.words for f in fragments)
        assert covered >= 0.99 * len(body.split()), path.name  # nothing of the person's prose is lost


def test_a_claim_stays_with_its_reason_and_paragraphs_end_fragments():
    body = ("We count the same square every month of every year, whatever the weather. Because a single count tells you "
            "almost nothing about a shore that changes slowly over years.\n\n"
            "The second paragraph is another thought entirely and it starts a new fragment here.")
    fragments = fragment_source("s", body)
    assert [f.text.split()[0] for f in fragments] == ["We", "The"]
    assert "Because a single count" in fragments[0].text  # the first sentence alone has 14 words: the connective joins them


def test_short_sentences_join_and_long_ones_split_at_clauses():
    body = "Look twice. Write once. " + ", ".join(f"then clause number {i} goes on" for i in range(60)) + "."
    fragments = fragment_source("s", body, min_words=6, max_words=50)
    assert fragments[0].text.startswith("Look twice. Write once.")
    assert all(f.words <= 50 for f in fragments) and len(fragments) >= 6
    assert all(body[f.start:f.end] == f.text for f in fragments)


def test_abbreviations_initials_and_numbers_do_not_end_sentences():
    body = "Dr. Valente met Mr. J. Smith at 3.5 metres depth, e.g. near the pier. Then they left."
    assert [body[s:e] for s, e in sentences(body, 0, len(body))] == [
        "Dr. Valente met Mr. J. Smith at 3.5 metres depth, e.g. near the pier.", "Then they left."]


def test_headings_list_items_and_speaker_turns():
    body = ("# A Heading That Is Not Prose\n\n- first item of the list, long enough to stand alone as a point\n"
            "- second item of the list, also long enough to stand alone as a point\n\n"
            "Tomas Reyes: What are we looking at, and why does it matter to anyone here today?\n\n"
            "Iris Valente: I think we are looking at a pool. I have looked at it for twenty years, "
            "and it still surprises me every single time.")
    fragments = fragment_source("s", body)
    assert not any("Heading" in f.text for f in fragments)
    assert [f.text[:12] for f in fragments[:2]] == ["first item o", "second item "]
    question, answer = fragments[2], fragments[3]
    assert question.speaker == "Tomas Reyes" and question.is_question and not question.text.startswith("Tomas")
    assert answer.speaker == "Iris Valente" and answer.first_person


def test_quotes_of_someone_else_are_marked():
    body = 'My grandmother used to say "the sea keeps what it is given" and she was right about most things.'
    (fragment,) = fragment_source("s", body)
    assert fragment.quotes_other and fragment.first_person and not fragment.is_question


def test_ids_are_stable_when_earlier_text_changes():
    later = "This later paragraph says something of its own and should keep its identity across edits."
    before = fragment_source("s", "An early paragraph, first version, with enough words to be one fragment.\n\n" + later)
    after = fragment_source("s", "An early paragraph, edited a little, with enough words to be one fragment now.\n\n" + later)
    assert before[-1].id == after[-1].id and before[0].id != after[0].id
    assert before[-1].start != after[-1].start  # offsets moved, the id did not


@pytest.mark.parametrize("body", ["", "   \n\n  ", "# Only a heading\n"])
def test_empty_or_heading_only_bodies_give_no_fragments(body):
    assert fragment_source("s", body) == []
