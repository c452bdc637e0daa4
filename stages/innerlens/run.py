"""The InnerLens stage as plain functions: read ETL's sources, fragment them in the mind's declared
language (reusing the fragments of unchanged sources), fold near-duplicates, name each fragment's
language, write ``analysis/fragments.jsonl``.

A fragment's ``language`` is detected from its own text (``audit.detect_languages``, the audit's one
detector, among the languages Lendária has text resources for and the declared one). A fragment too
short to tell (under ``audit.LANGUAGE_MIN_WORDS`` words) takes its source's language as ETL recorded it
in ``sources/metadata.yaml`` (detected from the whole source, or the declared language when ETL could
not tell), else the declared language: a short reply inside an English interview is English, not the
mind's Portuguese. The Big Five rates the fragments in the declared language only; the others are
set aside, counted in the profile and in the summary.

``flows/innerlens.py`` wires the same steps as Prefect tasks; ``run_innerlens`` chains them (tests,
benchmarks, library use).
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from contracts import get_registry
from lendaria.catalog import Catalog
from lendaria.collected import CLASSIFICATIONS, Source, read_metadata, read_sources, validated_text
from lendaria.engines.base import CapabilityUnavailableError
from lendaria.engines.session import EngineSession, current_session, engine_key
from lendaria.errors import StageStopped
from lendaria.fileio import atomic_write_bytes, files_sha256, write_text_if_changed
from lendaria.languages import TEXT, resource_file, text_languages
from lendaria.settings import Settings
from lendaria.text import language_code
from lendaria.yamlio import dump_yaml
from stages.innerlens import audit, dedupe, llm_rating
from stages.innerlens.dedupe import collapse
from stages.innerlens.fragments import MAX_WORDS, Fragment, fragment_source
from stages.innerlens.profile import RADAR_FILE, build_profile, in_language, radar_svg, with_llm_rating

FRAGMENTS_CONTRACT = "innerlens-fragments"
PROFILE_CONTRACT = "innerlens-mmos"
QUALITY_CONTRACT = "innerlens-fragment-quality"
FRAGMENTER_VERSION = "2"  # bump when fragments.py cuts differently: cached fragments are then redone
# 2: cut with the declared language's abbreviations and connectives (lendaria/languages/<code>/text.yaml)
BATCH_WORDS = 20_000  # words of sources per fragmenting task (the unit of work on Dask)


@dataclass
class InnerLensResult:
    slug: str
    fragments_path: Path
    sources: int
    refragmented: int
    fragments: int
    folded: int
    words: int
    written: list[str] = field(default_factory=list)
    big_five: str = ""  # one line: the gate and the five scores
    quality: str = ""  # one line: the audit's status and failed checks
    non_public: int = 0  # fragments classed PRIVATE, SENSITIVE or CLINICAL
    seconds: dict[str, float] = field(default_factory=dict)  # per phase: fragments, audit, profile, write
    language: str | None = None  # the declared language (two-letter code)
    set_aside: dict[str, int] = field(default_factory=dict)  # words of fragments in another language, per language

    def summary(self) -> str:
        changed = f"{len(self.written)} file(s) written" if self.written else "outputs unchanged"
        return (f"{self.slug}: {self.fragments:,} fragments ({self.words:,} words) from {self.sources} sources; "
                f"{self.refragmented} of {self.sources} sources re-fragmented; {self.folded} near-duplicates folded; "
                f"{self.non_public} non-public (kept to this mind). "
                f"Quality audit: {self.quality}. Big Five: {self.big_five}{set_aside_clause(self.set_aside, self.language)}. "
                f"{changed}.")


def set_aside_words(profile: dict[str, Any]) -> dict[str, int]:
    """The words the profile set aside per language (not the declared one), most first."""
    return {code: counts["words"] for code, counts in profile.get("set_aside", {}).get("languages", {}).items()}


def set_aside_clause(words: dict[str, int], language: str | None) -> str:
    """"; set aside 1,234 words in en, 56 in es (not the declared pt)", or nothing when nothing was."""
    if not words:
        return ""
    each = ", ".join(f"{count:,}{' words' if i == 0 else ''} in {code}" for i, (code, count) in enumerate(words.items()))
    return f"; set aside {each} (not the declared {language})"


class QualityAuditFailed(StageStopped):
    """A blocking expectation of the fragments' quality audit failed: no fragments or profile written."""


class FragmentCache:
    """Fragments of each source by (source id, body sha256, fragmenter version, the language it was cut
    in), kept under ``LENDARIA_HOME`` (local state, never committed): unchanged sources are not
    re-fragmented."""

    def __init__(self, home: Path, slug: str):
        self.folder = home / "cache" / "innerlens" / slug
        self.words = text_resources_sha256()[:12]  # an edited text.yaml cuts differently too

    def _path(self, source: Source, language: str | None) -> Path:
        return self.folder / f"{source.source_id}-{source.sha256[:16]}-v{FRAGMENTER_VERSION}-{language or 'any'}-{self.words}.json"

    def get(self, source: Source, language: str | None = None) -> list[Fragment] | None:
        try:
            records = json.loads(self._path(source, language).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        fragments = [Fragment(**record) for record in records]
        if any(source.body[f.start:f.end] != f.text for f in fragments):
            return None  # never trust a cache that disagrees with the source
        return fragments

    def last_run(self) -> dict[str, Any] | None:
        try:
            return json.loads((self.folder / "last-run.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def remember_run(self, inputs: str, output_sha256: str, counts: dict[str, int], big_five: str, quality: str,
                     language: str | None = None, set_aside: dict[str, int] | None = None) -> None:
        state = {"inputs": inputs, "output_sha256": output_sha256, "counts": counts, "big_five": big_five, "quality": quality,
                 "language": language, "set_aside": set_aside or {}}
        atomic_write_bytes(self.folder / "last-run.json", json.dumps(state).encode("utf-8"))

    def put(self, source: Source, fragments: list[Fragment], language: str | None = None) -> None:
        atomic_write_bytes(self._path(source, language), json.dumps([vars(f) for f in fragments]).encode("utf-8"))


def text_resources_sha256() -> str:
    """sha256 over every language's text.yaml: the abbreviations, connectives and pronouns sources are cut with."""
    digest = hashlib.sha256()
    for code in text_languages():
        digest.update(code.encode() + b"\0" + resource_file(code, TEXT).read_bytes() + b"\0")
    return digest.hexdigest()


def fragment_each(sources: list[Source], language: str | None = None) -> list[list[Fragment]]:
    """The fragments of each source, in order, cut in ``language`` (the default, in this process)."""
    return [fragment_source(source.source_id, source.body, language=language) for source in sources]


def fragment_batches(sources: list[Source], max_words: int = BATCH_WORDS) -> list[list[Source]]:
    """Sources grouped in order into batches of about ``max_words`` words (a large source alone)."""
    batches: list[list[Source]] = []
    words = 0
    for source in sources:
        if batches and words + source.words <= max_words:
            batches[-1].append(source)
            words += source.words
        else:
            batches.append([source])
            words = source.words
    return batches


def batch_key(batch: list[Source], language: str | None = None) -> str:
    """The content key of fragmenting a batch: its sources' ids and sha256, the language they are cut
    in, the fragmenter version and code."""
    from lendaria.resume import code_version

    payload = json.dumps({"sources": [(s.source_id, s.sha256) for s in batch], "language": language,
                          "fragmenter": FRAGMENTER_VERSION, "code": code_version("stages/innerlens")})
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


FragmentMany = Callable[[list[Source], str | None], list[list[Fragment]]]  # sources, language -> their fragments


def fragment_all(sources: list[Source], cache: FragmentCache | None, fragment_many: FragmentMany = fragment_each,
                 language: str | None = None) -> tuple[list[Fragment], int]:
    """All fragments in source order, cut in ``language``, and how many sources had to be fragmented
    (not cached). ``fragment_many`` fragments the uncached ones (the InnerLens flow passes batches of
    Prefect tasks)."""
    known = {source.source_id: cache.get(source, language) if cache else None for source in sources}
    missing = [source for source in sources if known[source.source_id] is None]
    for source, fragments in zip(missing, fragment_many(missing, language) if missing else []):
        known[source.source_id] = fragments
        if cache:
            cache.put(source, fragments, language)
    return [f for source in sources for f in known[source.source_id]], len(missing)


def fragment_languages(fragments: list[Fragment], detected: list[str | None], source_languages: dict[str, str | None],
                       declared: str | None) -> list[str | None]:
    """Each fragment's language: the one detected from its text, else (too short to tell) its source's,
    else the declared one; None when none is known (see the module docstring)."""
    return [found or source_languages.get(f.source_id) or declared for f, found in zip(fragments, detected)]


def source_languages(metadata: dict[str, Any]) -> dict[str, str | None]:
    """Each source's language as ETL recorded it in sources/metadata.yaml (None for ``und``)."""
    return {entry["source_id"]: language_code(entry.get("language")) for entry in metadata.get("sources") or []}


def record(kept, classes: dict[str, str], language: str | None = None) -> dict[str, Any]:
    """One line of fragments.jsonl: the fragment, its privacy class (the most restrictive of the
    sources it was found in), its ``language`` when known, ``speaker`` when known, ``also_in`` when folded."""
    fragment = kept.fragment
    found_in = [fragment.source_id, *(f.source_id for f in kept.also_in)]
    line: dict[str, Any] = {"id": fragment.id, "source_id": fragment.source_id, "start": fragment.start,
                            "end": fragment.end, "text": fragment.text, "words": fragment.words,
                            "is_question": fragment.is_question, "first_person": fragment.first_person,
                            "quotes_other": fragment.quotes_other,
                            "classification": max((classes.get(s, "PUBLIC") for s in found_in), key=CLASSIFICATIONS.index)}
    if language:
        line["language"] = language
    if fragment.speaker:
        line["speaker"] = fragment.speaker
    if kept.also_in:
        line["also_in"] = [{"source_id": f.source_id, "start": f.start, "end": f.end} for f in kept.also_in]
    return line


def render_jsonl(records: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False, sort_keys=False, separators=(",", ":")) + "\n" for r in records)


_CODE = ("fragments.py", "dedupe.py", "audit.py", "bigfive.py", "llm_rating.py", "profile.py", "run.py",
         "data/reference-rates.json")


def inputs_fingerprint(catalog: Catalog, slug: str, engine: str = "offline") -> str:
    """sha256 over everything the outputs depend on: the bytes of metadata.yaml and of every source
    file, the stage's own code and reference data, the languages' text resources, the folding
    parameters and the engine."""
    digest = hashlib.sha256(f"fragmenter {FRAGMENTER_VERSION}; dedupe {dedupe.THRESHOLD} {dedupe.NUM_PERM} {dedupe.SEED}; "
                            f"engine {engine}; text resources {text_resources_sha256()}\n".encode())
    for name in _CODE:
        digest.update((Path(__file__).parent / name).read_bytes())
    folder = catalog.sources_dir(slug)
    for path in sorted(folder.glob("*.md")) + [catalog.sources_metadata(slug)]:
        digest.update(path.name.encode() + b"\0" + (path.read_bytes() if path.is_file() else b"") + b"\0")
    return digest.hexdigest()


def big_five_line(profile: dict[str, Any]) -> str:
    if "big_five" not in profile:
        return f"insufficient ({profile['reason']})"
    scores = ", ".join(f"{t[0].upper()} {v['score']:.0f}" for t, v in profile["big_five"].items())
    rating = profile.get("llm_rating")
    how = f"lexical combined with {rating['engine']}'s rating of {rating['traits_rated']} traits" if rating else "lexical"
    return f"{profile['gate']} confidence, {scores} ({how})"


def rate_with_engine(slug: str, records: list[dict[str, Any]], profile: dict[str, Any], session: EngineSession) -> dict[str, Any]:
    """The profile with the engine's Big Five rating beside the lexical one, when the engine can rate
    (Anthropic); offline, and under the word gate, the profile as it is."""
    if "big_five" not in profile:
        return profile
    chosen = llm_rating.sample(records)
    first_call = len(session.ledger.calls)
    try:
        rating = session.run(llm_rating.RATE_BIG_FIVE, llm_rating.RatingInput(fragment_ids=[f["id"] for f in chosen]),
                             step="innerlens.big_five", mind=slug, passages=tuple(f["text"] for f in chosen))
    except CapabilityUnavailableError:
        return profile  # the offline engine has no rating of its own: the lexical estimate is the profile
    call = session.calls_since(first_call)[-1]
    ratings, dropped = llm_rating.checked(rating, {f["id"] for f in chosen})
    return with_llm_rating(profile, ratings, engine=f"{call.engine} {call.model or ''}".strip(), fragments_rated=len(chosen),
                           words_rated=sum(f["words"] for f in chosen), citations_dropped=dropped)


def render_profile(profile: dict[str, Any]) -> str:
    return dump_yaml({"contract": get_registry().latest(PROFILE_CONTRACT).ref, **profile})


def render_quality(document: dict[str, Any]) -> str:
    return dump_yaml({"contract": get_registry().latest(QUALITY_CONTRACT).ref, **document})


class _Clock:
    """Seconds per phase of a run, for benchmarks and metrics."""

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> dict[str, float]:
        now = time.perf_counter()
        self.laps[name] = round(now - self._last, 4)
        self._last = now
        return self.laps


def run_innerlens(mind_slug: str, outputs_root: Path, settings: Settings,
                  fragment_many: FragmentMany = fragment_each) -> InnerLensResult:
    """Fragment every source of ``mind_slug``, audit the fragments, estimate the Big Five; write
    ``analysis/fragment-quality.yaml``, ``fragments.jsonl``, ``psychometric-profile.yaml`` and its
    radar (validated, atomic, untouched when unchanged). A failed blocking check of the audit writes
    the quality file only and raises :class:`QualityAuditFailed`. When nothing the stage depends on
    changed since its last run here, and its files are still what that run wrote, it returns at once."""
    catalog = Catalog(outputs_root)
    path = catalog.fragments_file(mind_slug)
    profile_path = catalog.profile_file(mind_slug)
    radar_path = profile_path.with_name(RADAR_FILE)
    quality_path = catalog.quality_file(mind_slug)
    outputs = [path, quality_path, profile_path, radar_path]
    cache = FragmentCache(settings.home, mind_slug)
    session = current_session(settings)
    fingerprint = inputs_fingerprint(catalog, mind_slug, engine_key(session, settings))
    previous = cache.last_run()
    if previous and previous.get("inputs") == fingerprint and previous.get("output_sha256") == files_sha256(outputs):
        counts = previous["counts"]
        return InnerLensResult(mind_slug, path, counts["sources"], 0, counts["fragments"], counts["folded"], counts["words"], [],
                               previous.get("big_five", ""), previous.get("quality", ""), counts.get("non_public", 0),
                               language=previous.get("language"), set_aside=previous.get("set_aside") or {})
    clock = _Clock()
    metadata = read_metadata(catalog, mind_slug)
    language = language_code(metadata.get("language"))
    sources = read_sources(catalog, mind_slug, metadata)
    fragments, refragmented = fragment_all(sources, cache, fragment_many, language)
    kept = collapse(fragments)
    classes = {s.source_id: s.classification for s in sources}
    detected = audit.detect_languages([k.fragment.text for k in kept], audit.candidate_languages(language))
    languages = fragment_languages([k.fragment for k in kept], detected, source_languages(metadata), language)
    records = [record(k, classes, found) for k, found in zip(kept, languages)]
    clock.lap("fragments")
    quality = audit.audit(mind_slug, catalog.relative(path), records, {s.source_id: s.body for s in sources},
                          language=metadata.get("language"), speaker=metadata.get("name"), max_words=MAX_WORDS,
                          detected=detected)
    quality_text = validated_text(catalog, quality_path, render_quality(quality))
    clock.lap("audit")
    if quality["status"] == "failed":
        write_text_if_changed(quality_path, quality_text)
        raise QualityAuditFailed(f"the fragments' quality audit {audit.summary_line(quality)}; InnerLens stopped "
                                 "before writing fragments or a profile.", file=catalog.relative(quality_path),
                                 hint="The file lists each failed check with the fragment ids it concerns.")
    profile = rate_with_engine(mind_slug, in_language(records, language), build_profile(mind_slug, records, language=language),
                               session)
    clock.lap("profile")
    files = {path: validated_text(catalog, path, render_jsonl(records)), quality_path: quality_text,
             profile_path: validated_text(catalog, profile_path, render_profile(profile))}
    if "big_five" in profile:
        files[radar_path] = radar_svg(profile)
    written = [catalog.relative(p) for p, text in files.items() if write_text_if_changed(p, text)]
    if "big_five" not in profile and radar_path.is_file():
        radar_path.unlink()  # no scores, no chart
        written.append(catalog.relative(radar_path))
    outcome = InnerLensResult(mind_slug, path, len(sources), refragmented, len(kept), len(fragments) - len(kept),
                              sum(r["words"] for r in records), written, big_five_line(profile), audit.summary_line(quality),
                              sum(r["classification"] != "PUBLIC" for r in records), clock.lap("write"), language,
                              set_aside_words(profile))
    cache.remember_run(fingerprint, files_sha256(outputs),
                       {"sources": outcome.sources, "fragments": outcome.fragments, "folded": outcome.folded, "words": outcome.words,
                        "non_public": outcome.non_public},
                       outcome.big_five, outcome.quality, language, outcome.set_aside)
    return outcome


def scope(slug: str, mind: str, outputs_root: Path, options: dict) -> list[Path]:
    """What InnerLens reads and writes (lendaria.resume): the mind's sources and its four analysis files."""
    catalog = Catalog(outputs_root)
    profile = catalog.profile_file(slug)
    return [catalog.sources_dir(slug), catalog.fragments_file(slug), catalog.quality_file(slug), profile,
            profile.with_name(RADAR_FILE)]
