"""Whether a sentence has a layer's meaning, not just its trigger word (pure functions, English).

A statement layer publishes a claim only when its evidence is **the person's own words** and has the
**layer's meaning**. Both checks are used twice: by the offline layers (:mod:`stages.mmos.layers`)
to choose their statements, and on the claims a language model returns (:mod:`stages.mmos.analysis`),
so Claude's claims pass the same bar as the offline ones.

The person's own words (:func:`not_own`): a sentence is set aside when it sits in another speaker's
turn of a transcript (a ``Name:`` paragraph naming someone else), quotes someone (three or more words
inside quotation marks, InnerLens's ``quotes_other``), or reports what someone else said, asked or
wrote ("she wrote underneath it, … how will you know?").

The layer's meaning (:func:`means`), precision first:

* **values and beliefs**: an evaluative or normative statement whose object can be named: "X matters /
  is important / is worth …" (about X), "I believe / value / trust / care about X" (about X), "we /
  one / people must / should X" (about doing X). The label is that object (:func:`value_object`), not
  the sentence's rarest word.
* **habits and routines**: the person (I / we) doing something recurrently, in the present ("every
  month we count …", "I always …", "I have been counting … for years"), never a one-off in the past
  or somebody else's habit.
* **recognition patterns**: the person's own perception ("I notice …", "I look for …", "I can tell
  …", "the sign is …") or their own question (not quoted, not reported).
* **contradictions and tensions**: two sides held at once, marked as such ("and yet", "on the other
  hand", "at the same time," "paradox", "tension", "torn", "part of me", "I used to think …"), in a
  statement of the person's stance (first person or evaluative) — not concessive politeness
  ("although you're very welcome") or a schedule ("both at low water").
* **mental models**: a reasoning form — a general condition ("if … ,"), a cause, a contrast, an analogy
  ("is like a …"), a stated principle ("the rule is …") — in the person's own words.
"""

from __future__ import annotations

import re
from functools import lru_cache

# ---------------------------------------------------------------- the person's own words

QUOTED = re.compile(r"[\"“«„]([^\"”»“„]{3,}?)[\"”»]")
_SPEECH_VERB = (r"(?:said|says|asked|asks|wrote|writes|told|tells|replied|replies|answered|shouted|whispered|insisted|"
                r"exclaimed|announced|called out|put it|used to say|cried)")
# a speech verb whose subject is not the person: the word before it is not I / we (or their auxiliaries)
_REPORTED = re.compile(r"(?<![\w'’])(?!(?:I|we|We|I've|we've|I'd|we'd)\b)([A-Za-z][\w'’-]*)[ \t]+(?:(?:once|then|later|always|just|has|had|have)[ \t]+)?"
                       + _SPEECH_VERB + r"\b")
_FIRST_PERSON_SUBJECT = re.compile(r"^(?:I|we|We|I've|we've|I'd|we'd|it|It|this|This|which)$")  # "it says" reports a sign or a page


def quoted_words(text: str) -> int:
    """Words inside quotation marks (InnerLens's rule: three or more means it quotes someone)."""
    return sum(len(m.group(1).split()) for m in QUOTED.finditer(text))


_PARTICIPLE_SPEECH = re.compile(r",\s*(?:saying|telling|asking|crying|shouting|declaring)\b|\btalk(?:ed|ing)? (?:about|of)\b", re.IGNORECASE)


def reports_speech(text: str) -> bool:
    """True when the sentence reports what someone other than the person said, asked or wrote."""
    return any(not _FIRST_PERSON_SUBJECT.match(m.group(1)) for m in _REPORTED.finditer(text)) or bool(_PARTICIPLE_SPEECH.search(text))


def same_person(label: str, person: str | None) -> bool:
    """A transcript's speaker label names the person (any of their names, case folded)."""
    if not person:
        return False
    names = {w.casefold().strip(".") for w in person.split()}
    return bool({w.casefold().strip(".") for w in label.split()} & names)


def speaker_at(turns: list[tuple[int, int, str]], position: int) -> str | None:
    """The speaker whose turn holds ``position`` (None outside every labelled turn)."""
    for start, end, label in turns:
        if start <= position < end:
            return label
    return None


def inside_quotation(body: str, start: int, end: int) -> bool:
    """The sentence ``body[start:end]`` lies in a quotation that spans sentences: a quotation mark opened
    earlier in its paragraph and not yet closed, or a closing mark in it with no opening one."""
    paragraph = body.rfind("\n\n", 0, start)
    before = body[paragraph + 1 if paragraph >= 0 else 0:start]
    text = body[start:end]
    open_curly = before.count("“") - before.count("”") > 0
    open_straight = before.count('"') % 2 == 1
    closes_only = ("”" in text and "“" not in text) or (text.count('"') == 1 and text.rstrip().endswith(('"', '".', '."', '!"', '?"')))
    return open_curly or open_straight or closes_only


DIALOGUE_DASHES = ("—", "–", "--")  # a line opened by one is a character's line (Portuguese, Spanish, French fiction)


def in_dialogue_line(body: str, start: int) -> bool:
    """The sentence at ``start`` is on a line opened by a dialogue dash (not a Markdown list's hyphen)."""
    line = body[body.rfind("\n", 0, start) + 1:start + 1].lstrip()
    return line.startswith(DIALOGUE_DASHES)


@lru_cache(maxsize=None)
def _reported_pattern(language: str) -> re.Pattern[str] | None:
    from lendaria.languages import resources

    pattern = ((resources(language) or {}).get("statements") or {}).get("reported_speech")
    return re.compile(pattern, re.UNICODE) if pattern else None


def _reports_in(language: str, text: str) -> bool:
    pattern = _reported_pattern(language)
    return bool(pattern and pattern.search(text))


def not_own(text: str, speaker: str | None, person: str | None, quoted: bool = False, language: str = "en",
            dialogue: bool = False) -> str:
    """Why a sentence is not the person's own words ("" when it is); ``quoted``: it lies inside a
    quotation that spans sentences (:func:`inside_quotation`); ``dialogue``: it is on a line opened by a
    dialogue dash (:func:`in_dialogue_line`). Reported speech is read with the language's own pattern
    (lendaria/languages), English's in code."""
    if speaker and not same_person(speaker, person):
        return f"another speaker's turn ({speaker})"
    if dialogue:
        return "a line of dialogue (opened by a dash)"
    if quoted or quoted_words(text) >= 3:
        return "quotes someone else"
    if reports_speech(text) if language == "en" else _reports_in(language, text):
        return "reports what someone else said or wrote"
    return ""


# ---------------------------------------------------------------- shared word lists

FUNCTION = frozenset(
    "a an the this that these those my our your his her its their some any every each no all both either neither "
    "of to in on at by for from with about into onto over under after before between through during without within "
    "and or but nor so yet if then than as because while though although unless until when whenever where which who whom "
    "whose what why how is are was were be been being am do does did doing have has had having will would shall should "
    "can could may might must ought not never always also just only very too much many more most less least quite rather "
    "it it's i me we us you he she they them him one ones there here now still even ever really".split()) | frozenset(
    "thou thee thy thine thyself ye hath hast art dost doth wilt shalt canst wouldst shouldst couldst didst hadst".split())
PAST = frozenset("was were had did went came saw took made found got told said wrote asked thought knew felt left sat stood "
                 "walked counted spent began became brought kept lost met ran undertook gave fell grew held heard led meant paid "
                 "rode rose sent set shook sold sought spoke stole struck taught threw understood won wore drove ate fought "
                 "forgot hid hung lay lit overtook rang sank sang slept swam swore tore woke".split())


def words(text: str) -> list[str]:
    return re.findall(r"[^\W\d_]+(?:['’][^\W\d_]+)*", text)


def content_run(tokens: list[str], limit: int = 3, stop: frozenset[str] = frozenset()) -> list[str]:
    """The first run of content words of ``tokens`` (determiners and the like skipped before it), at
    most ``limit`` words: the noun phrase a pattern points at."""
    run: list[str] = []
    for token in tokens:
        low = token.lower().replace("’", "'")
        if low in FUNCTION or low in stop or len(low) < 3:
            if run:
                break
            continue
        run.append(low)
        if len(run) == limit:
            break
    return run


# ---------------------------------------------------------------- values and beliefs

_BELIEF_ADVERB = r"(?:(?:do|really|still|firmly|truly|deeply|also|always|highly|greatly|sincerely|have always|entirely)\s+)?"
_BELIEF_VERB = re.compile(r"(?:\bI\s+" + _BELIEF_ADVERB + r"(?:believe in|value|care about|care for|insist on|respect|prize|love|"
                          r"hate|distrust|mistrust|admire|despise|cherish)|\b[Ww]e\s+" + _BELIEF_ADVERB + r"(?:believe in|value|care about))"
                          r"\s+(.+)")
_EVALUATIVE_PREDICATE = re.compile(
    r"(.+?)\s+(?:(?<=s )matter(?=\s+(?:more|most|less|to|because|so|far|a great deal|very much|little)\b|\s*[,.;!?])"
    r"|matters(?=\s+(?:more|most|less|to|because|so|far|a great deal|very much|little)\b|\s*[,.;!?])|counts? for (?:a lot|more|most)|(?:is|are|was|were)\s+(?:\w+\s+)?(?:important|essential|"
    r"worth|worthwhile|valuable|precious|vital|sacred|what matters|a duty|an obligation))\b(?<!the worth)(?<!a worth)", re.IGNORECASE)
_NORMATIVE = re.compile(r"(?<!that )(?:\b(?:[Ww]e|(?<!such )(?<!that )(?<!this )(?<!the )[Aa] man|[Aa] (?:scientist|naturalist|teacher|writer|counter|volunteer))|^One)\s+"
                        r"(?:must|ought to|has to|have to)\s+((?:not\s+|never\s+|always\s+)?.+)")
_NO_OBJECT = frozenset("thing things something anything nothing everything way ways lot kind sort bit part".split())
_NOT_NORMS = frozenset("think know say see look consider remember observe ask tell be have get come".split())
_NP_END = re.compile(r",\s*(?:I|we|he|she|they|it|you)\b|\b(?:of|to|in|on|at|by|for|from|with|without|against|among|between|through|into|about|over|under|after|before|within|upon|towards|toward|that|which|who|whom|whose|because|when|if|than|as|but|how|what|whether|where|why)\b|[;:.!?—–]")


def head_phrase(text: str) -> list[str]:
    """The noun phrase ``text`` opens with, as its last two content words, or its head and one "of"
    complement: the phrase runs to its first preposition, clause word or stop (commas of a list of
    adjectives stay inside): "the pure, peaceable and impartial Christianity of Christ" -> christianity
    of christ; "the clapping of tongues" -> clapping of tongues."""
    text = re.sub(r"\s*[(\[][^)\]]*[)\]]", "", text)  # a translator's or editor's gloss is not the phrase
    if re.match(r"\s*[,;:.!?—–]", text):
        return []
    named = re.match(r"\s*(?:something|a thing|what (?:we|I|they|you))\s+(?:call|called|name|named)\s+", text, re.IGNORECASE)
    if named:
        text = text[named.end():]
    end = _NP_END.search(text)
    content = [w.lower().replace("’", "'") for w in words(text[:end.start()] if end else text) if w.lower() not in FUNCTION and len(w) > 2]
    if end and end.group(0).lower() in ("of", "for") and content:
        rest = text[end.end():]
        after = _NP_END.search(rest)
        complement = [w.lower().replace("’", "'") for w in words(rest[:after.start()] if after else rest)
                      if w.lower() not in FUNCTION and len(w) > 2]
        if complement:
            first = re.split(r"[,;]", rest, maxsplit=1)[0]
            return [content[-1], end.group(0).lower(), *content_run(words(first), limit=2)] if content_run(words(first)) else content[-2:]
    return content[-2:]


_DETERMINERS = frozenset("the our your my their his her these those its all such".split())
_NOT_A_PHRASE = frozenset("it he she they them him we you i me us not never better more most less to so that what how whether "
                          "if there this these those".split())
_NOT_DEONTIC = frozenset("certainly surely necessarily needs probably soon often also either neither".split())
_NOUN_CONTEXT = frozenset("of about in on to with for from by at such these those all other many".split())
_NOUN_MATTER = frozenset("a an another different no the this that small simple whole other subject".split())


def value_object(text: str) -> str | None:
    """What an evaluative or normative statement is about, as a short phrase; None when the sentence is
    not evaluative or normative in a form whose object can be named. A question, or an evaluation inside
    a condition ("if the question matters, …"), states no view."""
    if text.rstrip(" \"'”’)").endswith("?"):
        return None
    text = re.sub(r",\s*(?:I|we)\s+(?:believe|think|suppose|am sure|hope|fear),", "", text)  # a parenthetical "…, I believe, …"
    for pattern, where in ((_EVALUATIVE_PREDICATE, "before"), (_BELIEF_VERB, "after"), (_NORMATIVE, "after")):
        match = pattern.search(text)
        if not match:
            continue
        if re.search(r"\b(?:if|unless)\b[^;:.]*$", text[:match.start(1) if where == "after" else match.end(1)], re.IGNORECASE):
            continue  # inside a condition
        tokens = words(match.group(1))
        if re.match(r"\s*(?:is|are|was|were)\s+(?:\w+\s+)?worth\s+(?:about|nearly|almost|only|just|barely|over|under|\d|\$|a (?:dollar|penny|cent|pound)|one|two|three|ten|twenty|fifty|a hundred|a thousand|millions|billions)",
                    text[match.end(1):], re.IGNORECASE):
            continue  # a price ("worth about twenty percent less"), not an evaluation
        if where == "before" and tokens and (tokens[-1].lower() in _NOUN_MATTER or {t.lower() for t in tokens[-3:-1]} & _NOUN_CONTEXT):
            continue  # "another matter", "about public matters": the noun, not the verb
        if where == "before" and re.match(r"\s*(?:is|are|was|were)\s+too\b", text[match.end(1):]):
            continue  # "the stakes are too important to abandon X": the view is about X, which the phrase does not name
        if where == "before" and len(re.split(r"[.;:]", match.group(1))[-1].split()) > 14 and re.match(r"\W*to\s", match.group(1)):
            continue  # a long infinitive subject ("To discover …, to prove …, is as important a service …")
        if where == "before" and re.match(r"\s*matter\b", text[match.end(1):]) and tokens and tokens[-1].lower().endswith("es") and not (
                {t.lower() for t in tokens[-4:-1]} & _DETERMINERS):
            continue  # "counts matter" needs a subject ("your counts"), not a verb ("mind precedes matter")
        if where == "before" and ({t.lower() for t in tokens[-3:]} & {"no", "nothing"}):
            than = re.match(r"[^.;:!?]*?\bthan\s+(.+)", text[match.end():])
            run = head_phrase(than.group(1)) if than else []
            if not run:
                continue  # "No debate is more important": the object is not in the sentence
        elif where == "before":  # the subject: the content run that ends right before the predicate
            if re.search(r"\b(?:would|could|might)\s+(?:\w+\s+)?$", match.group(1) + " ", re.IGNORECASE) or re.search(
                    r"\b(?:would|could|might)\s+be\s*$", text[:match.end(1) + 12].split(" worth")[0], re.IGNORECASE):
                continue  # a hypothetical ("he would be worth no more than …")
            run = []
            at = len(tokens)
            for token in reversed(tokens):
                low = token.lower().replace("’", "'")
                if low in FUNCTION or len(low) < 3:
                    break
                run.insert(0, low)
                at -= 1
                if len(run) == 3:
                    break
            j = at - 1 - (at >= 1 and tokens[at - 1].lower() in ("the", "a", "an", "our", "their", "his", "her", "its"))
            if run and j >= 1 and tokens[j].lower() in ("of", "in", "for", "on", "with") and tokens[j - 1].lower() not in FUNCTION:
                run = [tokens[j - 1].lower(), tokens[j].lower(), *run][:5]  # "peace in the Middle East"
        elif pattern is _NORMATIVE:  # about doing something: the verb and what it is done to
            if re.search(r"\bif\s+(?:\w+\s+){0,2}$", text[:match.start()] + " ", re.IGNORECASE):
                continue  # "if we should take the land route": a condition, not a norm
            verb_at = 1 if tokens and tokens[0].lower() in ("not", "never", "always") else 0
            run = [w.lower() for w in tokens[verb_at:verb_at + 1]]
            if not run or run[0] in _NOT_NORMS or run[0] in FUNCTION or run[0] in _NOT_DEONTIC or run[0].endswith("ly"):
                continue  # "we must certainly die", "we must be …": necessity, not a norm
            verb_end = re.search(r"\b" + re.escape(run[0]) + r"\b", match.group(1), re.IGNORECASE).end()
            if not head_phrase(match.group(1)[verb_end:]):
                continue  # "we ought to inquire": a norm whose object the sentence does not name
            norm = re.split(r"[,;]", match.group(1), maxsplit=1)[0]  # the norm ends with its clause
            end = _NP_END.search(norm, verb_end)
            if end and end.group(0).lower() == "that":  # "make sure that every American has the skills": the clause says what
                end = None
            elif end and end.group(0).lower() in ("to", "of", "for", "on", "in", "with", "about"):  # one complement says to what
                end = _NP_END.search(norm, end.end())
            action = [w.lower() for w in words(re.sub(r"\s*[(\[][^)\]]*[)\]]", "", norm[:end.start() if end else None]))[:9]]
            while len(action) > 1 and action[-1] in FUNCTION:
                action.pop()
            return "to " + " ".join(action)
        else:
            opening = tokens[0].lower() if tokens else ""
            if opening in _NOT_A_PHRASE or re.match(r"(?:my|our)\s+(?:soul|heart|mind|bones)\b", match.group(1), re.IGNORECASE):
                continue  # "I trust it would be …", "I love better to …", "I care about what …": no object named
            run = head_phrase(match.group(1))
        run = [w for w in run if w not in _NO_OBJECT]
        if run:
            return " ".join(run)
    return None


# ---------------------------------------------------------------- habits

_HABIT_MARKER = re.compile(
    r"\b(?:every|each)\s+(?:single\s+)?(?:morning|day|night|evening|week|weekend|month|year|spring|summer|autumn|winter|season|"
    r"tide|low tide|low water|time|visit|walk|count|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b"
    r"|\b(?:always|usually|often|generally|normally|routinely|habitually|regularly|tend to|make a point of|"
    r"once a (?:week|month|year)|twice a (?:week|month|year)|most (?:mornings|days|weeks))\b"
    r"|\b(?:my|our) (?:habit|routine|ritual|practice)\b|\bhave been \w+ing\b[^,.;:]*\b(?:for (?:years|decades|months|weeks|a long time|long|\w+ (?:years|months|weeks))|since)\b|\bfor (?:years|decades)\b", re.IGNORECASE)
# "I" only: an essayist's "we" is mostly people in general ("we grizzle every day", "we always read as superior
# beings"), which is not the person's habit (bench/claims.py, held-out round 3)
_PERSON_SUBJECT = re.compile(r"(?:^|[\s,;:(—–-])(I)\s", re.UNICODE)
_AUXILIARY = frozenset("have has 've been do does always usually often generally normally still also regularly routinely habitually "
                       "tend to make a point of just sometimes try since ever never constantly frequently".split())
_NOT_ACTIONS = frozenset("cannot don't didn't can't won't couldn't wouldn't shouldn't isn't aren't would could might should 'd "
                         "know think like want hope feel wish need believe am was were is be suppose guess wonder wondered wished "
                         "observe observed find found learn learned learnt felt understand understood see seen saw notice noticed hear "
                         "heard known thought remember remembered respect admire prefer agree coincide doubt trust fear hold consider "
                         "esteem despise regret regretting hoping wishing feeling thinking wondering believed "
                         "promise say tell assure repeat thank rely depend".split())  # perceiving, knowing and attitudes are states, not actions
_RELATIVE = re.compile(r"\b(?:which|that|whom|who|whose|where|when|what)\s+(?:\w+\s+)?$", re.IGNORECASE)
_SUBORDINATE = re.compile(r"\b(?:that|which|who|whom|whose|if|whether|when|where)\b", re.IGNORECASE)


def habit_action(text: str) -> str | None:
    """The recurring action of the person in a habitual statement, or None when it is not one: the
    person (I) is the subject of an action verb not in the simple past, and a habitual marker
    stands in the same clause (between commas). A question ("shall we always …?") states no habit."""
    if text.rstrip(" \"'”’)").endswith("?"):
        return None
    for match in _PERSON_SUBJECT.finditer(text):
        clause_start = max(text.rfind(c, 0, match.start(1)) for c in ",.;:?!—") + 1
        clause_end = min([i for i in (text.find(c, match.end()) for c in ",.;:?!—") if i >= 0] + [len(text)])
        window = text[clause_start:clause_end]
        marker = _HABIT_MARKER.search(window)
        if not marker or _RELATIVE.search(text[clause_start:match.start(1)]):
            continue  # no marker, or the person is the subject of a relative clause ("the writers on whom I have been …")
        after = [w.lower().replace("’", "'") for w in words(text[match.end(1):clause_end])]
        if after[:1] in (["have"], ["has"]) and (len(after) < 2 or after[1] in FUNCTION and after[1] not in _AUXILIARY):
            continue  # "we have a good reason": have as the verb, not a habit
        perfect = any(w in ("have", "has", "'ve") for w in after[:3])
        verb_at = next((i for i, w in enumerate(after[:5]) if w not in _AUXILIARY and not w.endswith("ly")), None)
        if verb_at is None:
            continue
        verb = after[verb_at]
        if verb in _NOT_ACTIONS or verb in FUNCTION or verb.endswith("n't") or after[verb_at:verb_at + 2] == ["count", "on"]:
            continue  # "I count on Hillary every single day" is reliance, not an action
        if (verb in PAST or verb.endswith("ed")) and (not perfect or "been" in after[:verb_at]):
            continue  # a one-off in the past, or something done to the person, not a habit
        verb_offset = match.end(1) + len(" ".join(after[:verb_at + 1])) + 1
        marker_at = clause_start + marker.start()
        if marker_at > verb_offset + 40 or (marker_at > verb_offset and _SUBORDINATE.search(text[verb_offset:marker_at])):
            continue  # the marker belongs to a later or subordinate part ("I understood that their sermons were not usually …")
        action = after[verb_at:verb_at + 5]
        while len(action) > 1 and action[-1] in FUNCTION:
            action.pop()
        return " ".join(action)  # the action as the person puts it
    return None


# ---------------------------------------------------------------- recognition

_PERCEPTION = re.compile(
    r"\bI\s+(?:always\s+|usually\s+|often\s+|still\s+|first\s+|now\s+)?(?:notice|look for|look out for|pay attention to|"
    r"check for|listen for|keep an eye on|learned to see|learnt to see|have learned to (?:see|spot|notice|look for))\s+(.+)"
    r"|\bI\s+(?:can|could|start to|learn to)\s+(?:tell|see|spot|notice)\s+((?:when|whether|if|which|how|that|from|by|the difference)\b.+)"
    r"|\bthe (?:first thing|thing|things) I (?:notice|look at|look for|check|watch)\w*\s+(?:is|are)?\s*(.+)"
    r"|\bthe (?:sign|signal|clue|giveaway|tell)\s+(?:is|that)\s+(.+)"
    r"|\bwhat (?:strikes|catches) (?:me|my eye)\s+(?:is|about)?\s*(.+)", re.IGNORECASE)


def noticed(text: str) -> str | None:
    """What the person notices or looks for, when the sentence says so; else None."""
    match = _PERCEPTION.search(text)
    if not match:
        return None
    tail = next(g for g in match.groups() if g)
    if re.match(r"(?:that|when|whether|if|which|how|the difference)\b", tail, re.IGNORECASE):  # a clause: say it
        clause = re.split(r"[;:.!?—–]", tail, maxsplit=1)[0].split()[:16]
        return " ".join(clause).lower() if len(clause) >= 3 else None
    run = content_run(words(tail))
    return " ".join(run) if run else None


def own_question(text: str) -> bool:
    """A question the person asks (their own words: the caller has already set aside quotes and
    reported speech), not a one-word aside."""
    return text.rstrip(" \"'”’)").endswith("?") and len(words(text)) >= 5


# ---------------------------------------------------------------- tensions

# only markers of the person's own two sides: words about contradictions or paradoxes ("contradicted by men's
# conduct", "a paradoxical exclamation") and "at the same time" / "on the other hand" (simultaneity, a contrast of
# others) fired far more often than they marked a tension the person holds (bench/claims.py, held-out round 1)
_TENSION_MARKER = re.compile(
    r"\band yet (?:I|we)\b(?! (?:think|suppose|say|believe|know|answer|reply)\b)|\btorn between\b"
    r"|\bpart of me (?:wants|thinks|feels|says|knows|would|is glad|hopes)\b"
    r"|\bI (?:still )?(?:both )?(?:love|like|want|believe in|admire|trust)\b[^.!?;]{3,80}\b(?:and yet|but) I\b"
    r"|\bI used to (?:think|believe|feel|assume|be sure)\b[^.!?;]{3,120}\b(?:now|but)\b"
    r"|\bI (?:hold|feel|am caught between|live with) (?:a|the|this) (?:tension|contradiction|paradox)\b")
_FIRST_PERSON = re.compile(r"\b(?:I|my|me|we|our|us)\b")


def tension_sides(text: str) -> tuple[str, str] | None:
    """The two sides of a statement that holds them at once, each in the person's own words (the
    clause before the marker and the clause after it), when both are first-person statements — a
    paradox the person observes in others ("there is an incessant influx of novelty, and yet we
    tolerate dullness") is not a tension they hold; else None."""
    match = _TENSION_MARKER.search(text)
    if not match:
        return None
    split = re.search(r"\b(?:and yet|but|now|torn between|part of me)\b", text[match.start():])
    at = match.start() + (split.start() if split else 0)
    before = re.split(r"[;:]", text[:at])[-1].strip(" ,—–")
    after = re.split(r"[;:.!?]", text[at:])[0].strip(" ,—–")
    if not before or not after or not _FIRST_PERSON.search(before) or not _FIRST_PERSON.search(after):
        return None
    return before, after


def holds_tension(text: str) -> bool:
    """Two sides held at once, marked as such, both in the person's own first-person words."""
    return tension_sides(text) is not None


# ---------------------------------------------------------------- mental models

MODEL_PATTERNS = {
    "conditional": re.compile(r"^\W*(?:(?:and|but|so|then)\s+)?(?:if|unless|whenever)\b[^.!?]{3,}?,", re.IGNORECASE),
    "causal": re.compile(r"\b(?:because|which is why|that is why|that's why|therefore|so that|the reason (?:is|was))\b", re.IGNORECASE),
    "contrast": re.compile(r"\bnot\b[^.!?;,]{1,40}\bbut\b|\brather than\b|\binstead of\b", re.IGNORECASE),
    "analogy": re.compile(r"\b(?:is|are|feels|feel) (?:a (?:bit|little) |rather )?like (?:a|an|the|being|watching|reading)\b"
                          r"|\bthink of\b[^.!?]{1,40}\bas\b|\bthe way (?:a|an)\b", re.IGNORECASE),
    "principle": re.compile(r"\bthe (?:key|trick|secret|rule|point|lesson|test|whole point|first rule) (?:is|was)\b", re.IGNORECASE),
}


def reasoning_kind(text: str) -> str | None:
    """The first reasoning form the sentence has (in :data:`MODEL_PATTERNS` order), or None."""
    for kind, pattern in MODEL_PATTERNS.items():
        if pattern.search(text):
            return kind
    return None


_ONE_OFF = re.compile(r"\b(?:last|that) (?:week|month|year|spring|summer|autumn|winter|saturday|sunday|morning|night)\b|\byesterday\b"
                      r"|\bago\b|\bonce,|^\W*once\b", re.IGNORECASE)


def narrative(text: str) -> bool:
    """A past-tense narration (a one-off event) rather than a general statement."""
    tokens = [w.lower() for w in words(text)]
    return any(t in PAST for t in tokens) or sum(t.endswith("ed") and len(t) > 4 for t in tokens) >= 2 or bool(_ONE_OFF.search(text))


# ---------------------------------------------------------------- one entry point per layer

def means(layer: str, text: str) -> bool:
    """True when ``text`` (the person's own sentence) has ``layer``'s meaning; layers without a
    statement meaning (themes, signature phrases, communication style) always pass."""
    if layer == "values-and-beliefs":
        return value_object(text) is not None
    if layer == "habits-and-routines":
        return habit_action(text) is not None
    if layer == "recognition-patterns":
        return noticed(text) is not None or own_question(text)
    if layer == "contradictions-and-tensions":
        return holds_tension(text)
    if layer == "mental-models":
        return reasoning_kind(text) is not None
    return True
