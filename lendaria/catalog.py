"""The one place that maps (mind, contract) to a path under the outputs root.

Steps never build paths themselves; they ask the catalog. Slugs are validated here, so an unsafe
slug (``../x``, ``/abs``, spaces, uppercase) can never reach the file system.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from lendaria.errors import InputError

SLUG_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$"
_SLUG_RE = re.compile(SLUG_PATTERN)
SOURCE_ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,80}$"
_SOURCE_ID_RE = re.compile(SOURCE_ID_PATTERN)


def check_slug(slug: object, *, file: str | Path | None = None) -> str:
    """Return ``slug`` if safe, else raise :class:`InputError` saying what a slug may contain."""
    if not isinstance(slug, str) or not _SLUG_RE.match(slug):
        raise InputError(
            f"unsafe or invalid slug {slug!r}.",
            file=file,
            hint="A slug is 1-64 characters of lowercase letters, digits and inner hyphens "
            "(e.g. 'iris-valente'); no paths, spaces or uppercase.",
        )
    return slug


def check_source_id(source_id: str) -> str:
    if not _SOURCE_ID_RE.match(source_id):
        raise ValueError(f"invalid source_id {source_id!r}")
    return source_id


@dataclass(frozen=True)
class Catalog:
    """Paths of every contract file under ``root`` (the outputs folder)."""

    root: Path

    def mind_dir(self, slug: str) -> Path:
        return self.root / "minds" / check_slug(slug)

    def mind_spec(self, slug: str) -> Path:
        return self.mind_dir(slug) / "mind.yaml"

    def sources_dir(self, slug: str) -> Path:
        return self.mind_dir(slug) / "sources"

    def source_file(self, slug: str, source_id: str) -> Path:
        return self.sources_dir(slug) / f"{check_source_id(source_id)}.md"

    def sources_metadata(self, slug: str) -> Path:
        return self.sources_dir(slug) / "metadata.yaml"

    def analysis_dir(self, slug: str) -> Path:
        return self.mind_dir(slug) / "analysis"

    def fragments_file(self, slug: str) -> Path:
        return self.analysis_dir(slug) / "fragments.jsonl"

    def profile_file(self, slug: str) -> Path:
        return self.analysis_dir(slug) / "psychometric-profile.yaml"

    def quality_file(self, slug: str) -> Path:
        return self.analysis_dir(slug) / "fragment-quality.yaml"

    def voice_profile_file(self, slug: str) -> Path:
        return self.analysis_dir(slug) / "voice-profile.yaml"

    def fidelity_file(self, slug: str) -> Path:
        return self.analysis_dir(slug) / "fidelity.yaml"

    def kb_chunks_file(self, slug: str) -> Path:
        return self.mind_dir(slug) / "kb" / "chunks.jsonl"

    def kb_index_file(self, slug: str) -> Path:
        return self.mind_dir(slug) / "kb" / "index.yaml"

    def layer_file(self, slug: str, layer: str) -> Path:
        if not _SLUG_RE.match(layer):
            raise ValueError(f"invalid layer name {layer!r}")
        return self.analysis_dir(slug) / "layers" / f"{layer}.yaml"

    def synthesis_file(self, slug: str, kind: str) -> Path:
        if not _SLUG_RE.match(kind):
            raise ValueError(f"invalid synthesis kind {kind!r}")
        return self.mind_dir(slug) / "synthesis" / f"{kind}.md"

    def system_prompt_file(self, slug: str) -> Path:
        return self.mind_dir(slug) / "system_prompts" / "generalista.md"

    def course_dir(self, course: str) -> Path:
        return self.root / "courses" / check_slug(course)

    def brief_file(self, course: str) -> Path:
        return self.course_dir(course) / "COURSE-BRIEF.md"

    def research_file(self, course: str, name: str) -> Path:
        if not _SLUG_RE.match(name):
            raise ValueError(f"invalid research name {name!r}")
        return self.course_dir(course) / "research" / f"{name}.md"

    def curriculum_file(self, course: str) -> Path:
        return self.course_dir(course) / "curriculum.yaml"

    def lesson_file(self, course: str, number: int) -> Path:
        return self.course_dir(course) / "lessons" / f"lesson-{number:03d}.md"

    def course_fidelity_file(self, course: str) -> Path:
        return self.course_dir(course) / "fidelity.yaml"

    def relative(self, path: Path) -> str:
        """``path`` relative to the outputs root, POSIX style (as stored inside contract files)."""
        return path.relative_to(self.root).as_posix()
