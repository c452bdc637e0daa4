"""Moving a mind and reading what was written: `export`, `import` and `audit`."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from cli.common import (courses_option, 
    Format,
    OutputsOption,
    OutputsRootOnly,
    app,
    direct_connection,
    outputs_root,
    print_rows,
)


@app.command("export")
def export_bundle(
    slug: str = typer.Argument(..., help="The mind."),
    output: Path = typer.Option(..., "--output", "-o", metavar="FILE.zip", help="Where to write the bundle."),
    course: Optional[List[str]] = courses_option("Courses to include."),
    include_private: bool = typer.Option(False, "--include-private", help="Include PRIVATE, SENSITIVE and CLINICAL material."),
    outputs: Optional[Path] = OutputsRootOnly,
) -> None:
    """One zip with the mind's files and database rows, checksummed (non-public material withheld
    unless --include-private; the manifest lists what)."""
    from contracts import get_registry
    from lendaria import __version__
    from lendaria.bundle import export_mind

    registry = get_registry()
    with direct_connection("a mind is exported") as conn:
        manifest = export_mind(conn, outputs_root(outputs), slug, course or [], output, include_private=include_private,
                               lendaria_version=__version__, contracts={n: registry.latest(n).ref for n in registry.names()})
    withheld = manifest["withheld"]
    typer.echo(f"exported {slug} to {output}: {sum(1 for n in manifest['files'] if n.startswith('files/'))} files, "
               f"{sum(manifest['records'].values())} rows; schema {manifest['schema_version']}."
               + (f" Withheld (non-public): {len(withheld['sources'])} source(s), {len(withheld['files'])} file(s), "
                  f"{sum(withheld['lines'].values())} line(s), {sum(withheld['rows'].values())} row(s)." if withheld["sources"] else ""))


@app.command("import")
def import_bundle_command(
    bundle: Path = typer.Argument(..., metavar="FILE.zip", help="A bundle written by `lendaria export`."),
    replace: bool = typer.Option(False, "--replace", help="Overwrite a different existing mind of the same slug."),
    outputs: Optional[Path] = OutputsOption,
) -> None:
    """Verify a bundle (checksums, manifest, schema), apply pending migrations, then write its rows in
    one transaction through the pack roles and its files atomically."""
    from lendaria.bundle import import_bundle, read_bundle
    from lendaria.db.migrations import discover

    manifest, members = read_bundle(bundle)
    latest = max(m.version for m in discover())
    with direct_connection("a mind is imported", migrate=True) as conn:
        result = import_bundle(conn, outputs_root(outputs), manifest, members, replace=replace, latest_schema=latest)
    typer.echo(result.summary())


@app.command()
def audit(
    mind: Optional[str] = typer.Option(None, "--mind", "-m", metavar="SLUG", help="Only events of this mind."),
    limit: int = typer.Option(50, "--limit", "-n", min=1, max=10000, help="How many events (newest first)."),
    format: Format = typer.Option(Format.text, "--format", "-f", metavar="text|json"),
) -> None:
    """The audit trail: every write to Lendária's tables (who, what, how many rows, which run)."""
    from lendaria.db.audit import events, render_events

    with direct_connection("the audit trail is read") as conn:
        rows = events(conn, mind, limit)
    print_rows(rows, format, render_events, "no audit events yet.")
