"""CreatorOS's persist payload for one mind, built from the contract files of every course whose brief
names the mind (validated first): ``content_projects`` (one per course), ``content_minds`` (the mind as
the course's voice), ``content_pieces`` (brief, research, curriculum, lessons, fidelity summary) and
``content_lessons`` (per lesson: module, title, objectives, words, voice fidelity as a 0-1 share, or
empty when the lesson's own prose was not scored). Courses no longer present are removed (sync).
Every row carries its contract file's path and sha256."""

from __future__ import annotations

from typing import Any

from lendaria.catalog import Catalog
from lendaria.collected import read_valid_file
from lendaria.documents import parse_markdown
from lendaria.fileio import sha256_bytes
from lendaria.yamlio import load_yaml

from stages.creatoros.run import courses_for_mind


def _file(catalog: Catalog, path, course: str) -> tuple[str, bytes]:
    return read_valid_file(catalog, path, f"Build the course first: `lendaria course build {course}`.")


def course_rows(catalog: Catalog, course: str) -> dict[str, list[dict[str, Any]]]:
    brief_path, brief_raw = _file(catalog, catalog.brief_file(course), course)
    brief = parse_markdown(brief_raw.decode("utf-8")).front_matter
    curriculum_path, curriculum_raw = _file(catalog, catalog.curriculum_file(course), course)
    plan = load_yaml(curriculum_raw.decode("utf-8"))
    pieces = [("brief", brief_path, brief_raw, brief.get("title")), ("curriculum", curriculum_path, curriculum_raw, plan["title"])]
    for kind in ("coverage", "market"):
        path, raw = _file(catalog, catalog.research_file(course, kind), course)
        pieces.append(("research", path, raw, kind))
    path, raw = _file(catalog, catalog.course_fidelity_file(course), course)
    pieces.append(("other", path, raw, "fidelity summary"))
    lessons = []
    for module in plan["modules"]:
        for lesson in module["lessons"]:
            path, raw = _file(catalog, catalog.lesson_file(course, lesson["number"]), course)
            document = parse_markdown(raw.decode("utf-8"))
            fidelity = document.front_matter["fidelity"]
            pieces.append(("lesson", path, raw, lesson["title"]))
            lessons.append({"slug": course, "course": course, "lesson_number": lesson["number"], "module": module["title"], "title": lesson["title"],
                            "objectives": lesson["objectives"], "words": fidelity["words"],
                            "voice_fidelity": round(fidelity["score"] / 100, 4) if fidelity["status"] == "scored" else None,
                            "contract_path": path, "contract_sha256": sha256_bytes(raw)})
    return {
        "content_projects": [{"slug": course, "title": brief.get("title") or course, "mode": brief.get("mode", "greenfield"),
                              "contract_path": brief_path, "contract_sha256": sha256_bytes(brief_raw)}],
        "content_minds": [{"slug": course, "course": course, "role": "voice"}],
        "content_pieces": [{"slug": course, "course": course, "kind": kind, "path": path, "title": title, "contract_path": path,
                            "contract_sha256": sha256_bytes(raw)} for kind, path, raw, title in pieces],
        "content_lessons": lessons,
    }


def build_payload(catalog: Catalog, slug: str) -> dict[str, Any]:
    rows: dict[str, list[dict[str, Any]]] = {"content_projects": [], "content_minds": [], "content_pieces": [], "content_lessons": []}
    for course in courses_for_mind(catalog, slug):
        if catalog.curriculum_file(course).is_file():  # a course not built yet has nothing to persist
            for table, found in course_rows(catalog, course).items():
                rows[table] += found
    project = [{"column": "project_id", "table": "content_projects", "by": "slug"}]
    return {
        "mind": {"slug": slug},
        "tables": [
            {"table": "content_projects", "key": ["slug"], "rows": rows["content_projects"], "sync": True},
            {"table": "content_minds", "key": ["course"], "rows": rows["content_minds"], "sync": True, "resolve": project},
            {"table": "content_pieces", "key": ["course", "path"], "rows": rows["content_pieces"], "sync": True, "resolve": project},
            {"table": "content_lessons", "key": ["course", "lesson_number"], "rows": rows["content_lessons"], "sync": True,
             "resolve": project},
        ],
    }
