"""The contract suite: every shipped contract loads, every example and committed output validates,
and invalid fixtures fail with the right contract@version and JSON pointer."""

from __future__ import annotations

from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from contracts import ContractViolationError, get_registry
from contracts.registry import STATUSES, iter_contract_files
from tests.conftest import COMMITTED_OUTPUTS, REPO_ROOT

FIXTURES = Path(__file__).parent / "fixtures"
registry = get_registry()


def test_registry_has_the_seed_contracts():
    names = set(registry.names())
    assert {"mind-spec", "etl-mmos", "etl-mmos-metadata", "innerlens-mmos", "mmos-creatoros",
            "innerlens-db", "mmos-db", "creatoros-db"} <= names


@pytest.mark.parametrize("contract", registry.all(), ids=lambda c: c.ref)
def test_descriptor_shape_and_schema(contract):
    body = contract.descriptor
    assert contract.status in STATUSES
    for key in ("name", "version", "status", "provider", "consumer", "interface", "backward_compatibility", "breaking_changes_history"):
        assert key in body, f"{contract.ref} descriptor lacks {key}"
    assert body["breaking_changes_history"][-1]["version"] == contract.version
    if contract.format != "database":
        Draft202012Validator.check_schema(contract.schema)
        assert contract.schema["$schema"].endswith("2020-12/schema")
        assert contract.location and contract.location.startswith("outputs/")


def test_every_example_validates():
    specs = sorted((REPO_ROOT / "examples").glob("*/mind.yaml"))
    assert specs, "no example mind specs found"
    result = registry.validate_paths(specs)
    assert result.ok, [v.render() for v in result.violations]
    assert len(result.checked) == len(specs)


def test_every_committed_output_validates():
    files = list(iter_contract_files(COMMITTED_OUTPUTS))
    assert files, "outputs/ is empty: the demo outputs must be committed"
    result = registry.validate_tree(COMMITTED_OUTPUTS)
    assert result.ok, [v.render() for v in result.violations]
    assert result.unrecognised == []
    assert len(result.checked) == len(files)


def _violations(relative: str):
    result = registry.validate_file(FIXTURES / "invalid" / relative)
    return {(v.contract, v.pointer) for v in result.violations}, result


@pytest.mark.parametrize("relative, expected", [
    ("minds/bad-mind/sources/wrong-words-0000aaaa.md", {("etl-mmos@1.0.0", "/front_matter/words"), ("etl-mmos@1.0.0", "/front_matter/sha256")}),
    ("minds/bad-mind/sources/bad-type-0000bbbb.md", {("etl-mmos@1.0.0", "/front_matter/type"), ("etl-mmos@1.0.0", "/front_matter/origin/kind"), ("etl-mmos@1.0.0", "/front_matter/sha256")}),
    ("minds/bad-mind/sources/metadata.yaml", {("etl-mmos-metadata@1.0.0", "/totals/words"), ("etl-mmos-metadata@1.0.0", "/sources/0")}),
    ("minds/bad-mind/mind.yaml", {("mind-spec@1.0.0", "/sources/1")}),
    ("minds/future-mind/sources/metadata.yaml", {("etl-mmos-metadata@2.0.0", "/contract")}),
])
def test_invalid_fixtures_fail_with_the_right_pointer(relative, expected):
    found, result = _violations(relative)
    assert found == expected, [v.render() for v in result.violations]
    assert all(v.file.endswith(relative) for v in result.violations)


def test_unknown_major_is_refused_with_advice():
    _, result = _violations("minds/future-mind/sources/metadata.yaml")
    assert "does not understand" in result.violations[0].message and "etl-mmos-metadata@1.x" in result.violations[0].message


def test_newer_minor_is_accepted_against_the_known_major():
    found, result = _violations("minds/future-mind/mind.yaml")
    assert result.ok and result.checked == [(str(FIXTURES / "invalid" / "minds/future-mind/mind.yaml"), "mind-spec@1.7.0")]


def test_tree_validation_reports_every_failure():
    result = registry.validate_tree(FIXTURES / "invalid")
    files = {Path(v.file).name for v in result.violations}
    assert files == {"wrong-words-0000aaaa.md", "bad-type-0000bbbb.md", "metadata.yaml", "mind.yaml"}


def test_contract_violation_error_names_file_contract_and_pointers():
    contract = registry.get("etl-mmos-metadata", "1.0.0")
    with pytest.raises(ContractViolationError) as info:
        registry.validate_data({"contract": "etl-mmos-metadata@1.0.0"}, contract, file="x/metadata.yaml")
    message = str(info.value)
    assert message.startswith("x/metadata.yaml: violates etl-mmos-metadata@1.0.0")
    assert "'mind' is a required property" in message
    assert info.value.violations and all(v.contract == "etl-mmos-metadata@1.0.0" for v in info.value.violations)


def test_stray_files_are_reported_as_unrecognised(tmp_path):
    (tmp_path / "notes.md").write_text("# just notes\n")
    result = registry.validate_tree(tmp_path)
    assert result.ok and result.unrecognised == [str(tmp_path / "notes.md")]


def test_location_match_without_contract_key_is_validated(tmp_path):
    path = tmp_path / "minds" / "x" / "sources" / "metadata.yaml"
    path.parent.mkdir(parents=True)
    path.write_text("mind: x\n")
    result = registry.validate_file(path)
    latest = registry.latest("etl-mmos-metadata").ref  # a file that names no contract is checked against the latest
    assert (latest, "") in {(v.contract, v.pointer) for v in result.violations}


def test_metadata_must_agree_with_the_files_beside_it(tmp_path):
    import shutil

    folder = tmp_path / "minds" / "iris-valente" / "sources"
    shutil.copytree(COMMITTED_OUTPUTS / "minds" / "iris-valente" / "sources", folder)
    assert registry.validate_tree(tmp_path).ok
    metadata = folder / "metadata.yaml"
    text = metadata.read_text()
    victim = next(folder.glob("letter-*.md"))
    victim.unlink()
    result = registry.validate_file(metadata)
    assert [(v.pointer, "does not exist" in v.message) for v in result.violations] == [("/sources/3/file", True)]
    metadata.write_text(text.replace("words: 1481", "words: 1480", 1).replace("words: 5141", "words: 5140"))
    shutil.copy(COMMITTED_OUTPUTS / "minds" / "iris-valente" / "sources" / victim.name, victim)
    pointers = {v.pointer for v in registry.validate_file(metadata).violations}
    assert pointers == {"/sources/0/words"}
