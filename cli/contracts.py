"""Contracts: `validate` files, `contracts list` and `contracts check` (the compatibility checker)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import List, Optional

import typer

from cli.common import (
    Format,
    OutputsOption,
    app,
    outputs_root,
    typer_app,
)
from lendaria.errors import InputError

contracts_app = typer_app("List and compare contracts.")


@app.command()
def validate(
    paths: Optional[List[Path]] = typer.Argument(None, metavar="[PATH]...", help="Files or folders (default: the whole outputs root)."),
    format: Format = typer.Option(Format.text, "--format", "-f", metavar="text|json", help="text or json."),
    outputs: Optional[Path] = OutputsOption,
) -> None:
    """Validate contract files; exit 1 on any violation."""
    from contracts import get_registry

    root = outputs_root(outputs)
    targets = list(paths) if paths else [root]
    if not paths and not root.is_dir():
        raise InputError("outputs root does not exist.", file=root, hint="Run the pipeline first or pass --outputs.")
    result = get_registry().validate_paths(targets)
    if format is Format.json:
        typer.echo(json.dumps(result.as_dict(), indent=2, ensure_ascii=False))
    else:
        for violation in result.violations:
            typer.echo(violation.render())
        for path in result.unrecognised:
            typer.echo(f"{path}: not a contract file (no contract key, no matching location); skipped", err=True)
        typer.echo(f"{len(result.checked)} file(s) checked, {len(result.violations)} violation(s).")
    raise typer.Exit(0 if result.ok else 1)


@contracts_app.command("list")
def contracts_list(format: Format = typer.Option(Format.text, "--format", "-f", metavar="text|json")) -> None:
    """Every contract this installation knows, with status, provider → consumer and location."""
    from contracts import get_registry

    contracts = get_registry().all()
    if format is Format.json:
        typer.echo(json.dumps([{"contract": c.ref, "status": c.status, "provider": c.provider, "consumer": c.consumer,
                                "format": c.format, "location": c.location} for c in contracts], indent=2))
        return
    width = max(len(c.ref) for c in contracts)
    for c in contracts:
        typer.echo(f"{c.ref:<{width}}  {c.status:<12} {c.provider:>9} → {c.consumer:<10} {c.location or ''}")


def _load_schema_arg(value: str) -> tuple[dict, str | None, str]:
    """A schema from a contract ref (name@x.y.z), a descriptor YAML or a JSON Schema file."""
    from contracts import get_registry, parse_ref
    from lendaria.documents import read_text_file
    from lendaria.yamlio import load_yaml

    if "@" in value and not Path(value).exists():
        name, version = parse_ref(value)
        try:
            contract = get_registry().get(name, version)
        except KeyError as exc:
            raise InputError(str(exc).strip('"')) from None
        return contract.schema or {}, contract.version, contract.ref
    path = Path(value)
    data = load_yaml(read_text_file(path)) if path.suffix in (".yaml", ".yml") else json.loads(read_text_file(path))
    if isinstance(data, dict) and isinstance(data.get("contract"), dict):  # a descriptor: load its schema beside it
        body = data["contract"]
        schema_file = (body.get("interface") or {}).get("schema")
        if not schema_file:
            raise InputError("descriptor has no interface.schema.", file=path)
        return json.loads(read_text_file(path.parent / schema_file)), str(body.get("version")), f"{body.get('name')}@{body.get('version')}"
    if not isinstance(data, dict):
        raise InputError("is not a JSON Schema object.", file=path)
    return data, None, str(path)


@contracts_app.command("check")
def contracts_check(
    old: str = typer.Argument(..., metavar="OLD", help="Old version: name@x.y.z, a descriptor .yaml or a schema .json."),
    new: str = typer.Argument(..., metavar="NEW", help="New version, same forms."),
    format: Format = typer.Option(Format.text, "--format", "-f", metavar="text|json"),
) -> None:
    """Classify the change OLD → NEW (breaking / minor / patch) and check the version bump.
    Exit 1 when the change is breaking without a MAJOR bump (or breaking, when versions are unknown)."""
    from contracts.compat import check_bump, compare_schemas

    old_schema, old_version, old_label = _load_schema_arg(old)
    new_schema, new_version, new_label = _load_schema_arg(new)
    report = compare_schemas(old_schema, new_schema)
    problem = None
    if old_version and new_version:
        problem = check_bump(old_version, new_version, report.level)
    elif report.level == "breaking":
        problem = "breaking change (versions unknown: compare descriptors or name@version refs to check the bump)"
    if format is Format.json:
        typer.echo(json.dumps({**report.as_dict(), "old": old_label, "new": new_label, "bump_problem": problem}, indent=2))
    else:
        typer.echo(f"{old_label} → {new_label}: {report.level}")
        for change in report.changes:
            typer.echo(f"  {change.render()}")
        if problem:
            typer.secho(f"refused: {problem}", fg=typer.colors.RED, err=True)
    raise typer.Exit(1 if problem else 0)
