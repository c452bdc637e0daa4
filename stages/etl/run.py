"""The ETL stage as plain functions: plan, collect, finish. ``flows/etl.py`` wires the same steps as
Prefect tasks; ``run_etl`` chains them sequentially (benchmarks, tests, library use)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from lendaria.catalog import Catalog, check_slug
from lendaria.errors import InputError, NothingCollectedError
from lendaria.settings import Settings
from lendaria.text import language_code

from stages.etl.collection import WriteReport, assemble, previous_versions, write_collection
from stages.etl.remote import collect_remote_items
from stages.etl.sources import Document, Failure, check_local_item, collect_local_item, named_files, spec_relative
from stages.etl.spec import MindSpec, SourceItem, load_mind_spec

log = logging.getLogger(__name__)


@dataclass
class EtlResult:
    slug: str
    sources_dir: Path
    totals: dict[str, int]
    report: WriteReport
    failures: list[str] = field(default_factory=list)
    sources: list[dict] = field(default_factory=list)  # the metadata entries, as written
    language: str | None = None  # the language mind.yaml declares

    @property
    def other_language(self) -> list[str]:
        """Sources detected in another language than the declared one ("source id (xx)"): reported,
        never silently analysed with the declared language's resources."""
        declared = language_code(self.language)
        return [f"{e['source_id']} ({e['language']})" for e in self.sources
                if declared and e.get("language") not in (None, "und") and language_code(e["language"]) != declared]

    @property
    def removed_words(self) -> dict[str, int]:
        """Words removed as not the author's, by kind (licence wrappers, non-speech captions, ...)."""
        removed: dict[str, int] = {}
        for entry in self.sources:
            for part in entry.get("removed", []):
                if part.get("words"):
                    removed[part["what"]] = removed.get(part["what"], 0) + part["words"]
        return {kind: words for kind, words in sorted(removed.items()) if words}

    def summary(self) -> str:
        t = self.totals
        parts = [f"{t['collected']} collected"]
        for key, label in (("kept", "kept from earlier runs"), ("duplicates", "duplicates"), ("failed", "failed")):
            if t[key]:
                parts.append(f"{t[key]} {label}")
        written = len(self.report.written)
        removed = self.removed_words
        not_theirs = "; " + ", ".join(f"{words:,} words of {what} removed" for what, words in removed.items()) if removed else ""
        other = self.other_language
        elsewhere = (f"; {len(other)} source(s) in another language than the declared {language_code(self.language)}: "
                     + ", ".join(other)) if other else ""
        return (f"{self.slug}: {', '.join(parts)}; {t['words']:,} words{not_theirs}{elsewhere}. "
                f"{written} file{'s' if written != 1 else ''} written, {self.report.unchanged} unchanged"
                + (f", {len(self.report.removed)} stale removed" if self.report.removed else "") + ".")


def resolve_spec_path(mind: str | Path, outputs_root: Path) -> Path:
    """``mind`` is a path to a mind.yaml, or a slug whose spec is ``outputs/minds/<slug>/mind.yaml``."""
    candidate = Path(mind)
    if candidate.suffix.lower() in (".yaml", ".yml") or candidate.is_file() or "/" in str(mind):
        if not candidate.is_file():
            raise InputError("mind spec not found.", file=candidate, hint="Give a path to a mind.yaml or a slug.")
        return candidate
    spec_path = Catalog(outputs_root).mind_spec(check_slug(str(mind)))
    if not spec_path.is_file():
        raise InputError("no mind spec for this slug.", file=spec_path,
                         hint=f"Create one with `lendaria init {mind} --name \"…\"` or pass a path to a mind.yaml.")
    return spec_path


def load_spec_for_run(mind: str | Path, outputs_root: Path) -> MindSpec:
    spec_path = resolve_spec_path(mind, outputs_root)
    spec = load_mind_spec(spec_path)
    parent = spec_path.resolve().parent
    minds_dir = (outputs_root / "minds").resolve()
    if parent.parent == minds_dir and parent.name != spec.slug:
        raise InputError(f"slug {spec.slug!r} does not match its folder {parent.name!r}.", file=spec_path,
                         hint="Rename the folder or fix the slug.")
    return spec


def split_items(spec: MindSpec) -> tuple[list[SourceItem], list[SourceItem]]:
    local = [item for item in spec.items if not item.is_remote]
    remote = [item for item in spec.items if item.is_remote]
    return local, remote


def merge_in_spec_order(local: dict[int, list[Document | Failure]], remote: list[Document | Failure]) -> list[Document | Failure]:
    """All results ordered by their item's position in the spec (stable within an item)."""
    ordered: list[tuple[int, int, Document | Failure]] = []
    for index, documents in local.items():
        ordered.extend((index, n, d) for n, d in enumerate(documents))
    ordered.extend((r.item.index, n, r) for n, r in enumerate(remote))
    ordered.sort(key=lambda t: (t[0], t[1]))
    return [r for _, _, r in ordered]


def check_local_inputs(spec: MindSpec, settings: Settings) -> None:
    """Pre-flight: every check that needs only local files (paths, size cap, binary content,
    charset, transcript speaker), so bad local input fails before extraction, Prefect or a server
    starts. Raises :class:`InputError` naming the file."""
    for item in spec.items:
        if not item.is_remote:
            check_local_item(item, spec.base_dir, spec_path=spec.spec_path, max_bytes=settings.max_source_bytes)


def preflight(mind: str | Path, outputs_root: Path, settings: Settings) -> None:
    """The pack's pre-flight (declared in ``pack.py``): the spec and every local file it names."""
    check_local_inputs(load_spec_for_run(mind, outputs_root), settings)


def collect_local(spec: MindSpec, item: SourceItem, settings: Settings) -> list[Document | Failure]:
    return collect_local_item(item, spec.base_dir, spec_path=spec.spec_path, max_bytes=settings.max_source_bytes)


def finish(spec: MindSpec, outputs_root: Path, results: list[Document | Failure]) -> EtlResult:
    """Dedupe, keep earlier versions of failed remote sources, validate, write. Raises
    :class:`NothingCollectedError` (exit 3) when nothing at all was collected."""
    catalog = Catalog(outputs_root)
    failures = [r for r in results if isinstance(r, Failure)]
    collection = assemble(spec, results, previous_versions(catalog, spec.slug, failures))
    totals = collection.totals
    failure_lines = [f.error for f in collection.failures]
    if totals["collected"] + totals["kept"] == 0:
        if not catalog.sources_metadata(spec.slug).is_file():
            write_collection(catalog, collection)  # record the failures; there was nothing earlier to lose
        raise NothingCollectedError(
            "nothing was collected: " + "; ".join(failure_lines),
            file=spec.spec_path,
            hint="Check the URLs and your network; earlier outputs were left untouched.",
        )
    report = write_collection(catalog, collection)
    return EtlResult(spec.slug, catalog.sources_dir(spec.slug), totals, report, failure_lines, collection.metadata["sources"],
                     spec.language)


def run_etl(mind: str | Path, outputs_root: Path, settings: Settings) -> EtlResult:
    """Collect every source of ``mind`` into ``outputs_root`` (sequential; no Prefect)."""
    spec = load_spec_for_run(mind, outputs_root)
    local_items, remote_items = split_items(spec)
    # sequential: local collection raises any bad-input error before a download starts or a file is
    # written, so no separate pre-flight (it would read every file twice)
    local = {item.index: collect_local(spec, item, settings) for item in local_items}
    remote = collect_remote_items(remote_items, settings)
    return finish(spec, outputs_root, merge_in_spec_order(local, remote))


def scope(slug: str, mind: str | Path, outputs_root: Path, options: dict) -> list[Path] | None:
    """What ETL reads and writes (lendaria.resume): the spec, every local file it names, and the mind's
    sources folder. None with URLs or feeds: their content can change at any time, so ETL always runs."""
    spec = load_spec_for_run(mind, outputs_root)
    local, remote = split_items(spec)
    if remote:
        return None
    named = [file for item in local for file in named_files(item, spec.base_dir)]
    return [spec.spec_path, *named, Catalog(outputs_root).sources_dir(slug)]


def item_key(spec: MindSpec, item: SourceItem, settings: Settings) -> str:
    """The content key of collecting one local item (its Prefect cache key): the item's fields, the
    bytes of every file it names, the ETL code version and the settings outputs depend on."""
    import hashlib
    import json
    from dataclasses import asdict

    from lendaria.resume import code_version, settings_fingerprint

    digest = hashlib.sha256(json.dumps({"item": asdict(item), "code": code_version("stages/etl"),
                                        "settings": settings_fingerprint(settings)}, sort_keys=True, default=str).encode())
    for file in named_files(item, spec.base_dir):
        digest.update(spec_relative(file, spec.base_dir).encode() + b"\0" + hashlib.sha256(file.read_bytes()).digest())
    return digest.hexdigest()
