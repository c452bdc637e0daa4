"""Collected documents, their stable ids, and local file collection."""

from __future__ import annotations

import glob
import hashlib
import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Iterator

from lendaria.errors import InputError
from lendaria.text import slugify

from stages.etl.errors import ExtractionError
from stages.etl.decoding import decode
from stages.etl.extract import DEFAULT_TYPE_BY_FORMAT, FORMAT_BY_SUFFIX, Extracted, extract_document, html_declared_charset
from stages.etl.spec import SourceItem
from stages.etl.transcripts import transcript_to_text

_GLOB_CHARS = set("*?[")


@dataclass(frozen=True)
class Origin:
    """Where a source came from. ``location`` is a spec-relative POSIX path or a URL."""

    kind: str  # file | url | feed
    location: str
    feed: str | None = None

    def as_dict(self) -> dict[str, str]:
        data = {"kind": self.kind, "location": self.location}
        if self.feed:
            data["feed"] = self.feed
        return data


def make_source_id(origin: Origin, name_hint: str, speaker: str | None = None) -> str:
    """Stable id: a readable slug of ``name_hint`` + 8 hex of a hash of the origin (and speaker).

    Derived from where the source is, never from its position in the spec or the time of the run.
    """
    key = f"{origin.kind}\n{origin.location}\n{origin.feed or ''}\n{(speaker or '').casefold()}"
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:8]
    stem = slugify(name_hint, max_length=48) or origin.kind
    return f"{stem}-{digest}"


@dataclass(frozen=True)
class Document:
    """One successfully extracted source, before dedupe and writing."""

    item: SourceItem
    origin: Origin
    source_id: str
    extracted: Extracted

    @property
    def type(self) -> str:
        return self.item.type or DEFAULT_TYPE_BY_FORMAT[self.extracted.format]

    @property
    def title(self) -> str:
        single_document = self.item.url is not None or (self.item.path is not None and not _is_multi(self.item))
        if self.item.title and single_document:
            return self.item.title
        return self.extracted.title or _humanise(self.source_id.rsplit("-", 1)[0])


@dataclass(frozen=True)
class Failure:
    """A source that could not be collected (recorded in metadata; the run goes on): a remote one,
    or a file found through a folder or glob that yields no text."""

    item: SourceItem
    origin: Origin
    source_id: str
    error: str


def _humanise(stem: str) -> str:
    return stem.replace("-", " ").strip().capitalize() or "Untitled"


def _is_multi(item: SourceItem) -> bool:
    return item.path is not None and (bool(_GLOB_CHARS & set(item.path)) or item.path.endswith("/"))


def resolve_local_paths(item: SourceItem, base_dir: Path, *, spec_path: Path) -> list[Path]:
    """Files named by a ``path:`` item (file, folder or glob), sorted; raises InputError when none."""
    assert item.path is not None
    raw = os.path.expanduser(item.path)
    pattern = raw if os.path.isabs(raw) else str(base_dir / raw)
    where = f"{item.describe()}"
    if _GLOB_CHARS & set(item.path):
        matches = sorted(Path(p) for p in glob.glob(pattern, recursive=True) if Path(p).is_file())
        files = [p for p in matches if p.suffix.lower() in FORMAT_BY_SUFFIX and not p.name.startswith(".")]
        if not files:
            raise InputError(f"{where}: the pattern matched no supported files.", file=spec_path,
                             hint=f"Supported: {', '.join(sorted(FORMAT_BY_SUFFIX))}.")
        return files
    path = Path(pattern)
    if path.is_dir():
        files = sorted(
            p for p in path.rglob("*")
            if p.is_file() and p.suffix.lower() in FORMAT_BY_SUFFIX
            and not any(part.startswith(".") for part in p.relative_to(path).parts)
        )
        if not files:
            raise InputError(f"{where}: the folder {path} holds no supported files yet.", file=spec_path,
                             hint=f"Put the person's texts in it ({', '.join(sorted(FORMAT_BY_SUFFIX))}), "
                                  "or remove this item from the spec.")
        return files
    if not path.exists():
        raise InputError(f"{where}: file not found: {path}.", file=spec_path,
                         hint="Paths are relative to the folder of mind.yaml.")
    if path.suffix.lower() not in FORMAT_BY_SUFFIX:
        raise InputError(f"{where}: unsupported file type '{path.suffix or '(none)'}'.", file=spec_path,
                         hint=f"Supported: {', '.join(sorted(FORMAT_BY_SUFFIX))}.")
    return [path]


def named_files(item: SourceItem, base_dir: Path) -> list[Path]:
    """The files a ``path:`` item names right now, as :func:`resolve_local_paths` finds them (absolute,
    ``~/``, folder, glob or relative to the spec), or ``[]`` when it names none: for resume and cache
    keys, which must never fail where the pre-flight reports the problem."""
    try:
        return resolve_local_paths(item, base_dir, spec_path=base_dir)
    except InputError:
        return []


def read_capped(path: Path, max_bytes: int) -> bytes:
    """Bytes of ``path``; raises ExtractionError beyond ``max_bytes`` without reading the file."""
    size = path.stat().st_size
    if size > max_bytes:
        raise ExtractionError(
            f"is {size / 1_048_576:.1f} MiB, over the {max_bytes / 1_048_576:.1f} MiB limit "
            "(raise LENDARIA_MAX_SOURCE_BYTES to accept it)"
        )
    return path.read_bytes()


def spec_relative(path: Path, base_dir: Path) -> str:
    return PurePosixPath(Path(os.path.relpath(path.resolve(), base_dir.resolve()))).as_posix()


@contextmanager
def _reported_as_input_error(path: Path, item: SourceItem, spec_path: Path) -> Iterator[None]:
    """Turn a problem with one local file into an :class:`InputError` naming the file and its spec item."""
    try:
        yield
    except ExtractionError as exc:
        raise InputError(f"{exc} (listed in {item.describe()} of {spec_path}).", file=path,
                         hint="Fix or remove the file; nothing was written.") from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}.", file=path) from None


_ZIP_MAGIC = {"epub": "an EPUB", "docx": "a DOCX document"}


def check_local_file(path: Path, item: SourceItem, *, max_bytes: int) -> None:
    """The checks that need only the file itself, cheap enough to run before any extraction: size
    cap, binary content (NUL bytes, a PDF or image under a text name), charset, and for transcripts
    that the requested speaker is present. Raises :class:`ExtractionError`."""
    fmt = FORMAT_BY_SUFFIX[path.suffix.lower()]
    data = read_capped(path, max_bytes)
    if fmt == "pdf":
        if b"%PDF-" not in data[:1024]:
            raise ExtractionError("is not a PDF (no %PDF- header in its first 1 KiB)")
        return
    if fmt in _ZIP_MAGIC:
        if not data.startswith(b"PK\x03\x04"):
            raise ExtractionError(f"is not {_ZIP_MAGIC[fmt]} (not a ZIP archive)")
        return
    declared = html_declared_charset(data) if fmt == "html" else None
    text = decode(data, encoding=item.encoding, declared=declared, allow_nul=fmt == "html").text
    if fmt in ("srt", "vtt") and item.speaker is not None:
        transcript_to_text(text, fmt, speaker=item.speaker)


def check_local_item(item: SourceItem, base_dir: Path, *, spec_path: Path, max_bytes: int) -> list[Path]:
    """Pre-flight of one ``path:`` item: its files exist, and a file named explicitly passes
    :func:`check_local_file` (files found through a folder or glob are checked as they are collected:
    one that yields no text is recorded as failed, not fatal)."""
    paths = resolve_local_paths(item, base_dir, spec_path=spec_path)
    if not _is_multi(item):
        for path in paths:
            with _reported_as_input_error(path, item, spec_path):
                check_local_file(path, item, max_bytes=max_bytes)
    return paths


def collect_local_item(item: SourceItem, base_dir: Path, *, spec_path: Path, max_bytes: int) -> list[Document | Failure]:
    """Extract every file of one ``path:`` item.

    A file named explicitly that cannot be read or yields no text raises :class:`InputError` naming
    it (nothing is written). A file found through a folder or glob that does is returned as a
    :class:`Failure` with its reason, and the others are still collected."""
    results: list[Document | Failure] = []
    for path in resolve_local_paths(item, base_dir, spec_path=spec_path):
        origin = Origin("file", spec_relative(path, base_dir))
        source_id = make_source_id(origin, path.stem, item.speaker)
        if not _is_multi(item):
            with _reported_as_input_error(path, item, spec_path):
                results.append(Document(item, origin, source_id, _extract_local(path, item, max_bytes)))
            continue
        try:
            results.append(Document(item, origin, source_id, _extract_local(path, item, max_bytes)))
        except (ExtractionError, OSError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else str(exc)
            results.append(Failure(item, origin, source_id, f"{origin.location}: {reason}"))
    return results


def _extract_local(path: Path, item: SourceItem, max_bytes: int) -> Extracted:
    fmt = FORMAT_BY_SUFFIX[path.suffix.lower()]
    extracted = extract_document(read_capped(path, max_bytes), fmt, encoding=item.encoding, speaker=item.speaker)
    if not extracted.text.strip():
        raise ExtractionError("no text could be extracted")
    return extracted


def extract_file(path: Path, max_bytes: int = 50 * 1024 * 1024) -> dict[str, str]:
    """The ``extract_text`` service: one local file's text and title through ETL's extractors (any
    supported format), for packs that read documents of their own (CreatorOS's legacy course
    materials). Raises :class:`InputError` naming the file when it cannot be read."""
    fmt = FORMAT_BY_SUFFIX.get(path.suffix.lower())
    if fmt is None:
        raise InputError(f"unsupported file type {path.suffix!r}.", file=path,
                         hint=f"Supported: {', '.join(sorted(FORMAT_BY_SUFFIX))}.")
    try:
        extracted = extract_document(read_capped(path, max_bytes), fmt)
    except (ExtractionError, OSError) as exc:
        raise InputError(f"cannot read it: {exc}.", file=path) from None
    return {"title": extracted.title or _humanise(path.stem), "text": extracted.text, "format": extracted.format}
