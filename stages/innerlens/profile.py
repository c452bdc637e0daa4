"""The psychometric profile file and its radar chart, from fragments (pure: data in, text out)."""

from __future__ import annotations

import math
from typing import Any

from stages.innerlens.bigfive import CHUNK_WORDS, FULL_FROM, INSUFFICIENT_BELOW, TRAITS, assess, default_reference, \
    fragment_contributions, level_of
from stages.innerlens.llm_rating import COMBINATION, combine

EVIDENCE_PER_TRAIT = 5
RADAR_FILE = "psychometric-profile.svg"
CAVEAT = ("Estimated from the person's own writing, not from a questionnaire. Text-based Big Five agrees only "
          "modestly with questionnaire scores (correlations of about .2 to .4 in the literature), so read each "
          "score as where this writing sits among the reference writers, not as a measurement of the person.")


def method(reference: dict) -> dict[str, str]:
    return {
        "name": "lexical-offline-1",
        "features": "rates per 1,000 words of Empath categories (MIT lexicon) and of first-person, article, negation, "
                    "tentative and long-word use",
        "reference": f"{reference['source']}; mean and sd over {reference['chunks']} chunks of {CHUNK_WORDS:,} words",
        "weights": "signs and rough sizes of published trait-feature correlations (Pennebaker & King 1999; Yarkoni 2010; "
                   "Mairesse et al. 2007); see stages/innerlens/bigfive.py",
        "scale": "100 * Phi(weighted mean z-score / its sd over the reference chunks): 50 is the reference average",
    }


LEXICON_LANGUAGES = frozenset({"en"})  # the languages of the openly licensed lexicons the estimate reads (Empath: English)


def no_lexicon_reason(language: str) -> str:
    return (f"no openly licensed lexicon for {language} (the offline estimate reads English word lists — "
            "Empath, MIT licence — and is never run on text in another language; LIWC, NRC and WWBP are not openly "
            "licensed); the Claude rating is available with the Anthropic engine (LENDARIA_ENGINE=anthropic)")


def _is_in(fragment: dict[str, Any], language: str | None) -> bool:
    return not language or fragment.get("language", language) == language


def in_language(fragments: list[dict[str, Any]], language: str | None) -> list[dict[str, Any]]:
    """The fragments in ``language``, the mind's declared language: those whose ``language`` is it, or
    unknown (a file written before fragments carried one). Every fragment when none is declared."""
    return [f for f in fragments if _is_in(f, language)]


def set_aside(fragments: list[dict[str, Any]], language: str | None) -> dict[str, Any] | None:
    """What :func:`in_language` leaves out: fragments and words in all, and per language, most words
    first (None when nothing is)."""
    others = [f for f in fragments if not _is_in(f, language)]
    if not others:
        return None
    by_language: dict[str, dict[str, int]] = {}
    for fragment in others:
        counts = by_language.setdefault(fragment["language"], {"fragments": 0, "words": 0})
        counts["fragments"] += 1
        counts["words"] += fragment["words"]
    return {"fragments": len(others), "words": sum(f["words"] for f in others),
            "languages": dict(sorted(by_language.items(), key=lambda kv: (-kv[1]["words"], kv[0])))}


def build_profile(slug: str, fragments: list[dict[str, Any]], reference: dict | None = None, language: str | None = None) -> dict[str, Any]:
    """The profile document (contract innerlens-mmos) for ``fragments`` (records of fragments.jsonl).
    ``language``: the mind's declared language (two-letter code). Only the fragments in that language
    are rated; the others are counted in ``set_aside``. In a language without an openly licensed
    lexicon the profile is ``insufficient`` and says why, whatever the word count."""
    reference = reference or default_reference()
    aside = set_aside(fragments, language)
    fragments = in_language(fragments, language)
    texts = [f["text"] for f in fragments]
    words = sum(len(t.split()) for t in texts)
    if language and language not in LEXICON_LANGUAGES:
        return {"mind": slug, "gate": "insufficient", "reason": no_lexicon_reason(language), "words_analysed": words,
                **({"set_aside": aside} if aside else {}), "method": method(reference), "caveat": CAVEAT}
    gate, scores, reason = assess(texts, reference)
    profile: dict[str, Any] = {"mind": slug, "gate": gate, "reason": reason, "words_analysed": words,
                               **({"set_aside": aside} if aside else {}), "method": method(reference), "caveat": CAVEAT}
    if scores is None:
        return profile
    big_five = {}
    for trait in TRAITS:
        direction = 1 if scores[trait].score >= 50 else -1
        ranked = sorted(((direction * fragment_contributions(f["text"], trait, reference), f["id"]) for f in fragments),
                        key=lambda pair: (-pair[0], pair[1]))
        evidence = [fid for weight, fid in ranked[:EVIDENCE_PER_TRAIT] if weight > 0]
        big_five[trait] = {"score": scores[trait].score, "level": scores[trait].level,
                           "confidence": scores[trait].confidence, "evidence": evidence}
    profile["big_five"] = big_five
    profile["radar"] = RADAR_FILE
    return profile


def with_llm_rating(profile: dict[str, Any], ratings: dict[str, dict[str, Any]], *, engine: str, fragments_rated: int,
                    words_rated: int, citations_dropped: int) -> dict[str, Any]:
    """The profile with an LLM rating beside the lexical estimate: per rated trait, ``lexical`` and
    ``llm`` are kept and ``score``/``level`` become their combination (:data:`COMBINATION`)."""
    big_five = {}
    for trait, values in profile["big_five"].items():
        values = dict(values)
        if trait in ratings:
            lexical = values["score"]
            values["score"] = combine(lexical, values["confidence"], ratings[trait]["score"])
            values["level"] = level_of(values["score"])
            values["lexical"] = lexical
            values["llm"] = ratings[trait]
        big_five[trait] = values
    return {**profile, "big_five": big_five, "combination": COMBINATION,
            "llm_rating": {"engine": engine, "fragments_rated": fragments_rated, "words_rated": words_rated,
                           "traits_rated": len(ratings), "citations_dropped": citations_dropped}}


def radar_svg(profile: dict[str, Any], size: int = 420) -> str:
    """A five-axis radar chart of the scores, drawn by this template (no plotting dependency)."""
    width = size + 140  # room for the longest label ("Conscientiousness 100") on either side
    centre_x, centre, radius = width / 2, size / 2, size / 2 - 90
    angles = [-math.pi / 2 + i * 2 * math.pi / len(TRAITS) for i in range(len(TRAITS))]

    def point(angle: float, fraction: float) -> str:
        return f"{centre_x + radius * fraction * math.cos(angle):.1f},{centre + radius * fraction * math.sin(angle):.1f}"

    rings = "".join(f'<polygon points="{" ".join(point(a, level / 4) for a in angles)}" fill="none" stroke="#d0d5dd"/>'
                    for level in range(1, 5))
    axes = "".join(f'<line x1="{centre_x:.1f}" y1="{centre:.1f}" x2="{point(a, 1).split(",")[0]}" y2="{point(a, 1).split(",")[1]}" '
                   'stroke="#d0d5dd"/>' for a in angles)
    scores = profile["big_five"]
    shape = " ".join(point(a, scores[t]["score"] / 100) for a, t in zip(angles, TRAITS))
    def anchor(angle: float) -> str:  # labels grow away from the chart, so none leaves the canvas
        return "start" if math.cos(angle) > 0.2 else "end" if math.cos(angle) < -0.2 else "middle"

    labels = "".join(
        f'<text x="{point(a, 1.08).split(",")[0]}" y="{point(a, 1.12).split(",")[1]}" text-anchor="{anchor(a)}" '
        f'font-family="sans-serif" font-size="12">{t.capitalize()} {scores[t]["score"]:.0f}</text>'
        for a, t in zip(angles, TRAITS))
    title = f"Big Five of {profile['mind']} ({profile['gate']} confidence, {profile['words_analysed']:,} words)"
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{size}" viewBox="0 0 {width} {size}" '
            f'role="img" aria-label="{title}">\n<title>{title}</title>\n{rings}\n{axes}\n'
            f'<polygon points="{shape}" fill="#2e90fa" fill-opacity="0.35" stroke="#1570ef" stroke-width="2"/>\n'
            f'{labels}\n</svg>\n')


__all__ = ["CAVEAT", "FULL_FROM", "INSUFFICIENT_BELOW", "RADAR_FILE", "build_profile", "in_language", "radar_svg", "set_aside"]
