"""`lendaria course …`: scaffold, check and build a course (CreatorOS)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from cli.common import (
    Format,
    OutputsOption,
    outputs_root,
    typer_app,
)

course_app = typer_app("Courses (CreatorOS): scaffold and check a course brief.")


@course_app.command("init")
def course_init(
    course: str = typer.Argument(..., help="The course slug (its folder under outputs/courses/)."),
    mind: Optional[str] = typer.Option(None, "--mind", "-m", help="The mind whose voice the lessons speak in (omit: neutral voice)."),
    title: Optional[str] = typer.Option(None, "--title", help="The course title (default: from the slug, or the materials)."),
    from_sources: bool = typer.Option(False, "--from-sources", help="Extract the brief from legacy materials in courses/<course>/sources/ (brownfield)."),
    outputs: Optional[Path] = OutputsOption,
) -> None:
    """Scaffold outputs/courses/<course>/COURSE-BRIEF.md for you to fill in, or extract it from legacy
    materials (--from-sources); never overwrites one."""
    from lendaria.catalog import Catalog, check_slug
    from stages.creatoros.run import init_brief

    path = init_brief(Catalog(outputs_root(outputs)), check_slug(course), check_slug(mind) if mind else None, title, from_sources)
    typer.echo(f"wrote {path}: fill in its sections, then `lendaria course check {course}`")


@course_app.command("check")
def course_check(
    course: str = typer.Argument(..., help="The course slug."),
    format: Format = typer.Option(Format.text, "--format", "-f", metavar="text|json"),
    outputs: Optional[Path] = OutputsOption,
) -> None:
    """How complete the course brief is; exit 1 below 70%, with the sections still missing and what to add
    (in the brief's language)."""
    from lendaria.catalog import Catalog, check_slug
    from stages.creatoros.run import check_brief

    report = check_brief(Catalog(outputs_root(outputs)), check_slug(course))
    if format is Format.json:
        typer.echo(json.dumps(report.as_dict(), indent=2))
    else:
        typer.echo(report.summary(course))  # in the brief's language, with what to add for each missing section
        for line in report.to_add():
            typer.echo(f"  {line}")
    raise typer.Exit(0 if report.passed else 1)


@course_app.command("build")
def course_build(
    course: str = typer.Argument(..., help="The course slug (its brief must be at least 70% complete)."),
    outputs: Optional[Path] = OutputsOption,
) -> None:
    """Build a course from its brief and its mind's MMOS outputs: research, curriculum, lessons, fidelity."""
    from lendaria.catalog import check_slug
    from lendaria.settings import get_settings
    from stages.creatoros.run import build_course

    typer.echo(build_course(check_slug(course), outputs_root(outputs), get_settings()).summary())
