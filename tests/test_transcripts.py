import pytest

from stages.etl.errors import ExtractionError
from stages.etl.transcripts import TranscriptText, extract_transcript, parse_cues, transcript_to_text, turns
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
00:00:02,000 --> 00:00:03,000
IRIS: First line from Iris.
And a second one.

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
    assert transcript_to_text(SRT, "srt", speaker="IRIS") == "First line from Iris. And a second one.\n\nAn answer.\n"
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


# ---- cue boundaries ------------------------------------------------------------------------------------
def test_srt_cues_without_blank_lines_do_not_leak_timing_lines_or_numbers():
    srt = (
        "1\n00:00:01,000 --> 00:00:02,000\nThe tide is out.\n"
        "2\n00:00:02,000 --> 00:00:03,000\nThe pools are full.\n"
        "3\n00:00:03,000 --> 00:00:04,000\nLet us look.\n"
    )
    assert transcript_to_text(srt, "srt") == "The tide is out. The pools are full. Let us look.\n"


def test_vtt_cues_without_blank_lines_drop_identifiers_and_keep_text():
    vtt = (
        "WEBVTT\n\n"
        "00:00:01.000 --> 00:00:02.000\nFirst words here.\n"
        "cue-2\n00:00:02.000 --> 00:00:03.000\nSecond words here.\n"
        "00:00:03.000 --> 00:00:04.000\nThird words here.\n"
    )
    text = transcript_to_text(vtt, "vtt")
    assert text == "First words here. Second words here. Third words here.\n"
    assert "-->" not in text and "cue-2" not in text


def test_whitespace_only_line_does_not_end_a_cue():
    srt = "1\n00:00:01,000 --> 00:00:03,000\nBefore the gap,\n \t \nafter the gap.\n\n2\n00:00:03,000 --> 00:00:04,000\nNext cue.\n"
    text = transcript_to_text(srt, "srt")
    assert text == "Before the gap, after the gap. Next cue.\n"


def test_text_after_an_empty_line_inside_a_cue_is_outside_any_cue():
    srt = "1\n00:00:01,000 --> 00:00:02,000\nSpoken.\n\nstray words\n\n2\n00:00:02,000 --> 00:00:03,000\nAlso spoken.\n"
    assert transcript_to_text(srt, "srt") == "Spoken. Also spoken.\n"


# ---- rolling captions and real repetitions -------------------------------------------------------------
YT_DLP_ROLLING = """WEBVTT
Kind: captions
Language: es

00:00:00.030 --> 00:00:02.070 align:start position:0%
 
Buenas<00:00:00.500><c> noches</c><00:00:01.000><c> a</c><00:00:01.500><c> todos.</c>

00:00:02.070 --> 00:00:02.080 align:start position:0%
Buenas noches a todos.
 

00:00:02.080 --> 00:00:04.000 align:start position:0%
Buenas noches a todos.
Hoy<00:00:02.500><c> hablamos</c><00:00:03.000><c> del</c><00:00:03.500><c> mar.</c>

00:00:04.000 --> 00:00:04.010 align:start position:0%
Hoy hablamos del mar.
 

00:00:04.010 --> 00:00:06.000 align:start position:0%
Hoy hablamos del mar.
Y<00:00:04.500><c> de</c><00:00:05.000><c> las</c><00:00:05.500><c> rocas.</c>
"""


def test_rolling_captions_give_each_line_once():
    text = transcript_to_text(YT_DLP_ROLLING, "vtt")
    assert text == "Buenas noches a todos. Hoy hablamos del mar. Y de las rocas.\n"
    assert text.count("Buenas noches") == 1 and "<c>" not in text and "align:" not in text


def test_roll_up_captions_without_flash_cues_are_deduplicated():
    srt = (
        "1\n00:00:01,000 --> 00:00:03,000\nwe went down\nto the harbour\n\n"
        "2\n00:00:03,000 --> 00:00:05,000\nto the harbour\nat first light\n\n"
        "3\n00:00:04,500 --> 00:00:07,000\nat first light\nwith our notebooks\n"
    )
    assert transcript_to_text(srt, "srt") == "we went down to the harbour at first light with our notebooks\n"


def test_genuinely_repeated_line_in_successive_cues_is_kept():
    separate = "1\n00:00:01,000 --> 00:00:02,000\nBuenas noches.\n\n2\n00:00:02,500 --> 00:00:03,500\nBuenas noches.\n"
    touching = "WEBVTT\n\n00:01.000 --> 00:02.000\nBuenas noches.\n\n00:02.000 --> 00:03.000\nBuenas noches.\n"
    assert transcript_to_text(separate, "srt") == "Buenas noches. Buenas noches.\n"
    assert transcript_to_text(touching, "vtt") == "Buenas noches. Buenas noches.\n"


def test_flash_duplicate_cue_is_dropped():
    vtt = "WEBVTT\n\n00:01.000 --> 00:02.000\nOnly once.\n\n00:02.000 --> 00:02.010\nOnly once.\n"
    assert transcript_to_text(vtt, "vtt") == "Only once.\n"


# ---- speaker labels ------------------------------------------------------------------------------------
def test_a_word_with_a_colon_used_once_is_not_a_speaker():
    vtt = (
        "WEBVTT\n\n"
        "00:01.000 --> 00:02.000\n<v Iris>We counted the crabs.\n\n"
        "00:02.000 --> 00:03.000\nNote: only the small ones.\n\n"
        "00:03.000 --> 00:04.000\nThe big ones hide.\n"
    )
    result = extract_transcript(vtt, "vtt", speaker="Iris")
    assert result.text == "We counted the crabs. Note: only the small ones. The big ones hide.\n"
    assert result.speakers == ("Iris",)


def test_digo_once_does_not_take_over_the_later_lines():
    """Miniature of a real file where one 'Digo:' reassigned 540 later segments to 'Digo'."""
    lines = ["RAMÓN: Buenas noches a todos.", "Digo: algo que ya sabéis."]
    lines += [f"Y esta es la frase número {n}." for n in range(1, 8)]
    lines += ["PRESENTADORA: Gracias, Ramón.", "RAMÓN: De nada."]
    srt = "\n".join(f"{i}\n00:00:{i:02},000 --> 00:00:{i:02},900\n{line}\n" for i, line in enumerate(lines, 1))
    text = transcript_to_text(srt, "srt", speaker="Ramón")
    assert "Digo: algo que ya sabéis." in text and "frase número 7." in text and "De nada." in text
    assert "Gracias" not in text
    plain = transcript_to_text(srt, "srt")
    assert "RAMÓN: Buenas noches a todos. Digo: algo que ya sabéis. Y esta es la frase número 1." in plain
    assert "\nDigo:" not in plain and "Digo: Y esta" not in plain
    with pytest.raises(ExtractionError, match="speakers in this transcript: PRESENTADORA, RAMÓN"):
        transcript_to_text(srt, "srt", speaker="Digo no")


def test_a_label_repeated_only_by_rolling_captions_counts_once():
    vtt = (
        "WEBVTT\n\n"
        "00:01.000 --> 00:03.000\n<v Lola>Ya lo sabía.\nBueno: que sí.\n\n"
        "00:03.000 --> 00:05.000\nBueno: que sí.\ny nada más.\n"
    )
    result = extract_transcript(vtt, "vtt", speaker="Lola")
    assert result.text == "Ya lo sabía. Bueno: que sí. y nada más.\n" and result.speakers == ("Lola",)


def test_a_label_used_once_is_accepted_when_it_is_the_requested_speaker():
    srt = "1\n00:00:01,000 --> 00:00:02,000\nHost: Welcome, Iris.\n\n2\n00:00:02,000 --> 00:00:03,000\nIris: Thanks for having me.\n"
    assert transcript_to_text(srt, "srt", speaker="iris") == "Thanks for having me.\n"
    assert transcript_to_text(srt, "srt") == "Host: Welcome, Iris. Iris: Thanks for having me.\n"


def test_bracket_and_parenthesis_speaker_lines():
    srt = (
        "1\n00:00:01,000 --> 00:00:02,000\n[Iris Valente]\nThe water is cold.\n\n"
        "2\n00:00:02,000 --> 00:00:03,000\n(Tomas) Is it always?\n\n"
        "3\n00:00:03,000 --> 00:00:04,000\n[Iris Valente] Always, in May.\n\n"
        "4\n00:00:04,000 --> 00:00:05,000\n(Tomas)\nI see. [laughs]\n"
    )
    assert transcript_to_text(srt, "srt", speaker="Iris Valente") == "The water is cold.\n\nAlways, in May.\n"
    assert transcript_to_text(srt, "srt", speaker="tomas") == "Is it always?\n\nI see.\n"


def test_sound_descriptions_in_brackets_are_not_speakers():
    srt = (
        "1\n00:00:01,000 --> 00:00:02,000\n[Music]\nIRIS: Hello.\n\n"
        "2\n00:00:02,000 --> 00:00:03,000\n[Music]\n(Applause)\n\n"
        "3\n00:00:03,000 --> 00:00:04,000\nIRIS: Goodbye.\n"
    )
    result = extract_transcript(srt, "srt")
    assert result.text == "Hello. Goodbye.\n" and result.speakers == ("IRIS",)
    assert result.non_speech_words == 3


def test_voice_tags_with_classes_and_chevron_labels():
    vtt = (
        "WEBVTT\n\n"
        "00:01.000 --> 00:02.000\n<v.first.loud Ana Host>Welcome.</v>\n\n"
        "00:02.000 --> 00:03.000\n<v Iris>Thank you.\n\n"
        "00:03.000 --> 00:04.000\n>> TOMAS: A late question?\n"
    )
    result = extract_transcript(vtt, "vtt")
    assert result.speakers == ("Ana Host", "Iris", "TOMAS")
    assert result.text == "Ana Host: Welcome.\n\nIris: Thank you.\n\nTOMAS: A late question?\n"


def test_dash_lines_are_separate_segments_of_the_cue():
    srt = "1\n00:00:01,000 --> 00:00:02,000\n- Hi.\n- Hello.\n"
    segments = parse_cues(srt, "srt")
    assert [s.text for s in segments] == ["Hi.", "Hello."]


# ---- markup --------------------------------------------------------------------------------------------
def test_ass_override_tags_and_escapes_are_removed():
    srt = "1\n00:00:01,000 --> 00:00:02,000\n{\\an8}{\\i1}Top line{\\i0}\\Nsecond\\hline\\nsoft break.\n"
    text = transcript_to_text(srt, "srt")
    assert text == "Top line second line soft break.\n"
    assert "{" not in text and "\\" not in text


def test_html_tags_ruby_timestamps_and_entities_are_removed():
    vtt = (
        "WEBVTT\n\n"
        "00:01.000 --> 00:02.000\n"
        '<i>Slow</i> <b>looking</b> <font color="#ff0">works</font> <c.yellow.bg_blue>well</c>\n'
        "<00:00:01.500>rock&nbsp;pools &amp; tides &lt;3 <ruby>海<rt>うみ</rt></ruby>\n"
    )
    text = transcript_to_text(vtt, "vtt")
    assert text == "Slow looking works well rock pools & tides <3 海\n"
    assert "うみ" not in text


# ---- non-speech ----------------------------------------------------------------------------------------
def test_non_speech_captions_are_removed_and_counted():
    srt = (
        "1\n00:00:01,000 --> 00:00:02,000\n[laughs]\n\n"
        "2\n00:00:02,000 --> 00:00:03,000\nI said so [laughs] and left.\n\n"
        "3\n00:00:03,000 --> 00:00:04,000\n♪ la la la ♪\n\n"
        "4\n00:00:04,000 --> 00:00:05,000\n♫ an opening lyric\nthe middle of the song\nand its end ♫\n\n"
        "5\n00:00:05,000 --> 00:00:06,000\n<i>Laughs</i>\n*sighs*\n(aplausos)\n[MUSIC PLAYING]\n\n"
        "6\n00:00:06,000 --> 00:00:07,000\nThat was <i>really</i> good (risas) indeed.\n\n"
        "7\n00:00:07,000 --> 00:00:08,000\n<i>Keep looking.</i>\n"
    )
    result = extract_transcript(srt, "srt")
    assert result.text == "I said so and left.\n\nThat was really good indeed. Keep looking.\n"
    for leak in ("laugh", "Laugh", "la la", "lyric", "song", "sighs", "aplausos", "MUSIC", "risas", "♪", "["):
        assert leak not in result.text
    # [laughs] 1 + [laughs] 1 + la la la 3 + the song's 3 + 5 + 3 + Laughs 1 + sighs 1 + aplausos 1
    # + MUSIC PLAYING 2 + risas 1
    assert result.non_speech_words == 22


def test_non_speech_words_are_counted_within_the_requested_speaker():
    vtt = "WEBVTT\n\n00:01.000 --> 00:02.000\n<v Ana>Hi. [laughs]\n\n00:02.000 --> 00:03.000\n<v Iris>Hello. [coughs loudly]\n"
    result = extract_transcript(vtt, "vtt", speaker="Iris")
    assert result.text == "Hello.\n" and result.non_speech_words == 2


# ---- timings -------------------------------------------------------------------------------------------
def test_malformed_timing_line_skips_only_that_line():
    srt = (
        "1\n00:00:01,000 --> 00:00:03,500\nFirst cue.\n\n"
        "2\n00:00:03,500 --> 00:00:0x,500\nKept after a bad timing.\n\n"
        "3\n00:00:03 --> 00:00:04\nKept without milliseconds.\n\n"
        "4\n00:00:04,000 --> 00:00:05,000\nLast cue.\n"
    )
    result = extract_transcript(srt, "srt")
    assert result.text == "First cue. Kept after a bad timing. Kept without milliseconds. Last cue.\n"
    assert result.skipped_timing_lines == 2
    assert "-->" not in result.text and "\n2\n" not in result.text


def test_malformed_timing_line_inside_a_cue_keeps_the_cue():
    srt = "1\n00:00:01,000 --> 00:00:02,000\nStill here.\n2\n00:00:02,000 --> 00:00:0x,000\nAnd here.\n"
    result = extract_transcript(srt, "srt")
    assert result.text == "Still here. And here.\n" and result.skipped_timing_lines == 1


def test_timing_variants_are_accepted():
    vtt = (
        "WEBVTT\n\n"
        "00:01.000 --> 00:02.000 align:start position:0%\nNo hours.\n\n"
        "00:00:02,000 --> 00:00:03,000\nComma decimals.\n\n"
        "1:00:03.000-->1:00:04.000 line:0\nOne-digit hours, no spaces.\n"
    )
    segments = parse_cues(vtt, "vtt")
    assert [(s.start, s.end, s.text) for s in segments] == [
        (1.0, 2.0, "No hours."),
        (2.0, 3.0, "Comma decimals."),
        (3603.0, 3604.0, "One-digit hours, no spaces."),
    ]


def test_long_silence_starts_a_new_paragraph():
    srt = "1\n00:00:01,000 --> 00:00:02,000\nBefore.\n\n2\n00:00:02,500 --> 00:00:03,000\nStill.\n\n3\n00:00:06,000 --> 00:00:07,000\nAfter.\n"
    assert transcript_to_text(srt, "srt") == "Before. Still.\n\nAfter.\n"


# ---- WebVTT header and blocks --------------------------------------------------------------------------
def test_webvtt_header_note_style_region_and_line_endings():
    vtt = (
        "\ufeffWEBVTT - a title on the first line\nKind: captions\nLanguage: en\n\n"
        "STYLE\n::cue { color: yellow }\n\n"
        "REGION\nid:left width:40%\n\n"
        "NOTE\nA comment that is not spoken.\nOver two lines.\n\n"
        "intro\n00:01.000 --> 00:02.000\nThe first spoken words.\n\n"
        "NOTE one more comment\n\n"
        "00:02.000 --> 00:03.000\nThe last spoken words.\n"
    )
    expected = "The first spoken words. The last spoken words.\n"
    assert transcript_to_text(vtt, "vtt") == expected
    assert transcript_to_text(vtt.replace("\n", "\r\n"), "vtt") == expected
    assert transcript_to_text(vtt.replace("\n", "\r"), "vtt") == expected
    with pytest.raises(ExtractionError, match="WEBVTT"):
        transcript_to_text("WEBVTTX\n\n00:01.000 --> 00:02.000\nhi\n", "vtt")


def test_extract_transcript_reports_and_transcript_to_text_agrees():
    result = extract_transcript(VTT, "vtt")
    assert isinstance(result, TranscriptText)
    assert result.speakers == ("Ana Host", "Iris Valente")
    assert result.non_speech_words == 0 and result.skipped_timing_lines == 0
    assert result.text == transcript_to_text(VTT, "vtt")
    with pytest.raises(ExtractionError, match="no VTT cues"):
        extract_transcript("WEBVTT\n\n00:01.000 --> 00:02.000\n[music]\n", "vtt")
