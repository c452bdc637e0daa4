"""The eight analysis layers of a mind, offline (pure functions over the build set's sentences).

One naming of the seed's eight "DNA Mental" layers, kept everywhere (files, contract, database):

1. ``values-and-beliefs``: evaluative and modal statements ("I believe", "we must", "what matters").
2. ``mental-models``: how the person reasons: conditional, causal, contrastive and analogical
   statements, principles, and the frameworks they name ("the … rule / test / question").
3. ``recurring-themes``: topics they return to: NMF topic model of the build passages (TF-IDF), each
   theme with its spread over sources.
4. ``signature-phrases``: words and phrases used far more than in general language: log-odds ratio
   with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008) against wordfreq's background
   frequencies.
5. ``communication-style``: measured rates (sentence length, questions, person, vocabulary richness,
   readability) and rhetorical devices, each with example sentences.
6. ``habits-and-routines``: habitual statements ("every morning", "I always", "my routine").
7. ``recognition-patterns``: what they notice and the questions they keep asking.
8. ``contradictions-and-tensions``: statements holding two sides ("and yet", "both … and", "not …
   but"), grouped by what they are about.

Statement layers (1, 2, 6, 7, 8) find sentences by English patterns and group them by their
**keyword**: the sentence's content word most distinctive of the person (the signature log-odds of
layer 4). A claim is one group: its label is the keyword, its evidence the group's sentences (up to
:data:`EVIDENCE_PER_CLAIM`, spread over sources). Claim ids are stable (layer + keyword), so a re-run
that finds the same things gives the same claims, and the database's version diff is meaningful.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable

import numpy as np

from lendaria.text import stopwords_for
from stages.mmos.evidence import Sentence, is_instruction

LAYERS = ("values-and-beliefs", "mental-models", "recurring-themes", "signature-phrases", "communication-style",
          "habits-and-routines", "recognition-patterns", "contradictions-and-tensions")
TITLES = {"values-and-beliefs": "Values and beliefs", "mental-models": "Mental models and frameworks",
          "recurring-themes": "Recurring themes and obsessions", "signature-phrases": "Signature phrases",
          "communication-style": "Communication style", "habits-and-routines": "Habits and routines",
          "recognition-patterns": "Recognition patterns", "contradictions-and-tensions": "Contradictions and tensions"}
MAX_CLAIMS = 12
EVIDENCE_PER_CLAIM = 3
PHRASE_MIN_COUNT = 3
PHRASE_MAX_WORDS = 4
BACKGROUND_WORDS = 1e9  # wordfreq's frequencies come from corpora of billions of words
MIN_RATIO = 5.0  # a signature phrase is used at least this many times more than in general language


@dataclass
class Claim:
    key: str  # stable within the layer: the claim id is "<layer>:<key>"
    claim: str
    label: str
    weight: float
    evidence: list[Sentence]
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class LayerResult:
    layer: str
    method: str
    claims: list[Claim]
    measures: dict[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------- shared pieces


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "x"


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def spread(sentences: list[Sentence], limit: int = EVIDENCE_PER_CLAIM) -> list[Sentence]:
    """Up to ``limit`` sentences, one per source first (in order), then the rest in order."""
    chosen, seen = [], set()
    for sentence in sentences:
        if sentence.source_id not in seen:
            chosen.append(sentence)
            seen.add(sentence.source_id)
    chosen += [s for s in sentences if s not in chosen]
    return sorted(chosen[:limit], key=lambda s: s.index)


@dataclass
class Vocabulary:
    """Token weights shared by the statement layers: the signature log-odds z of each content word."""

    stop: frozenset[str]
    weight: dict[str, float]

    def keyword(self, sentence: Sentence, exclude: frozenset[str] = frozenset()) -> str | None:
        candidates = [t for t in sentence.tokens() if len(t) > 2 and t not in self.stop and t not in exclude]
        if not candidates:
            return None
        return max(candidates, key=lambda t: (self.weight.get(t, -99.0), t))


def stem(word: str) -> str:
    """A light English suffix stripper, so "count", "counts" and "counted" group together."""
    for suffix, replacement, shortest in (("ies", "y", 5), ("ing", "", 6), ("ed", "", 5), ("es", "", 5), ("s", "", 4)):
        if word.endswith(suffix) and len(word) >= shortest and not word.endswith("ss"):
            return word[: len(word) - len(suffix)] + replacement
    return word


def group_statements(sentences: list[Sentence], vocabulary: Vocabulary, describe: Callable[[str, int], str],
                     exclude: frozenset[str] = frozenset(), min_group: int = 2) -> list[Claim]:
    """Claims from statements grouped by keyword stem (labelled by its most frequent form), largest
    groups first (ties: more sources, then keyword)."""
    groups: dict[str, list[Sentence]] = defaultdict(list)
    forms: dict[str, Counter] = defaultdict(Counter)
    for sentence in sentences:
        keyword = vocabulary.keyword(sentence, exclude)
        if keyword:
            groups[stem(keyword)].append(sentence)
            forms[stem(keyword)][keyword] += 1
    labelled = {min(forms[k], key=lambda f: (-forms[k][f], f)): group for k, group in groups.items()}
    ranked = sorted(labelled.items(), key=lambda kv: (-len(kv[1]), -len({s.source_id for s in kv[1]}), kv[0]))
    total = max(len(sentences), 1)
    claims = [Claim(_slug(keyword), describe(keyword, len(group)), keyword, round(len(group) / total, 4), spread(group),
                    {"statements": len(group), "sources": len({s.source_id for s in group})})
              for keyword, group in ranked if len(group) >= min_group][:MAX_CLAIMS]
    if not claims and ranked:  # a small mind: single statements are still the person's own words
        claims = [Claim(_slug(k), describe(k, len(g)), k, round(len(g) / total, 4), spread(g),
                        {"statements": len(g), "sources": len({s.source_id for s in g})}) for k, g in ranked[:MAX_CLAIMS]]
    return claims


def matching(sentences: list[Sentence], pattern: re.Pattern[str]) -> list[Sentence]:
    return [s for s in sentences if pattern.search(s.text) and not is_instruction(s.text)]


# ---------------------------------------------------------------- 4. signature phrases


@lru_cache(maxsize=4)
def _background(language: str) -> Callable[[str], float] | None:
    """wordfreq's frequency of a phrase in general ``language`` text; None for a language it has no list of."""
    from wordfreq import available_languages, word_frequency

    if language not in available_languages(wordlist="best"):
        return None

    @lru_cache(maxsize=None)
    def frequency(phrase: str) -> float:
        return word_frequency(phrase, language, wordlist="best", minimum=1e-9)
    return frequency


def ngrams(tokens: list[str], n: int) -> list[str]:
    return [" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1)]


def log_odds(counts: Counter, total: int, background: Callable[[str], float], prior_size: float) -> dict[str, tuple[float, float]]:
    """Monroe et al.'s log-odds ratio with an informative Dirichlet prior, comparing the person's
    counts with the background taken as a corpus of :data:`BACKGROUND_WORDS` words; the prior is the
    background frequencies scaled to ``prior_size`` pseudo-words. Per item: (z, ratio to background)."""
    result = {}
    for item, y in counts.items():
        p = background(item)
        alpha = prior_size * p
        y_background = BACKGROUND_WORDS * p
        delta = (math.log((y + alpha) / (total + prior_size - y - alpha))
                 - math.log((y_background + alpha) / (BACKGROUND_WORDS + prior_size - y_background - alpha)))
        variance = 1.0 / (y + alpha) + 1.0 / (y_background + alpha)
        result[item] = (delta / math.sqrt(variance), (y / total) / p)
    return result


def signature_phrases(sentences: list[Sentence], language: str, stop: frozenset[str]) -> tuple[LayerResult, dict[str, float]]:
    """The layer, and every content word's z (the weights the statement layers group by)."""
    background = _background(language)
    per_sentence = [s.tokens() for s in sentences]
    total = sum(len(t) for t in per_sentence)
    where: dict[str, list[Sentence]] = defaultdict(list)
    counts: Counter = Counter()
    unigram_counts: Counter = Counter()
    for sentence, tokens in zip(sentences, per_sentence):
        unigram_counts.update(t for t in tokens if t not in stop and len(t) > 2)
        for n in range(1, PHRASE_MAX_WORDS + 1):
            for gram in ngrams(tokens, n):
                words = gram.split()
                if words[0] in stop or words[-1] in stop or (n == 1 and len(gram) < 3):
                    continue
                counts[gram] += 1
                if len(where[gram]) < 50:
                    where[gram].append(sentence)
    if background is None:  # no general-language frequencies to compare with: nothing is claimed
        method = (f"not computed: wordfreq has no general-language frequencies for '{language}', and a signature phrase is "
                  "one used far more than in general text; the statement layers weigh words by their count instead")
        return LayerResult("signature-phrases", method, []), {w: math.log(c) for w, c in unigram_counts.items()}
    unigram_z = {w: z for w, (z, _) in log_odds(unigram_counts, total, background, float(total)).items()}
    min_sources = min(2, len({s.source_id for s in sentences}))  # a one-book mind cannot spread over sources
    frequent = Counter({g: c for g, c in counts.items() if c >= PHRASE_MIN_COUNT and len({s.source_id for s in where[g]}) >= min_sources})
    scored = log_odds(frequent, total, background, float(total))
    ranked = sorted(scored, key=lambda g: (-scored[g][0], g))
    chosen: list[str] = []
    for gram in ranked:
        if scored[gram][0] <= 3.0:
            break
        if scored[gram][1] < MIN_RATIO:
            continue
        # a phrase inside a chosen longer phrase (or containing a chosen one) with nearly the same count repeats it
        if any((gram in c or c in gram) and frequent[c] >= 0.8 * frequent[gram] for c in chosen):
            continue
        chosen.append(gram)
        if len(chosen) == 2 * MAX_CLAIMS:
            break
    claims = [Claim(_slug(g), f"“{g}”: {frequent[g]} times in {len({s.source_id for s in where[g]})} sources, "
                              f"{scored[g][1]:.0f}× its rate in general {language} text",
                    g, round(scored[g][0], 2), spread(where[g]),
                    {"count": frequent[g], "z": round(scored[g][0], 2), "ratio_to_background": round(scored[g][1], 1)})
              for g in chosen]
    method = ("log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008) of 1-4 word phrases "
              f"against wordfreq's {language} frequencies (prior size = the build set's words); a phrase must occur "
              f"{PHRASE_MIN_COUNT}+ times in 2+ sources (when there are two), not start or end with a function word, have z > 3 and be used "
              f"{MIN_RATIO:.0f}+ times more than in general text; "
              "a phrase inside a chosen one with nearly its count is not repeated")
    return LayerResult("signature-phrases", method, claims), unigram_z


# ---------------------------------------------------------------- 1, 6, 7, 8: statement layers

VALUE_PATTERN = re.compile(
    r"\b(?:I|we) (?:\w+ )?(?:believe|value|care about|hold that|am convinced|trust|insist)\b"
    r"|\b(?:we|you|one|people) (?:must|should|ought to|need to|have to)\b"
    r"|\b(?:matters?|important|essential|worth(?:while)?|duty|responsibilit(?:y|ies)|obligation|principle|the point of)\b"
    r"|\b(?:never|always) (?:be|do|trust|forget|let)\b", re.IGNORECASE)
VALUE_TRIGGERS = frozenset("believe value care hold convinced trust insist must should ought need have matter matters important "
                           "essential worth worthwhile duty responsibility responsibilities obligation principle point never always".split())

HABIT_PATTERN = re.compile(
    r"\b(?:every|each) (?:morning|day|night|evening|week|weekend|month|year|spring|summer|autumn|winter|season|time I)\b"
    r"|\bI (?:always|usually|often|still|never|rarely|tend to|make a point of|try to|start|begin|end)\b"
    r"|\b(?:habit|habits|routine|ritual|practice|discipline)\b", re.IGNORECASE)
HABIT_TRIGGERS = frozenset("every each morning day night evening week weekend month year time always usually often still never "
                           "rarely tend make point try start begin end habit habits routine ritual practice discipline".split())

RECOGNITION_PATTERN = re.compile(
    r"\bI (?:\w+ )?(?:notice|noticed|look for|looked for|watch for|pay attention|paid attention|can tell|could tell|realised|realized|"
    r"learned|learnt|spot|spotted|see|saw)\b|\byou (?:can|will|start to) (?:tell|see|notice)\b|\bthe (?:sign|signal|clue|giveaway)\b"
    r"|\bwhat (?:strikes|struck) me\b", re.IGNORECASE)
RECOGNITION_TRIGGERS = frozenset("notice noticed look looked watch pay paid attention can could tell realised realized learned learnt "
                                 "spot spotted see saw sign signal clue giveaway strikes struck".split())

TENSION_PATTERN = re.compile(
    r"\band yet\b|\bbut also\b|\bboth\b.{1,60}\band\b|\bparadox|\btension\b|\bon the other hand\b|\bat the same time\b"
    r"|\bcontradict|\bnot\b[^.!?;]{1,50}\bbut\b|\bI used to\b|\balthough\b|\beven though\b", re.IGNORECASE)
TENSION_TRIGGERS = frozenset("yet also both paradox paradoxes paradoxical tension hand same time contradict contradiction "
                             "contradicts used although even though".split())


@dataclass(frozen=True)
class StatementKind:
    """A statement layer: which sentences it takes, the words that never stand for what they are about,
    how a claim reads ({k}: the keyword, {n}: the count with ``noun``) and the method it states."""

    pattern: re.Pattern[str]
    triggers: frozenset[str]
    claim: str
    noun: str
    method: str


STATEMENT_KINDS = {
    "values-and-beliefs": StatementKind(
        VALUE_PATTERN, VALUE_TRIGGERS, "Holds values or beliefs about “{k}” ({n})", "evaluative or modal statement",
        "evaluative and modal statements (I believe / we must / should / matters / important / duty / principle / "
        "never-always + verb) grouped by their most distinctive content word; English patterns"),
    "habits-and-routines": StatementKind(
        HABIT_PATTERN, HABIT_TRIGGERS, "Describes a habit or routine around “{k}” ({n})", "habitual statement",
        "habitual statements (every morning / each week / I always / I usually / I never / habit / routine / ritual / "
        "practice) grouped by their most distinctive content word; English patterns"),
    "recognition-patterns": StatementKind(
        RECOGNITION_PATTERN, RECOGNITION_TRIGGERS, "Notices “{k}”: {n} of what they see, look for or learned", "statement",
        "statements of perception (I notice / look for / can tell / realised / learned / the sign) and the person's "
        "own questions, each grouped by their most distinctive content word; English patterns"),
    "contradictions-and-tensions": StatementKind(
        TENSION_PATTERN, TENSION_TRIGGERS, "Holds a tension around “{k}” ({n} weighing two sides)", "statement",
        "statements that hold two sides (and yet / both … and / not … but / although / on the other hand / I used to / "
        "paradox / tension) grouped by their most distinctive content word; English patterns"),
}


def statement_layer(layer: str, sentences: list[Sentence], vocabulary: Vocabulary) -> LayerResult:
    kind = STATEMENT_KINDS[layer]
    found = matching(sentences, kind.pattern)
    claims = group_statements(found, vocabulary, lambda k, n: kind.claim.format(k=k, n=plural(n, kind.noun)), kind.triggers)
    return LayerResult(layer, kind.method, claims, {"statements": len(found)})


def recognition_patterns(sentences: list[Sentence], vocabulary: Vocabulary) -> LayerResult:
    """What the person notices (a statement layer) merged with the questions they keep asking."""
    noticing = statement_layer("recognition-patterns", sentences, vocabulary)
    questions = [s for s in sentences if s.text.rstrip(" \"'”’)").endswith("?") and not is_instruction(s.text)]
    asked = group_statements(questions, vocabulary, lambda k, n: f"Keeps asking about “{k}” ({plural(n, 'question')})",
                             RECOGNITION_TRIGGERS)
    for claim in asked:
        claim.key = f"asks-{claim.key}"
    merged = sorted(noticing.claims + asked, key=lambda c: (-c.weight, c.key))[:MAX_CLAIMS]
    return LayerResult("recognition-patterns", noticing.method, merged, {**noticing.measures, "questions": len(questions)})


# ---------------------------------------------------------------- 2. mental models

MODEL_KINDS = {
    "conditional": (re.compile(r"\b(?:if|when|whenever|unless)\b[^.!?]{3,}?,", re.IGNORECASE), "reasons in conditions (if / when … ,)"),
    "causal": (re.compile(r"\b(?:because|so that|which is why|that is why|therefore|the reason)\b", re.IGNORECASE),
               "explains by causes (because / which is why / therefore)"),
    "contrast": (re.compile(r"\bnot\b[^.!?;]{1,50}\bbut\b|\brather than\b|\binstead of\b", re.IGNORECASE),
                 "frames by contrast (not … but / rather than / instead of)"),
    "analogy": (re.compile(r"\b(?:is|are|was|were) like\b|\bas if\b|\bthink of\b[^.!?]{1,40}\bas\b|\bthe way (?:a|an|the)\b", re.IGNORECASE),
                "thinks in analogies (is like / as if / think of … as)"),
    "principle": (re.compile(r"\bthe (?:key|trick|secret|rule|point|lesson|test|question|problem|answer) (?:is|was)\b", re.IGNORECASE),
                  "states principles (the key / the rule / the lesson is …)"),
}
FRAMEWORK_PATTERN = re.compile(r"\bthe ((?:[a-z][\w-]+ ){0,2}(?:rule|test|question|method|principle|framework|law|habit|practice|list|map|ladder|loop))\b",
                               re.IGNORECASE)


def mental_models(sentences: list[Sentence], vocabulary: Vocabulary) -> LayerResult:
    words = sum(len(s.tokens()) for s in sentences) or 1
    claims, measures = [], {}
    for kind, (pattern, description) in MODEL_KINDS.items():
        found = matching(sentences, pattern)
        rate = 1000.0 * len(found) / words
        measures[f"{kind}_per_1000_words"] = round(rate, 2)
        if found:
            ranked = sorted(found, key=lambda s: (-max((vocabulary.weight.get(t, -99.0) for t in s.tokens()), default=-99.0), s.index))
            claims.append(Claim(kind, f"{description[0].upper()}{description[1:]}: {plural(len(found), 'statement')}, {rate:.1f} per 1,000 words",
                                kind, round(rate, 2), spread(ranked), {"statements": len(found)}))
    named: dict[str, list[Sentence]] = defaultdict(list)
    for sentence in sentences:
        if is_instruction(sentence.text):
            continue
        for match in FRAMEWORK_PATTERN.finditer(sentence.text):
            named[match.group(1).lower()].append(sentence)
    frameworks = sorted(((n, g) for n, g in named.items() if len(g) >= 2), key=lambda kv: (-len(kv[1]), kv[0]))
    for name, group in frameworks[:MAX_CLAIMS - len(claims)]:
        claims.append(Claim(f"framework-{_slug(name)}", f"Names a framework: “the {name}” ({plural(len(group), 'mention')})", f"the {name}",
                            round(1000.0 * len(group) / words, 2), spread(group), {"statements": len(group)}))
    method = ("reasoning patterns counted per 1,000 words (conditional, causal, contrastive, analogical, stated principles), "
              "each with its most distinctive examples, and the frameworks the person names twice or more "
              "(“the … rule / test / question / method / practice”); English patterns")
    return LayerResult("mental-models", method, claims, measures)


# ---------------------------------------------------------------- 3. recurring themes


def recurring_themes(sentences: list[Sentence], passages: list[tuple[str, str]], stop: frozenset[str], sources: int) -> LayerResult:
    """NMF topics of the build passages (source id, text); each theme's evidence is its sentences
    most loaded on the theme."""
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import TfidfVectorizer

    method = ("NMF (nndsvd initialisation, deterministic) on TF-IDF of the build passages (sublinear tf, words in 2+ "
              "passages, stop words removed); about sqrt(passages/2) themes, at most 12; a theme's weight is its share "
              "of the passages' topic mass, its spread the sources where it is a passage's main theme")
    if len(passages) < 4:
        return LayerResult("recurring-themes", method, [])
    vectorizer = TfidfVectorizer(stop_words=sorted(stop), sublinear_tf=True, min_df=2, token_pattern=r"(?u)\b[^\W\d_]{3,}\b")
    matrix = vectorizer.fit_transform([text for _, text in passages])
    k = min(12, max(2, round(math.sqrt(len(passages) / 2))), matrix.shape[1] - 1)
    model = NMF(n_components=k, init="nndsvd", max_iter=1000, random_state=0)
    loadings = model.fit_transform(matrix)
    terms = vectorizer.get_feature_names_out()
    mass = loadings.sum(axis=0)
    total_mass = float(mass.sum()) or 1.0
    main = loadings.argmax(axis=1)
    sentence_matrix = vectorizer.transform([s.text for s in sentences])
    sentence_loadings = sentence_matrix @ model.components_.T
    claims = []
    for topic in np.argsort(-mass, kind="stable"):
        top_terms = [str(terms[i]) for i in np.lexsort((terms, -model.components_[topic]))[:5]]
        in_sources = {passages[i][0] for i in range(len(passages)) if main[i] == topic}
        order = np.argsort(-sentence_loadings[:, topic].toarray().ravel() if hasattr(sentence_loadings, "toarray") else -sentence_loadings[:, topic], kind="stable")
        best = [sentences[i] for i in order[:60] if not is_instruction(sentences[i].text)][:20]
        share = float(mass[topic]) / total_mass
        claims.append(Claim(_slug("-".join(top_terms[:2])), f"Returns to {', '.join(f'“{t}”' for t in top_terms[:3])} ({share:.0%} of the text, "
                                                              f"main theme in {len(in_sources)} of {sources} sources)",
                            ", ".join(top_terms), round(share, 4), spread(best), {"terms": top_terms, "sources": len(in_sources)}))
    return LayerResult("recurring-themes", method, claims, {"themes": len(claims), "passages": len(passages)})


# ---------------------------------------------------------------- 5. communication style

_SYLLABLES = re.compile(r"[aeiouy]+")
DEVICES = {
    "rhetorical-question": (re.compile(r"\?\s*$"), "asks questions"),
    "direct-address": (re.compile(r"\byou(?:r|rs|rself)?\b", re.IGNORECASE), "addresses the reader as “you”"),
    "tricolon": (re.compile(r"\b\w+(?: \w+){0,3}, \w+(?: \w+){0,3},? and \w+", re.IGNORECASE), "lists in threes (X, Y and Z)"),
    "antithesis": (re.compile(r"\bnot\b[^.!?;]{1,50}\bbut\b", re.IGNORECASE), "sets one thing against another (not … but)"),
    "dash-aside": (re.compile(r"—|–| - "), "breaks in with dashes"),
    "short-sentence": (None, "lands points in short sentences (≤ 6 words)"),
}


def _syllables(word: str) -> int:
    return max(1, len(_SYLLABLES.findall(word.lower())) - (1 if word.lower().endswith("e") and len(word) > 3 else 0))


def mattr(tokens: list[str], window: int = 500) -> float:
    """Moving-average type-token ratio (Covington & McFall 2010): vocabulary richness independent of length."""
    if len(tokens) <= window:
        return len(set(tokens)) / max(len(tokens), 1)
    counts: Counter = Counter(tokens[:window])
    ratios = [len(counts) / window]
    for i in range(window, len(tokens)):
        counts[tokens[i]] += 1
        old = tokens[i - window]
        counts[old] -= 1
        if not counts[old]:
            del counts[old]
        ratios.append(len(counts) / window)
    return sum(ratios) / len(ratios)


def communication_style(sentences: list[Sentence], vocabulary: Vocabulary) -> LayerResult:
    tokens_by = [s.tokens() for s in sentences]
    tokens = [t for ts in tokens_by for t in ts]
    words = max(len(tokens), 1)
    lengths = [len(ts) for ts in tokens_by]
    counts = Counter(tokens)
    syllables = sum(_syllables(t) for t in tokens)
    mean_length = sum(lengths) / max(len(lengths), 1)
    flesch = 206.835 - 1.015 * mean_length - 84.6 * syllables / words
    first_singular = sum(counts[w] for w in ("i", "me", "my", "mine", "myself", "i'm", "i've", "i'd", "i'll"))
    first_plural = sum(counts[w] for w in ("we", "us", "our", "ours", "ourselves", "we're", "we've"))
    second = sum(counts[w] for w in ("you", "your", "yours", "yourself", "you're", "you've"))
    measures = {
        "sentences": len(sentences), "words": len(tokens),
        "mean_sentence_words": round(mean_length, 2),
        "sd_sentence_words": round(float(np.std(lengths)) if lengths else 0.0, 2),
        "questions_per_100_sentences": round(100.0 * sum(s.text.rstrip(" \"'”’)").endswith("?") for s in sentences) / max(len(sentences), 1), 2),
        "exclamations_per_100_sentences": round(100.0 * sum(s.text.rstrip(" \"'”’)").endswith("!") for s in sentences) / max(len(sentences), 1), 2),
        "first_person_singular_per_1000": round(1000.0 * first_singular / words, 2),
        "first_person_plural_per_1000": round(1000.0 * first_plural / words, 2),
        "second_person_per_1000": round(1000.0 * second / words, 2),
        "mattr_500": round(mattr(tokens), 4),
        "mean_word_letters": round(sum(len(t) for t in tokens) / words, 2),
        "flesch_reading_ease": round(flesch, 1),
    }
    claims = []
    median = sorted(lengths)[len(lengths) // 2] if lengths else 0
    typical = [s for s, n in zip(sentences, lengths) if abs(n - median) <= 1 and not is_instruction(s.text)]
    band = "short" if mean_length < 14 else "moderate" if mean_length < 22 else "long"
    claims.append(Claim("sentence-length", f"Writes {band} sentences: {mean_length:.1f} words on average (sd {measures['sd_sentence_words']}), "
                                           f"median {median}", "sentence length", round(mean_length, 2), spread(typical)))
    ease = "plain" if flesch >= 60 else "fairly plain" if flesch >= 50 else "dense"
    claims.append(Claim("readability", f"Reads as {ease} prose: Flesch reading ease {flesch:.0f}, {measures['mean_word_letters']} letters per word",
                        "readability", round(flesch, 1), spread(typical[len(typical) // 2:])))
    person = max((("first person singular", first_singular, ("i", "me", "my")), ("first person plural", first_plural, ("we", "us", "our")),
                  ("second person", second, ("you", "your"))), key=lambda p: p[1])
    person_examples = [s for s in sentences if set(s.tokens()) & set(person[2]) and not is_instruction(s.text)]
    claims.append(Claim("person", f"Speaks mostly in the {person[0]} ({1000.0 * person[1] / words:.1f} per 1,000 words)", person[0],
                        round(1000.0 * person[1] / words, 2), spread(person_examples)))
    claims.append(Claim("vocabulary", f"Vocabulary richness (MATTR over 500 words) {measures['mattr_500']:.3f}", "vocabulary richness",
                        measures["mattr_500"], spread(sorted(sentences, key=lambda s: (-len(set(s.tokens())), s.index))[:9])))
    for key, (pattern, description) in DEVICES.items():
        found = ([s for s, n in zip(sentences, lengths) if n <= 6] if pattern is None else matching(sentences, pattern))
        found = [s for s in found if not is_instruction(s.text)]
        rate = 1000.0 * len(found) / words
        measures[f"{key}_per_1000_words"] = round(rate, 2)
        if len(found) >= 2:
            claims.append(Claim(key, f"{description[0].upper()}{description[1:]}: {plural(len(found), 'sentence')}, {rate:.1f} per 1,000 words",
                                key, round(rate, 2), spread(found)))
    method = ("measured over the build set's sentences: sentence length, questions and exclamations per 100 sentences, "
              "grammatical person per 1,000 words, MATTR (500-word window), Flesch reading ease (vowel-group syllables), "
              "and rhetorical devices (questions, direct address, tricolon, antithesis, dashes, short sentences) by pattern")
    return LayerResult("communication-style", method, claims, measures)


# ---------------------------------------------------------------- all layers

GENERIC = frozenset("thing things way ways lot lots bit kind sort just like really got get gets getting make makes made "
                    "said say says know think went go goes going come came time times day days year years people".split())


def content_stopwords(language: str) -> frozenset[str]:
    """Words that never stand for what a statement is about: the language's function words (for English
    also scikit-learn's list) and a few generic nouns and verbs."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return stopwords_for(language) | (frozenset(ENGLISH_STOP_WORDS) | GENERIC if language == "en" else frozenset())


def analyse(sentences: list[Sentence], passages: list[tuple[str, str]], language: str, sources: int) -> dict[str, LayerResult]:
    """Every layer, offline, in :data:`LAYERS` order."""
    language = (language or "en").split("-")[0]
    stop = content_stopwords(language)
    phrases, unigram_z = signature_phrases(sentences, language, stop)
    vocabulary = Vocabulary(stop, unigram_z)
    results = {
        "values-and-beliefs": statement_layer("values-and-beliefs", sentences, vocabulary),
        "mental-models": mental_models(sentences, vocabulary),
        "recurring-themes": recurring_themes(sentences, passages, stop, sources),
        "signature-phrases": phrases,
        "communication-style": communication_style(sentences, vocabulary),
        "habits-and-routines": statement_layer("habits-and-routines", sentences, vocabulary),
        "recognition-patterns": recognition_patterns(sentences, vocabulary),
        "contradictions-and-tensions": statement_layer("contradictions-and-tensions", sentences, vocabulary),
    }
    for result in results.values():  # a claim without evidence is never published
        result.claims = [claim for claim in result.claims if claim.evidence]
    return {layer: results[layer] for layer in LAYERS}
