"""CreatorOS in the course's language: a Portuguese brief (headings, check, template), Portuguese guided
readings with no English connective text, Portuguese research pages, and English output unchanged."""

from __future__ import annotations

import re
import shutil
import string

import pytest

from contracts import get_registry
from lendaria.documents import parse_markdown, split_sections
from lendaria.settings import Settings
from lendaria.yamlio import load_yaml
from stages.creatoros import brief as briefs
from stages.creatoros import curriculum, i18n, lessons
from stages.creatoros.run import build_course
from tests.conftest import COMMITTED_OUTPUTS, DEMO_SLUG, PT_DEMO_SLUG, run_cli

COURSE = "horta-de-quintal"
PT_BRIEF = """---
contract: creatoros-brief@2.0.0
course: horta-de-quintal
title: "Horta de Quintal: do Solo à Colheita"
mind: dalva-quintino
mode: greenfield
review: false
---
# Horta de Quintal: do Solo à Colheita

Um curso curto sobre como começar e manter uma pequena horta de quintal, na voz de Dalva Quintino.

## Tema

Como observar um pedaço de chão antes de plantar, cuidar do solo com cobertura e composto e registrar
tudo num caderno, para que uma horta pequena fique mais fértil a cada ano.

## Público

Adultos e jovens que moram na cidade, têm um quintal ou uma laje e nunca plantaram nada.

## Resultados

- Cobrir o solo com palhada e folhas secas para proteger a terra e a vida que mora nela
- Montar e manter uma composteira simples, sabendo o que pode e o que não pode entrar
- Anotar num caderno a chuva, os plantios, as colheitas e os erros, de forma que outra pessoa entenda

## Formato

Lições em texto, no ritmo de cada pessoa, uma por semana, cada uma com uma tarefa simples no fim.

## Duração

4 lições de cerca de 1.200 palavras cada.

## Voz

Dalva Quintino: calorosa, concreta e paciente; fala "a gente" e admite o que ainda não sabe.

## Restrições

Nada de veneno nem de adubo químico; nunca recomendar esterco fresco. Linguagem para quem tem doze anos.
"""


def english_fixed_phrases() -> list[str]:
    """Every fixed piece of English a guided reading or research page could carry: the English language
    file's texts (and headings) cut at their placeholders."""
    english = i18n.texts("en")
    found = fixed_phrases(english["lesson"]["guided"], english["research"], strip=" *.;:,`()[]-", shared=frozenset())
    return sorted(set(found) | {"Why chosen", "Key concepts", "Bloom level"})


def english_in(text: str) -> list[str]:
    return [p for p in english_fixed_phrases() if re.search(rf"(?<!\w){re.escape(p)}(?!\w)", text)]


def with_section(text: str, heading: str, body: str) -> str:
    return re.sub(rf"(## {heading}\n\n).*?(?=\n## |\Z)", lambda m: m.group(1) + body, text, flags=re.S)


def test_a_portuguese_brief_passes_the_check_and_a_missing_section_is_named_in_portuguese_with_what_to_add():
    registry = get_registry()
    assert not registry.validate_text(PT_BRIEF, COMMITTED_OUTPUTS / "courses" / COURSE / "COURSE-BRIEF.md").violations
    report = briefs.completeness(PT_BRIEF)
    assert report.passed and report.percent == 100.0 and report.missing == [] and report.language == "pt"
    assert report.filled == ["Tema", "Público", "Resultados", "Formato", "Duração", "Voz", "Restrições"]

    no_voice = with_section(PT_BRIEF, "Voz", "<!-- ainda por escrever -->\n")
    report = briefs.completeness(no_voice)
    assert report.missing == ["Voz"] and report.passed  # 6 of 7
    assert report.summary("horta") == "horta: briefing 86% preenchido (o mínimo é 70%); faltam: Voz"
    assert report.to_add() == ["## Voz: " + i18n.brief_guidance("pt")["Voice"]]
    sparse = with_section(with_section(with_section(no_voice, "Público", "\n"), "Resultados", "Uma frase sem lista.\n"), "Formato", "\n")
    report = briefs.completeness(sparse)
    message, hint = report.refusal()
    assert not report.passed and report.missing == ["Público", "Resultados", "Formato", "Voz"]
    assert message == ("o briefing do curso está 43% preenchido (o mínimo é 70%); faltam: Público, Resultados, Formato, Voz. "
                       "Nada foi escrito.")
    assert hint.startswith("Preencha essas seções") and "Resultados: O que a pessoa sabe fazer ao terminar" in hint
    assert not re.search(r"\b(?:missing|Audience|Outcomes|Format|Voice)\b", message + hint)


def test_headings_in_either_language_count_and_the_report_speaks_the_briefs_language():
    mixed = PT_BRIEF.replace("## Tema", "## Topic").replace("## Restrições", "## Constraints")
    assert not get_registry().validate_text(mixed, COMMITTED_OUTPUTS / "courses" / COURSE / "COURSE-BRIEF.md").violations
    report = briefs.completeness(mixed)
    assert report.passed and report.missing == [] and report.language == "pt"  # most headings are Portuguese
    brief = briefs.parse(mixed)
    assert brief.sections["Topic"].startswith("Como observar") and brief.sections["Constraints"].startswith("Nada de veneno")
    assert brief.language == "pt" and len(brief.outcomes) == 3 and brief.lessons_wanted() == 4 and brief.words_per_lesson() == 1200
    english = (COMMITTED_OUTPUTS / "courses" / "shore-counting" / "COURSE-BRIEF.md").read_text()
    report = briefs.completeness(with_section(english, "Voice", "\n"))
    assert report.language == "en" and report.missing == ["Voice"] and report.to_add() == ["## Voice: " + briefs.SECTIONS["Voice"]]
    # an empty brief: its front matter's language, else the mind's, else English
    empty = "---\ncontract: creatoros-brief@2.0.0\ncourse: x\ntitle: X\nmode: greenfield\n---\n# X\n"
    assert briefs.completeness(empty).missing[0] == "Topic"
    assert briefs.completeness(empty, "pt-BR").missing[0] == "Tema"
    assert briefs.completeness(empty.replace("mode:", "language: pt\nmode:"), "en").missing[0] == "Tema"


def test_the_course_language_is_the_briefs_then_the_minds_then_the_headings_and_english_without_a_file():
    assert i18n.course_language(None, "pt-BR") == "pt" and i18n.course_language(None, "Português") == "pt"
    assert i18n.course_language("en", "pt") == "en" and i18n.course_language(None, None, "pt") == "pt"
    assert i18n.course_language("es", "und") == "en" and i18n.course_language(None, None) == "en"
    assert briefs.parse(PT_BRIEF).language == "pt" and briefs.parse(PT_BRIEF.replace("mode:", "language: en\nmode:")).language == "en"
    english = (COMMITTED_OUTPUTS / "courses" / "shore-counting" / "COURSE-BRIEF.md").read_text()
    assert briefs.parse(english, "en").language == "en" and briefs.parse(english, "pt-BR").language == "pt"


def test_every_languages_text_has_the_english_keys_and_its_headings_satisfy_the_latest_contracts():
    registry = get_registry()

    def keys(node, prefix=""):
        if not isinstance(node, dict):
            return set()
        return {prefix + str(k) for k in node} | {s for k, v in node.items() if k != "source_types" for s in keys(v, f"{prefix}{k}.")}

    english = keys(i18n.texts("en"))
    assert set(i18n.languages()) >= {"en", "pt"}
    for code in i18n.languages():
        text = i18n.texts(code)
        assert keys(text) == english, code
        brief = briefs.template("x", "X", None, registry.latest(briefs.CONTRACT).ref, code)
        assert not registry.validate_text(brief, COMMITTED_OUTPUTS / "courses" / "x" / "COURSE-BRIEF.md").violations, code
        assert briefs.completeness(brief).percent == 0.0 and briefs.completeness(brief).language == code
        lesson_front = {"contract": registry.latest(lessons.CONTRACT).ref, "course": "x", "lesson": "lesson-001", "number": 1,
                        "title": "T", "mind": None, "engine": "offline", "curriculum_sha256": "0" * 64, "system_prompt_sha256": None,
                        "inputs_sha256": "0" * 64, "fidelity": {"words": 0, "own_words": 0, "verbatim_share": 0.0, "status": "no mind"}}
        for method, headings in (("extractive", text["lesson"]["guided"]["headings"]), ("outline", text["lesson"]["sections"])):
            form = {"front_matter": {**lesson_front, "method": method}, "sections": list(headings.values())}
            assert not registry.check(form, registry.latest(lessons.CONTRACT)), (code, method)
        for key, level in (("bloom_names", None), ("guided", "exercises")):
            names = text["lesson"][key] if level is None else text["lesson"][key][level]
            assert set(names) == set(curriculum.BLOOM), (code, key)
    assert i18n.texts("fr") == i18n.texts("en")  # a language without a file is written in English


def test_the_portuguese_template_and_check_through_the_cli(tmp_path):
    out = tmp_path / "out"
    shutil.copytree(COMMITTED_OUTPUTS / "minds" / PT_DEMO_SLUG, out / "minds" / PT_DEMO_SLUG)
    done = run_cli("course", "init", "horta", "--mind", PT_DEMO_SLUG, "--outputs", str(out))
    assert done.returncode == 0, done.stderr
    text = (out / "courses" / "horta" / "COURSE-BRIEF.md").read_text()
    document = parse_markdown(text)
    assert document.front_matter["language"] == "pt" and document.front_matter["contract"] == "creatoros-brief@2.0.0"
    assert document.sections == ["Tema", "Público", "Resultados", "Formato", "Duração", "Voz", "Restrições"]
    assert "Preencha cada seção abaixo" in text and "Fill in" not in text
    check = run_cli("course", "check", "horta", "--outputs", str(out))
    assert check.returncode == 1 and "horta: briefing 0% preenchido (o mínimo é 70%); faltam: Tema, Público, Resultados" in check.stdout
    assert "  ## Tema: O que o curso ensina" in check.stdout and "missing" not in check.stdout
    english = run_cli("course", "init", "shore", "--mind", DEMO_SLUG, "--outputs", str(out))
    assert english.returncode == 0 and parse_markdown((out / "courses" / "shore" / "COURSE-BRIEF.md").read_text()).sections[0] == "Topic"


@pytest.fixture
def pt_course(tmp_path):
    """The committed Portuguese demo mind and a Portuguese brief, built offline."""
    out = tmp_path / "out"
    shutil.copytree(COMMITTED_OUTPUTS / "minds" / PT_DEMO_SLUG, out / "minds" / PT_DEMO_SLUG)
    (out / "courses" / COURSE).mkdir(parents=True)
    (out / "courses" / COURSE / "COURSE-BRIEF.md").write_text(PT_BRIEF)
    result = build_course(COURSE, out, Settings(home=tmp_path / "home"))
    return out, result


def test_a_portuguese_course_has_portuguese_guided_readings_without_english_connective_text(pt_course):
    out, result = pt_course
    course = out / "courses" / COURSE
    assert result.lessons == 4 and result.methods == {"extractive": 4}
    plan = load_yaml((course / "curriculum.yaml").read_text())
    assert [lesson["title"] for lesson in plan["modules"][0]["lessons"]] == [
        "Cobrir o solo com palhada e folhas secas para proteger a terra e a vida que mora nela (1 de 2)",
        "Cobrir o solo com palhada e folhas secas para proteger a terra e a vida que mora nela (2 de 2)"]
    assert plan["modules"][1]["lessons"][0]["objectives"][0]["bloom"] == "create"  # "Montar": a Portuguese verb
    assert all(lesson["target_words"] == 1200 for module in plan["modules"] for lesson in module["lessons"])
    metadata = load_yaml((out / "minds" / PT_DEMO_SLUG / "sources" / "metadata.yaml").read_text())
    bodies = {p.name.removesuffix(".md"): parse_markdown(p.read_text()).body for p in (out / "minds" / PT_DEMO_SLUG / "sources").glob("*.md")}
    kinds = {i18n.texts("pt")["lesson"]["guided"]["source_types"][e["type"]] for e in metadata["sources"]}
    assert {"Passages", "Why chosen", "first person", "Which passage comes closest to the objective, and what does none of them say?",
            "from the key concepts", "Audience", "Content gaps", "relevance"} <= set(english_fixed_phrases())
    for path in sorted((course / "lessons").glob("lesson-*.md")):
        lesson = parse_markdown(path.read_text())
        assert lesson.front_matter["contract"] == "creatoros-lesson@3.0.0" and lesson.front_matter["method"] == "extractive"
        assert lesson.sections == ["Objetivo", "Trechos", "Perguntas", "Exercício"]
        assert lesson.body.count("Por que foi escolhido: ") >= 3 and "(nível de Bloom: " in lesson.body
        assert lesson.body.splitlines()[2].startswith("*Leitura guiada, montada offline: trechos com as próprias palavras de Dalva Quintino")
        assert "precisa do motor da Anthropic (`LENDARIA_ENGINE=anthropic`)" in lesson.body
        assert "Qual trecho chega mais perto do objetivo, e o que nenhum deles diz?" in lesson.body
        assert lesson.section_bodies["Exercício"].strip() in i18n.texts("pt")["lesson"]["guided"]["exercises"].values()
        assert any(f"({kind})." in lesson.body for kind in kinds)
        without_quotes = re.sub(r"“[^”]*”", "", lesson.body)  # Dalva's own words are hers, whatever they are
        assert english_in(without_quotes) == [], path.name
        for text, source_id, start, end in re.findall(r"“([^”]*)” \[([a-z0-9-]+)@(\d+):(\d+)\]", lesson.body):
            assert " ".join(bodies[source_id][int(start):int(end)].split()) == text
        assert lesson.front_matter["fidelity"]["status"] == "too little own prose"
    coverage = parse_markdown((course / "research" / "coverage.md").read_text())
    market = parse_markdown((course / "research" / "market.md").read_text())
    assert coverage.sections == ["Resultados", "Lacunas de conteúdo"] and market.sections == ["Público", "Formato", "Diferenciação"]
    assert re.search(r"\(melhor relevância \d,\d\d\)", coverage.body) and "relevância 0." not in coverage.body
    for page in (coverage.body, market.body):
        assert english_in(page) == []
    assert run_cli("validate", str(out)).returncode == 0


def test_a_portuguese_guided_reading_states_observable_facts_in_portuguese():
    text = ("Eu anoto a chuva no caderno todo fim de tarde, com a data, a hora e o nome do canteiro onde a água empoçou. "
            "Anote a data de cada plantio no caderno, mesmo quando a chuva atrapalhar a colheita e a vontade for deixar para amanhã. "
            "Você vai ver que o caderno da horta ensina mais do que qualquer livro de jardinagem bonito que se compra na feira. "
            "Quem vai ler o seu caderno daqui a dez anos, e o que essa pessoa vai entender dele?")
    source = "x" * 50 + text
    chunk = {"id": "d-kb-0000", "source_id": "ensaio-caderno-0000aaaa", "start": 50, "end": len(source), "text": text}
    lesson = {"id": "lesson-001", "number": 1, "title": "O caderno", "key_concepts": ["chuva", "canteiro"],
              "objectives": [{"text": "Anotar num caderno a data de cada plantio", "bloom": "evaluate"}], "chunks": ["d-kb-0000"]}
    body = lessons.guided_reading(lesson, [chunk], "Dalva", {"ensaio-caderno-0000aaaa": {"type": "essay", "title": "O caderno"}}, None, "pt")
    titles, sections = split_sections(body)
    assert titles == ["Objetivo", "Trechos", "Perguntas", "Exercício"]
    assert sections["Objetivo"].startswith("Anotar num caderno a data de cada plantio (nível de Bloom: avaliar).")
    assert "Conceitos-chave: chuva, canteiro." in sections["Objetivo"]
    why = dict(re.findall(r"^\d+\. “(\w+)[^”]*” \[[^\]]+\]\n\n   (Por que foi escolhido: .*)$", sections["Trechos"], re.M))
    assert list(why) == ["Anote", "Eu", "Você", "Quem"]  # by relevance
    for word, span in re.findall(r"“(\w+)[^”]*” \[ensaio-caderno-0000aaaa@(\d+:\d+)\]", sections["Trechos"]):
        start, end = map(int, span.split(":"))
        assert source[start:end].startswith(word)
    assert why["Anote"] == ("Por que foi escolhido: tem em comum com o objetivo *caderno*, *data* e *plantio* e, com os conceitos-chave, "
                            "*chuva*; é uma instrução; vem de *O caderno* (ensaio).")
    assert why["Eu"] == ("Por que foi escolhido: tem em comum com o objetivo *caderno* e *data* e, com os conceitos-chave, *chuva* e "
                         "*canteiro*; está em primeira pessoa; vem de *O caderno* (ensaio).")
    assert why["Você"] == "Por que foi escolhido: tem em comum com o objetivo *caderno*; fala direto com quem lê; vem de *O caderno* (ensaio)."
    assert sections["Perguntas"].splitlines()[:3] == [
        "- Qual trecho chega mais perto do objetivo, e o que nenhum deles diz?",
        "- Qual é o sentido de *chuva* e *canteiro* nesses trechos?",
        "- Dalva pergunta: “Quem vai ler o seu caderno daqui a dez anos, e o que essa pessoa vai entender dele?” "
        "[ensaio-caderno-0000aaaa@393:476]"]
    assert sections["Exercício"] == i18n.texts("pt")["lesson"]["guided"]["exercises"]["evaluate"]
    assert lessons.terms("Anotar num caderno a data de cada plantio", "pt") == ["anotar", "caderno", "data", "plantio"]
    assert lessons.own_prose(body, [text])[1] < lessons.MIN_OWN_WORDS
    outline = lessons.neutral_body(lesson, "pt")
    assert split_sections(outline)[0] == ["Gancho", "Conceitos", "Exemplos", "Pergunta para reflexão", "Resumo", "Ação"]
    assert "**Objetivo** (avaliar): Anotar num caderno a data de cada plantio." in outline and "Why" not in outline


def test_the_english_demo_course_is_unchanged_but_for_its_contract_version_and_inputs_hash(tmp_path):
    out = tmp_path / "out"
    shutil.copytree(COMMITTED_OUTPUTS / "minds" / DEMO_SLUG, out / "minds" / DEMO_SLUG)
    (out / "courses" / "shore-counting").mkdir(parents=True)
    committed = COMMITTED_OUTPUTS / "courses" / "shore-counting"
    shutil.copy(committed / "COURSE-BRIEF.md", out / "courses" / "shore-counting")
    build_course("shore-counting", out, Settings(home=tmp_path / "home"))
    built = out / "courses" / "shore-counting"
    for name in ("curriculum.yaml", "fidelity.yaml"):
        assert (built / name).read_bytes() == (committed / name).read_bytes(), name
    moved = {"contract", "inputs_sha256"}  # the lesson contract's version (3.0.0) and the code's hash
    for path in sorted((committed / "lessons").glob("*.md")) + sorted((committed / "research").glob("*.md")):
        old, new = parse_markdown(path.read_text()), parse_markdown((built / path.parent.name / path.name).read_text())
        assert new.body == old.body, path.name
        assert path.parent.name != "lessons" or "Why chosen" in english_in(new.body)  # the check above is not vacuous
        assert {k: v for k, v in new.front_matter.items() if k not in moved} == {k: v for k, v in old.front_matter.items() if k not in moved}


def fixed_phrases(*nodes, strip: str = " *.;:,`()[]-'", shared: frozenset[str] = frozenset({"Offline", "MMOS"})) -> list[str]:
    """The fixed pieces of text of language-file nodes, cut at their placeholders and stripped of
    ``strip``; ``shared``: words the same in both languages ("Offline", "MMOS")."""
    found: set[str] = set()

    def walk(node):
        if isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, str):
            for literal, *_ in string.Formatter().parse(node):
                piece = literal.strip(strip)
                if re.search(r"[A-Za-z]{3,}", piece) and piece not in shared:
                    found.add(piece)

    for node in nodes:
        walk(node)
    return sorted(found)


def test_a_portuguese_courses_notes_methods_and_summary_are_in_portuguese(pt_course, tmp_path):
    from lendaria.catalog import Catalog
    from lendaria.orchestrator.summary import fidelity_section

    out, result = pt_course
    course = out / "courses" / COURSE
    english = i18n.texts("en")
    phrases = fixed_phrases(english["fidelity"], english["summary"], english["curriculum"]["method"])
    assert {"words of own prose (under", "the quotes are the person's by construction and are not scored",
            "MMOS voice fidelity of each lesson's own prose", "file(s) written", "outputs unchanged", "too little own prose",
            "lesson(s) are guided readings of"} <= set(phrases)

    def english_of(text: str) -> list[str]:
        return [p for p in phrases if re.search(rf"(?<!\w){re.escape(p)}(?!\w)", text)]

    summary = result.summary()
    assert summary.startswith(f"curso {COURSE} a partir dos próprios trechos de {PT_DEMO_SLUG}: 4 lições (4 geradas, 0 sem mudança); "
                              "fidelidade: 4 com pouco texto próprio; ")
    assert ("Offline, 4 lição(ões) são leituras guiadas dos próprios trechos de dalva-quintino; lições escritas na voz de "
            "dalva-quintino precisam do motor da Anthropic (LENDARIA_ENGINE=anthropic).") in summary
    assert english_of(summary) == [] and "lessons" not in summary and "written" not in summary
    again = build_course(COURSE, out, Settings(home=tmp_path / "home")).summary()
    assert "4 lições (0 geradas, 4 sem mudança)" in again and "; nenhum arquivo mudou." in again and english_of(again) == []
    plan = load_yaml((course / "curriculum.yaml").read_text())
    assert plan["method"].startswith("um módulo por resultado do briefing") and english_of(plan["method"]) == []
    fidelity = load_yaml((course / "fidelity.yaml").read_text())
    assert fidelity["method"].startswith("fidelidade à voz (MMOS) do texto próprio de cada lição; só são avaliadas")
    assert "4 de 4 lições são leituras guiadas offline" in fidelity["method"] and english_of(fidelity["method"]) == []
    assert fidelity["statuses"] == {"too little own prose": 4}  # the contract's status values stay as they are
    for row in fidelity["lessons"]:
        lesson = parse_markdown((course / "lessons" / f"{row['lesson']}.md").read_text()).front_matter["fidelity"]
        assert lesson["note"] == row["note"] and lesson["status"] == "too little own prose"
        assert row["note"] == (f"{row['own_words']} palavras de texto próprio (menos de 150): as citações são da pessoa por "
                               "construção e não são avaliadas; o resto é a orientação da leitura guiada, não um texto escrito na "
                               "voz da pessoa")
        assert english_of(row["note"]) == []
    assert run_cli("validate", str(out)).returncode == 0
    # without a mind, and through the pipeline's run summary (which finds guided readings in any language)
    no_mind = lessons.fidelity_report("# T\n\n## Gancho\n\nCurto.\n", None, None, language="pt")
    assert no_mind["note"] == "o curso não indica nenhuma mente: as lições estão em voz neutra, sem nada com que comparar"
    assert lessons.course_fidelity("x", None, [("lesson-001", no_mind)], language="pt")["method"] == (
        "fidelidade à voz (MMOS) do texto próprio de cada lição; sem mente: o curso está em voz neutra e nada é avaliado")
    assert "Offline lessons are guided readings" in "\n".join(fidelity_section(Catalog(out), PT_DEMO_SLUG, [COURSE]))


LEGACY_PT = """# Horta na Laje

A Horta na Laje é um curso prático para transformar uma laje ou um quintal pequeno numa horta que produz o ano inteiro.

Público-alvo: moradores da cidade sem nenhuma experiência com plantas.

O tom das aulas é de conversa entre vizinhos, com linguagem simples.

## O que você vai aprender

- Escolher o canto da laje que recebe sol de manhã
- Preparar um canteiro em caixas de feira

Ao final, você vai ser capaz de montar uma composteira de balde e cuidar dela sozinho.

## Como funciona

São 6 encontros aos sábados de manhã, cada um com uma tarefa para fazer em casa.

**Duração:** seis semanas

## Regras

- Nada de veneno nem de adubo químico.
- Cada pessoa traz o seu próprio caderno e um lápis.
"""


def test_a_brownfield_brief_finds_the_sections_of_portuguese_materials(tmp_path):
    from stages.creatoros import brownfield

    def found_in(text: str) -> dict[str, list[str]]:
        return {section: [t for t, _ in items] for section, items in brownfield.sections([{"text": text, "file": "sources/a.md"}]).items()}

    found = found_in(LEGACY_PT)
    assert found["Topic"] == ["A Horta na Laje é um curso prático para transformar uma laje ou um quintal pequeno numa horta que "
                              "produz o ano inteiro."]
    assert found["Outcomes"] == ["Escolher o canto da laje que recebe sol de manhã", "Preparar um canteiro em caixas de feira",
                                 "Montar uma composteira de balde e cuidar dela sozinho"]  # a heading, then "você vai ser capaz de …"
    assert found["Audience"][0] == "Público-alvo: moradores da cidade sem nenhuma experiência com plantas."  # a label, listed once
    assert found["Audience"].count(found["Audience"][0]) == 1
    meetings = "São 6 encontros aos sábados de manhã, cada um com uma tarefa para fazer em casa."
    assert found["Format"][0] == meetings  # under "Como funciona"
    assert found["Length"][:2] == ["**Duração:** seis semanas", meetings]
    assert found["Constraints"][:2] == ["Nada de veneno nem de adubo químico.", "Cada pessoa traz o seu próprio caderno e um lápis."]
    assert found["Voice"] == ["O tom das aulas é de conversa entre vizinhos, com linguagem simples."]
    english = found_in("# Shore days\n\n## Audience\n\nFamilies who have never looked into a rock pool.\n\nDuration: six Saturdays\n")
    assert english["Audience"][0] == "Families who have never looked into a rock pool." and english["Length"] == ["Duration: six Saturdays"]
    # through the CLI: a Portuguese brief (the mind's language), every section filled from the material
    out = tmp_path / "out"
    shutil.copytree(COMMITTED_OUTPUTS / "minds" / PT_DEMO_SLUG, out / "minds" / PT_DEMO_SLUG)
    (out / "courses" / "horta-na-laje" / "sources").mkdir(parents=True)
    (out / "courses" / "horta-na-laje" / "sources" / "laje.md").write_text(LEGACY_PT)
    done = run_cli("course", "init", "horta-na-laje", "--mind", PT_DEMO_SLUG, "--from-sources", "--outputs", str(out))
    assert done.returncode == 0, done.stderr
    text = (out / "courses" / "horta-na-laje" / "COURSE-BRIEF.md").read_text()
    document = parse_markdown(text)
    assert document.front_matter["language"] == "pt" and document.sections == ["Tema", "Público", "Resultados", "Formato", "Duração",
                                                                                  "Voz", "Restrições"]
    assert "- Montar uma composteira de balde e cuidar dela sozinho <!-- sources/laje.md -->" in text
    report = briefs.completeness(text)
    assert report.passed and report.missing == [] and report.language == "pt"


def test_the_models_lesson_and_research_requests_name_the_portuguese_course_language(pt_course, tmp_path):
    """Claude's lessons and research analysis are asked for in the course's language, which the request names."""
    from stages.creatoros import research
    from stages.creatoros.run import lesson_jobs, lesson_request, plan_course

    out, _ = pt_course
    for lesson in (out / "courses" / COURSE / "lessons").glob("*.md"):
        lesson.unlink()  # so every lesson is a job again
    settings = Settings(home=tmp_path / "home")
    planned = plan_course(COURSE, out, settings)
    jobs, _ = lesson_jobs(planned, out, settings)
    payload, _ = lesson_request(jobs[0])
    assert jobs and planned.brief.language == "pt" and '"language": "pt"' in payload.model_dump_json(indent=2)
    assert "`language`" in research.RESEARCH_COURSE.instructions and "language" in research.ResearchInput.model_fields
