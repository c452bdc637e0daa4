"""MMOS's statement layers in a language other than English, from the patterns written for it in
``lendaria/languages/<code>/mmos.yaml`` (pure functions).

English keeps its own rules in :mod:`stages.mmos.meaning`; every other language with a resource file
gets these layers from its data: each pattern matches one of the person's own sentences (quotations,
reported speech and other speakers' turns already set aside) and names what the statement is about
with a named group (``obj``, ``norm``, ``act``; ``a`` and ``b`` for the two sides of a tension). The
label is that group's content words (the language's function words dropped). Precision first, as in
English: a question or a condition states no value, a one-off narration is not a reasoning habit, a
state is not an action, and a layer with nothing that passes publishes nothing and says so.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from lendaria.languages import resources
from stages.mmos.evidence import Sentence
from stages.mmos.layers import MAX_CLAIMS, Claim, LayerResult, _slug, about_groups, spread
from stages.mmos.wording import wording

_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")


@lru_cache(maxsize=None)
def patterns(language: str) -> dict[str, Any] | None:
    """The language's compiled statement patterns, or None when it has none."""
    data = (resources(language) or {}).get("statements")
    if not data:
        return None
    flags = re.IGNORECASE | re.UNICODE

    def compiled(key: str) -> list[re.Pattern[str]]:
        return [re.compile(p, flags) for p in data.get(key, [])]

    return {"function": frozenset(data["function_words"].split()), "not_actions": frozenset(data.get("not_actions", "").split()),
            "adverbs": frozenset(data.get("adverbs", "").split()),
            "past_irregular": frozenset(data.get("past_irregular", "").split()),
            "opinion": re.compile(data.get("opinion", r"(?!)"), flags), "relative": re.compile(data.get("relative", r"(?!)"), flags),
            "past_verb": re.compile(data["past_verb"]) if data.get("past_verb") else None,
            "narrative": re.compile(data["narrative"], flags),
            "first_person": re.compile(data["first_person"], flags), "values": compiled("values"), "habits": compiled("habits"),
            "recognition": compiled("recognition"), "tensions": compiled("tensions"),
            "values_not": re.compile(data["values_not"], flags), "habits_not": re.compile(data["habits_not"], flags),
            "models": {k: re.compile(v, flags) for k, v in data["mental_models"].items()},
            "model_names": data["mental_model_names"], "claims": data["claims"], "methods": data["methods"]}


def phrase(text: str, language: str, limit: int = 4) -> str:
    """The content words of a matched group, at most ``limit``: what the statement is about."""
    function = patterns(language)["function"]
    kept = [w.lower() for w in _WORD.findall(text) if w.lower() not in function and len(w) > 2]
    return " ".join(kept[:limit])


def first_match(rules: list[re.Pattern[str]], text: str, group: str) -> str | None:
    for rule in rules:
        match = rule.search(text)
        if match and match.groupdict().get(group):
            return match.group(group)
    return None


def value_object(text: str, language: str) -> tuple[str, str] | None:
    """("obj" or "norm", phrase) of an evaluative or normative statement, else None."""
    found = patterns(language)
    if found["values_not"].search(text):
        return None
    for rule in found["values"]:
        match = rule.search(text)
        if not match:
            continue
        kind = "norm" if match.groupdict().get("norm") else "obj"
        found_text = match.group(kind)
        if kind == "obj":  # the noun phrase: before a relative clause, after an opinion verb ("hoje acho que …")
            found_text = re.split(found["opinion"], found_text)[-1]
            found_text = re.split(found["relative"], found_text)[0]
        named = phrase(found_text, language, 3 if kind == "obj" else 5)
        if named:
            return kind, named
    return None


def habit_action(text: str, language: str) -> str | None:
    found = patterns(language)
    if found["habits_not"].search(text):
        return None
    act = first_match(found["habits"], text, "act")
    if not act:
        return None
    words = [w for w in act.split() if w.lower() not in found["adverbs"]]
    if not words:
        return None
    verb = words[0].lower()
    if (verb in found["not_actions"] or verb in found["function"] or verb in found["past_irregular"]
            or (found["past_verb"] and found["past_verb"].search(verb))):
        return None  # a state, or a one-off in the past
    return " ".join([verb] + phrase(" ".join(words[1:]), language, 3).split()) or None


def noticed(text: str, language: str) -> str | None:
    obj = first_match(patterns(language)["recognition"], text, "obj")
    return (phrase(obj, language, 4) or None) if obj else None


def tension_sides(text: str, language: str) -> tuple[str, str] | None:
    found = patterns(language)
    for rule in found["tensions"]:
        match = rule.search(text)
        if match and found["first_person"].search(text[:match.start("b")]) and found["first_person"].search(match.group("b")):
            return " ".join(match.group("a").split()), " ".join(match.group("b").split())
    return None


def reasoning_kind(text: str, language: str) -> str | None:
    for kind, rule in patterns(language)["models"].items():
        if rule.search(text):
            return kind
    return None


def means(layer: str, text: str, language: str) -> bool:
    """The language's meaning check of ``layer`` (the same bar for a model's claims)."""
    if layer == "values-and-beliefs":
        return value_object(text, language) is not None
    if layer == "habits-and-routines":
        return habit_action(text, language) is not None
    if layer == "recognition-patterns":
        return noticed(text, language) is not None or text.rstrip(" \"'”’)»").endswith("?")
    if layer == "contradictions-and-tensions":
        return tension_sides(text, language) is not None
    if layer == "mental-models":
        return reasoning_kind(text, language) is not None
    return True


def statement_layers(own: list[Sentence], language: str) -> dict[str, LayerResult]:
    """The five statement layers of a mind in ``language`` from its patterns."""
    found = patterns(language)
    texts, language_words = found["claims"], wording(language)
    source = language_words.fill(found["methods"]["source"], language=language)

    values = [(s, v) for s in own if (v := value_object(s.text, language))]
    views = about_groups([(s, p) for s, (k, p) in values if k == "obj"], lambda k, n: language_words.fill(texts["values_object"], k=k, n=n))
    norms = about_groups([(s, p) for s, (k, p) in values if k == "norm"], lambda k, n: language_words.fill(texts["values_norm"], k=k, n=n), head_word=None)
    for claim in norms:
        claim.key = f"norm-{claim.key}"
    value_claims = sorted(views + norms, key=lambda c: (-c.extra["statements"], -c.extra["sources"], c.key))[:MAX_CLAIMS]

    habits = [(s, a) for s in own if (a := habit_action(s.text, language))]
    habit_claims = about_groups(habits, lambda k, n: language_words.fill(texts["habits"], k=k, n=n), head_word=0)

    seen = [(s, o) for s in own if (o := noticed(s.text, language))]
    seen_claims = about_groups(seen, lambda k, n: language_words.fill(texts["recognition"], k=k, n=n))

    tensions = [(s, sides) for s in own if (sides := tension_sides(s.text, language))]
    tension_claims = list({_slug(b): Claim(_slug(b), language_words.fill(texts["tensions"], a=" ".join(a.split()[-12:]), b=" ".join(b.split()[:12])),
                                           " ".join(b.split()[:10]), 1.0, [s], {"statements": 1, "sources": 1})
                           for s, (a, b) in tensions}.values())[:MAX_CLAIMS]

    general = [s for s in own if not found["narrative"].search(s.text)]
    words = sum(len(s.tokens()) for s in own) or 1
    model_claims, measures = [], {}
    for kind, name in found["model_names"].items():
        matched = [s for s in general if reasoning_kind(s.text, language) == kind]
        rate = 1000.0 * len(matched) / words
        measures[f"{kind}_per_1000_words"] = round(rate, 2)
        if len(matched) >= 2:
            model_claims.append(Claim(kind, language_words.fill(texts["mental_models"], kind=name[0].upper() + name[1:], n=len(matched), rate=rate),
                                      kind, round(rate, 2), spread(matched), {"statements": len(matched)}))

    def result(layer: str, claims: list[Claim], extra: dict[str, Any]) -> LayerResult:
        return LayerResult(layer, f"{found['methods'][layer]}; {source}" + ("" if claims else f"; {language_words.method('nothing')}"), claims, extra)

    return {
        "values-and-beliefs": result("values-and-beliefs", value_claims, {"statements": len(values)}),
        "mental-models": result("mental-models", model_claims, measures),
        "habits-and-routines": result("habits-and-routines", habit_claims, {"statements": len(habits)}),
        "recognition-patterns": result("recognition-patterns", seen_claims, {"statements": len(seen)}),
        "contradictions-and-tensions": result("contradictions-and-tensions", tension_claims, {"statements": len(tensions)}),
    }
