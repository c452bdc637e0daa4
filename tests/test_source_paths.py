"""Every form a user writes for a local source in mind.yaml: the stage key (resume scope and the
per-item cache key), the pre-flight and the collection all accept it. An absolute folder used to stop
every run in the stage key (``Path.glob`` refuses absolute patterns)."""

from __future__ import annotations

from pathlib import Path

import pytest

from stages.etl.run import item_key, load_spec_for_run, preflight, run_etl, scope
from tests.conftest import write_spec

TEXT = "The tide pools keep their own counts, and I keep mine beside them, every morning at low water.\n"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A folder of the person's texts outside the mind's folder (as /data/site/ would be)."""
    folder = tmp_path / "data" / "site"
    (folder / "notes").mkdir(parents=True)
    (folder / "first.md").write_text("# First\n\n" + TEXT * 3, encoding="utf-8")
    (folder / "notes" / "second.txt").write_text(TEXT.replace("mine", "ours") * 3, encoding="utf-8")
    return folder


def forms(site: Path, home: Path) -> dict[str, tuple[str, int]]:
    """path as written in mind.yaml -> how many files it names."""
    return {
        "absolute file": (str(site / "first.md"), 1),
        "absolute folder": (str(site), 2),
        "absolute folder with a trailing slash": (f"{site}/", 2),
        "absolute glob": (f"{site}/**/*.txt", 1),
        "home folder": ("~/" + str(site.relative_to(home)), 2),
        "relative to the spec": ("../data/site/notes/second.txt", 1),
    }


@pytest.mark.parametrize("form", ["absolute file", "absolute folder", "absolute folder with a trailing slash", "absolute glob",
                                  "home folder", "relative to the spec"])
def test_every_path_form_keys_checks_and_collects(form, site, tmp_path, settings, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    written, expected = forms(site, tmp_path)[form]
    spec_path = write_spec(tmp_path / "mind", [{"path": written, "type": "notes"}])
    outputs = tmp_path / "outputs"
    spec = load_spec_for_run(spec_path, outputs)

    named = scope(spec.slug, spec_path, outputs, {})  # raised NotImplementedError for absolute patterns
    files = [p for p in named if p.is_file() and p != spec_path]
    assert len(files) == expected and all(p.resolve().is_relative_to(site) for p in files)
    key = item_key(spec, spec.items[0], settings)
    assert key == item_key(spec, spec.items[0], settings)

    preflight(spec_path, outputs, settings)
    result = run_etl(spec_path, outputs, settings)
    assert result.totals["collected"] == expected

    first = files[0]
    first.write_text(first.read_text(encoding="utf-8") + TEXT, encoding="utf-8")  # a changed file changes the keys
    assert item_key(spec, spec.items[0], settings) != key


def test_a_new_file_in_an_absolute_folder_changes_the_scope(site, tmp_path):
    spec_path = write_spec(tmp_path / "mind", [{"path": f"{site}/"}])
    before = scope("test-mind", spec_path, tmp_path / "outputs", {})
    (site / "third.md").write_text(TEXT, encoding="utf-8")
    after = scope("test-mind", spec_path, tmp_path / "outputs", {})
    assert set(after) - set(before) == {site / "third.md"}
