"""Course research (``research/<kind>.md``, contract creatoros-research), offline from the brief and
the mind's knowledge base (pure functions).

* ``coverage``: for each outcome of the brief, how well the mind's own material covers it: the
  relevance (TF-IDF cosine) of its best knowledge-base passages, banded well / thinly / not at all,
  with the passages cited. Thin and missing outcomes are the course's content gaps.
* ``market``: what the inputs say about the audience, format and differentiation, quoted from the
  brief. No figure appears unless an input contains it: offline there is no market data, and the file
  says so instead of inventing any.
"""

from __future__ import annotations

from typing import Any

CONTRACT = "creatoros-research"
WELL, THIN = 0.20, 0.08  # best-passage relevance bands


def band(score: float) -> str:
    return "well" if score >= WELL else "thinly" if score >= THIN else "not at all"


def coverage(brief: Any, index: Any | None) -> list[dict[str, Any]]:
    rows = []
    for outcome in brief.outcomes:
        found = index.passages(outcome, 3) if index is not None else []
        best = found[0]["score"] if found else 0.0
        rows.append({"outcome": outcome, "best": best, "band": band(best), "passages": found})
    return rows


def documents(brief: Any, index: Any | None, mind_name: str) -> dict[str, str]:
    """The research files' bodies, by kind."""
    rows = coverage(brief, index)
    lines = [f"# Coverage: {brief.title}\n"]
    if index is None:
        lines.append("No mind's knowledge base was available, so no outcome can be checked against source material; "
                     "every outcome is a gap until a mind (MMOS) is built for the course.\n")
    else:
        lines.append(f"How well {mind_name}'s own material (the knowledge base, build set only) covers each outcome. "
                     f"Relevance is the TF-IDF cosine similarity of the best passage: well ≥ {WELL}, thinly ≥ {THIN}, "
                     "otherwise not at all.\n")
    lines.append("## Outcomes\n")
    for row in rows:
        lines.append(f"- **{row['outcome']}**: covered {row['band']} (best relevance {row['best']:.2f})")
        lines += [f"  - [{p['source_id']}@{p['start']}:{p['end']}] relevance {p['score']:.2f}" for p in row["passages"]]
    gaps = [row["outcome"] for row in rows if row["band"] != "well"]
    lines += ["", "## Content gaps\n"]
    lines += [f"- {g}" for g in gaps] or ["- none: every outcome is covered well by the material"]
    lines.append("")
    market = [f"# Market and differentiation: {brief.title}\n",
              "Offline there is no market data: this file states only what the inputs say. No number appears here "
              "unless the brief contains it.\n",
              "## Audience\n", brief.sections.get("Audience", "") + "\n",
              "## Format\n", brief.sections.get("Format", "") + "\n",
              "## Differentiation\n",
              (f"The course speaks in {mind_name}'s voice and draws on their own material; "
               f"{sum(row['band'] == 'well' for row in rows)} of {len(rows)} outcomes are well covered by it."
               if index is not None else "No mind: the course is in a neutral voice.") + "\n"]
    return {"coverage": "\n".join(lines), "market": "\n".join(market)}
