"""Each language's shared text resources in data files (lendaria/languages/<code>/text.yaml): the
interface, the lists the packs read from it, and what the declared language changes in the fragments."""

from __future__ import annotations

import hashlib
import shutil

import pytest

import lendaria.languages as languages
from lendaria.languages import TextResources, text_languages, text_resources
from lendaria.text import detect_language, stopwords_for
from stages.innerlens import fragments as fragments_module
from stages.innerlens.fragments import fragment_source, sentences
from stages.mmos.space import FUNCTION_WORDS

LISTS = ("stop_words", "function_words", "connectives", "abbreviations", "first_person")


def test_every_language_folder_text_yaml_has_the_lists_as_lists_of_strings():
    assert {"en", "pt", "es", "fr", "de", "it"} <= set(text_languages())
    for code in text_languages():
        data = languages.resources(code, "text")
        assert data["language"] == code
        assert set(data) - {"language"} <= set(LISTS) and data["stop_words"], code
        for key in set(data) - {"language"}:
            assert isinstance(data[key], list) and all(isinstance(w, str) and w.strip() for w in data[key]), (code, key)
        resources = text_resources(code)
        assert isinstance(resources, TextResources) and resources.language == code
        assert all(a == a.lower() and not a.endswith(".") for a in resources.abbreviations), code


def test_no_or_an_unknown_language_gives_the_union_of_every_language():
    union = text_resources(None)
    assert union.language is None and text_resources("nl") == union
    assert text_resources("pt-BR") == text_resources("pt") and stopwords_for("pt_BR") == text_resources("pt").stop_words
    for code in text_languages():
        mine = text_resources(code)
        assert mine.stop_words <= union.stop_words and set(mine.connectives) <= set(union.connectives)
        assert set(mine.abbreviations) <= set(union.abbreviations) and set(mine.first_person) <= set(union.first_person)
    assert stopwords_for(None) == union.stop_words


def test_mmos_function_words_are_unchanged_word_for_word_and_in_order():
    # the feature order of the shipped pool statistics (stages/mmos/data/pool-*.npz)
    pinned = {"en": (114, "the", "always", "363dd8a8ccb607a728248a923fea30602813f90979307a57bf13d8fc79985a3c"),
              "pt": (136, "o", "nenhum", "dc7fba818c919973d38910dcbba47d58adabe8d4c7515d179748bcb090545954")}
    assert set(FUNCTION_WORDS) == set(pinned)
    for code, (length, first, last, digest) in pinned.items():
        words = FUNCTION_WORDS[code]
        assert (len(words), words[0], words[-1]) == (length, first, last)
        assert hashlib.sha256("\n".join(words).encode("utf-8")).hexdigest() == digest


def test_portuguese_abbreviations_do_not_end_sentences():
    body = ("O Sr. Anísio e a Dra. Lúcia, p. ex. na feira de sábado, trocam sementes com a Profa. Marta e o Dr. Paulo. "
            "Há plantas que pedem sombra no verão, p. ex. Alface e couve. Depois voltamos para casa.")
    found = [body[s:e] for s, e in sentences(body, 0, len(body), language="pt")]
    assert found == ["O Sr. Anísio e a Dra. Lúcia, p. ex. na feira de sábado, trocam sementes com a Profa. Marta e o Dr. Paulo.",
                     "Há plantas que pedem sombra no verão, p. ex. Alface e couve.", "Depois voltamos para casa."]


@pytest.mark.parametrize("opening", ["Por isso", "Então", "Foi por isso que", "Só que", "Ou seja,"])
def test_a_portuguese_connective_keeps_the_sentence_with_the_fragment_before(opening):
    body = (f"A terra descoberta perde a umidade muito depressa quando o sol de janeiro bate o dia inteiro. "
            f"{opening} a gente cobre cada canteiro com palha seca antes do verão.\n\n"
            "A segunda parte da horta fica perto do muro, onde as couves crescem devagar e sem pressa nenhuma.")
    texts = [f.text for f in fragment_source("s", body, language="pt")]
    assert len(texts) == 2 and opening in texts[0]


def test_the_english_so_carries_a_thought_on_in_english_only():
    body = ("Eu plantei as couves em março, como a minha avó fazia, e todas vingaram sem uma gota de veneno. "
            "So the garden grew all summer long without any help from us.")
    assert len(fragment_source("s", body, language="en")) == 1
    assert [f.text[:2] for f in fragment_source("s", body, language="pt")] == ["Eu", "So"]


def test_first_person_reads_the_language_pronouns():
    body = "Naquela manhã de chuva, a horta inteira ficou comigo até o almoço, quieta e molhada."
    (fragment,) = fragment_source("s", body, language="pt")
    assert fragment.first_person
    (english,) = fragment_source("s", body, language="en")
    assert not english.first_person


@pytest.fixture
def dutch_folder(tmp_path, monkeypatch):
    """A copy of the language folders plus a Dutch one, read instead of the real folder."""
    folder = tmp_path / "languages"
    shutil.copytree(languages.FOLDER, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    (folder / "nl").mkdir()
    (folder / "nl" / "text.yaml").write_text(
        'language: nl\nstop_words: ["de", "het", "een", "en", "van", "ik", "niet", "dat", "is", "op", "te", "zijn"]\n'
        'connectives: ["daarom", "want"]\nabbreviations: ["dhr", "mevr"]\nfirst_person: ["ik", "mij", "mijn", "wij", "ons"]\n',
        encoding="utf-8")
    caches = (languages.resources, text_resources, fragments_module._connective, fragments_module._first_person,
              fragments_module._abbreviations)

    def clear() -> None:
        for cache in caches:
            cache.cache_clear()

    clear()
    monkeypatch.setattr(languages, "FOLDER", folder)
    yield folder
    monkeypatch.undo()
    clear()


def test_a_new_language_folder_is_read_without_code_change(dutch_folder):
    assert "nl" in text_languages() and text_resources("nl").connectives == ("daarom", "want")
    assert detect_language("Ik weet niet of het een goede dag is om de tuin van mijn moeder te zijn.") == "nl"
    body = ("Ik heb de tuin van mijn moeder elk jaar opnieuw ingezaaid met bonen en kool. "
            "Daarom groeit er nu van alles naast het huis van dhr. Jansen.")
    (fragment,) = fragment_source("s", body, language="nl")
    assert fragment.first_person and fragment.text == body
