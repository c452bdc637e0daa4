"""The mind's Markdown documents from its layer files: ``system_prompts/generalista.md`` (contract
mmos-creatoros, what CreatorOS speaks with) and ``synthesis/{frameworks,communication-style}.md``
(contract mmos-synthesis, for people), in the mind's language. Jinja2 templates in ``templates/``
(English), a language's own in ``lendaria/languages/<code>/mmos-templates/`` (stages.mmos.wording);
the contract's required section names stay as the contract says, the rest follows the language; pure
rendering.

Source text enters these documents only as quoted material: a sentence in “curly quotes” followed by
its citation ``[source_id@start:end]``, or a ``>`` block-quote line. The frame around it is the
template's. Sentences that address a language model never become quotes (``is_instruction``), so a
source cannot rewrite the prompt's instructions.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from lendaria.documents import render_markdown
from stages.mmos.evidence import is_instruction
from stages.mmos.layers import LAYERS
from stages.mmos.wording import wording
COGNITIVE_LAYERS = ("values-and-beliefs", "mental-models", "recurring-themes", "recognition-patterns", "habits-and-routines",
                    "contradictions-and-tensions")
PROMPT_CLAIMS = 5  # claims per layer in the system prompt (the synthesis lists them all)
VOICE_EXAMPLES = 6
EXAMPLE_WORDS = (8, 45)


@lru_cache(maxsize=None)
def _template(name: str, language: str = "en"):
    """The template ``name`` in ``language`` (its own when it has one, else the English one); the
    ``num`` filter writes numbers with the language's marks (``{{ words | num(",") }}``: 13,601 / 13.601)."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    words = wording(language)
    environment = Environment(loader=FileSystemLoader([str(folder) for folder in words.template_folders()]),
                              undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                              autoescape=False)
    environment.filters["sentence"] = lambda text: text if text.rstrip().endswith((".", "!", "?")) else f"{text}."
    environment.filters["num"] = words.number
    return environment.get_template(name)


def quotable(span: dict[str, Any]) -> bool:
    """A span that can stand inline as “…” [citation]: no quote marks or brackets of its own, not
    addressed to a model."""
    text = span["text"]
    return not any(mark in text for mark in "“”[]") and not is_instruction(text)


def quote(span: dict[str, Any]) -> str:
    return f"“{' '.join(span['text'].split())}” [{span['source_id']}@{span['start']}:{span['end']}]"


def _claims(document: dict[str, Any], limit: int | None = None) -> list[dict[str, Any]]:
    result = []
    for claim in document["claims"][:limit]:
        span = next((s for s in claim["evidence"] if quotable(s)), None)
        result.append({"label": claim["label"], "claim": claim["claim"], "quote": quote(span) if span else ""})
    return result


def _layer(document: dict[str, Any], limit: int | None = None) -> dict[str, Any]:
    return {"title": document["title"], "method": document["method"]["offline"], "claims": _claims(document, limit),
            "mean_sentence_words": (document.get("measures") or {}).get("mean_sentence_words")}


def voice_examples(documents: dict[str, dict[str, Any]], limit: int = VOICE_EXAMPLES) -> list[str]:
    """Quoted sentences of ordinary length from the style and values layers, one per source first."""
    pool = [s for layer in ("communication-style", "values-and-beliefs", "mental-models")
            for claim in documents[layer]["claims"] for s in claim["evidence"]
            if quotable(s) and EXAMPLE_WORDS[0] <= len(s["text"].split()) <= EXAMPLE_WORDS[1]]
    chosen, sources = [], set()
    for span in pool:
        if span["source_id"] not in sources:
            chosen.append(span)
            sources.add(span["source_id"])
    chosen += [s for s in pool if s not in chosen]
    unique = list({(s["source_id"], s["start"]): s for s in chosen}.values())
    return [quote(s) for s in unique[:limit]]


def big_five_section(profile: dict[str, Any] | None, language: str = "en") -> dict[str, Any] | None:
    if not profile or "big_five" not in profile:
        return None
    traits = [{"name": wording(language).word("traits", trait), "score": values["score"], "level": values["level"], "confidence": values["confidence"]}
              for trait, values in profile["big_five"].items()]
    return {"method": profile["method"]["name"], "words": profile["words_analysed"], "caveat": profile["caveat"], "traits": traits}


def render_prompt(front_matter: dict[str, Any], name: str, documents: dict[str, dict[str, Any]], split: dict[str, Any],
                  profile: dict[str, Any] | None, language: str = "en") -> str:
    style = _layer(documents["communication-style"], PROMPT_CLAIMS)
    body = _template("generalista.md.j2", language).render(
        name=name, build_words=split["build_words"], held_out_words=split["held_out_words"], sources=split["sources"],
        cognitive=[_layer(documents[layer], PROMPT_CLAIMS) for layer in COGNITIVE_LAYERS], style=style,
        phrases=_layer(documents["signature-phrases"], 12), voice_examples=voice_examples(documents),
        big_five=big_five_section(profile, language))
    return render_markdown(front_matter, body)


def render_synthesis(front_matter: dict[str, Any], name: str, documents: dict[str, dict[str, Any]], build_words: int,
                     language: str = "en") -> str:
    kind = front_matter["kind"]
    if kind == "frameworks":
        body = _template("frameworks.md.j2", language).render(
            name=name, build_words=build_words, layers=[_layer(documents[layer]) for layer in LAYERS if layer in front_matter["layers"]])
    else:
        measures = documents["communication-style"].get("measures") or {}
        words = wording(language)
        body = _template("communication-style.md.j2", language).render(
            name=name, build_words=build_words, measures=[(words.word("measures", k, k.replace("_", " ")), words.number(v))
                                                          for k, v in measures.items()],
            style=_layer(documents["communication-style"]), phrases=_layer(documents["signature-phrases"]))
    return render_markdown(front_matter, body)
