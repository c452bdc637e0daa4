"""A language model's Big Five rating beside the lexical estimate, and how the two are combined.

With the Anthropic engine, InnerLens asks Claude to rate the five traits from a sample of the
person's fragments (the capability ``rate_big_five``), each rating citing the ids of the fragments
that support it. Citations are checked mechanically: an id that was not in the sample is dropped, and
a trait whose citations all fail keeps its lexical score alone. There is no offline method: offline,
the lexical estimate is the profile.

Both ratings are kept in the profile; the score it reports is their weighted mean, with the lexical
estimate weighted by its own confidence and the LLM rating by :data:`LLM_WEIGHT` (see
:data:`COMBINATION`).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from lendaria.engines.base import Capability

TRAITS = ("openness", "conscientiousness", "extraversion", "agreeableness", "neuroticism")
SAMPLE_FRAGMENTS = 80  # at most this many fragments are shown to the model ...
SAMPLE_WORDS = 6_000  # ... and at most this many words
SAMPLE_MIN_WORDS = 12  # fragments shorter than this say little about a trait
LLM_WEIGHT = 0.5
COMBINATION = (f"score = (c * lexical + {LLM_WEIGHT} * llm) / (c + {LLM_WEIGHT}), where c is the lexical estimate's "
               f"confidence and {LLM_WEIGHT} the fixed weight of the LLM rating (both methods agree only modestly with "
               "questionnaires, so neither is preferred when the lexical estimate rests on ample text); a trait whose "
               "LLM citations all failed the check keeps its lexical score")


class RatingInput(BaseModel):
    fragment_ids: list[str] = Field(min_length=1, description="fragment_ids[N] is the id of source material block N")


class TraitRating(BaseModel):
    score: float = Field(ge=0, le=100, description="0-100; 50 is a typical adult")
    rationale: str = Field(min_length=1, max_length=800, description="one or two sentences: what in the material supports the score")
    evidence: list[str] = Field(min_length=1, max_length=5, description="ids (from fragment_ids) of the blocks that support the score")


class BigFiveRating(BaseModel):
    openness: TraitRating
    conscientiousness: TraitRating
    extraversion: TraitRating
    agreeableness: TraitRating
    neuroticism: TraitRating


RATE_BIG_FIVE: Capability[RatingInput, BigFiveRating] = Capability(
    name="rate_big_five",
    description="rate the Big Five traits from the person's own fragments, citing fragment ids",
    input_model=RatingInput,
    output_model=BigFiveRating,
    instructions=(
        "The source material blocks are fragments of one person's own writing or speech. Rate the person on each "
        "Big Five trait (openness, conscientiousness, extraversion, agreeableness, neuroticism) from this material "
        "only, on 0-100 where 50 is a typical adult. For each trait give a short rationale and 1-5 evidence ids: "
        "the fragment_ids entries of the blocks that best support the score (block N has id fragment_ids[N]). "
        "Cite only ids from fragment_ids. Where the material says little about a trait, stay near 50 and say so."
    ),
    offline=None,  # offline, the lexical estimate is the profile: no rating is invented
)


def sample(fragments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A deterministic sample spread evenly over the fragments (so every source and period is seen):
    fragments of at least SAMPLE_MIN_WORDS words, every k-th one, within the fragment and word caps."""
    candidates = [f for f in fragments if f["words"] >= SAMPLE_MIN_WORDS] or list(fragments)
    step = max(1, -(-len(candidates) // SAMPLE_FRAGMENTS))  # ceil
    chosen, words = [], 0
    for fragment in candidates[::step]:
        if chosen and words + fragment["words"] > SAMPLE_WORDS:
            break
        chosen.append(fragment)
        words += fragment["words"]
    return chosen


def checked(rating: BigFiveRating, rated_ids: set[str]) -> tuple[dict[str, dict[str, Any]], int]:
    """Each trait's rating with only the cited ids that were in the sample; traits left with none are
    dropped. Returns (trait -> {score, rationale, evidence}, number of citations dropped)."""
    kept: dict[str, dict[str, Any]] = {}
    dropped = 0
    for trait in TRAITS:
        value: TraitRating = getattr(rating, trait)
        evidence = list(dict.fromkeys(i for i in value.evidence if i in rated_ids))
        dropped += len(value.evidence) - len(evidence)
        if evidence:
            kept[trait] = {"score": round(value.score, 1), "rationale": " ".join(value.rationale.split()), "evidence": evidence}
    return kept, dropped


def combine(lexical: float, confidence: float, llm: float) -> float:
    return round((confidence * lexical + LLM_WEIGHT * llm) / (confidence + LLM_WEIGHT), 1)
