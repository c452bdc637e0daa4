"""MMOS's words per language (stages/mmos/wording.py, lendaria/languages/<code>/mmos.yaml `text`)."""

from lendaria.languages import languages, resources
from stages.mmos.layers import LAYERS
from stages.mmos.prompt import _template
from stages.mmos.wording import wording


def test_counts_follow_the_language_plural_and_numbers_its_marks():
    pt, en = wording("pt"), wording("en")
    assert pt.fill("{n:vez|vezes} em {m:fonte|fontes}", n=1, m=3) == "1 vez em 3 fontes"
    assert en.fill("{n:time|times}", n=2) == "2 times"
    assert pt.number(12345.678, ",.1f") == "12.345,7" and en.number(12345.678, ",.1f") == "12,345.7"
    assert pt.fill("{rate:.1f} por 1.000 palavras", rate=3.14159) == "3,1 por 1.000 palavras"  # literal text untouched
    assert pt.number(887) == "887" and pt.number(8.11) == "8,11"


def test_every_language_with_words_names_what_english_names():
    english = wording("en").text
    for code in languages("mmos"):
        text = (resources(code, "mmos") or {}).get("text")
        if not text:
            continue
        assert set(text["titles"]) == set(LAYERS), code
        assert set(text["claims"]) == set(english["claims"]), code
        assert set(text["methods"]) == set(english["methods"]), code
        assert set(text["traits"]) == set(english["traits"]), code


def test_a_language_without_words_is_described_in_english():
    assert wording("fr").language == "en" and wording(None).language == "en"
    assert wording("pt").language == "pt" and wording("pt").title("values-and-beliefs") == "Valores e crenças"
    # templates: the language's own when it writes them, else the English ones
    assert _template("generalista.md.j2", "fr").filename.endswith("stages/mmos/templates/generalista.md.j2")
    assert _template("generalista.md.j2", "pt").filename.endswith("lendaria/languages/pt/mmos-templates/generalista.md.j2")
