"""`lendaria profile …`: a mind's profile versions in the database."""

from __future__ import annotations

import json
from typing import Optional

import typer

from cli.common import (
    Format,
    direct_connection,
    typer_app,
)

profile_app = typer_app("A mind's profile versions in the database (voice profile, analysis layers).")


@profile_app.command("history")
def profile_history(
    slug: str = typer.Argument(..., help="The mind."),
    layer: Optional[str] = typer.Option(None, "--layer", "-l", metavar="KIND", help="One profile kind: voice or a layer name."),
    format: Format = typer.Option(Format.text, "--format", "-f", metavar="text|json"),
) -> None:
    """Every version of the mind's profiles: when, by which run, and what changed."""
    from lendaria.catalog import check_slug
    from lendaria.db import profiles

    with direct_connection() as conn:
        rows = profiles.history(conn, check_slug(slug), layer)
    if format is Format.json:
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for line in profiles.render_history(rows) or [f"{slug} has no profile versions yet."]:
        typer.echo(line)


@profile_app.command("diff")
def profile_diff(
    slug: str = typer.Argument(..., help="The mind."),
    layer: str = typer.Option(..., "--layer", "-l", metavar="KIND", help="The profile kind: voice or a layer name."),
    old: Optional[int] = typer.Option(None, "--from", min=0, help="Older version (default: the one before --to)."),
    new: Optional[int] = typer.Option(None, "--to", min=1, help="Newer version (default: the latest)."),
    format: Format = typer.Option(Format.text, "--format", "-f", metavar="text|json"),
) -> None:
    """What changed between two versions of a profile: claims added, removed, changed; fields."""
    from lendaria.catalog import check_slug
    from lendaria.db import profiles

    with direct_connection() as conn:
        report = profiles.compare(conn, check_slug(slug), layer, old, new)
    if format is Format.json:
        typer.echo(json.dumps(report, indent=2, ensure_ascii=False))
        return
    for line in profiles.render_comparison(report):
        typer.echo(line)
