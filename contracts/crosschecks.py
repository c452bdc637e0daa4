"""Checks across files that one JSON Schema cannot express, run when validating files on disk.

``etl-mmos-metadata``: every collected or kept entry names a source file that exists beside
metadata.yaml and agrees with it (source_id, sha256, words).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from lendaria.documents import parse_markdown
from lendaria.errors import InputError


def check_sources_metadata(path: Path, data: dict[str, Any], ref: str, display: str) -> list[tuple[str, str]]:
    """(pointer, message) for each disagreement between metadata.yaml and the files beside it."""
    problems = []
    for index, entry in enumerate(data.get("sources") or []):
        if not isinstance(entry, dict) or entry.get("status") not in ("collected", "kept"):
            continue
        pointer = f"/sources/{index}"
        file = path.parent / str(entry.get("file", ""))
        if not file.is_file():
            problems.append((f"{pointer}/file", f"{entry.get('file')!r} does not exist beside metadata.yaml"))
            continue
        try:
            front = parse_markdown(file.read_text(encoding="utf-8")).front_matter
        except (InputError, UnicodeDecodeError) as exc:
            problems.append((f"{pointer}/file", f"{entry.get('file')!r} is unreadable: {exc}"))
            continue
        for key in ("source_id", "sha256", "words"):
            if front.get(key) != entry.get(key):
                problems.append((f"{pointer}/{key}", f"{entry.get(key)!r} disagrees with {entry.get('file')} ({front.get(key)!r})"))
    return problems


CROSS_CHECKS: dict[str, Callable[[Path, dict[str, Any], str, str], list[tuple[str, str]]]] = {
    "etl-mmos-metadata": check_sources_metadata,
}
