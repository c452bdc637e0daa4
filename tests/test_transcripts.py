import pytest

from stages.etl.errors import ExtractionError
from stages.etl.transcripts import parse_cues, transcript_to_text, turns
from tests.conftest import DEMO_SPEC

VTT = """WEBVTT

NOTE a comment block that is not a cue

1
00:00:01.000 --> 00:00:03.000
<v Ana Host>Welcome to the show.

00:00:03.100 --> 00:00:05.000
<v Iris Valente>Thank you. I look twice,
and I write once.

00:00:05.100 --> 00:00:07.000
This cue continues Iris &amp; her turn.

00:00:07.100 --> 00:00:08.000
<v.loud Ana Host><b>Lovely.</b>
"""

SRT = """1
00:00:01,000 --> 00:00:02,000
IRIS: First line from Iris.

2
00:00:02,100 --> 00:00:03,000
First line from Iris.

3
00:00:03,100 --> 00:00:04,000
>> HOST: A question?

4
00:00:04,100 --> 00:00:05,000
IRIS: An answer.
"""


def test_vtt_turns_with_continuation_cues_and_entities():
    result = turns(parse_cues(VTT, "vtt"))
    assert result == [
        ("Ana Host", "Welcome to the show."),
        ("Iris Valente", "Thank you. I look twice, and I write once. This cue continues Iris & her turn."),
        ("Ana Host", "Lovely."),
    ]


def test_speaker_filter_keeps_only_that_speaker():
    text = transcript_to_text(VTT, "vtt", speaker="iris  valente")
    assert text == "Thank you. I look twice, and I write once. This cue continues Iris & her turn.\n"
    assert "Welcome" not in text and "00:00" not in text


def test_without_filter_turns_are_labelled():
    text = transcript_to_text(VTT, "vtt")
    assert text.splitlines()[0] == "Ana Host: Welcome to the show."


def test_srt_labels_and_rolling_caption_dedupe():
    assert transcript_to_text(SRT, "srt", speaker="IRIS") == "First line from Iris.\n\nAn answer.\n"
    assert "HOST: A question?" in transcript_to_text(SRT, "srt")


def test_unknown_speaker_lists_the_speakers_found():
    with pytest.raises(ExtractionError, match="speakers in this transcript: Ana Host, Iris Valente"):
        transcript_to_text(VTT, "vtt", speaker="Nobody")


def test_not_webvtt_and_empty_transcripts_fail_clearly():
    with pytest.raises(ExtractionError, match="WEBVTT"):
        parse_cues("00:00:01.000 --> 00:00:02.000\nhi", "vtt")
    with pytest.raises(ExtractionError, match="no SRT cues"):
        parse_cues("just some text\nwithout cues", "srt")


def test_demo_interview_keeps_only_iris():
    raw = (DEMO_SPEC.parent / "interview-harbour-radio.vtt").read_text(encoding="utf-8")
    all_turns = turns(parse_cues(raw, "vtt"))
    iris_words = sum(len(t.split()) for s, t in all_turns if s == "Iris Valente")
    text = transcript_to_text(raw, "vtt", speaker="Iris Valente")
    assert len(text.split()) == iris_words
    tomas_first_words = next(t for s, t in all_turns if s == "Tomas Reyes")[:40]
    assert tomas_first_words not in text
    assert "-->" not in text and "<v" not in text
    assert {s for s, _ in all_turns} == {"Iris Valente", "Tomas Reyes"}
