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

from lendaria.languages import text_resources
from lendaria.text import stopwords_for
from stages.mmos import meaning
from stages.mmos.evidence import Sentence, is_instruction
from stages.mmos.wording import Wording, wording

LAYERS = ("values-and-beliefs", "mental-models", "recurring-themes", "signature-phrases", "communication-style",
          "habits-and-routines", "recognition-patterns", "contradictions-and-tensions")
MAX_CLAIMS = 8
EVIDENCE_PER_CLAIM = 3
BACKGROUND_WORDS = 1e9  # wordfreq's frequencies come from corpora of billions of words


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
    """Up to ``limit`` sentences, one per source first (in order), then the rest in order; a sentence
    repeated word for word is shown once."""
    unique, texts = [], set()
    for sentence in sentences:
        text = " ".join(sentence.tokens())
        if text not in texts:
            unique.append(sentence)
            texts.add(text)
    chosen, seen = [], set()
    for sentence in unique:
        if sentence.source_id not in seen:
            chosen.append(sentence)
            seen.add(sentence.source_id)
    chosen += [s for s in unique if s not in chosen]
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
                     exclude: frozenset[str] = frozenset(), min_group: int = 2, singles: bool = True) -> list[Claim]:
    """Claims from statements grouped by keyword stem (labelled by its most frequent form), largest
    groups first (ties: more sources, then keyword). ``singles``: when no group reaches ``min_group``,
    single statements stand (a small mind's own words)."""
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
    if singles and not claims and ranked:  # a small mind: single statements are still the person's own words
        claims = [Claim(_slug(k), describe(k, len(g)), k, round(len(g) / total, 4), spread(g),
                        {"statements": len(g), "sources": len({s.source_id for s in g})}) for k, g in ranked[:MAX_CLAIMS]]
    return claims


def matching(sentences: list[Sentence], pattern: re.Pattern[str]) -> list[Sentence]:
    return [s for s in sentences if pattern.search(s.text) and not is_instruction(s.text)]


# ---------------------------------------------------------------- 4. signature phrases

NOTHING = wording("en").method("nothing")  # the English statement layers' note (other languages: Wording.method)


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


SAYING_MIN_WORDS, SAYING_MAX_WORDS = 3, 8
_EDGE = frozenset("a an the of to in on at by for from with and or but that which who as is are was were be it its".split())
_LEAD = frozenset("the a an that and but so because".split())
_CLAUSE_BEFORE = re.compile(r"(?:^|[;:—–(“\"'‘])\s*$")
_CLAUSE_AFTER = re.compile(r"^\s*(?:$|[.;:!?—–)”\"'’])")


def whole_clause(gram: str, text: str) -> bool:
    """``gram`` (lower-case words) stands as a sentence or clause of its own in ``text``: between it and
    the sentence's edges or a ``; : —`` break there is nothing but one leading article or conjunction
    — "Look twice, write once." said as such, not "a quarter of an hour" inside a longer clause."""
    for match in _gram_pattern(gram).finditer(text.replace("’", "'")):
        before = text[:match.start()]
        lead = re.search(r"(\w+)\s*$", before)
        if lead and lead.group(1).lower() in _LEAD:
            before = before[:lead.start()]
        if _CLAUSE_BEFORE.search(before) and _CLAUSE_AFTER.match(text[match.end():]):
            return True
    return False


def _gram_pattern(gram: str) -> re.Pattern[str]:
    return re.compile(r"\b" + r"\W+".join(re.escape(w) for w in gram.split()) + r"\b", re.IGNORECASE)


def verbatim(gram: str, found: list[Sentence]) -> str:
    """A saying as the person writes it (case and punctuation), from its first use as a clause of its
    own: "look twice write once" -> "Look twice, write once"."""
    for sentence in sorted(found, key=lambda s: not whole_clause(gram, s.text)):
        match = _gram_pattern(gram).search(sentence.text.replace("’", "'"))
        if match:
            lead = re.search(r"(?:^|[;:—–(“\"'‘]\s*)(\w+)\s+$", sentence.text[:match.start()])
            start = lead.start(1) if lead and lead.group(1).lower() in _LEAD else match.start()
            return sentence.text[start:match.end()]
    return gram


def sayings(sentences: list[Sentence], stop: frozenset[str], edge: frozenset[str] = _EDGE) -> list[tuple[str, list[Sentence]]]:
    """The person's repeated sayings: word sequences of 3-8 words they use in two or more sources
    (three or more in a mind of six or more sources; three or more times in a one-source mind), standing as a clause of their own at least once, with
    two or more content words and not opening or closing on an article, preposition or conjunction;
    a window of a longer saying (the same sentences, words in common) is that saying. (phrase, where),
    most sources first."""
    where: dict[str, list[Sentence]] = defaultdict(list)
    for sentence in sentences:
        tokens = sentence.tokens()
        seen: set[str] = set()
        for n in range(SAYING_MIN_WORDS, SAYING_MAX_WORDS + 1):
            for gram in ngrams(tokens, n):
                parts = gram.split()
                if gram in seen or parts[0] in edge or parts[-1] in edge or sum(p not in stop and len(p) > 2 for p in parts) < 2:
                    continue
                seen.add(gram)
                where[gram].append(sentence)
    sources = len({s.source_id for s in sentences})
    min_sources = 3 if sources >= 6 else 2  # a mind of many sources repeats announcements and addresses twice
    candidates = {g: found for g, found in where.items()
                  if (len(found) >= 3 if sources == 1 else len({s.source_id for s in found}) >= min_sources)
                  and any(whole_clause(g, s.text) for s in found)}
    ranked = sorted(candidates, key=lambda g: (-len({s.source_id for s in candidates[g]}), -len(candidates[g]), -len(g.split()), g))
    chosen: list[str] = []
    for gram in ranked:
        places = {s.index for s in candidates[gram]}
        if any(c in gram or gram in c or (places <= {s.index for s in candidates[c]} and set(ngrams(gram.split(), 2)) & set(ngrams(c.split(), 2)))
               for c in chosen):
            continue
        chosen.append(gram)
    return [(g, candidates[g]) for g in chosen[:MAX_CLAIMS]]


def signature_phrases(sentences: list[Sentence], language: str, stop: frozenset[str]) -> tuple[LayerResult, dict[str, float]]:
    """The layer (the person's repeated sayings, from their own sentences), and every content word's
    log-odds z against general language (the weights the statement layers group by). Words and
    phrases that are merely frequent — topic nouns, place names — are not signature phrases: topics
    are the themes layer's."""
    own = [s for s in sentences if not s.other and not is_instruction(s.text)]
    words = wording(language)
    claims = []
    for gram, found in sayings(own, stop, _EDGE if language == "en" else stopwords_for(language)):
        sources = len({s.source_id for s in found})
        said = verbatim(gram, found)
        claims.append(Claim(_slug(gram), words.say("saying", said=said, count=len(found), sources=sources), said,
                            float(len(found)), spread(found), {"count": len(found), "sources": sources}))
    method = (words.method("signature-phrases", min=SAYING_MIN_WORDS, max=SAYING_MAX_WORDS)
              + ("" if claims else f"; {words.method('nothing_saying')}"))
    unigram_counts: Counter = Counter(t for s in sentences for t in s.tokens() if t not in stop and len(t) > 2)
    background = _background(language)
    if background is None:  # no general-language frequencies: the statement layers weigh words by their count
        return LayerResult("signature-phrases", method, claims), {w: math.log(c) for w, c in unigram_counts.items()}
    total = sum(len(s.tokens()) for s in sentences)
    unigram_z = {w: z for w, (z, _) in log_odds(unigram_counts, total, background, float(total)).items()}
    return LayerResult("signature-phrases", method, claims), unigram_z


# ---------------------------------------------------------------- 1, 2, 6, 7, 8: statement layers
#
# Each statement layer takes only the person's own sentences (not another speaker's turn, not a
# quotation, not reported speech) that have the layer's meaning (stages.mmos.meaning), and groups them
# by what they are about: the object of a value, the action of a habit, what is noticed. A layer with
# nothing that passes publishes no claim and says so in its method.


def about_groups(found: list[tuple[Sentence, str]], describe: Callable[[str, int], str], min_group: int = 1,
                 head_word: int | None = -1) -> list[Claim]:
    """Claims from (sentence, what it is about) pairs grouped by the stem of one word of the phrase
    (``head_word``: its last word, the head of a noun phrase; its first, the verb of an action; None:
    the whole phrase, for norms, where one verb holds different norms),
    labelled by the group's most frequent phrase; largest groups first (ties: more sources, then
    label)."""
    groups: dict[str, list[Sentence]] = defaultdict(list)
    phrases: dict[str, Counter] = defaultdict(Counter)
    for sentence, phrase in found:
        head = phrase if head_word is None else stem(phrase.split()[head_word])
        groups[head].append(sentence)
        phrases[head][phrase] += 1
    labelled = {min(phrases[k], key=lambda f: (-phrases[k][f], len(f), f)): group for k, group in groups.items()}
    ranked = sorted(labelled.items(), key=lambda kv: (-len(kv[1]), -len({s.source_id for s in kv[1]}), kv[0]))
    total = max(len(found), 1)
    return [Claim(_slug(label), describe(label, len(group)), label, round(len(group) / total, 4), spread(group),
                  {"statements": len(group), "sources": len({s.source_id for s in group})})
            for label, group in ranked if len(group) >= min_group][:MAX_CLAIMS]


def own_sentences(sentences: list[Sentence]) -> list[Sentence]:
    """The person's own sentences: not another speaker's, not quoting or reporting someone, not text
    addressed to a model."""
    return [s for s in sentences if not s.other and not is_instruction(s.text)]




def values_and_beliefs(own: list[Sentence]) -> LayerResult:
    found = [(s, obj) for s in own if (obj := meaning.value_object(s.text))]
    norms = about_groups([(s, o) for s, o in found if o.startswith("to ")],
                         lambda k, n: f"Holds that one should {k[3:]} ({plural(n, 'normative statement')})", head_word=None)
    views = about_groups([(s, o) for s, o in found if not o.startswith("to ")],
                         lambda k, n: f"Holds views on {k}: {plural(n, 'evaluative statement')}")
    claims = sorted(views + norms, key=lambda c: (-c.extra["statements"], -c.extra["sources"], c.key))[:MAX_CLAIMS]
    method = ("the person's own evaluative and normative statements (“X matters / is important / is worth …”, “I believe / "
              "value / trust / care about X”, “we / one / people must / should …”), grouped by what they are about (the "
              "object of the evaluation, named by the statement); English patterns"
              + ("" if claims else f"; {NOTHING}"))
    return LayerResult("values-and-beliefs", method, claims, {"statements": len(found)})


def habits_and_routines(own: list[Sentence]) -> LayerResult:
    found = [(s, action) for s in own if (action := meaning.habit_action(s.text))]
    claims = about_groups(found, lambda k, n: f"Habitually: {k} ({plural(n, 'statement')} of a recurring action of their own)",
                          head_word=0)
    method = ("the person's own statements of a recurring action: I as the subject of a verb not in the past, with a "
              "habitual marker (every morning / each month / always / usually / for years / have been …ing / my routine), "
              "grouped by the action; English patterns" + ("" if claims else f"; {NOTHING}"))
    return LayerResult("habits-and-routines", method, claims, {"statements": len(found)})


def recognition_patterns(own: list[Sentence], vocabulary: Vocabulary) -> LayerResult:
    """What the person says they notice or look for, and the questions they keep asking (their own,
    in two or more sources)."""
    seen = [(s, obj) for s in own if (obj := meaning.noticed(s.text))]
    noticing = about_groups(seen, lambda k, n: f"Notices {k} ({plural(n, 'statement')} of what they notice or look for)")
    questions = [s for s in own if meaning.own_question(s.text)]
    asked = [c for c in group_statements(questions, vocabulary, lambda k, n: f"Keeps asking about “{k}” ({plural(n, 'question')})",
                                         RECOGNITION_TRIGGERS, min_group=3, singles=False)
             if c.extra["sources"] >= 2]
    for claim in asked:
        claim.key = f"asks-{claim.key}"
    merged = sorted(noticing + asked, key=lambda c: (-c.extra["statements"], c.key))[:MAX_CLAIMS]
    method = ("the person's own statements of perception (I notice / look for / can tell / the sign is …), grouped by what "
              "is noticed, and their own questions (not quoted, not reported) on one word, three or more in two or more sources; "
              "English patterns" + ("" if merged else f"; {NOTHING}"))
    return LayerResult("recognition-patterns", method, merged, {"statements": len(seen), "questions": len(questions)})


RECOGNITION_TRIGGERS = frozenset("notice noticed look looked watch pay paid attention can could tell realised realized learned learnt "
                                 "spot spotted see saw sign signal clue giveaway strikes struck".split())


def contradictions_and_tensions(own: list[Sentence]) -> LayerResult:
    """One claim per statement that holds two sides at once, labelled by its second side in the
    person's words (what they hold against the first)."""
    found = [(s, sides) for s in own if (sides := meaning.tension_sides(s.text))]
    claims = []
    for sentence, (first, second) in found:
        label = " ".join(second.split()[:10])
        claims.append(Claim(_slug(label), f"Holds two sides at once: “{' '.join(first.split()[-12:])}” — “{label}”", label, 1.0,
                            [sentence], {"statements": 1, "sources": 1}))
    unique = list({c.key: c for c in claims}.values())[:MAX_CLAIMS]
    method = ("the person's own statements that hold two sides at once, marked as such (and yet I / we, torn between, part of "
              "me wants, I love … but I, I used to think … now), both sides in the first person (a paradox observed in "
              "others is not a tension they hold; “and yet I think …” is an argument), one claim per statement, labelled by "
              "its second side; concessive “although”, “both … and”, “at the same time” and words about contradictions "
              "are not tensions; English patterns" + ("" if unique else f"; {NOTHING}"))
    return LayerResult("contradictions-and-tensions", method, unique, {"statements": len(found)})


# ---------------------------------------------------------------- 2. mental models

KIND_DESCRIPTIONS = {
    "conditional": "reasons in conditions (if / unless … ,)",
    "causal": "explains by causes (because / which is why / therefore)",
    "contrast": "frames by contrast (not … but / rather than / instead of)",
    "analogy": "thinks in analogies (is like a … / think of … as)",
    "principle": "states principles (the key / the rule / the lesson is …)",
}
FRAMEWORK_PATTERN = re.compile(r"\bthe ((?:[a-z][\w-]+ ){1,2}(?:rule|test|method|principle|framework|law|ladder|loop))\b", re.IGNORECASE)
_NOT_A_NAME = frozenset("same first last next other only whole one two old new golden simple basic main real big little "
                        "general usual following".split())


def mental_models(own: list[Sentence], vocabulary: Vocabulary) -> LayerResult:
    """Reasoning forms in the person's own general statements (a one-off past narration is not a way
    of reasoning), each claimed when two or more statements show it, and the frameworks they name."""
    words = sum(len(s.tokens()) for s in own) or 1
    claims, measures = [], {}
    general = [s for s in own if not meaning.narrative(s.text)]
    for kind, description in KIND_DESCRIPTIONS.items():
        found = [s for s in general if meaning.reasoning_kind(s.text) == kind]
        rate = 1000.0 * len(found) / words
        measures[f"{kind}_per_1000_words"] = round(rate, 2)
        if len(found) >= 2:
            ranked = sorted(found, key=lambda s: (-max((vocabulary.weight.get(t, -99.0) for t in s.tokens()), default=-99.0), s.index))
            claims.append(Claim(kind, f"{description[0].upper()}{description[1:]}: {plural(len(found), 'statement')}, {rate:.1f} per 1,000 words",
                                kind, round(rate, 2), spread(ranked), {"statements": len(found)}))
    named: dict[str, list[Sentence]] = defaultdict(list)
    for sentence in own:
        for match in FRAMEWORK_PATTERN.finditer(sentence.text):
            name = match.group(1).lower()
            if not (set(name.split()[:-1]) & (_NOT_A_NAME | meaning.FUNCTION)):
                named[name].append(sentence)
    frameworks = sorted(((n, g) for n, g in named.items() if len(g) >= 3), key=lambda kv: (-len(kv[1]), kv[0]))
    for name, group in frameworks[:MAX_CLAIMS - len(claims)]:
        claims.append(Claim(f"framework-{_slug(name)}", f"Names a framework: “the {name}” ({plural(len(group), 'mention')})", f"the {name}",
                            round(1000.0 * len(group) / words, 2), spread(group), {"statements": len(group)}))
    method = ("reasoning forms in the person's own general statements (past-tense narration set aside), counted per 1,000 "
              "words: general conditions (if / unless … ,), causes, contrasts, analogies (is like a …), stated principles; a "
              "form is claimed when two or more statements show it, with its most distinctive examples; and the frameworks "
              "the person names three times or more (“the <name> rule / test / method …”, a bare “the rule” is not a name); "
              "English patterns")
    return LayerResult("mental-models", method, claims, measures)


# ---------------------------------------------------------------- 3. recurring themes


def recurring_themes(sentences: list[Sentence], passages: list[tuple[str, str]], stop: frozenset[str], sources: int,
                     language: str = "en") -> LayerResult:
    """NMF topics of the build passages (source id, text); each theme's evidence is its sentences
    most loaded on the theme."""
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import TfidfVectorizer

    words = wording(language)
    method = words.method("recurring-themes")
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
        claims.append(Claim(_slug("-".join(top_terms[:2])), words.say("theme", terms=", ".join(f"“{t}”" for t in top_terms[:3]),
                                                                      share=share, main=len(in_sources), sources=sources),
                            ", ".join(top_terms), round(share, 4), spread(best), {"terms": top_terms, "sources": len(in_sources)}))
    return LayerResult("recurring-themes", method, claims, {"themes": len(claims), "passages": len(passages)})


# ---------------------------------------------------------------- 5. communication style

_SYLLABLES = re.compile(r"[aeiouy]+")
DEVICES = {  # their descriptions are the language's (Wording.word("devices", key))
    "rhetorical-question": re.compile(r"\?\s*$"),
    "direct-address": re.compile(r"\byou(?:r|rs|rself)?\b", re.IGNORECASE),
    "tricolon": re.compile(r"\b\w+(?: \w+){0,3}, \w+(?: \w+){0,3},? and \w+", re.IGNORECASE),
    "antithesis": re.compile(r"\bnot\b[^.!?;]{1,50}\bbut\b", re.IGNORECASE),
    "dash-aside": re.compile(r"—|–| - "),
    "short-sentence": None,
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


def communication_style(sentences: list[Sentence], vocabulary: Vocabulary, language: str = "en") -> LayerResult:
    """Measured style. Grammatical person, Flesch reading ease and the devices found by English patterns
    (direct address, tricolon, antithesis) are English measures: in another language they are left out
    rather than reported as zero."""
    result = _communication_style(sentences, vocabulary, wording(language))
    if language == "en":
        return result
    english = ("first_person", "second_person", "flesch", "direct-address", "tricolon", "antithesis", "direct_address")
    result.claims = [c for c in result.claims if c.key not in ("person", "readability", "direct-address", "tricolon", "antithesis")]
    result.measures = {k: v for k, v in result.measures.items() if not any(k.startswith(e) for e in english)}
    result.method += wording(language).method("style_other_language", language=language)
    return result


def _communication_style(sentences: list[Sentence], vocabulary: Vocabulary, language_words: Wording) -> LayerResult:
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
    band = language_words.word("bands", "short" if mean_length < 14 else "moderate" if mean_length < 22 else "long")
    claims.append(Claim("sentence-length", language_words.say("sentence_length", band=band, mean=mean_length, sd=measures["sd_sentence_words"],
                                                     median=median), language_words.word("labels", "sentence-length", "sentence length"), round(mean_length, 2), spread(typical)))
    ease = "plain" if flesch >= 60 else "fairly plain" if flesch >= 50 else "dense"
    claims.append(Claim("readability", f"Reads as {ease} prose: Flesch reading ease {flesch:.0f}, {measures['mean_word_letters']} letters per word",
                        "readability", round(flesch, 1), spread(typical[len(typical) // 2:])))
    person = max((("first person singular", first_singular, ("i", "me", "my")), ("first person plural", first_plural, ("we", "us", "our")),
                  ("second person", second, ("you", "your"))), key=lambda p: p[1])
    person_examples = [s for s in sentences if set(s.tokens()) & set(person[2]) and not is_instruction(s.text)]
    claims.append(Claim("person", f"Speaks mostly in the {person[0]} ({1000.0 * person[1] / words:.1f} per 1,000 words)", person[0],
                        round(1000.0 * person[1] / words, 2), spread(person_examples)))
    claims.append(Claim("vocabulary", language_words.say("vocabulary", mattr=measures["mattr_500"]), language_words.word("labels", "vocabulary", "vocabulary richness"),
                        measures["mattr_500"], spread(sorted(sentences, key=lambda s: (-len(set(s.tokens())), s.index))[:9])))
    for key, pattern in DEVICES.items():
        found = ([s for s, n in zip(sentences, lengths) if n <= 6] if pattern is None else matching(sentences, pattern))
        found = [s for s in found if not is_instruction(s.text)]
        rate = 1000.0 * len(found) / words
        measures[f"{key}_per_1000_words"] = round(rate, 2)
        if len(found) >= 2:
            description = language_words.word("devices", key)
            claims.append(Claim(key, language_words.say("device", description=description[0].upper() + description[1:], count=len(found), rate=rate),
                                language_words.word("labels", key), round(rate, 2), spread(found)))
    return LayerResult("communication-style", language_words.method("communication-style"), claims, measures)


# ---------------------------------------------------------------- all layers

GENERIC = frozenset("thing things way ways lot lots bit kind sort just like really got get gets getting make makes made "
                    "said say says know think went go goes going come came time times day days year years people".split())


def content_stopwords(language: str) -> frozenset[str]:
    """Words that never stand for what a statement is about: the language's function words (for English
    also scikit-learn's list and a few generic nouns and verbs; for another language, its closed-class
    words of ``text.yaml`` and its ``mmos.yaml`` list)."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    from lendaria.languages import resources

    if language == "en":
        return stopwords_for(language) | frozenset(ENGLISH_STOP_WORDS) | GENERIC
    written = ((resources(language) or {}).get("statements") or {}).get("function_words", "")
    return stopwords_for(language) | frozenset(text_resources(language).function_words) | frozenset(written.split())


STATEMENT_LANGUAGES = frozenset({"en"})  # the statement layers' rules in code (stages/mmos/meaning.py); others: lendaria/languages
STATEMENT_LAYERS = ("values-and-beliefs", "mental-models", "habits-and-routines", "recognition-patterns", "contradictions-and-tensions")


def not_computed(layer: str, language: str) -> LayerResult:
    return LayerResult(layer, wording(language).method("not_computed", language=language), [])


def analyse(sentences: list[Sentence], passages: list[tuple[str, str]], language: str, sources: int) -> dict[str, LayerResult]:
    """Every layer, offline, in :data:`LAYERS` order. In a language without statement patterns the
    five statement layers publish nothing and say why; the others are measured in the language."""
    language = (language or "en").split("-")[0]
    stop = content_stopwords(language)
    phrases, unigram_z = signature_phrases(sentences, language, stop)
    vocabulary = Vocabulary(stop, unigram_z)
    own = own_sentences(sentences)
    if language in STATEMENT_LANGUAGES:
        statements = {"values-and-beliefs": values_and_beliefs(own), "mental-models": mental_models(own, vocabulary),
                      "habits-and-routines": habits_and_routines(own), "recognition-patterns": recognition_patterns(own, vocabulary),
                      "contradictions-and-tensions": contradictions_and_tensions(own)}
    else:
        from stages.mmos import pattern_layers  # the patterns written for the language, when it has them

        statements = (pattern_layers.statement_layers(own, language) if pattern_layers.patterns(language)
                      else {layer: not_computed(layer, language) for layer in STATEMENT_LAYERS})
    results = {**statements, "recurring-themes": recurring_themes(sentences, passages, stop, sources, language),
               "signature-phrases": phrases, "communication-style": communication_style(own, vocabulary, language)}
    for result in results.values():  # a claim without evidence is never published
        result.claims = [claim for claim in result.claims if claim.evidence]
    return {layer: results[layer] for layer in LAYERS}
