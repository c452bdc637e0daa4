import os

import pytest

from lendaria.documents import parse_markdown, render_markdown, split_sections
from lendaria.errors import InputError
from lendaria.fileio import atomic_write_bytes, write_text_if_changed
from lendaria.yamlio import dump_yaml, load_yaml


def test_yaml_keeps_dates_as_strings_and_dumps_stably():
    data = load_yaml("date: 2026-11-21\nversion: 1.0.0\nlist: [1, 2]\n")
    assert data == {"date": "2026-11-21", "version": "1.0.0", "list": [1, 2]}
    assert dump_yaml(data) == dump_yaml(load_yaml(dump_yaml(data)))
    assert "é" in dump_yaml({"k": "é"})


def test_write_if_changed_skips_identical_content(tmp_path):
    path = tmp_path / "a" / "f.md"
    assert write_text_if_changed(path, "hello\n") is True
    stamp = path.stat().st_mtime_ns
    assert write_text_if_changed(path, "hello\n") is False
    assert path.stat().st_mtime_ns == stamp
    assert write_text_if_changed(path, "hello again\n") is True
    assert path.read_text() == "hello again\n"


def test_crash_during_write_keeps_previous_file(tmp_path, monkeypatch):
    path = tmp_path / "f.txt"
    atomic_write_bytes(path, b"good")

    def crash(fd):
        raise OSError("disk on fire")

    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(OSError):
        atomic_write_bytes(path, b"half-written")
    assert path.read_bytes() == b"good"
    assert [p.name for p in tmp_path.iterdir()] == ["f.txt"]  # no temp file left behind


def test_markdown_round_trip_and_sections():
    text = render_markdown({"contract": "x@1.0.0", "title": "T"}, "# Title\n\n## One\nbody one\n\n```\n## not a section\n```\n## Two\n\n")
    doc = parse_markdown(text)
    assert doc.front_matter == {"contract": "x@1.0.0", "title": "T"}
    assert doc.sections == ["One", "Two"]
    assert doc.section_bodies["Two"] == ""
    assert split_sections("## A\nx\n# B\ny")[1] == {"A": "x"}


@pytest.mark.parametrize("text, message", [
    ("no front matter", "no YAML front matter"),
    ("---\ntitle: x\nbody", "unterminated"),
    ("---\n[broken\n---\nbody", "malformed YAML"),
    ("---\n- a list\n---\nbody", "must be a YAML mapping"),
])
def test_markdown_errors_are_clear(text, message):
    with pytest.raises(InputError, match=message):
        parse_markdown(text, file="x.md")
