"""A mind's voice: `fidelity` scores texts against it, `attribute` ranks the minds for texts, `ask` answers
from its own words."""

from __future__ import annotations

import json
from pathlib import Path
from typing import List, Optional

import typer

from cli.common import (
    Format,
    OutputsOption,
    app,
    listed,
    outputs_root,
)
from lendaria.errors import InputError


@app.command()
def fidelity(
    slug: str = typer.Argument(..., help="The mind (its MMOS outputs must exist)."),
    files: List[Path] = typer.Argument(..., metavar="FILE...", help="Text files to score (UTF-8 text or Markdown)."),
    format: Format = typer.Option(Format.text, "--format", "-f", metavar="text|json", help="text or json."),
    outputs: Optional[Path] = OutputsOption,
) -> None:
    """Score how much each file reads like the mind: 0-100, pass/fail, words, confidence, method."""
    from lendaria.catalog import check_slug
    from lendaria.documents import read_text_file
    from lendaria.packs import service

    check_slug(slug)
    texts = [read_text_file(path) for path in files]  # a missing or binary file: InputError naming it, nothing scored
    results = service("fidelity")(outputs_root(outputs), slug, texts)
    if format is Format.json:
        echo_per_file(files, results)
        return
    for path, result in zip(files, results):
        typer.echo(f"{path}: {describe_score(result)}")


def echo_per_file(files: List[Path], results: list[dict]) -> None:
    """The results as one JSON list, each with the file it is for."""
    typer.echo(json.dumps([{"file": str(path), **result} for path, result in zip(files, results)], indent=2, ensure_ascii=False))


def describe_score(result: dict) -> str:
    """One fidelity result as text: the score, pass or fail, words and confidence; or why there is none."""
    if result["status"] != "scored":
        return f"{result['status']} ({result['words']:,} words; {result.get('note', '')})"
    verdict = "pass" if result["passed"] else "fail"
    return (f"{result['score']:.1f} ({verdict}; {result['words']:,} words, confidence {result['confidence']:.2f}, "
            f"distance {result['distance']:+.2f} to the boundary against its impostors)")


def _mind_list(values: Optional[List[str]]) -> Optional[List[str]]:
    from lendaria.catalog import check_slug

    try:
        return [check_slug(v) for v in listed(values)] or None
    except InputError as exc:
        raise typer.BadParameter(exc.render()) from None


@app.command()
def attribute(
    files: List[Path] = typer.Argument(..., metavar="FILE...", help="Text files to attribute (UTF-8 text or Markdown)."),
    minds: Optional[List[str]] = typer.Option(None, "--minds", "--mind", "-m", callback=_mind_list, metavar="SLUG",
                                              help="The candidate minds: --minds a,b or --mind a --mind b (default: every mind "
                                                   "with MMOS outputs)."),
    format: Format = typer.Option(Format.text, "--format", "-f", metavar="text|json", help="text or json."),
    outputs: Optional[Path] = OutputsOption,
) -> None:
    """Which mind wrote each file: the minds ranked by voice-fidelity score (one scale for all: the same
    impostor policy and calibration), the margin between the first two, and the method. Exit 0 when
    every file was scored, 1 on bad input."""
    from lendaria.documents import read_text_file
    from lendaria.packs import service

    texts = [read_text_file(path) for path in files]  # a missing or binary file: InputError naming it, nothing scored
    results = service("attribute")(outputs_root(outputs), texts, minds)
    if format is Format.json:
        echo_per_file(files, results)
        return
    for path, result in zip(files, results):
        margin = f", margin {result['margin']:.1f} over the next" if result["margin"] is not None else ""
        top = result["ranking"][0] if result["attribution"] else None
        doubt = "" if top is None or top["passed"] else " (below the pass threshold: maybe none of these minds)"
        typer.echo(f"{path}: {result['attribution'] or 'no mind could score it'}{margin}{doubt}")
        for rank, row in enumerate(result["ranking"], start=1):
            typer.echo(f"  {rank}. {row['mind']}: {describe_score(row)}")
    if results:
        typer.echo(f"method: {results[0]['method']}")


@app.command()
def ask(
    slug: str = typer.Argument(..., help="The mind (its MMOS outputs must exist)."),
    question: str = typer.Argument(..., help="What to ask."),
    top: int = typer.Option(3, "--top", min=1, max=20, help="How many passages."),
    format: Format = typer.Option(Format.text, "--format", "-f", metavar="text|json", help="text or json."),
    outputs: Optional[Path] = OutputsOption,
) -> None:
    """The passages of the mind's own words most relevant to a question, verbatim, with citations; with
    the Anthropic engine (LENDARIA_ENGINE), also an answer in the mind's voice citing them, and its
    voice-fidelity score."""
    from lendaria.catalog import check_slug
    from lendaria.settings import get_settings
    from stages.mmos.run import answer

    check_slug(slug)
    result = answer(outputs_root(outputs), slug, question, top, get_settings())
    if format is Format.json:
        typer.echo(json.dumps(result, indent=2, ensure_ascii=False))
        return
    if "answer" in result:
        score = result["fidelity"]
        typer.echo(result["answer"].strip() + "\n")
        cited = ", ".join(f"[{c['passage']}] {c['source_id']}@{c['start']}:{c['end']}" for c in result["cited"]) or "none"
        typer.echo(f"({result['engine']}; cites {cited}; voice fidelity {describe_score(score)})\n")
    if not result["passages"]:
        typer.echo("No passage of this mind shares a word with the question.")
    for number, passage in enumerate(result["passages"], start=1):
        typer.echo(f"[{number}] {passage['source_id']}@{passage['start']}:{passage['end']} (relevance {passage['score']:.2f})")
        typer.echo(passage["text"].strip() + "\n")
