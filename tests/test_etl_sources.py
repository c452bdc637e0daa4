"""Spec loading, local collection, stable ids and every bad-input bar of the ETL pack."""

from __future__ import annotations

import shutil

import pytest

from lendaria.errors import InputError
from lendaria.settings import Settings
from stages.etl.run import run_etl
from stages.etl.sources import Origin, make_source_id
from stages.etl.spec import load_mind_spec
from tests.conftest import DEMO_SPEC, snapshot, write_spec


def test_demo_spec_loads():
    spec = load_mind_spec(DEMO_SPEC)
    assert spec.slug == "iris-valente"
    assert [item.path for item in spec.items][:2] == ["essay-field-notebook.md", "blog-slow-looking.html"]


@pytest.mark.parametrize("slug", ["../x", "/abs", "", "Upper", "has space", "a/b", "-lead", "x" * 65, 42])
def test_unsafe_slugs_are_refused(tmp_path, slug):
    (tmp_path / "a.txt").write_text("hello there")
    spec = write_spec(tmp_path, [{"path": "a.txt"}], slug=slug)
    with pytest.raises(InputError, match="slug"):
        load_mind_spec(spec)


def test_malformed_yaml_names_line_and_column(tmp_path):
    path = tmp_path / "mind.yaml"
    path.write_text("slug: x\nname: [unclosed\nsources: []\n")
    with pytest.raises(InputError) as info:
        load_mind_spec(path)
    assert str(path) in str(info.value) and "line 3" in str(info.value)


@pytest.mark.parametrize("item, pointer", [
    ({"title": "no location"}, "/sources/0"),
    ({"path": "a.txt", "url": "https://example.org/"}, "/sources/0"),
    ({"path": "a.txt", "colour": "blue"}, "/sources/0"),
    ({"url": "ftp://example.org/x"}, "/sources/0/url"),
    ({"path": "a.txt", "type": "novel"}, "/sources/0/type"),
    ({"path": "a.txt", "classification": "SECRET"}, "/sources/0/classification"),
])
def test_bad_spec_items_point_at_the_item(tmp_path, item, pointer):
    spec = write_spec(tmp_path, [item])
    with pytest.raises(InputError) as info:
        load_mind_spec(spec)
    assert f"{pointer}:" in str(info.value)
    assert "mind-spec@1.1.0" in str(info.value)


def test_classification_travels_to_front_matter_and_metadata_and_needs_spec_1_1(tmp_path, settings):
    from lendaria.documents import parse_markdown
    from lendaria.yamlio import load_yaml

    (tmp_path / "diary.txt").write_text("A private page of the diary, written late at night.\n")
    (tmp_path / "essay.txt").write_text("A published essay about the shore and its birds.\n")
    items = [{"path": "diary.txt", "classification": "SENSITIVE"}, {"path": "essay.txt"}]
    with pytest.raises(InputError, match="mind-spec@1.0.0.*/sources/0"):
        load_mind_spec(write_spec(tmp_path, items, contract="mind-spec@1.0.0"))
    result = run_etl(write_spec(tmp_path, items), tmp_path / "out", settings)
    metadata = load_yaml((result.sources_dir / "metadata.yaml").read_text())
    assert [e["classification"] for e in metadata["sources"]] == ["SENSITIVE", "PUBLIC"]
    fronts = [parse_markdown((result.sources_dir / e["file"]).read_text()).front_matter for e in metadata["sources"]]
    assert [f["classification"] for f in fronts] == ["SENSITIVE", "PUBLIC"]


def test_source_ids_are_stable_and_order_independent(tmp_path, settings):
    for name in ("b.txt", "a.md"):
        (tmp_path / name).write_text(f"Some words written in {name} for the test.\n")
    first = run_etl(write_spec(tmp_path / "s1", [{"path": "../b.txt"}, {"path": "../a.md"}]), tmp_path / "o1", settings)
    second = run_etl(write_spec(tmp_path / "s2", [{"path": "../a.md"}, {"path": "../b.txt"}]), tmp_path / "o2", settings)
    ids1 = sorted(p.name for p in first.sources_dir.glob("*.md"))
    ids2 = sorted(p.name for p in second.sources_dir.glob("*.md"))
    assert ids1 == ids2
    assert make_source_id(Origin("file", "x/a.md"), "a") == make_source_id(Origin("file", "x/a.md"), "a")
    assert make_source_id(Origin("file", "x/a.md"), "a") != make_source_id(Origin("file", "y/a.md"), "a")


def test_folder_and_glob_items_and_dedupe(tmp_path, settings):
    folder = tmp_path / "raw"
    (folder / "sub").mkdir(parents=True)
    (folder / "one.txt").write_text("The first text has its own words.\n")
    (folder / "sub" / "copy.md").write_text("The first text has its own words.\n")  # same text: duplicate
    (folder / "two.txt").write_text("The second text is different.\n")
    (folder / "image.jpg").write_bytes(b"\xff\xd8\xff")  # unsupported types in folders are skipped
    (folder / ".hidden.txt").write_text("hidden")
    spec = write_spec(tmp_path, [{"path": "raw/"}, {"path": "raw/*.txt"}])
    result = run_etl(spec, tmp_path / "out", settings)
    assert result.totals == {"sources": 3, "collected": 2, "kept": 0, "duplicates": 1, "failed": 0, "words": 12}
    from lendaria.yamlio import load_yaml

    metadata = load_yaml((result.sources_dir / "metadata.yaml").read_text())
    statuses = {e["origin"]["location"]: e["status"] for e in metadata["sources"]}
    assert statuses == {"raw/one.txt": "collected", "raw/sub/copy.md": "duplicate", "raw/two.txt": "collected"}
    duplicate = next(e for e in metadata["sources"] if e["status"] == "duplicate")
    assert duplicate["duplicate_of"].startswith("one-")


def test_word_counts_in_files_equal_metadata(demo_copy, tmp_path, settings):
    from lendaria.documents import parse_markdown
    from lendaria.yamlio import load_yaml

    result = run_etl(demo_copy, tmp_path / "out", settings)
    metadata = load_yaml((result.sources_dir / "metadata.yaml").read_text())
    total = 0
    for entry in metadata["sources"]:
        doc = parse_markdown((result.sources_dir / entry["file"]).read_text())
        assert len(doc.body.split()) == entry["words"] == doc.front_matter["words"]
        total += entry["words"]
    assert metadata["totals"]["words"] == total


def test_rerun_rewrites_nothing(demo_copy, tmp_path, settings):
    out = tmp_path / "out"
    run_etl(demo_copy, out, settings)
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    again = run_etl(demo_copy, out, settings)
    assert again.report.written == [] and again.report.removed == []
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()} == before


def test_removed_source_is_removed_from_outputs(demo_copy, tmp_path, settings):
    out = tmp_path / "out"
    run_etl(demo_copy, out, settings)
    text = demo_copy.read_text().replace("  - path: notes-on-uncertainty.txt\n    type: notes\n    title: Notes on Uncertainty\n", "")
    demo_copy.write_text(text)
    result = run_etl(demo_copy, out, settings)
    assert [r.split("/")[-1].startswith("notes-on-uncertainty") for r in result.report.removed] == [True]
    assert result.totals["collected"] == 10


def _bad_input_cases(folder):
    """name -> (spec items, setup function, expected message fragment)."""
    def binary_txt():
        (folder / "bin.txt").write_bytes(b"\x00\x01\x02binary\x00" * 100)

    def latin_noise():
        (folder / "noise.txt").write_bytes(bytes(range(128, 256)) * 8)

    def huge():
        with open(folder / "huge.txt", "wb") as handle:  # sparse: 200 MB without using the disk
            handle.truncate(200 * 1024 * 1024)

    def empty():
        (folder / "empty.md").write_text("   \n\n")

    def pdf_named_txt():
        shutil.copy(DEMO_SPEC.parent / "letter-to-volunteers.pdf", folder / "letter.txt")

    return {
        "missing": ([{"path": "nope.txt"}], lambda: None, "file not found"),
        "binary": ([{"path": "bin.txt"}], binary_txt, "binary"),
        "non-utf8": ([{"path": "noise.txt"}], latin_noise, "encoding:"),
        "oversized": ([{"path": "huge.txt"}], huge, "over the 64.0 MiB limit"),
        "empty": ([{"path": "empty.md"}], empty, "no text could be extracted"),
        "pdf-as-txt": ([{"path": "letter.txt"}], pdf_named_txt, "is a PDF"),
        "no-match-glob": ([{"path": "*.srt"}], lambda: None, "matched no supported files"),
        "bad-speaker": ([{"path": "interview-harbour-radio.vtt", "speaker": "Nobody Here"}], lambda: None, "speakers in this transcript"),
    }


@pytest.mark.parametrize("case", ["missing", "binary", "non-utf8", "oversized", "empty", "pdf-as-txt", "no-match-glob", "bad-speaker"])
def test_bad_input_fails_clearly_and_leaves_earlier_outputs_untouched(demo_copy, tmp_path, settings, case):
    out = tmp_path / "out"
    run_etl(demo_copy, out, settings)
    before = snapshot(out)
    items, setup, fragment = _bad_input_cases(demo_copy.parent)[case]
    setup()
    from lendaria.yamlio import dump_yaml, load_yaml

    spec = load_yaml(demo_copy.read_text())
    spec["sources"].extend(items)
    demo_copy.write_text(dump_yaml(spec))
    with pytest.raises(InputError) as info:
        run_etl(demo_copy, out, settings)
    message = str(info.value)
    assert fragment in message
    assert "mind.yaml" in message or str(demo_copy.parent) in message  # names the file
    assert snapshot(out) == before


@pytest.mark.parametrize("case", ["missing", "binary", "non-utf8", "oversized", "pdf-as-txt", "no-match-glob", "bad-speaker"])
def test_pre_flight_catches_every_local_file_problem_before_extraction(demo_copy, settings, case, monkeypatch):
    """What needs only the files fails in check_local_inputs (the CLI runs it before Prefect starts),
    with the same message as the collection itself; nothing is extracted."""
    from lendaria.yamlio import dump_yaml, load_yaml
    from stages.etl import sources
    from stages.etl.run import check_local_inputs

    items, setup, fragment = _bad_input_cases(demo_copy.parent)[case]
    setup()
    spec = load_yaml(demo_copy.read_text())
    spec["sources"].extend(items)
    demo_copy.write_text(dump_yaml(spec))
    monkeypatch.setattr(sources, "extract_document", lambda *a, **k: pytest.fail("pre-flight must not extract"))
    with pytest.raises(InputError, match=fragment.replace("(", r"\(").replace(".", r"\.")):
        check_local_inputs(load_mind_spec(demo_copy), settings)


def test_pre_flight_passes_the_demo_and_refuses_a_pdf_without_a_pdf_header(demo_copy, settings):
    from stages.etl.run import check_local_inputs

    check_local_inputs(load_mind_spec(demo_copy), settings)
    (demo_copy.parent / "letter-to-volunteers.pdf").write_text("just text with a .pdf name")
    with pytest.raises(InputError, match="is not a PDF"):
        check_local_inputs(load_mind_spec(demo_copy), settings)


def test_size_cap_is_configurable(tmp_path):
    (tmp_path / "a.txt").write_text("word " * 1000)
    spec = write_spec(tmp_path, [{"path": "a.txt"}])
    with pytest.raises(InputError, match="LENDARIA_MAX_SOURCE_BYTES"):
        run_etl(spec, tmp_path / "out", Settings(max_source_bytes=1000))
    assert run_etl(spec, tmp_path / "out", Settings(max_source_bytes=10_000)).totals["words"] == 1000


def test_declared_encoding_in_spec(tmp_path, settings):
    (tmp_path / "old.txt").write_bytes("Coração, maré e café à beira do cais.".encode("cp1252"))
    spec = write_spec(tmp_path, [{"path": "old.txt", "encoding": "cp1252"}])
    result = run_etl(spec, tmp_path / "out", settings)
    body = next(result.sources_dir.glob("old-*.md")).read_text(encoding="utf-8")
    assert "Coração, maré e café" in body


def test_slug_must_match_its_folder(tmp_path, settings):
    (tmp_path / "outputs" / "minds" / "right").mkdir(parents=True)
    spec_dir = tmp_path / "outputs" / "minds" / "right"
    (spec_dir / "a.txt").write_text("some words here")
    write_spec(spec_dir, [{"path": "a.txt"}], slug="wrong")
    with pytest.raises(InputError, match="does not match its folder"):
        run_etl("right", tmp_path / "outputs", settings)


def test_run_by_slug(tmp_path, settings):
    spec_dir = tmp_path / "outputs" / "minds" / "by-slug"
    spec_dir.mkdir(parents=True)
    (spec_dir / "a.txt").write_text("some words here")
    write_spec(spec_dir, [{"path": "a.txt"}], slug="by-slug")
    assert run_etl("by-slug", tmp_path / "outputs", settings).totals["collected"] == 1
    with pytest.raises(InputError, match="lendaria init"):
        run_etl("no-such-mind", tmp_path / "outputs", settings)



def test_a_source_in_another_language_than_the_declared_one_is_reported_in_the_summary(tmp_path):
    folder = tmp_path / "mind"
    folder.mkdir()
    (folder / "notas.txt").write_text("A gente observa primeiro e depois planta. Eu anoto a chuva todo dia no caderno da horta, "
                                      "porque quem anota não briga com a memória, e a terra boa é a terra que está coberta. " * 20)
    (folder / "notes.txt").write_text("I count the same square of shore every month, and I write down what I see in pencil, "
                                      "because the people who read these notebooks later need to know what was there. " * 20)
    spec = write_spec(folder, [{"path": "notas.txt"}, {"path": "notes.txt"}], language="pt-BR")
    result = run_etl(spec, tmp_path / "out", Settings(home=tmp_path / "home"))
    assert [entry.split(" ")[1] for entry in result.other_language] == ["(en)"]
    assert "1 source(s) in another language than the declared pt: notes-" in result.summary()
