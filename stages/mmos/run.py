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
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from contracts import get_registry
from lendaria.catalog import Catalog
from lendaria.collected import Source, read_metadata, read_sources, read_valid_file, validated_text
from lendaria.errors import LendariaError
from lendaria.fileio import write_text_if_changed
from lendaria.settings import Settings
from lendaria.yamlio import dump_yaml, load_yaml

from lendaria.engines.session import EngineSession, current_session, engine_key
from lendaria.fileio import sha256_bytes
from stages.mmos import analysis, fidelity, kb, layers, state
from stages.mmos.evidence import build_sentences
from stages.mmos.prompt import render_prompt, render_synthesis
from stages.mmos.fidelity import Calibration, MindModel, counts_of, join_texts
from stages.mmos.reference import load_reference
from stages.mmos.split import Passage, passages, split, text_of
from stages.mmos.stylometry import CHUNK_WORDS
from stages.mmos.voice import voice_profile

LAYER_CONTRACT = "mmos-layer"
SYNTHESIS_CONTRACT = "mmos-synthesis"
PROMPT_CONTRACT = "mmos-creatoros"
VOICE_CONTRACT = "mmos-voice-profile"
KB_INDEX_CONTRACT = "mmos-kb"
FIDELITY_CONTRACT = "mmos-fidelity"
MIN_OWN_PASSAGE_WORDS = 500  # a held-out remainder shorter than this is not scored on its own


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

    def summary(self) -> str:
        inputs = "with InnerLens's fragments" if self.with_innerlens else "without InnerLens outputs (from the sources only)"
        check = self.self_check
        changed = f"{len(self.written)} file(s) written" if self.written else "outputs unchanged"
        return (f"{self.slug}: {self.gate['own_words']:,} own words in {self.gate['sources']} sources, {inputs}; "
                f"build {self.build_words:,} / held out {self.held_out_words:,} words. Fidelity self-check: own held-out "
                f"passages pass {check['true_positive_rate']:.0%}, reference authors' pass {check['false_positive_rate']:.0%}, "
                f"AUC {check['auc']:.3f}. {len(self.claims)} analysis layers with {sum(self.claims.values())} cited claims, "
                f"synthesis, system prompt and knowledge base; {changed}.")


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


def held_out_groups(texts: list[str]) -> list[str]:
    """The held-out text as 2,000-word passages (the length fidelity is calibrated on), plus a shorter
    remainder when it has at least MIN_OWN_PASSAGE_WORDS words."""
    words = "\n\n".join(texts).split()
    groups = [" ".join(words[i:i + CHUNK_WORDS]) for i in range(0, len(words), CHUNK_WORDS)]
    return [g for g in groups if len(g.split()) >= MIN_OWN_PASSAGE_WORDS]


def self_check(model: MindModel, held_out_texts: list[str]) -> dict[str, Any]:
    """Own held-out passages and the reference half the calibration did not see, scored against the mind."""
    from sklearn.metrics import roc_auc_score

    reference = load_reference()
    own = [fidelity.score(model, text) for text in held_out_groups(held_out_texts)]
    word_z, ngram_z, _ = reference.z_rows(part="check")
    others = [model.calibration.probability(*d) * 100 for d in fidelity.other_distances(model.space, model.build, word_z, ngram_z)]
    labels = [1] * len(own) + [0] * len(others)
    values = [r.score for r in own] + others
    auc = float(roc_auc_score(labels, values)) if own and others else 0.0
    return {
        "own_held_out": [{"words": r.words, "score": r.score, "passed": r.passed} for r in own],
        "reference_passages": len(others), "reference_passed": sum(v >= model.threshold for v in others),
        "reference_mean_score": round(sum(others) / len(others), 1) if others else 0.0,
        "auc": round(auc, 4),
        "true_positive_rate": round(sum(r.passed for r in own) / len(own), 4) if own else 0.0,
        "false_positive_rate": round(sum(v >= model.threshold for v in others) / len(others), 4) if others else 0.0,
    }


def fidelity_document(slug: str, model: MindModel, check: dict[str, Any], others: list[str]) -> dict[str, Any]:
    return {"mind": slug, "method": fidelity.METHOD, "threshold": model.threshold,
            "confidence": f"min(1, words / {fidelity.FULL_CONFIDENCE_WORDS:,}): texts shorter than the calibration's "
                          f"{CHUNK_WORDS:,} words are noisier",
            "calibration": {**model.calibration.as_dict(), "reference": "even-numbered reference chunks of each author",
                            "other_minds": others},
            "self_check": {**check, "reference": "odd-numbered reference chunks of each author (not seen by the calibration)"}}


def fragments_by_source(catalog: Catalog, slug: str) -> dict[str, list[tuple[int, int, str]]]:
    """InnerLens's fragments as (start, end, id) per source, for citing them beside spans."""
    result: dict[str, list[tuple[int, int, str]]] = {}
    for line in catalog.fragments_file(slug).read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        result.setdefault(record["source_id"], []).append((record["start"], record["end"], record["id"]))
    return result


def kb_index(slug: str, catalog: Catalog, chunks: list[dict[str, Any]], topics: list[dict[str, Any]]) -> dict[str, Any]:
    return {"mind": slug, "chunks_file": catalog.relative(catalog.kb_chunks_file(slug)), "chunks": len(chunks),
            "words": sum(c["words"] for c in chunks), "built_from": "the build set only (never the held-out spans)",
            "method": {"chunks": "the build set's passages: whole paragraphs, about 250 words, each with its span",
                       "topics": "TF-IDF (English stop words, sublinear tf) grouped by Ward agglomerative clustering of the "
                                 "unit-length vectors; labels: the terms of highest mean weight",
                       "retrieval": "TF-IDF cosine similarity between the question and each chunk (lendaria ask)"},
            "topics": topics}


def build_set(sources: list[Source]) -> tuple[list[Passage], list[Passage], dict[str, str]]:
    bodies = {s.source_id: s.body for s in sources}
    build, held_out = split([passages(s.source_id, s.body) for s in sources])
    return build, held_out, bodies


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
    build, held_out, bodies = build_set(sources)
    build_texts = text_of(bodies, build)
    if sum(p.words for p in build) < 2 * CHUNK_WORDS:
        raise ViabilityGateFailed(f"{mind_slug}: the build set has fewer than {2 * CHUNK_WORDS:,} words, too few to calibrate "
                                  "voice fidelity; add more of the person's text.")
    reference = load_reference()
    others = other_minds(catalog, mind_slug)
    model = fidelity.build_model(reference, build_texts, part="calibration", other_texts=[join_texts(texts) for texts in others.values()])
    check = self_check(model, text_of(bodies, held_out))
    fragments = fragments_by_source(catalog, mind_slug) if with_innerlens else None
    profile = voice_profile(mind_slug, reference, model.build, build_texts, build, held_out, gate, with_innerlens, fragments)
    chunks = kb.chunk_records(mind_slug, build, bodies, fragments)
    topics = kb.assign_topics(chunks)
    registry = get_registry()
    voice_path, fidelity_path = catalog.voice_profile_file(mind_slug), catalog.fidelity_file(mind_slug)
    chunks_path, index_path = catalog.kb_chunks_file(mind_slug), catalog.kb_index_file(mind_slug)
    analysis = {voice_path: validated_text(catalog, voice_path, dump_yaml({"contract": registry.latest(VOICE_CONTRACT).ref, **profile})),
                fidelity_path: validated_text(catalog, fidelity_path, dump_yaml({"contract": registry.latest(FIDELITY_CONTRACT).ref,
                                                                             **fidelity_document(mind_slug, model, check, sorted(others))}))}
    written = [catalog.relative(p) for p, text in analysis.items() if write_text_if_changed(p, text)]
    # the chunks' check reads the held-out spans of the voice profile just written
    knowledge = {chunks_path: validated_text(catalog, chunks_path, "".join(json.dumps(c, ensure_ascii=False, separators=(",", ":")) + "\n"
                                                                       for c in chunks)),
                 index_path: validated_text(catalog, index_path, dump_yaml({"contract": registry.latest(KB_INDEX_CONTRACT).ref,
                                                                        **kb_index(mind_slug, catalog, chunks, topics)}))}
    written += [catalog.relative(p) for p, text in knowledge.items() if write_text_if_changed(p, text)]
    # the layers, synthesis and prompt cite spans that the checks compare with the held-out spans just written
    mind_written, claims = write_mind(catalog, mind_slug, metadata, build, held_out, bodies, fragments, session)
    return MmosResult(mind_slug, gate, with_innerlens, sum(p.words for p in build), sum(p.words for p in held_out), check,
                      written + mind_written, claims)


def write_mind(catalog: Catalog, slug: str, metadata: dict[str, Any], build: list[Passage], held_out: list[Passage],
               bodies: dict[str, str], fragments: dict[str, list[tuple[int, int, str]]] | None, session: EngineSession
               ) -> tuple[list[str], dict[str, int]]:
    """The eight layer files, the two synthesis files and the system prompt (validated, atomic,
    untouched when unchanged): the relative paths written, and the claims per layer."""
    registry = get_registry()
    sentences = build_sentences(build, bodies)
    results = layers.analyse(sentences, [(p.source_id, bodies[p.source_id][p.start:p.end]) for p in build],
                             metadata.get("language") or "en", len(bodies))
    added = analysis.enrich(slug, results, sentences, session)
    documents = {layer: analysis.document(slug, result, fragments, added.get(layer)) for layer, result in results.items()}
    texts = {catalog.layer_file(slug, layer): validated_text(catalog, catalog.layer_file(slug, layer),
                                                              dump_yaml({"contract": registry.latest(LAYER_CONTRACT).ref, **doc}))
             for layer, doc in documents.items()}
    name = metadata.get("name") or slug
    build_words = sum(p.words for p in build)
    for kind, chosen in (("frameworks", [l for l in layers.LAYERS if l not in ("communication-style", "signature-phrases")]),
                         ("communication-style", ["communication-style", "signature-phrases"])):
        path = catalog.synthesis_file(slug, kind)
        front = {"contract": registry.latest(SYNTHESIS_CONTRACT).ref, "mind": slug, "kind": kind, "layers": chosen}
        texts[path] = validated_text(catalog, path, render_synthesis(front, name, documents, build_words))
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
    texts[prompt_path] = validated_text(catalog, prompt_path, render_prompt(front, name, documents, split_counts, profile))
    written = [catalog.relative(p) for p, text in texts.items() if write_text_if_changed(p, text)]
    return written, {layer: len(doc["claims"]) for layer, doc in documents.items()}


def _validated_documents(catalog: Catalog, slug: str, paths: list[Path]) -> list[dict[str, Any]]:
    hint = f"Run MMOS first: `lendaria run {slug} --stages mmos`."
    return [load_yaml(read_valid_file(catalog, path, hint)[1].decode("utf-8")) for path in paths]


def build_texts_of(catalog: Catalog, slug: str, profile: dict[str, Any]) -> list[str]:
    """A mind's build set from its files: every passage of its sources minus the held-out spans."""
    held = {(s["source_id"], s["start"], s["end"]) for s in profile["split"]["held_out"]}
    return [s.body[p.start:p.end] for s in read_sources(catalog, slug) for p in passages(s.source_id, s.body)
            if (p.source_id, p.start, p.end) not in held]


def other_minds(catalog: Catalog, slug: str) -> dict[str, list[str]]:
    """The build sets of the other minds under the outputs root that have a voice profile (sorted by slug):
    more "other" examples for the calibration, beside the reference authors."""
    others = {}
    for path in sorted(catalog.root.glob("minds/*/analysis/voice-profile.yaml")):
        other = path.parent.parent.name
        if other == slug:
            continue
        try:
            (profile,) = _validated_documents(catalog, other, [path])
            others[other] = build_texts_of(catalog, other, profile)
        except LendariaError:
            continue  # a mind whose files do not validate is not used; `lendaria validate` reports it
    return others


def load_model(outputs_root: Path, slug: str) -> MindModel:
    """A mind's fidelity model from its contract files: the build set is every source minus the
    held-out spans of voice-profile.yaml; the calibration is fidelity.yaml's."""
    catalog = Catalog(outputs_root)
    profile, document = _validated_documents(catalog, slug, [catalog.voice_profile_file(slug), catalog.fidelity_file(slug)])
    space = load_reference().space
    build = counts_of(space, join_texts(build_texts_of(catalog, slug, profile)))
    c = document["calibration"]
    calibration = Calibration(c["intercept"], c["coef_words"], c["coef_ngrams"], c["own_examples"], c["other_examples"])
    return MindModel(space, build, calibration, document["threshold"])


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
    return kb.Index.build(records)


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
    """The ``fidelity`` service: each text scored against the mind (score, passed, words, confidence, method)."""
    model = load_model(outputs_root, slug)
    return [fidelity.score(model, text).as_dict() for text in texts]


def scope(slug: str, mind: str, outputs_root: Path, options: dict) -> list[Path]:
    """What MMOS reads and writes (lendaria.resume): the whole mind folder, and the voice profile and
    sources of every other mind that joins the fidelity calibration."""
    catalog = Catalog(outputs_root)
    others = [path for path in sorted(catalog.root.glob("minds/*/analysis/voice-profile.yaml")) if path.parent.parent.name != slug]
    return [catalog.mind_dir(slug), *others, *(catalog.sources_dir(path.parent.parent.name) for path in others)]
