"""The README is a front door and the reference lives in docs/, built by MkDocs: the build is strict (a
broken link, a missing anchor or a page left out of the nav fails it), the README stays short, its links
resolve, its commands are the ones CI runs, and its excerpt of the demo's outputs is a real one."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import yaml

from tests.conftest import REPO_ROOT

README = REPO_ROOT / "README.md"
DOCS = REPO_ROOT / "docs"
MAX_README_LINES = 300

FENCE = re.compile(r"^```.*?^```[ \t]*$", re.M | re.S)
INLINE_CODE = re.compile(r"`[^`\n]*`")
LINK = re.compile(r"\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")


def readme() -> str:
    return README.read_text(encoding="utf-8")


def test_docs_build_strictly(tmp_path):
    built = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
                           cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, f"mkdocs build --strict failed:\n{built.stdout}\n{built.stderr}"
    assert (tmp_path / "site" / "index.html").is_file()


def test_readme_is_a_front_door():
    lines = readme().count("\n")
    assert lines <= MAX_README_LINES, f"README.md has {lines} lines (at most {MAX_README_LINES}); move reference into docs/"


def test_readme_relative_links_point_at_files():
    prose = INLINE_CODE.sub("", FENCE.sub("", readme()))
    targets = [t for t in LINK.findall(prose) if not re.match(r"^[a-z][a-z0-9+.-]*:", t) and not t.startswith("#")]
    assert targets, "README.md links no docs page"
    missing = sorted({t for t in targets if not (REPO_ROOT / t.split("#")[0]).exists()})
    assert not missing, f"README.md links files that do not exist: {missing}"


def nav_pages(node) -> set[str]:
    if isinstance(node, str):
        return {node}
    if isinstance(node, list):
        return set().union(*(nav_pages(item) for item in node)) if node else set()
    if isinstance(node, dict):
        return set().union(*(nav_pages(value) for value in node.values())) if node else set()
    return set()


def test_every_docs_page_is_in_the_nav():
    config = yaml.safe_load((REPO_ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    assert config["docs_dir"] == "docs"
    listed = nav_pages(config["nav"])
    pages = {path.relative_to(DOCS).as_posix() for path in DOCS.rglob("*.md")}
    assert pages - listed == set(), f"pages missing from mkdocs.yml's nav: {sorted(pages - listed)}"
    assert listed - pages == set(), f"nav entries without a page: {sorted(listed - pages)}"


def test_readme_commands_are_the_ones_ci_and_the_stack_test_run():
    text = readme()
    assert "python -m pip install -e . && python -m lendaria run examples/iris-valente/mind.yaml" in text
    ci_command = (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()[-1]
    assert ci_command == 'python -m pip install -e ".[test]" && python -m pytest'
    assert ci_command in text


def test_readme_excerpt_is_copied_from_the_committed_outputs():
    excerpts = re.findall(r"<!-- excerpt: (\S+) -->\n```[a-z]*\n(.*?)^```", readme(), re.M | re.S)
    assert excerpts, "README.md shows no excerpt of the demo's outputs"
    for path, block in excerpts:
        source = (REPO_ROOT / path).read_text(encoding="utf-8")
        assert "\n" + block in "\n" + source, f"README's excerpt of {path} is not a run of whole lines of that file"
