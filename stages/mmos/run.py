"""The MMOS stage as plain functions: viability gate, build / held-out split, voice profile, fidelity
calibration and its self-check, knowledge base, the eight analysis layers, synthesis and the
generalista system prompt. Every file is validated before it is written, written atomically, and left
untouched when unchanged; a run whose inputs and outputs are unchanged does nothing (``state.py``).

Reads ETL's sources, and InnerLens's fragments and profile when they exist (without them it works
from the sources and says so). ``flows/mmos.py`` wires it into Prefect; :func:`load_model` and
:func:`score_texts` are what ``lendaria fidelity`` and other packs (through ``lendaria.packs.service``)
use to score a text against a mind.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from contracts import get_registry
from lendaria.catalog import Catalog
from lendaria.collected import Source, read_metadata, read_sources, read_valid_file, validated_text
from lendaria.errors import InputError, LendariaError
from lendaria.fileio import write_text_if_changed
from lendaria.settings import Settings
from lendaria.yamlio import dump_yaml, load_yaml

from lendaria.engines.session import EngineSession, current_session, engine_key
from lendaria.fileio import sha256_bytes
from stages.mmos import analysis, fidelity, kb, layers, state
from stages.mmos.evidence import build_sentences
from stages.mmos.prompt import render_prompt, render_synthesis
from stages.mmos.wording import wording
from stages.mmos.fidelity import MindText, Verifier
from stages.mmos.pool import load_pool
from lendaria.text import language_code
from stages.mmos.space import CHUNK_WORDS, detectable_languages, language_of
from stages.mmos.split import Passage, Split, passages, set_aside_other_languages, split, text_of
from stages.mmos.voice import voice_profile

LAYER_CONTRACT = "mmos-layer"
SYNTHESIS_CONTRACT = "mmos-synthesis"
PROMPT_CONTRACT = "mmos-creatoros"
VOICE_CONTRACT = "mmos-voice-profile"
KB_INDEX_CONTRACT = "mmos-kb"
FIDELITY_CONTRACT = "mmos-fidelity"


class ViabilityGateFailed(LendariaError):
    """Too little of the person's own text for MMOS: nothing was written."""


@dataclass
class MmosResult:
    slug: str
    gate: dict[str, Any]
    with_innerlens: bool
    build_words: int
    held_out_words: int
    self_check: dict[str, Any]
    written: list[str] = field(default_factory=list)
    claims: dict[str, int] = field(default_factory=dict)  # per layer
    set_aside: dict[str, int] = field(default_factory=dict)  # words in another language than the mind's, per language
    language: str = ""

    def summary(self) -> str:
        inputs = "with InnerLens's fragments" if self.with_innerlens else "without InnerLens outputs (from the sources only)"
        changed = f"{len(self.written)} file(s) written" if self.written else "outputs unchanged"
        return (f"{self.slug}: {self.gate['own_words']:,} own words in {self.gate['sources']} sources, {inputs}; "
                f"build {self.build_words:,} / held out {self.held_out_words:,} words. {describe_check(self.self_check)} "
                f"{len(self.claims)} analysis layers with {sum(self.claims.values())} cited claims, "
                f"synthesis, system prompt and knowledge base; {changed}.{self.set_aside_note()}")

    def set_aside_note(self) -> str:
        if not self.set_aside:
            return ""
        languages = ", ".join(f"{words:,} in {code}" for code, words in self.set_aside.items())
        return f" Set aside (another language than the mind's {self.language}, not analysed): {languages} words."


def describe_check(check: dict[str, Any]) -> str:
    """The self-check in one sentence: its numbers, or why there are none."""
    if check.get("status") != "measured":
        return f"Fidelity self-check not measured: {check.get('reason', 'unknown reason')}."
    return (f"Fidelity self-check against {check['impostors']} impostors ({check['language']}): own held-out chunks pass "
            f"{check['true_positive_rate']:.0%}, impostors' chunks pass {check['false_positive_rate']:.0%}, AUC {check['auc']:.3f}.")


def viability(sources: list[Source], minimum: int) -> dict[str, Any]:
    """The gate's counts. ETL keeps only the person's turns of a transcript named with ``speaker:``,
    so a source's words are the person's own words."""
    own = sum(s.words for s in sources)
    return {"own_words": own, "sources": len(sources), "source_types": sorted({s.type for s in sources}),
            "minimum_words": minimum, "passed": own >= minimum}


def check_gate(slug: str, gate: dict[str, Any]) -> None:
    if not gate["passed"]:
        missing = gate["minimum_words"] - gate["own_words"]
        raise ViabilityGateFailed(
            f"{slug} has {gate['own_words']:,} words of their own in {gate['sources']} source(s); MMOS needs at least "
            f"{gate['minimum_words']:,}. Add about {missing:,} more words of their writing or speech (transcripts: their "
            "own turns) and run again; nothing was written.",
            hint="The minimum is the setting mmos_min_words (LENDARIA_MMOS_MIN_WORDS).")


def mind_language(metadata: dict[str, Any], build_texts: list[str]) -> tuple[str, str]:
    """(language, how it is known): the one mind.yaml declares (ETL's metadata), else detected on the build set."""
    declared = language_code(metadata.get("language"))
    if declared:
        return declared, "declared"
    return language_of("\n\n".join(build_texts)[:200_000]) or "und", "detected"


def self_check(mind: MindText) -> dict[str, Any]:
    """The self-check against the reference pool of the mind's language only, so it does not depend on
    which other minds exist (they join as impostors when texts are scored)."""
    verifier = fidelity.prepare(mind, [], load_pool())
    check = fidelity.self_check(verifier)
    return {**check, "language": mind.language, "impostors": len(verifier.impostors),
            "impostor_ids": [w.id for w in verifier.impostors], "against": verifier.basis}


def fidelity_document(slug: str, language: str, language_from: str, cut: Split, check: dict[str, Any]) -> dict[str, Any]:
    return {"mind": slug, "language": language, "language_from": language_from, "method": fidelity.METHOD,
            "threshold": fidelity.THRESHOLD,
            "confidence": f"min(1, words / {fidelity.FULL_CONFIDENCE_WORDS:,}): texts shorter than the calibration's chunks are noisier",
            "impostor_policy": (f"chosen when a text is scored, nearest to the mind first: the up to {fidelity.gi.MAX_IMPOSTORS} writers "
                                f"of {language} nearest to it among the shipped reference pool and the other minds of {language} "
                                "under the same outputs root (a pool writer whose texts are the mind's, or who is nearer than the "
                                "mind to its own held-out chunks, is left out); the text's distance to the mind's boundary against them becomes a probability by "
                                "one map for every mind, so scores of all minds are on one scale and do not depend on build order"),
            "held_out": {"chunks": len(cut.chunks), "words": sum(c.words for c in cut.chunks),
                         "chunk_words": max((c.words for c in cut.chunks), default=0)},
            "self_check": check}


def fragments_by_source(catalog: Catalog, slug: str) -> dict[str, list[tuple[int, int, str]]]:
    """InnerLens's fragments as (start, end, id) per source, for citing them beside spans."""
    result: dict[str, list[tuple[int, int, str]]] = {}
    for line in catalog.fragments_file(slug).read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        result.setdefault(record["source_id"], []).append((record["start"], record["end"], record["id"]))
    return result


def kb_index(slug: str, catalog: Catalog, chunks: list[dict[str, Any]], topics: list[dict[str, Any]], language: str) -> dict[str, Any]:
    return {"mind": slug, "chunks_file": catalog.relative(catalog.kb_chunks_file(slug)), "chunks": len(chunks),
            "words": sum(c["words"] for c in chunks), "built_from": "the build set only (never the held-out spans)",
            "method": {"chunks": "the build set's passages: whole paragraphs, about 250 words, each with its span",
                       "topics": wording(language).method("kb_topics", stop_words=wording(language).word("kb", "stop_words",
                                                                                                       kb.stop_words_note(language))),
                       "retrieval": "TF-IDF cosine similarity between the question and each chunk (lendaria ask)"},
            "topics": topics}


def build_set(sources: list[Source], language: str | None = None) -> tuple[Split, dict[str, str]]:
    """The split of the sources' passages in ``language`` (passages in another language set aside and
    counted), and the bodies by source id."""
    bodies = {s.source_id: s.body for s in sources}
    kept, aside = set_aside_other_languages([passages(s.source_id, s.body) for s in sources],
                                            lambda p: bodies[p.source_id][p.start:p.end], language, language_of)
    return replace(split(kept), set_aside=aside), bodies


def run_mmos(mind_slug: str, outputs_root: Path, settings: Settings) -> MmosResult:
    catalog = Catalog(outputs_root)
    session = current_session(settings)
    outputs = state.output_paths(catalog, mind_slug, layers.LAYERS)
    fingerprint = state.inputs_fingerprint(catalog, mind_slug, engine_key(session, settings), settings.mmos_min_words)
    last = state.unchanged_run(settings.home, mind_slug, fingerprint, outputs)
    if last is not None:
        return MmosResult(**last)  # nothing changed since the last run: nothing to do
    result = analyse_mind(catalog, mind_slug, settings, session)
    state.remember_run(settings.home, mind_slug, fingerprint, outputs, {**asdict(result), "written": []})
    return result


def analyse_mind(catalog: Catalog, mind_slug: str, settings: Settings, session: EngineSession) -> MmosResult:
    metadata = read_metadata(catalog, mind_slug)
    sources = read_sources(catalog, mind_slug, metadata)
    gate = viability(sources, settings.mmos_min_words)
    check_gate(mind_slug, gate)
    with_innerlens = catalog.fragments_file(mind_slug).is_file() and catalog.profile_file(mind_slug).is_file()
    language, language_from = mind_language(metadata, [s.body for s in sources])
    cut, bodies = build_set(sources, language if language in detectable_languages() else None)  # else it cannot be told apart
    build, held_out = cut.build, cut.held_out
    build_texts = text_of(bodies, build)
    if sum(p.words for p in build) < 2 * CHUNK_WORDS:
        aside = "".join(f" {words:,} words in {code} were set aside: not the mind's language ({language}); if that is wrong, "
                        "correct `language:` in mind.yaml." for code, words in cut.set_aside.items())
        raise ViabilityGateFailed(f"{mind_slug}: the build set has fewer than {2 * CHUNK_WORDS:,} words, too few to calibrate "
                                  f"voice fidelity; add more of the person's text.{aside}")
    mind = MindText.of(mind_slug, metadata.get("name") or mind_slug, language, build_texts, text_of(bodies, cut.chunks))
    check = self_check(mind)
    fragments = fragments_by_source(catalog, mind_slug) if with_innerlens else None
    profile = voice_profile(mind_slug, mind, build_texts, cut, gate, with_innerlens, fragments)
    chunks = kb.chunk_records(mind_slug, build, bodies, fragments)
    kb_language = language_code(metadata.get("language")) or "en"  # as the layers and `ask` read it
    topics = kb.assign_topics(chunks, kb_language)
    registry = get_registry()
    voice_path, fidelity_path = catalog.voice_profile_file(mind_slug), catalog.fidelity_file(mind_slug)
    chunks_path, index_path = catalog.kb_chunks_file(mind_slug), catalog.kb_index_file(mind_slug)
    analysis = {voice_path: validated_text(catalog, voice_path, dump_yaml({"contract": registry.latest(VOICE_CONTRACT).ref, **profile})),
                fidelity_path: validated_text(catalog, fidelity_path, dump_yaml({"contract": registry.latest(FIDELITY_CONTRACT).ref,
                                                                             **fidelity_document(mind_slug, language, language_from, cut, check)}))}
    written = [catalog.relative(p) for p, text in analysis.items() if write_text_if_changed(p, text)]
    # the chunks' check reads the held-out spans of the voice profile just written
    knowledge = {chunks_path: validated_text(catalog, chunks_path, "".join(json.dumps(c, ensure_ascii=False, separators=(",", ":")) + "\n"
                                                                       for c in chunks)),
                 index_path: validated_text(catalog, index_path, dump_yaml({"contract": registry.latest(KB_INDEX_CONTRACT).ref,
                                                                        **kb_index(mind_slug, catalog, chunks, topics, kb_language)}))}
    written += [catalog.relative(p) for p, text in knowledge.items() if write_text_if_changed(p, text)]
    # the layers, synthesis and prompt cite spans that the checks compare with the held-out spans just written
    mind_written, claims = write_mind(catalog, mind_slug, metadata, build, held_out, bodies, fragments, session)
    return MmosResult(mind_slug, gate, with_innerlens, sum(p.words for p in build), sum(p.words for p in held_out), check,
                      written + mind_written, claims, cut.set_aside, language)


def write_mind(catalog: Catalog, slug: str, metadata: dict[str, Any], build: list[Passage], held_out: list[Passage],
               bodies: dict[str, str], fragments: dict[str, list[tuple[int, int, str]]] | None, session: EngineSession
               ) -> tuple[list[str], dict[str, int]]:
    """The eight layer files, the two synthesis files and the system prompt (validated, atomic,
    untouched when unchanged): the relative paths written, and the claims per layer."""
    registry = get_registry()
    language = language_code(metadata.get("language")) or "en"
    sentences = build_sentences(build, bodies, metadata.get("name"), language)
    results = layers.analyse(sentences, [(p.source_id, bodies[p.source_id][p.start:p.end]) for p in build], language, len(bodies))
    added = analysis.enrich(slug, results, sentences, session, language)
    documents = {layer: analysis.document(slug, result, fragments, added.get(layer), language) for layer, result in results.items()}
    texts = {catalog.layer_file(slug, layer): validated_text(catalog, catalog.layer_file(slug, layer),
                                                              dump_yaml({"contract": registry.latest(LAYER_CONTRACT).ref, **doc}))
             for layer, doc in documents.items()}
    name = metadata.get("name") or slug
    build_words = sum(p.words for p in build)
    for kind, chosen in (("frameworks", [l for l in layers.LAYERS if l not in ("communication-style", "signature-phrases")]),
                         ("communication-style", ["communication-style", "signature-phrases"])):
        path = catalog.synthesis_file(slug, kind)
        front = {"contract": registry.latest(SYNTHESIS_CONTRACT).ref, "mind": slug, "kind": kind, "layers": chosen}
        texts[path] = validated_text(catalog, path, render_synthesis(front, name, documents, build_words, language))
    profile_path = catalog.profile_file(slug)
    profile = load_yaml(profile_path.read_text(encoding="utf-8")) if profile_path.is_file() else None
    inputs = [catalog.voice_profile_file(slug), catalog.fidelity_file(slug)] + ([profile_path] if profile else [])
    input_hashes = [{"path": catalog.relative(p), "sha256": sha256_bytes(p.read_bytes())} for p in inputs]
    input_hashes += [{"path": catalog.relative(p), "sha256": sha256_bytes(texts[p].encode("utf-8"))}
                     for p in (catalog.layer_file(slug, layer) for layer in layers.LAYERS)]
    engines = sorted({d["engine"] for d in documents.values()})
    front = {"contract": registry.latest(PROMPT_CONTRACT).ref, "mind": slug, "name": name, "engine": ", ".join(engines),
             "big_five": "present" if profile and "big_five" in profile else "absent", "inputs": input_hashes}
    split_counts = {"build_words": build_words, "held_out_words": sum(p.words for p in held_out), "sources": len(bodies)}
    prompt_path = catalog.system_prompt_file(slug)
    texts[prompt_path] = validated_text(catalog, prompt_path, render_prompt(front, name, documents, split_counts, profile, language))
    written = [catalog.relative(p) for p, text in texts.items() if write_text_if_changed(p, text)]
    return written, {layer: len(doc["claims"]) for layer, doc in documents.items()}


def _validated_documents(catalog: Catalog, slug: str, paths: list[Path]) -> list[dict[str, Any]]:
    hint = f"Run MMOS first: `lendaria run {slug} --stages mmos`."
    return [load_yaml(read_valid_file(catalog, path, hint)[1].decode("utf-8")) for path in paths]


def mind_text(catalog: Catalog, slug: str) -> MindText:
    """A mind's fidelity material from its contract files: the build set is every passage of its
    sources outside the held-out chunks of voice-profile.yaml, which are the held-out chunks."""
    profile, document = _validated_documents(catalog, slug, [catalog.voice_profile_file(slug), catalog.fidelity_file(slug)])
    key = (str(catalog.root.resolve()), slug, sha256_bytes(catalog.voice_profile_file(slug).read_bytes()
                                                           + catalog.sources_metadata(slug).read_bytes()))
    return _mind_text(key, catalog, slug, profile, document)


_MIND_TEXTS: dict[tuple, MindText] = {}


def _mind_text(key: tuple, catalog: Catalog, slug: str, profile: dict[str, Any], document: dict[str, Any]) -> MindText:
    if key not in _MIND_TEXTS:
        held = [(s["source_id"], s["start"], s["end"]) for s in profile["split"]["held_out"]]
        sources = read_sources(catalog, slug)
        bodies = {s.source_id: s.body for s in sources}
        build = [s.body[p.start:p.end] for s in sources for p in passages(s.source_id, s.body)
                 if not any(sid == p.source_id and p.start < end and start < p.end for sid, start, end in held)]
        chunks = [bodies[sid][start:end] for sid, start, end in held if sid in bodies]
        name = read_metadata(catalog, slug).get("name") or slug
        _MIND_TEXTS[key] = MindText.of(slug, name, document["language"], build, chunks)
    return _MIND_TEXTS[key]


def mind_slugs(catalog: Catalog) -> list[str]:
    """Every mind under the outputs root with MMOS outputs (a voice profile), sorted."""
    return sorted(path.parent.parent.name for path in catalog.root.glob("minds/*/analysis/voice-profile.yaml"))


def other_minds(catalog: Catalog, slug: str) -> list[MindText]:
    """The other minds under the outputs root whose MMOS files validate, sorted by slug: impostors for
    this mind when a text is scored (those of its language)."""
    others = []
    for other in mind_slugs(catalog):
        if other == slug:
            continue
        try:
            others.append(mind_text(catalog, other))
        except LendariaError:
            continue  # a mind whose files do not validate is not used; `lendaria validate` reports it
    return others


def load_verifier(outputs_root: Path, slug: str) -> Verifier:
    """A mind ready to score texts: its impostors chosen now (reference pool and the other minds of its
    language under ``outputs_root``), its held-out and impostor chunks scored, the pool's one map taken."""
    catalog = Catalog(outputs_root)
    mind, others = mind_text(catalog, slug), other_minds(catalog, slug)
    key = (id(mind), *(id(o) for o in others))  # mind texts are cached per file contents: same objects, same minds
    if key not in _VERIFIERS:
        _VERIFIERS[key] = fidelity.prepare(mind, others, load_pool())
    return _VERIFIERS[key]


_VERIFIERS: dict[tuple, Verifier] = {}  # CreatorOS scores each lesson (and each rewrite) separately


def ask(outputs_root: Path, slug: str, question: str, top: int = 3) -> list[dict[str, Any]]:
    """The chunks of the mind's knowledge base most relevant to ``question``, verbatim, with citations."""
    return load_index(outputs_root, slug).passages(question, top)


def load_index(outputs_root: Path, slug: str, public_only: bool = False) -> kb.Index:
    """The mind's knowledge base, ready to search (the ``knowledge_base`` service). ``public_only``:
    only chunks of PUBLIC sources (what may be published, e.g. in a course)."""
    catalog = Catalog(outputs_root)
    _, raw = read_valid_file(catalog, catalog.kb_chunks_file(slug), f"Run MMOS first: `lendaria run {slug} --stages mmos`.")
    records = [json.loads(line) for line in raw.decode("utf-8").splitlines()]
    if public_only:
        public = {e["source_id"] for e in read_metadata(catalog, slug).get("sources") or []
                  if e.get("classification", "PUBLIC") == "PUBLIC"}
        records = [r for r in records if r["source_id"] in public]
    return kb.Index.build(records, language_code(read_metadata(catalog, slug).get("language")) or "en")


def answer(outputs_root: Path, slug: str, question: str, top: int, settings: Settings) -> dict[str, Any]:
    """``lendaria ask``: the passages, and with a language model an answer in the mind's voice citing
    them, scored for voice fidelity."""
    from stages.mmos.answer import answer_with_engine

    passages = ask(outputs_root, slug, question, top)
    catalog = Catalog(outputs_root)
    prompt_path = catalog.system_prompt_file(slug)
    result: dict[str, Any] = {"mind": slug, "question": question, "passages": passages, "engine": "offline"}
    if not prompt_path.is_file():
        return result
    _, prompt_raw = read_valid_file(catalog, prompt_path, f"Run MMOS first: `lendaria run {slug} --stages mmos`.")
    reply = answer_with_engine(slug, question, passages, prompt_raw.decode("utf-8"), current_session(settings))
    if reply is not None:
        result.update(reply)
        result["fidelity"] = score_texts(outputs_root, slug, [reply["answer"]])[0]
    return result


def score_texts(outputs_root: Path, slug: str, texts: list[str]) -> list[dict[str, Any]]:
    """The ``fidelity`` service: each text scored against the mind (status, score, passed, words,
    confidence, distance to the boundary, language, method)."""
    verifier = load_verifier(outputs_root, slug)
    return [verifier.score(text).as_dict() for text in texts]


def attribute_texts(outputs_root: Path, texts: list[str], minds: list[str] | None = None) -> list[dict[str, Any]]:
    """The ``attribute`` service: for each text, the minds (default: every mind under ``outputs_root``)
    ranked by score, the margin between the first two and the method."""
    catalog = Catalog(outputs_root)
    chosen = minds or mind_slugs(catalog)
    if not chosen:
        raise InputError("no mind to attribute to.", file=catalog.relative(catalog.root / "minds"),
                         hint="Build one first: `lendaria run <mind>` (MMOS writes its voice profile).")
    verifiers = {slug: load_verifier(outputs_root, slug) for slug in chosen}
    return [fidelity.attribute(verifiers, text) for text in texts]


def scope(slug: str, mind: str, outputs_root: Path, options: dict) -> list[Path]:
    """What MMOS reads and writes (lendaria.resume): the mind's folder. Other minds take no part in
    what it writes (they join as impostors only when texts are scored)."""
    return [Catalog(outputs_root).mind_dir(slug)]
