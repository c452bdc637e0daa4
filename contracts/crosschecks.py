"""Checks across files that one JSON Schema cannot express, run when validating files on disk.

``etl-mmos-metadata``: every collected or kept entry names a source file that exists beside
metadata.yaml and agrees with it (source_id, sha256, words).
``innerlens-fragments``: every fragment is verbatim, ``body[start:end] == text`` in its source.
``innerlens-mmos``: every evidence id of the profile (lexical and LLM) is a fragment of fragments.jsonl.
``mmos-voice-profile``: every held-out span lies inside its source's body, and its fragment ids are
fragments of fragments.jsonl.
``mmos-kb-chunks``: every chunk is verbatim in its source and overlaps no held-out span.
``mmos-kb``: every chunk id of every topic is a line of chunks.jsonl.
``mmos-layer``: every evidence span is verbatim in its source (``body[start:end] == text``), overlaps
no held-out span, and cites existing fragments; an LLM claim's ``quote`` is inside its span.
``mmos-synthesis``, ``mmos-creatoros``: every citation ``[source_id@start:end]`` lies in its source,
overlaps no held-out span, and the quote in front of it is that span's text.
``creatoros-lesson``, ``creatoros-research``: the same, in the sources of the mind the file names.
``creatoros-curriculum``: every lesson's evidence span lies in the mind's source and is not held out.
"""

from __future__ import annotations

import json
import re
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


def _body(sources_dir: Path, source_id: str) -> str | None:
    try:
        return parse_markdown((sources_dir / f"{source_id}.md").read_text(encoding="utf-8")).body
    except (OSError, InputError, UnicodeDecodeError):
        return None


def _fragment_ids(analysis_dir: Path) -> set[str] | None:
    try:
        return {json.loads(line)["id"] for line in (analysis_dir / "fragments.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()}
    except (OSError, ValueError, KeyError, TypeError):
        return None


def check_voice_profile_spans(path: Path, data: dict[str, Any], ref: str, display: str) -> list[tuple[str, str]]:
    """(pointer, message) for each held-out span outside its source, or citing a fragment that does not exist."""
    problems: list[tuple[str, str]] = []
    bodies: dict[str, str | None] = {}
    known: set[str] | None = None
    for index, span in enumerate(((data.get("split") or {}).get("held_out")) or []):
        if not isinstance(span, dict):
            continue
        pointer = f"/split/held_out/{index}"
        source_id = str(span.get("source_id"))
        if source_id not in bodies:
            bodies[source_id] = _body(path.parent.parent / "sources", source_id)
        body = bodies[source_id]
        if body is None or not 0 <= span.get("start", -1) < span.get("end", -1) <= len(body):
            problems.append((pointer, f"span {span.get('start')}:{span.get('end')} is not inside source {source_id!r}"))
        if span.get("fragment_ids"):
            known = _fragment_ids(path.parent) if known is None else known
            problems += [(f"{pointer}/fragment_ids/{i}", f"{fid!r} is not a fragment in fragments.jsonl")
                         for i, fid in enumerate(span["fragment_ids"]) if known is None or fid not in known]
    return problems


def check_fragments_verbatim(path: Path, records: list[tuple[int, dict[str, Any]]]) -> list[tuple[str, str]]:
    """(pointer, message) for each fragment (or folded duplicate) whose offsets do not cut its text
    out of its source's body in ``../sources/<source_id>.md``."""
    bodies: dict[str, str | None] = {}

    def body_of(source_id: str) -> str | None:
        if source_id not in bodies:
            bodies[source_id] = _body(path.parent.parent / "sources", source_id)
        return bodies[source_id]

    problems = []
    for number, record in records:
        pointer = f"/{number - 1}"
        body = body_of(record["source_id"])
        if body is None:
            problems.append((f"{pointer}/source_id", f"line {number}: fragment {record['id']}: source {record['source_id']!r} has no file in ../sources"))
            continue
        if body[record["start"]:record["end"]] != record["text"]:
            problems.append((f"{pointer}/start", f"line {number}: fragment {record['id']}: body[{record['start']}:{record['end']}] "
                             f"of {record['source_id']} is not its text (offsets or text edited?)"))
        for index, other in enumerate(record.get("also_in") or []):
            other_body = body_of(other["source_id"])
            if other_body is None or len(other_body) < other["end"]:
                problems.append((f"{pointer}/also_in/{index}", f"line {number}: fragment {record['id']}: duplicate span outside {other['source_id']}"))
    return problems


def check_profile_evidence(path: Path, data: dict[str, Any], ref: str, display: str) -> list[tuple[str, str]]:
    """(pointer, message) for each evidence id of psychometric-profile.yaml missing from fragments.jsonl beside it."""
    known = _fragment_ids(path.parent)
    if known is None:
        return [("/big_five", "fragments.jsonl beside it is missing or unreadable")] if data.get("big_five") else []
    cited = []
    for trait, values in (data.get("big_five") or {}).items():
        if not isinstance(values, dict):
            continue
        cited += [(f"/big_five/{trait}/evidence/{i}", fid) for i, fid in enumerate(values.get("evidence") or [])]
        llm = values.get("llm") if isinstance(values.get("llm"), dict) else {}
        cited += [(f"/big_five/{trait}/llm/evidence/{i}", fid) for i, fid in enumerate(llm.get("evidence") or [])]
    return [(pointer, f"{fragment_id!r} is not a fragment in fragments.jsonl") for pointer, fragment_id in cited if fragment_id not in known]


def check_kb_chunks(path: Path, records: list[tuple[int, dict[str, Any]]]) -> list[tuple[str, str]]:
    """(pointer, message) for each chunk that is not verbatim in its source or overlaps a held-out span."""
    from lendaria.yamlio import load_yaml

    try:
        profile = load_yaml((path.parent.parent / "analysis" / "voice-profile.yaml").read_text(encoding="utf-8")) or {}
        held = [(s["source_id"], s["start"], s["end"]) for s in profile["split"]["held_out"]]
    except (OSError, KeyError, TypeError, ValueError):
        return [("", "analysis/voice-profile.yaml beside kb/ is missing or unreadable: the held-out spans cannot be checked")]
    bodies: dict[str, str | None] = {}
    problems = []
    for number, record in records:
        pointer = f"/{number - 1}"
        source_id = record["source_id"]
        if source_id not in bodies:
            bodies[source_id] = _body(path.parent.parent / "sources", source_id)
        body = bodies[source_id]
        if body is None or body[record["start"]:record["end"]] != record["text"]:
            problems.append((f"{pointer}/start", f"line {number}: chunk {record['id']}: body[{record['start']}:{record['end']}] "
                             f"of {source_id} is not its text"))
        for sid, start, end in held:
            if sid == source_id and record["start"] < end and start < record["end"]:
                problems.append((pointer, f"line {number}: chunk {record['id']} overlaps the held-out span {sid}:{start}-{end}"))
    return problems


def check_kb_index(path: Path, data: dict[str, Any], ref: str, display: str) -> list[tuple[str, str]]:
    try:
        known = {json.loads(line)["id"] for line in (path.parent / "chunks.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()}
    except (OSError, ValueError, KeyError, TypeError):
        return [("/chunks_file", "kb/chunks.jsonl beside it is missing or unreadable")]
    return [(f"/topics/{t}/chunks/{i}", f"{cid!r} is not a chunk in chunks.jsonl")
            for t, topic in enumerate(data.get("topics") or []) if isinstance(topic, dict)
            for i, cid in enumerate(topic.get("chunks") or []) if cid not in known]


CITATION = re.compile(r"(?:“(?P<quote>[^”]*)”\s*)?\[(?P<source>[a-z0-9][a-z0-9-]{0,80})@(?P<start>\d+):(?P<end>\d+)\]")


def _flat(text: str) -> str:
    return " ".join(text.split())


def _held_out(mind_dir: Path) -> list[tuple[str, int, int]] | None:
    from lendaria.yamlio import load_yaml

    try:
        profile = load_yaml((mind_dir / "analysis" / "voice-profile.yaml").read_text(encoding="utf-8")) or {}
        return [(s["source_id"], s["start"], s["end"]) for s in profile["split"]["held_out"]]
    except (OSError, KeyError, TypeError, ValueError):
        return None


class SpanChecker:
    """Checks cited spans of one mind: inside their source, verbatim where a text is given, never
    overlapping a held-out span, citing existing fragments."""

    def __init__(self, mind_dir: Path):
        self.mind_dir = mind_dir
        self.bodies: dict[str, str | None] = {}
        self.held = _held_out(mind_dir)
        self.fragments: set[str] | None = None

    def body(self, source_id: str) -> str | None:
        if source_id not in self.bodies:
            self.bodies[source_id] = _body(self.mind_dir / "sources", source_id)
        return self.bodies[source_id]

    def problems(self, pointer: str, source_id: str, start: Any, end: Any, text: str | None = None,
                 fragment_ids: list[str] | None = None, quote: str | None = None) -> list[tuple[str, str]]:
        body = self.body(source_id)
        where = f"{source_id}@{start}:{end}"
        if body is None:
            return [(pointer, f"{where}: source {source_id!r} has no file in sources/")]
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(body)):
            return [(pointer, f"{where} is not inside source {source_id!r}")]
        found = []
        if text is not None and body[start:end] != text:
            found.append((f"{pointer}/text", f"{where}: the cited text is not at those offsets of the source"))
        if quote is not None and _flat(quote) not in _flat(body[start:end]):
            found.append((f"{pointer}/quote", f"{where}: the quote is not inside the cited span"))
        if self.held is None:
            found.append((pointer, "analysis/voice-profile.yaml is missing or unreadable: held-out spans cannot be checked"))
        else:
            found += [(pointer, f"{where} overlaps the held-out span {sid}@{s}:{e}")
                      for sid, s, e in self.held if sid == source_id and start < e and s < end]
        if fragment_ids:
            self.fragments = _fragment_ids(self.mind_dir / "analysis") if self.fragments is None else self.fragments
            found += [(f"{pointer}/fragment_ids/{i}", f"{fid!r} is not a fragment in fragments.jsonl")
                      for i, fid in enumerate(fragment_ids) if self.fragments is None or fid not in self.fragments]
        return found


def check_layer_evidence(path: Path, data: dict[str, Any], ref: str, display: str) -> list[tuple[str, str]]:
    """(pointer, message) for each evidence span of a layer file that does not resolve or is held out."""
    checker = SpanChecker(path.parent.parent.parent)
    problems = []
    for c, claim in enumerate(data.get("claims") or []):
        for e, span in enumerate((claim or {}).get("evidence") or []):
            problems += checker.problems(f"/claims/{c}/evidence/{e}", str(span.get("source_id")), span.get("start"), span.get("end"),
                                         span.get("text"), span.get("fragment_ids"), span.get("quote"))
    return problems


def citation_problems(mind_dir: Path, body: str) -> list[tuple[str, str]]:
    """(pointer, message) for each ``[source_id@start:end]`` citation in ``body`` that does not resolve
    in the mind's sources, overlaps a held-out span, or follows a quote that is not its span's text."""
    checker = SpanChecker(mind_dir)
    problems = []
    for number, match in enumerate(CITATION.finditer(body)):
        source_id, start, end = match["source"], int(match["start"]), int(match["end"])
        problems += checker.problems(f"/body/citations/{number}", source_id, start, end)
        source = checker.body(source_id)
        if match["quote"] is not None and source is not None and _flat(match["quote"]) != _flat(source[start:end]):
            problems.append((f"/body/citations/{number}", f"{source_id}@{start}:{end}: the quote before it is not the span's text"))
    return problems


def check_markdown_citations(path: Path, data: dict[str, Any], ref: str, display: str) -> list[tuple[str, str]]:
    """Citations of a synthesis file or system prompt (``<mind>/synthesis/*.md``, ``<mind>/system_prompts/*.md``)."""
    return citation_problems(path.parent.parent, data.get("body") or "")


def check_course_citations(path: Path, data: dict[str, Any], ref: str, display: str) -> list[tuple[str, str]]:
    """(pointer, message) for each citation of a lesson or research file that does not resolve in the
    course's mind's sources, is held out, or follows a quote that is not its span's text."""
    mind = (data.get("front_matter") or {}).get("mind")
    if not mind:
        return []
    return citation_problems(path.parents[3] / "minds" / str(mind), data.get("body") or "")  # courses/<course>/<dir>/<file>


def check_curriculum_evidence(path: Path, data: dict[str, Any], ref: str, display: str) -> list[tuple[str, str]]:
    """(pointer, message) for each lesson evidence span of a curriculum that is not inside the course's
    mind's source or overlaps a held-out span."""
    if not data.get("mind"):
        return []
    checker = SpanChecker(path.parents[2] / "minds" / str(data["mind"]))  # courses/<course>/curriculum.yaml
    problems = []
    for m, module in enumerate(data.get("modules") or []):
        for n, lesson in enumerate((module or {}).get("lessons") or []):
            for e, span in enumerate((lesson or {}).get("evidence") or []):
                problems += checker.problems(f"/modules/{m}/lessons/{n}/evidence/{e}", str(span.get("source_id")), span.get("start"), span.get("end"))
    return problems


JSONL_CROSS_CHECKS: dict[str, Callable[[Path, list[tuple[int, dict[str, Any]]]], list[tuple[str, str]]]] = {
    "innerlens-fragments": check_fragments_verbatim,
    "mmos-kb-chunks": check_kb_chunks,
}

CROSS_CHECKS: dict[str, Callable[[Path, dict[str, Any], str, str], list[tuple[str, str]]]] = {
    "etl-mmos-metadata": check_sources_metadata,
    "innerlens-mmos": check_profile_evidence,
    "mmos-voice-profile": check_voice_profile_spans,
    "mmos-kb": check_kb_index,
    "mmos-layer": check_layer_evidence,
    "mmos-synthesis": check_markdown_citations,
    "mmos-creatoros": check_markdown_citations,
    "creatoros-lesson": check_course_citations,
    "creatoros-curriculum": check_curriculum_evidence,
    "creatoros-research": check_course_citations,
}
