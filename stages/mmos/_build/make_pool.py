"""Rebuild the reference pool's derived statistics: stages/mmos/data/pool.json and pool-<language>.npz.

Writers come from two places:

* ``../shared/corpus`` (its MANIFEST.yaml): each author's 2,000-word chunks, but every seventh (the
  benchmark's held-out chunks, ``stages/mmos/pool.py:is_bench_held_out``), which never enter the pool;
* ``stages/mmos/_build/pool-sources.yaml``: public-domain texts in fetched snapshots of public
  repositories (repository, commit, path and words of every work), read by ``pool_texts.py`` from a
  mirror folder (``--mirror``; the search tool's fetch puts them under /work/.mirror). Without the
  mirror, only the corpus writers are built (and the script says so).

What is written is numbers only: per language the candidate features and, per chunk, their counts and
totals and a bottom-32 sketch of its 5-word shingle hashes (to recognise a mind whose own texts are in
the pool), with each writer's metadata and sources. No text leaves this script.

Usage: python stages/mmos/_build/make_pool.py [--corpus PATH] [--mirror PATH]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import yaml

REPO = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO))

from stages.mmos.fidelity import spread  # noqa: E402
from stages.mmos.pool import DATA, POOL_FILE, corpus_texts, counts_file, is_bench_held_out  # noqa: E402
from stages.mmos.space import CHUNK_WORDS, Tally, choose_features, chunks, sketch  # noqa: E402

SOURCES = Path(__file__).with_name("pool-sources.yaml")
CANDIDATE_WORDS = 1_000
CANDIDATE_NGRAMS = 1_000
MAX_CHUNKS = 60  # per writer, evenly spread over its text
MIN_WORDS = 20_000
# The corpus authors' genre (MANIFEST.yaml records works and years, not genres).
CORPUS_GENRES = {
    "benjamin-franklin": "autobiography", "frederick-douglass": "autobiography", "henry-david-thoreau": "essay",
    "ralph-waldo-emerson": "essay", "mary-wollstonecraft": "essay", "marcus-aurelius": "philosophy (translation)",
    "epictetus": "philosophy (translation)",
}


def corpus_writers(corpus: Path) -> list[dict]:
    manifest = yaml.safe_load((corpus / "MANIFEST.yaml").read_text(encoding="utf-8"))
    by_folder: dict[str, list[dict]] = {}
    for entry in manifest["texts"]:
        by_folder.setdefault(entry["file"].split("/")[0], []).append(entry)
    writers = []
    for folder, text in corpus_texts(corpus).items():
        entries = by_folder[folder]
        pieces = [c for i, c in enumerate(chunks(text, CHUNK_WORDS)) if not is_bench_held_out(i)]
        writers.append({"id": folder, "name": entries[0]["author"], "language": "en", "genre": CORPUS_GENRES.get(folder, "prose"),
                        "era": str(entries[0]["year"]), "split": "test", "origin": "../shared/corpus (benchmark chunks left out)",
                        "sources": [{"repository": e["source_repo"].removeprefix("https://github.com/"), "commit": e["source_commit"],
                                     "paths": e["source_paths"], "words": e["word_count"]} for e in entries],
                        "chunks": pieces})
    return writers


def fetched_writers(mirror: Path) -> list[dict]:
    sys.path.insert(0, str(Path(__file__).parent))
    import pool_texts

    writers = []
    for entry in pool_texts.load_sources(SOURCES):
        text = pool_texts.author_text(entry, mirror)
        pieces = chunks(text, CHUNK_WORDS)
        if len(pieces) * CHUNK_WORDS < MIN_WORDS:
            print(f"  skipped {entry['id']}: {len(text.split()):,} words (under {MIN_WORDS:,})")
            continue
        writers.append({"id": entry["id"], "name": entry["author"], "language": entry["language"], "genre": entry["genre"],
                        "era": str(entry["era"]), "split": entry.get("split", "test"), "origin": "fetched public-domain texts",
                        "sources": [{"repository": w["repository"], "commit": w["commit"],
                                     "paths": w.get("paths") or [w["path"]], "words": w["words"], "title": w["title"]}
                                    for w in entry["works"]],
                        "chunks": pieces})
    return writers


def build_language(language: str, writers: list[dict]) -> dict:
    kept = [spread(w["chunks"], MAX_CHUNKS) for w in writers]
    tallies = [[Tally.of(c) for c in texts] for texts in kept]
    words, ngrams = choose_features(tallies, language, CANDIDATE_WORDS, CANDIDATE_NGRAMS)
    rows, totals, owner = [], [], []
    for index, writer_tallies in enumerate(tallies):
        for t in writer_tallies:
            rows.append([t.words.get(w, 0) for w in words] + [t.ngrams.get(g, 0) for g in ngrams])
            totals.append([t.total_words, t.total_ngrams])
            owner.append(index)
    counts = np.minimum(np.array(rows), np.iinfo(np.uint16).max).astype(np.uint16)
    sketches = np.array([sketch(c) for texts in kept for c in texts], dtype=np.uint64)
    np.savez_compressed(counts_file(language), counts=counts, totals=np.array(totals, dtype=np.int32),
                        writer=np.array(owner, dtype=np.int16), sketch=sketches)
    meta = [{key: w[key] for key in ("id", "name", "genre", "era", "split", "origin", "sources")} | {"chunks": len(t), "words": len(t) * CHUNK_WORDS}
            for w, t in zip(writers, tallies)]
    return {"words": list(words), "ngrams": list(ngrams), "writers": meta}


def fit_calibration() -> dict:
    """The distance-to-probability map (Platt, balanced classes), one for every mind of every language: each
    dev writer stands as a mind made of its chunks (every sixth held out) and is verified as minds are,
    out of the pool; its own held-out chunks are the positives, its impostors' chunks (each with its own
    writer left out of the boundary that scores them) the negatives. (Maps per language were tried with the
    earlier General Impostors score: Portuguese's eight dev novelists are separated almost perfectly, which
    made its map a step that failed own chunks winning 80 % of trials.)"""
    from stages.mmos.fidelity import MindText, prepare
    from stages.mmos.impostors import fit_platt
    from stages.mmos.pool import load_pool

    load_pool.cache_clear()
    pool = load_pool()
    own, other, writers = [], [], []
    for language, language_pool in sorted(pool.languages.items()):
        for writer in language_pool.writers:
            if writer.get("split") != "dev":
                continue
            mind = MindText.from_chunks(writer["id"], language, language_pool.tallies(writer["id"]))
            verifier = prepare(mind, [], pool, frozenset({writer["id"]}))
            own += verifier.own_distances()
            other += [s for _, s in verifier.impostor_distances()]
            writers.append(writer["id"])
    load_pool.cache_clear()
    return {**fit_platt(own, other).as_dict(), "writers": len(writers), "languages": sorted(pool.languages)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    parser.add_argument("--mirror", type=Path, default=Path("/work/.mirror"))
    args = parser.parse_args()
    if not (args.corpus / "MANIFEST.yaml").is_file():
        sys.exit(f"corpus not found at {args.corpus}")
    writers = corpus_writers(args.corpus)
    if SOURCES.is_file() and args.mirror.is_dir():
        writers += fetched_writers(args.mirror)
    else:
        print(f"no mirror at {args.mirror}: only the corpus writers are built")
    by_language: dict[str, list[dict]] = {}
    for writer in sorted(writers, key=lambda w: w["id"]):
        by_language.setdefault(writer["language"], []).append(writer)
    DATA.mkdir(parents=True, exist_ok=True)
    languages = {language: build_language(language, group) for language, group in sorted(by_language.items())}
    for stale in DATA.glob("pool-*.npz"):
        if stale.stem.removeprefix("pool-") not in languages:
            stale.unlink()
    document = {"format": 1, "chunk_words": CHUNK_WORDS, "max_chunks_per_writer": MAX_CHUNKS,
                "coverage": {lang: {"writers": len(entry["writers"]), "genres": sorted({w["genre"] for w in entry["writers"]}),
                                    "words": sum(w["words"] for w in entry["writers"])} for lang, entry in languages.items()},
                "languages": languages}
    POOL_FILE.write_text(json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    document["calibration"] = fit_calibration()
    POOL_FILE.write_text(json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    entry = document["calibration"]
    print(f"calibration: slope {entry['slope']}, intercept {entry['intercept']} on {entry['writers']} dev writers")
    for language, entry in languages.items():
        print(f"{language}: {len(entry['writers'])} writers, {sum(w['chunks'] for w in entry['writers'])} chunks; "
              f"genres {', '.join(document['coverage'][language]['genres'])}")
    print(f"wrote {POOL_FILE.relative_to(REPO)} and {', '.join(counts_file(l).name for l in languages)}")


if __name__ == "__main__":
    main()
