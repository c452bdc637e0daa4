"""HTML main-content extraction: Lendária's ``extract_document(…, "html")`` against plain trafilatura.

Scores both on trafilatura's own evaluation set (repository adbar/trafilatura, ``tests/evaldata.json``
plus the pages under ``tests/eval/`` and ``tests/cache/``): for every page, annotators listed
snippets that belong to the main text ("with") and snippets that must not appear ("without").

Per extractor, in one run on the same pages:
  * ``with_recall``       - share of "with" snippets found in the output,
  * ``without_kept_out``  - share of "without" snippets absent from the output,
  * ``precision`` / ``f1`` - over snippets, as trafilatura's own evaluation counts them
                             (tp = with found, fp = without found, fn = with missed),
  * ``empty`` / ``raised`` - pages with no words / an exception; ``empty_where_other_has_text``,
  * ``pages_per_s``.
Then the ratio ``lendaria.f1 / trafilatura.f1`` (target >= 1.0) and the pages where Lendária comes out
empty or raises while trafilatura finds text (target: none).

Plain trafilatura runs as ``trafilatura.extract(page_bytes, favor_recall=True, include_comments=False,
include_tables=True)``; Lendária runs its whole product path (bytes -> charset -> cleaning -> extraction).
Snippets are matched after whitespace and NFC normalisation; Markdown heading marks (``## ``) are removed from
Lendária's output first (trafilatura's plain-text output has none; list marks are the same in both).

The data is fetched, never committed:
    git clone --depth 1 https://github.com/adbar/trafilatura /tmp/trafilatura
    python bench/html_extraction.py --evaldata /tmp/trafilatura/tests
(or set LENDARIA_HTML_EVALDATA). Writes bench/results/html_extraction.json.

Usage: python bench/html_extraction.py [--evaldata DIR] [--limit N] [--show N]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sys
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from stages.etl.extract import extract_document  # noqa: E402

_SPACE = re.compile(r"\s+")
_MARKDOWN_HEADING_MARK = re.compile(r"^#{1,6} ", re.MULTILINE)


def norm(text: str) -> str:
    """Whitespace collapsed, Unicode NFC (canonically equivalent text compares equal)."""
    return unicodedata.normalize("NFC", _SPACE.sub(" ", text).strip())


def load_pages(folder: Path, limit: int | None) -> list[tuple[str, dict, bytes]]:
    index = folder / "evaldata.json"
    if not index.is_file():
        sys.exit(f"evaldata.json not found in {folder}.\n"
                 "Fetch it: git clone --depth 1 https://github.com/adbar/trafilatura /tmp/trafilatura\n"
                 "then pass --evaldata /tmp/trafilatura/tests (or set LENDARIA_HTML_EVALDATA).")
    annotations = json.loads(index.read_text(encoding="utf-8"))
    pages = []
    for url in sorted(annotations):
        item = annotations[url]
        path = next((folder / sub / item["file"] for sub in ("eval", "cache") if (folder / sub / item["file"]).is_file()), None)
        if path is None:
            sys.exit(f"{url}: page file {item['file']} not found under {folder}/eval or /cache")
        pages.append((url, item, path.read_bytes()))
    return pages[:limit] if limit else pages


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    empty: list[str] = field(default_factory=list)
    raised: dict[str, str] = field(default_factory=dict)
    words: dict[str, int] = field(default_factory=dict)
    per_page: dict[str, tuple[int, int]] = field(default_factory=dict)  # url -> (with found, without found)
    seconds: float = 0.0

    def add(self, url: str, item: dict, output: str | None) -> None:
        text = norm(output or "")
        found_with = sum(1 for snippet in item["with"] if norm(snippet) in text)
        found_without = sum(1 for snippet in item["without"] if norm(snippet) in text)
        self.tp += found_with
        self.fn += len(item["with"]) - found_with
        self.fp += found_without
        self.tn += len(item["without"]) - found_without
        self.words[url] = len(text.split())
        self.per_page[url] = (found_with, found_without)
        if output is not None and not text:
            self.empty.append(url)

    def f1(self) -> float:
        return 2 * self.tp / (2 * self.tp + self.fp + self.fn)

    def summary(self, pages: int) -> dict:
        with_total, without_total = self.tp + self.fn, self.fp + self.tn
        precision = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        return {
            "with_recall": round(self.tp / with_total, 4) if with_total else 0.0,
            "without_kept_out": round(self.tn / without_total, 4) if without_total else 0.0,
            "precision": round(precision, 4),
            "f1": round(self.f1(), 4),
            "empty": len(self.empty),
            "raised": len(self.raised),
            "seconds": round(self.seconds, 2),
            "pages_per_s": round(pages / self.seconds, 1) if self.seconds else None,
        }


def lendaria(data: bytes) -> str:
    text = extract_document(data, "html").text
    return _MARKDOWN_HEADING_MARK.sub("", text)


def plain_trafilatura(data: bytes) -> str | None:
    import trafilatura

    return trafilatura.extract(data, favor_recall=True, include_comments=False, include_tables=True)


def score(extractor: Callable[[bytes], str | None], pages: list[tuple[str, dict, bytes]]) -> Score:
    result = Score()
    started = time.perf_counter()
    for url, item, data in pages:
        try:
            output = extractor(data)
        except Exception as exc:  # noqa: BLE001 - a raise is scored as a full miss and reported
            result.raised[url] = f"{type(exc).__name__}: {exc}"[:200]
            output = None
        result.add(url, item, output if output is not None else ("" if url not in result.raised else None))
    result.seconds = time.perf_counter() - started
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--evaldata", default=os.environ.get("LENDARIA_HTML_EVALDATA"),
                        help="folder holding evaldata.json, eval/ and cache/ (trafilatura's tests/)")
    parser.add_argument("--limit", type=int, default=None, help="score only the first N pages (by URL)")
    parser.add_argument("--show", type=int, default=10, help="list up to N pages that lose to trafilatura")
    parser.add_argument("--output", default=str(REPO / "bench" / "results" / "html_extraction.json"))
    args = parser.parse_args()
    if not args.evaldata:
        sys.exit("give --evaldata DIR or set LENDARIA_HTML_EVALDATA (see this script's docstring)")
    import logging

    logging.disable(logging.WARNING)  # trafilatura's own heuristics notes; scoring reports what matters
    pages = load_pages(Path(args.evaldata), args.limit)
    plain_trafilatura(pages[0][2])  # import and warm up both before timing
    lendaria(pages[0][2])
    ours, theirs = score(lendaria, pages), score(plain_trafilatura, pages)
    lost = sorted(url for url, words in ours.words.items()
                  if (url in ours.raised or words == 0) and theirs.words.get(url, 0) > 0)
    report = {
        "benchmark": "html_extraction",
        "pages": len(pages),
        "python": platform.python_version(),
        "trafilatura": __import__("trafilatura").__version__,
        "lendaria": ours.summary(len(pages)),
        "trafilatura_plain": theirs.summary(len(pages)),
        "ratio_f1": round(ours.f1() / theirs.f1(), 4),
        "empty_or_raised_where_trafilatura_has_text": lost,
        "raised": ours.raised,
        "target": {"ratio_f1_at_least": 1.0, "empty_or_raised_where_trafilatura_has_text": 0},
    }
    report["meets_target"] = report["ratio_f1"] >= 1.0 and not lost
    print(f"{'':22}{'with recall':>12}{'kept out':>10}{'precision':>10}{'F1':>8}{'empty':>7}{'raised':>7}{'pages/s':>9}")
    for name in ("lendaria", "trafilatura_plain"):
        s = report[name]
        print(f"{name:22}{s['with_recall']:>12.3f}{s['without_kept_out']:>10.3f}{s['precision']:>10.3f}{s['f1']:>8.3f}"
              f"{s['empty']:>7}{s['raised']:>7}{s['pages_per_s']:>9}")
    print(f"F1 ratio lendaria/trafilatura: {report['ratio_f1']:.4f} (target >= 1.0)")
    print(f"empty or raised where trafilatura has text: {len(lost)} (target 0)")
    for url in lost[: args.show]:
        print(f"  {url}  {ours.raised.get(url, 'empty')}  (trafilatura: {theirs.words[url]} words)")
    worse = sorted((margin(theirs, url) - margin(ours, url), url) for url in ours.per_page)
    worse = [(loss, url) for loss, url in reversed(worse) if loss > 0]
    report["pages_worse_than_trafilatura"] = len(worse)
    report["pages_better_than_trafilatura"] = sum(1 for url in ours.per_page if margin(ours, url) > margin(theirs, url))
    print(f"pages where lendaria scores worse / better than trafilatura: "
          f"{report['pages_worse_than_trafilatura']} / {report['pages_better_than_trafilatura']}")
    for loss, url in worse[: args.show]:
        print(f"  -{loss}  {url}  lendaria {ours.per_page[url]} trafilatura {theirs.per_page[url]} (with, without found)")
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {args.output}")


def margin(score: Score, url: str) -> int:
    """A page's snippet score: required snippets found minus forbidden snippets let in."""
    found_with, found_without = score.per_page[url]
    return found_with - found_without


if __name__ == "__main__":
    main()
