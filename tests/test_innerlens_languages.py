"""A mind whose sources mix languages: each fragment keeps its detected language, the Big Five reads
the declared language only, and the summary says how many words of other languages were set aside."""

from __future__ import annotations

import json

from lendaria.settings import Settings
from lendaria.yamlio import load_yaml
from stages.etl.run import run_etl
from stages.innerlens.fragments import Fragment
from stages.innerlens.profile import build_profile
from stages.innerlens.run import fragment_languages, run_innerlens, set_aside_clause
from tests.conftest import write_spec

# Our own Portuguese paragraphs (a market gardener's notes) and an English talk she gave abroad.
PORTUGUESE = (
    "A terra descoberta perde a umidade muito depressa quando o sol de janeiro bate o dia inteiro nos canteiros.\n\n"
    "Por isso eu cubro cada canteiro com palha seca e folhas do quintal antes do começo do verão.\n\n"
    "A minha avó fazia o mesmo na roça, e nunca precisou de veneno nem de adubo comprado na cidade.\n\n"
    "Quando chove muito, a palha segura a terra no lugar e as minhocas continuam trabalhando por baixo dela.\n\n"
    "As couves crescem devagar perto do muro, mas crescem fortes e quase nunca ficam doentes no inverno.\n\n"
    "Na feira de sábado eu troco sementes com os vizinhos e ouço o que deu certo na horta de cada um.\n")
ENGLISH = (
    "Thank you all for coming.\n\n"
    "I was asked to talk about covering the soil, which is the one thing I would teach any new gardener first.\n\n"
    "Bare ground dries out in a week of summer sun, and the life underneath it goes quiet until the rain comes back.\n")


def records_of(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def mind_of(tmp_path, files: dict[str, str], language: str):
    """ETL then InnerLens of a mind of ``files`` (name -> text) declared in ``language``: the result, its
    fragment records, the outputs root and the settings."""
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    settings, out = Settings(home=tmp_path / "home"), tmp_path / "out"
    run_etl(write_spec(tmp_path, [{"path": name} for name in files], language=language), out, settings)
    result = run_innerlens("test-mind", out, settings)
    return result, records_of(result.fragments_path), out, settings


def test_a_portuguese_mind_keeps_each_fragment_language_and_sets_the_english_words_aside(tmp_path):
    result, records, out, settings = mind_of(tmp_path, {"notas.txt": PORTUGUESE, "talk.txt": ENGLISH}, "pt-BR")
    by_source = {}
    for r in records:
        by_source.setdefault(r["source_id"].split("-")[0], set()).add(r["language"])
    assert by_source == {"notas": {"pt"}, "talk": {"en"}}
    short = next(r for r in records if r["text"] == "Thank you all for coming.")
    assert short["language"] == "en"  # too short to tell: its source's language, not the declared pt
    english_words = sum(r["words"] for r in records if r["language"] == "en")
    profile = load_yaml((out / "minds" / "test-mind" / "analysis" / "psychometric-profile.yaml").read_text(encoding="utf-8"))
    assert profile["contract"].startswith("innerlens-mmos@2.") and profile["gate"] == "insufficient"
    assert profile["words_analysed"] == sum(r["words"] for r in records if r["language"] == "pt")
    assert profile["set_aside"] == {"fragments": sum(r["language"] == "en" for r in records), "words": english_words,
                                    "languages": {"en": {"fragments": sum(r["language"] == "en" for r in records),
                                                         "words": english_words}}}
    assert f"set aside {english_words:,} words in en (not the declared pt)" in result.summary()
    again = run_innerlens("test-mind", out, settings)  # nothing changed: the remembered run says the same
    assert again.written == [] and f"set aside {english_words:,} words in en (not the declared pt)" in again.summary()


def test_an_english_mind_rates_its_english_fragments_only(tmp_path, corpus):
    paragraphs = (corpus / "henry-david-thoreau" / "walden.txt").read_text(encoding="utf-8").split("\n\n")
    english, words = [], 0
    for paragraph in paragraphs:
        english.append(paragraph)
        words += len(paragraph.split())
        if words > 1_200:
            break
    result, records, out, _ = mind_of(tmp_path, {"walden.txt": "\n\n".join(english) + "\n", "notas.txt": PORTUGUESE}, "en")
    in_english = [r for r in records if r["language"] == "en"]
    portuguese = [r for r in records if r["language"] == "pt"]
    assert portuguese and {r["source_id"].split("-")[0] for r in portuguese} == {"notas"}
    profile = load_yaml((out / "minds" / "test-mind" / "analysis" / "psychometric-profile.yaml").read_text(encoding="utf-8"))
    alone = build_profile("test-mind", in_english, language="en")  # what the English fragments give by themselves
    assert "big_five" in profile and profile["big_five"] == alone["big_five"]
    assert profile["words_analysed"] == sum(r["words"] for r in in_english)
    assert profile["set_aside"]["languages"]["pt"] == {"fragments": len(portuguese), "words": sum(r["words"] for r in portuguese)}
    # and whatever else is not English (Walden quotes Latin verse) is set aside too
    assert profile["set_aside"]["words"] == sum(r["words"] for r in records if r["language"] != "en")
    english_ids = {r["id"] for r in in_english}
    assert all(set(trait["evidence"]) <= english_ids for trait in profile["big_five"].values())
    assert f"set aside {sum(r['words'] for r in portuguese):,} words in pt" in result.summary()
    assert "(not the declared en)" in result.summary()


def test_a_fragment_too_short_to_tell_takes_its_source_language_then_the_declared_one():
    def fragment(source_id: str) -> Fragment:
        return Fragment(f"{source_id}-aaaaaaaaaaaa", source_id, 0, 5, "Hello", 1, False, False, False)

    found = fragment_languages([fragment("a"), fragment("b"), fragment("c")], ["es", None, None],
                               {"a": "pt", "b": "en", "c": None}, "pt")
    assert found == ["es", "en", "pt"]
    assert fragment_languages([fragment("c")], [None], {}, None) == [None]


def test_without_a_declared_language_nothing_is_set_aside():
    records = [{"id": "s-aaaaaaaaaaaa", "text": "Uma frase curta.", "words": 3, "language": "pt"},
               {"id": "s-bbbbbbbbbbbb", "text": "A short sentence.", "words": 3, "language": "en"}]
    profile = build_profile("test-mind", records)
    assert "set_aside" not in profile and profile["words_analysed"] == 6
    assert set_aside_clause({}, None) == ""
    assert set_aside_clause({"en": 1234, "es": 56}, "pt") == "; set aside 1,234 words in en, 56 in es (not the declared pt)"
