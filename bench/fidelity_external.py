"""Voice fidelity on writers the reference pool has never seen, through the product path (prints a table, writes JSON).

``bench/fidelity.py`` measures the method on the pool's own writers, each taken out in turn. This
benchmark asks the user's question on writers that are in no part of the project: for each case a
fresh outputs root gets one mind per candidate (ETL, then the MMOS stage, exactly as `lendaria run`
builds them), and texts are attributed with the ``attribute`` service (what `lendaria attribute`
calls). Side by side, in the same run, the plain baseline of ``bench/fidelity.py``: a z-scored cosine
Delta over the pool's 300 most frequent words, text against each candidate's material, nearest wins.

Cases (chosen by the rules below, not by hand; no parameter of the method was chosen on them):

* **federalist**: two authors of political essays of the same months, the issue's case. Minds of
  Hamilton (his 51 undisputed papers) and Madison (his 14 undisputed papers: 10, 14, 37-48); the 12
  disputed papers (49-58, 62, 63), Madison's by the modern consensus, are attributed between them.
* **presidents (en)**: every U.S. president of the Miller Center collection who is not in the pool and
  has at least ``MIN_WORDS`` words of speeches (transcripts with reporters' questions, debates and
  press conferences left out, as the pool does), in office order, paired with the next one (disjoint
  pairs): a mind from the first four fifths of each one's speeches, 2,000-word excerpts of the last
  fifth (later speeches) attributed between the two.
* **novelists (pt)**: every author of the ELTeC Portuguese collection who is not in the pool, with
  their first novel (by file name) of at least ``MIN_WORDS`` words, in file-name order, paired the
  same way and split the same way.

The texts are read from fetched snapshots of public repositories (``--mirror``, default
``$LENDARIA_MIRROR`` or ``/work/.mirror``; fetch ``github:<owner>/<name>`` with the search tool's
fetch, or ``git clone --bare`` into ``<mirror>/<owner>+<name>/repo``) at the commits below, and never
enter the repository. Usage: python bench/fidelity_external.py [--mirror PATH] [--out PATH] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "stages" / "mmos" / "_build"))

import pool_texts  # noqa: E402
from stages.mmos.pool import load_pool  # noqa: E402
from stages.mmos.space import CHUNK_WORDS, Tally  # noqa: E402

MIN_WORDS = 30_000
BUILD_SHARE = 0.8
BASELINE_WORDS = 300
PRESIDENTS = ("mattdean1/nlp-president-speeches", "f0272e89de3563b18d4fc8bfe6a5749b818d316d", "etl/data/president-speeches")
ELTEC = ("COST-ELTeC/ELTeC-por", "8886868916311001a8a8dd99aa6f18f6a2c68408")
FEDERALIST = ("mizzmo/authorship_of_the_federalist_papers", "19642f344c63ec92b545e30bc3ed78249f15c7c3",
              "resources/the_federalist_papers.txt")
# Office order of the collection's folders (Cleveland's two terms as one).
OFFICE_ORDER = ("washington", "adams", "jefferson", "madison", "monroe", "jqadams", "jackson", "vanburen", "harrison", "tyler",
                "polk", "taylor", "fillmore", "pierce", "buchanan", "lincoln", "johnson", "grant", "hayes", "garfield", "arthur",
                "cleveland", "bharrison", "mckinley", "roosevelt", "taft", "wilson", "harding", "coolidge", "hoover", "fdroosevelt",
                "truman", "eisenhower", "kennedy", "lbjohnson", "nixon", "ford", "carter", "reagan", "bush", "clinton", "gwbush", "obama")
HAMILTON = (1, 6, 7, 8, 9, 11, 12, 13, 15, 16, 17, *range(21, 37), 59, 60, 61, *range(65, 86))
MADISON = (10, 14, *range(37, 49))
DISPUTED = (*range(49, 59), 62, 63)
_QUESTIONS = re.compile(r"\bQ[.:]\s|QUESTION:|\bMODERATOR\b|\bDEBATE\b|press conference|news conference", re.I)
_PAPER = re.compile(r"^FEDERALIST No\. (\d+)\s*$", re.M)
_BYLINE = re.compile(r"^(?:HAMILTON|MADISON|JAY|HAMILTON OR MADISON|HAMILTON AND MADISON|MADISON, with HAMILTON)\s*$", re.M)


@dataclass
class Candidate:
    slug: str
    material: str  # what the mind is built from


@dataclass
class Case:
    name: str
    language: str
    candidates: list[Candidate]
    tests: list[tuple[str, str]] = field(default_factory=list)  # (text, the candidate who wrote it)


class Sources:
    """Files of the fetched snapshots, read at a fixed commit."""

    def __init__(self, mirror: Path):
        self.mirror = mirror

    def folder(self, repository: str) -> Path:
        try:
            return pool_texts.git_dir(repository, self.mirror)
        except FileNotFoundError:
            sys.exit(f"no snapshot of {repository} under {self.mirror}: fetch github:{repository} (the search tool's fetch) "
                     f"or `git clone --bare https://github.com/{repository} {self.mirror}/{repository.replace('/', '+')}/repo`, "
                     "or pass --mirror")

    def read(self, repository: str, commit: str, path: str) -> str:
        return pool_texts.read_blob(self.folder(repository), commit, path)

    def listing(self, repository: str, commit: str, path: str) -> list[str]:
        import subprocess

        out = subprocess.run(["git", "--git-dir", str(self.folder(repository)), "ls-tree", "--name-only", f"{commit}:{path}"],
                             check=True, capture_output=True, text=True).stdout
        return sorted(out.split())


def split_material(text: str) -> tuple[str, list[str]]:
    """The first four fifths of a text (whole paragraphs) and 2,000-word excerpts of the rest."""
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    total, seen, build, rest = sum(len(p.split()) for p in paragraphs), 0, [], []
    for paragraph in paragraphs:
        (build if seen < BUILD_SHARE * total else rest).append(paragraph)
        seen += len(paragraph.split())
    words = " ".join(rest).split()
    return "\n\n".join(build), [" ".join(words[i:i + CHUNK_WORDS]) for i in range(0, len(words) - CHUNK_WORDS + 1, CHUNK_WORDS)]


def paired(writers: list[tuple[str, str]], language: str, kind: str) -> list[Case]:
    """Disjoint consecutive pairs of (slug, text), each split into a mind's material and later excerpts."""
    cases = []
    for (a, text_a), (b, text_b) in zip(writers[0::2], writers[1::2]):
        case = Case(f"{kind}: {a} / {b}", language, [])
        for slug, text in ((a, text_a), (b, text_b)):
            material, excerpts = split_material(text)
            case.candidates.append(Candidate(slug, material))
            case.tests += [(excerpt, slug) for excerpt in excerpts]
        cases.append(case)
    return cases


def pooled_paths() -> set[str]:
    return {p for entry in pool_texts.load_sources(REPO / "stages/mmos/_build/pool-sources.yaml") for work in entry["works"]
            for p in (work.get("paths") or [work["path"]])}


def president_cases(sources: Sources) -> list[Case]:
    repository, commit, root = PRESIDENTS
    in_pool = {p.split("/")[-2] for p in pooled_paths() if p.startswith(root)}
    writers = []
    for folder in OFFICE_ORDER:
        if folder in in_pool:
            continue
        texts = [sources.read(repository, commit, f"{root}/{folder}/{name}") for name in sources.listing(repository, commit, f"{root}/{folder}")]
        text = "\n\n".join(pool_texts.clean(t) for t in texts if not _QUESTIONS.search(t))
        if len(text.split()) >= MIN_WORDS:
            writers.append((folder, text))
    return paired(writers, "en", "presidents")


def novelist_cases(sources: Sources) -> list[Case]:
    repository, commit = ELTEC
    rows = [line.split("\t") for line in sources.read(repository, commit, "ELTeC-por_metadata.tsv").splitlines()]
    column = {name: i for i, name in enumerate(rows[0])}
    pooled = pooled_paths()
    pooled_authors = {r[column["author-name"]] for r in rows[1:] if f"level1/{r[column['filename']]}.xml" in pooled}
    first: dict[str, str] = {}
    for row in sorted(rows[1:], key=lambda r: r[column["filename"]]):
        author, words = row[column["author-name"]], int(row[column["numwords"]] or 0)
        if author not in pooled_authors and author not in first and words >= MIN_WORDS:
            first[author] = row[column["filename"]]
    writers = []
    for author, filename in sorted(first.items(), key=lambda kv: kv[1]):
        text = pool_texts.clean(sources.read(repository, commit, f"level1/{filename}.xml"))
        slug = re.sub(r"[^a-z0-9]+", "-", filename.lower()).strip("-")[:40]
        writers.append((slug, text))
    return paired(writers, "pt", "novelists")


def federalist_case(sources: Sources) -> Case:
    text = sources.read(*FEDERALIST).replace("\r\n", "\n")
    parts = _PAPER.split(text)
    papers: dict[int, str] = {}
    for number, body in zip(parts[1::2], parts[2::2]):
        byline = _BYLINE.search(body)
        papers.setdefault(int(number), pool_texts.normalise(body[byline.end():] if byline else body))
    case = Case("federalist: hamilton / madison (12 disputed papers)", "en",
                [Candidate("hamilton", "\n\n".join(papers[n] for n in HAMILTON)), Candidate("madison", "\n\n".join(papers[n] for n in MADISON))])
    case.tests = [(papers[n], "madison") for n in DISPUTED]
    return case


def build_minds(case: Case, folder: Path) -> Path:
    """One mind per candidate in a fresh outputs root, as `lendaria run` builds it (ETL, then MMOS)."""
    from lendaria.settings import Settings
    from lendaria.yamlio import dump_yaml
    from stages.etl.run import run_etl
    from stages.mmos.run import run_mmos

    outputs, settings = folder / "outputs", Settings(home=folder / "home")
    for candidate in case.candidates:
        source = folder / f"{candidate.slug}.txt"
        source.write_text(candidate.material + "\n", encoding="utf-8")
        spec = folder / f"{candidate.slug}.yaml"
        spec.write_text(dump_yaml({"slug": candidate.slug, "name": candidate.slug, "language": case.language,
                                   "sources": [{"path": str(source), "type": "article"}]}), encoding="utf-8")
        run_etl(spec, outputs, settings)
        run_mmos(candidate.slug, outputs, settings)
    return outputs


def baseline(case: Case) -> list[str]:
    """The nearest candidate of each test text by plain cosine Delta over the pool's 300 most frequent words."""
    space = load_pool().get(case.language).space(words=BASELINE_WORDS, ngrams=0, function_words=False)
    minds = {c.slug: space.z(space.doc_of(Tally.of(c.material))) for c in case.candidates}
    picks = []
    for text, _ in case.tests:
        z = space.z(space.doc_of(Tally.of(text)))
        picks.append(max(minds, key=lambda slug: float(z @ minds[slug]) / float(np.linalg.norm(z) * np.linalg.norm(minds[slug]))))
    return picks


def run_case(case: Case) -> dict:
    from stages.mmos.run import attribute_texts

    with tempfile.TemporaryDirectory() as tmp:
        outputs = build_minds(case, Path(tmp))
        results = attribute_texts(outputs, [text for text, _ in case.tests], [c.slug for c in case.candidates])
    picks = baseline(case)
    truth = [author for _, author in case.tests]
    return {"case": case.name, "language": case.language, "minds": {c.slug: len(c.material.split()) for c in case.candidates},
            "passages": len(truth), "lendaria": sum(r["attribution"] == t for r, t in zip(results, truth)),
            "baseline": sum(p == t for p, t in zip(picks, truth)),
            "wrong": [{"author": t, "attributed": r["attribution"], "margin": r["margin"]} for r, t in zip(results, truth) if r["attribution"] != t]}


def summarise(lines: list[dict]) -> dict:
    summary = {}
    for key, chosen in (("federalist", [line for line in lines if line["case"].startswith("federalist")]),
                        ("en pairs", [line for line in lines if line["case"].startswith("presidents")]),
                        ("pt pairs", [line for line in lines if line["case"].startswith("novelists")])):
        passages = sum(line["passages"] for line in chosen)
        summary[key] = {"cases": len(chosen), "passages": passages,
                        **{who: round(sum(line[who] for line in chosen) / passages, 4) if passages else None for who in ("lendaria", "baseline")},
                        "lendaria_right": sum(line["lendaria"] for line in chosen), "baseline_right": sum(line["baseline"] for line in chosen)}
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mirror", type=Path, default=Path(os.environ.get("LENDARIA_MIRROR", "/work/.mirror")))
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "fidelity-external.json")
    parser.add_argument("--quick", action="store_true", help="The Federalist case and the first pair of each language.")
    args = parser.parse_args()
    sources = Sources(args.mirror)
    started = time.perf_counter()
    presidents, novelists = president_cases(sources), novelist_cases(sources)
    cases = [federalist_case(sources), *(presidents[:1] if args.quick else presidents), *(novelists[:1] if args.quick else novelists)]
    lines = []
    for case in cases:
        lines.append(run_case(case))
        line = lines[-1]
        print(f"{line['case'][:60]:<60} {line['lendaria']:>3}/{line['passages']:<3} baseline {line['baseline']:>3}/{line['passages']:<3}", flush=True)
    report = {"benchmark": "fidelity-external", "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
              "rules": {"min_words": MIN_WORDS, "build_share": BUILD_SHARE, "excerpt_words": CHUNK_WORDS},
              "sources": {"presidents": PRESIDENTS[:2], "eltec": ELTEC, "federalist": FEDERALIST[:2]},
              "baseline": f"z-scored cosine Delta over the pool's {BASELINE_WORDS} most frequent words, nearest candidate",
              "targets": {"federalist": 11, "pairs": 0.9},
              "cases": lines, "summary": summarise(lines), "seconds": round(time.perf_counter() - started, 1)}
    summary = report["summary"]
    report["meets"] = {"federalist": summary["federalist"]["lendaria_right"] >= 11,
                       **{key: (summary[key]["lendaria"] or 0) >= 0.9 for key in ("en pairs", "pt pairs")},
                       "baseline_never_better": all(line["lendaria"] >= line["baseline"] for line in lines)}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print()
    for key, line in summary.items():
        print(f"{key:<12} {line['cases']:>2} case(s) {line['passages']:>4} texts: Lendária {line['lendaria_right']:>4} "
              f"({(line['lendaria'] or 0):.1%})  baseline {line['baseline_right']:>4} ({(line['baseline'] or 0):.1%})")
    print(f"meets: {report['meets']}  ({report['seconds']} s)")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
