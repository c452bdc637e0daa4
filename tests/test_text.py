from lendaria.text import detect_language, normalize_text, slugify, word_count


def test_normalize_text_canonical_form():
    raw = "\ufeffOne\u200b line  \r\nTwo\tthree\n\n\n\nFour\x07\n\n"
    assert normalize_text(raw) == "One line\nTwo three\n\nFour\n"
    assert normalize_text("  \n\n ") == ""
    # NFC: a decomposed é equals the composed one after normalisation
    assert normalize_text("cafe\u0301") == normalize_text("caf\u00e9")


def test_normalize_is_idempotent():
    text = "A  b\n\n\n\nc\r\n"
    assert normalize_text(normalize_text(text)) == normalize_text(text)


def test_word_count_matches_split_rule():
    assert word_count("one two\nthree\t four ") == 4
    assert word_count("") == 0


def test_detect_language():
    assert detect_language("The tide is out and the pools are full of life that we can see with patience.") == "en"
    assert detect_language("A maré está baixa e não há nada que ele possa fazer para a casa da família.") == "pt"
    assert detect_language("short") is None
    assert detect_language("1234 5678 9012 3456 7890 !!!") is None


def test_slugify():
    assert slugify("Slow Looking at Low Tide — Ação!") == "slow-looking-at-low-tide-acao"
    assert slugify("***") == ""
    assert len(slugify("x" * 100, max_length=10)) == 10


def test_a_speaker_label_is_a_full_name_or_opens_two_paragraphs():
    from lendaria.text import speaker_labels

    essay = "Definitely: the sand is lower than it was.\n\nProbably: the gulls are bolder.\n\nNote: more next month."
    assert speaker_labels(essay) == frozenset()  # the writer's own paragraphs, not voices
    talk = "Host: Welcome.\n\nIris: Thank you.\n\nHost: Why count?\n\nTomas Reyes: A question from the floor."
    assert speaker_labels(talk) == {"Host", "Tomas Reyes"}  # Iris opens one paragraph and is one word: not a label
