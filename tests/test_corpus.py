"""ETL on the real corpus (../shared/corpus): every text arrives whole, counted by the manifest's rule."""

from __future__ import annotations

import hashlib

from lendaria.yamlio import load_yaml
from stages.etl.run import run_etl
from tests.conftest import write_spec


def test_corpus_collects_with_manifest_word_counts(corpus, tmp_path, settings):
    manifest = load_yaml((corpus / "MANIFEST.yaml").read_text(encoding="utf-8"))
    texts = manifest["texts"]
    for text in texts:  # the corpus itself is intact
        assert hashlib.sha256((corpus / text["file"]).read_bytes()).hexdigest() == text["sha256"], text["file"]
    spec = write_spec(tmp_path / "spec", [{"path": str(corpus / t["file"]), "type": "book", "title": t["work"]} for t in texts], slug="corpus")
    result = run_etl(spec, tmp_path / "out", settings)
    assert result.totals["collected"] == len(texts)
    assert result.totals["words"] == manifest["total_words"]
    metadata = load_yaml((result.sources_dir / "metadata.yaml").read_text(encoding="utf-8"))
    by_title = {e["title"]: e for e in metadata["sources"]}
    for text in texts:
        entry = by_title[text["work"]]
        assert entry["words"] == text["word_count"], text["file"]
        assert entry["language"] == "en"
