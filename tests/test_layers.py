"""The layers point one way: the command line (``cli/``) over the flows (``flows/``) over the packs
(``stages/``) over the shared package (``lendaria/``). Checked on every import statement of the source,
top-level or inside a function."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

ABOVE = {
    "lendaria": {"cli", "flows", "stages"},
    "stages": {"cli", "flows"},
    "flows": {"cli"},
}


def imported_packages(path: Path) -> set[str]:
    """The top-level package of every module ``path`` imports."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("layer", sorted(ABOVE))
def test_no_layer_imports_a_layer_above_it(layer):
    modules = sorted((REPO_ROOT / layer).rglob("*.py"))
    assert modules, layer
    offending = {str(path.relative_to(REPO_ROOT)): sorted(imported_packages(path) & ABOVE[layer]) for path in modules}
    assert {path: names for path, names in offending.items() if names} == {}


def test_the_check_sees_imports_inside_functions(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from flows.pipeline import pipeline\n    import cli.run\n", encoding="utf-8")
    assert imported_packages(module) == {"flows", "cli"}


def test_the_command_line_is_its_own_package_and_the_console_script_points_at_it():
    import tomllib

    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["scripts"]["lendaria"] == "cli:console"
    assert not (REPO_ROOT / "lendaria" / "cli.py").exists()
