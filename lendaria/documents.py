"""Reading and writing contract documents: YAML files and Markdown with YAML front matter.

A Markdown contract file looks like::

    ---
    contract: etl-mmos@1.0.0
    ...front matter...
    ---
    body text

Its *parsed form* (what JSON Schemas validate) is ``{"front_matter": {...}, "body": str,
"sections": [...], "section_bodies": {...}}`` where sections are the ``##`` headings of the body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from lendaria.errors import InputError
from lendaria.fileio import write_text_if_changed
from lendaria.yamlio import describe_yaml_error, dump_yaml, load_yaml

FRONT_MATTER_FENCE = "---\n"
_SECTION_RE = re.compile(r"^##[ \t]+(.+?)[ \t#]*$", re.MULTILINE)
_FENCED_CODE_RE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)


@dataclass
class MarkdownDocument:
    front_matter: dict[str, Any]
    body: str
    sections: list[str] = field(default_factory=list)
    section_bodies: dict[str, str] = field(default_factory=dict)

    def parsed_form(self) -> dict[str, Any]:
        return {
            "front_matter": self.front_matter,
            "body": self.body,
            "sections": self.sections,
            "section_bodies": self.section_bodies,
        }


def render_markdown(front_matter: dict[str, Any], body: str) -> str:
    """Serialise a Markdown contract document (front matter first, then the body)."""
    return f"{FRONT_MATTER_FENCE}{dump_yaml(front_matter)}{FRONT_MATTER_FENCE}{body}"


def split_sections(body: str) -> tuple[list[str], dict[str, str]]:
    """``##`` headings of ``body`` in order, and the text under each (fenced code ignored)."""
    masked = _FENCED_CODE_RE.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), body)
    matches = list(_SECTION_RE.finditer(masked))
    titles: list[str] = []
    bodies: dict[str, str] = {}
    for index, match in enumerate(matches):
        title = body[match.start(1) : match.end(1)].strip()
        end = matches[index + 1].start() if index + 1 < len(matches) else len(body)
        text = body[match.end() : end]
        next_h1 = re.search(r"^#[ \t]", text, re.MULTILINE)
        if next_h1:
            text = text[: next_h1.start()]
        titles.append(title)
        bodies[title] = text.strip()
    return titles, bodies


def parse_markdown(text: str, *, file: str | Path | None = None) -> MarkdownDocument:
    """Parse a Markdown contract document; raises :class:`InputError` on a missing/broken front matter."""
    if not text.startswith(FRONT_MATTER_FENCE):
        raise InputError("no YAML front matter (the file must start with a '---' line).", file=file)
    end = text.find("\n" + FRONT_MATTER_FENCE, len(FRONT_MATTER_FENCE) - 1)
    if end < 0:
        raise InputError("unterminated YAML front matter (no closing '---' line).", file=file)
    raw = text[len(FRONT_MATTER_FENCE) : end + 1]
    try:
        front_matter = load_yaml(raw) or {}
    except yaml.YAMLError as exc:
        raise InputError(f"front matter: {describe_yaml_error(exc)}", file=file) from None
    if not isinstance(front_matter, dict):
        raise InputError("front matter must be a YAML mapping.", file=file)
    body = text[end + 1 + len(FRONT_MATTER_FENCE) :]
    sections, section_bodies = split_sections(body)
    return MarkdownDocument(front_matter, body, sections, section_bodies)


def read_text_file(path: Path) -> str:
    """Read a UTF-8 contract file, raising :class:`InputError` (not a traceback) when impossible."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("file not found.", file=path) from None
    except UnicodeDecodeError as exc:
        raise InputError(f"not valid UTF-8 (byte {exc.start}).", file=path) from None
    except IsADirectoryError:
        raise InputError("is a folder, expected a file.", file=path) from None


def read_yaml_file(path: Path) -> Any:
    text = read_text_file(path)
    try:
        return load_yaml(text)
    except yaml.YAMLError as exc:
        raise InputError(describe_yaml_error(exc), file=path) from None


def write_yaml_file(path: Path, data: Any) -> bool:
    """Atomically write ``data`` as YAML unless unchanged. Returns True if the file changed."""
    return write_text_if_changed(path, dump_yaml(data))


def write_markdown_file(path: Path, front_matter: dict[str, Any], body: str) -> bool:
    return write_text_if_changed(path, render_markdown(front_matter, body))
