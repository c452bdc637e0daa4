"""Rebuild stages/innerlens/data/reference-rates.json: derived statistics (per-feature mean and sd over
5,000-word chunks, and each trait's raw sd) of a reference corpus. Only these numbers are committed,
never the texts.

Usage: python stages/innerlens/_build/make_reference.py [--corpus ../shared/corpus]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO))

from stages.innerlens.bigfive import REFERENCE_FILE, reference_statistics  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", default=str(REPO.parent / "shared" / "corpus"))
    args = parser.parse_args()
    files = sorted(Path(args.corpus).glob("*/*.txt"))
    if not files:
        sys.exit(f"no .txt files under {args.corpus}")
    reference = reference_statistics((p.read_text(encoding="utf-8") for p in files),
                                     source=f"{len(files)} public-domain works by {len({p.parent.name for p in files})} "
                                            "authors (Lendária's shared test corpus); derived statistics only")
    REFERENCE_FILE.parent.mkdir(parents=True, exist_ok=True)
    REFERENCE_FILE.write_text(json.dumps(reference, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {REFERENCE_FILE} ({reference['chunks']} chunks)")


if __name__ == "__main__":
    main()
