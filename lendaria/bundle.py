"""A mind as one portable zip: its contract files and its database rows, checksummed.

Layout of a bundle::

    MANIFEST.json              format, versions, counts, sha256 of every other member
    files/minds/<slug>/…       the mind's files under the outputs root (and files/courses/<course>/…)
    rows/<table>.jsonl         its database rows, one JSON object per line, in a stable order

The manifest's ``checksum`` is a sha256 over the rest of the manifest, which must be written in its
canonical form (sorted keys, two-space indent), so one changed byte of any member is detected. The
moment of export is kept out of the checksummed content, in the zip's comment: two exports of
unchanged data have the same members, byte for byte.

Import verifies everything before it writes anything: member names (no ``..``, no absolute paths),
sizes and compression ratios (zip bombs), the manifest's checksum and every member's sha256, the
bundle's format MAJOR and its schema version against this installation. Rows are inserted in one
transaction, each table as the pack role that owns it; files are staged, then moved into place
atomically once the transaction has committed.

Privacy: without ``include_private`` nothing of a non-PUBLIC source leaves: its source file, its
fragments and knowledge-base chunks (line by line), its rows (sources, fragments, tags), and every
other file or row that names it (an analysis layer citing it, say) is withheld as a whole. The
manifest lists what was withheld.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath
from typing import Any

from lendaria.catalog import Catalog, check_slug
from lendaria.errors import LendariaError
from lendaria.fileio import atomic_write_bytes
from lendaria.yamlio import load_yaml

BUNDLE_FORMAT = "1.0.0"
MANIFEST = "MANIFEST.json"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed member times: the same data gives the same bytes
PUBLIC = "PUBLIC"


@dataclass(frozen=True)
class Limits:
    """What import accepts before reading a member (zip-bomb and abuse caps)."""

    max_members: int = 50_000
    max_member_bytes: int = 1 << 30  # 1 GiB uncompressed
    max_total_bytes: int = 4 << 30  # 4 GiB uncompressed in all
    max_ratio: float = 200.0  # uncompressed / compressed, for members over 1 MiB


class BundleError(LendariaError):
    """The bundle cannot be exported or imported; nothing was written."""


# (table, owning pack role, rows of the mind): parents before children, the order rows are inserted in
MIND = "mind_id = %(mind)s"
PROJECTS = "project_id in (select id from public.content_projects where mind_id = %(mind)s and slug = any(%(courses)s))"
TABLES: tuple[tuple[str, str, str], ...] = (
    ("minds", "etl", "id = %(mind)s"),
    ("sources", "etl", MIND),
    ("ingestion_batches", "etl", MIND),
    ("fragments", "innerlens", MIND),
    ("fragment_tags", "innerlens", MIND),
    ("fragment_quality_audits", "innerlens", MIND),
    ("big_five_profiles", "innerlens", MIND),
    ("mind_profiles", "mmos", MIND),
    ("fidelity_checks", "mmos", MIND),
    ("mind_profile_versions", "mmos", MIND),  # restored through public.lendaria_restore_profile_versions
    ("content_projects", "creatoros", "mind_id = %(mind)s and slug = any(%(courses)s)"),
    ("content_minds", "creatoros", PROJECTS),
    ("content_pieces", "creatoros", PROJECTS),
    ("content_lessons", "creatoros", PROJECTS),
    ("audience_profiles", "creatoros", PROJECTS),
    ("content_performance", "creatoros", f"lesson_id in (select id from public.content_lessons where {PROJECTS})"),
)
LINE_FILTERED = ("analysis/fragments.jsonl", "kb/chunks.jsonl")  # filtered line by line on source_id


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def manifest_checksum(manifest: dict[str, Any]) -> str:
    body = {k: v for k, v in manifest.items() if k != "checksum"}
    return _sha(json.dumps(body, sort_keys=True, separators=(",", ":")).encode("utf-8"))


def manifest_bytes(manifest: dict[str, Any]) -> bytes:
    """The canonical text of a manifest (the only form import accepts)."""
    return (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode("utf-8")


# ---- export ----------------------------------------------------------------------------------------
def non_public_sources(catalog: Catalog, slug: str) -> list[str]:
    """Source ids the mind's metadata classifies as anything but PUBLIC."""
    path = catalog.sources_metadata(slug)
    if not path.is_file():
        return []
    data = load_yaml(path.read_text(encoding="utf-8")) or {}
    return sorted(s["source_id"] for s in data.get("sources") or [] if s.get("classification", PUBLIC) != PUBLIC)


def _filter_lines(data: bytes, hidden: list[str]) -> tuple[bytes, int]:
    kept, dropped = [], 0
    for line in data.decode("utf-8").splitlines(keepends=True):
        source = json.loads(line).get("source_id", "") if line.strip() else ""
        if any(source == h or source.startswith(h) for h in hidden) or (not source and any(h in line for h in hidden)):
            dropped += 1
        else:
            kept.append(line)
    return "".join(kept).encode("utf-8"), dropped


def collect_files(catalog: Catalog, slug: str, courses: list[str], include_private: bool) -> tuple[dict[str, bytes], dict[str, Any]]:
    """{path under the outputs root: bytes} of the mind (and courses), and what privacy withheld."""
    hidden = [] if include_private else non_public_sources(catalog, slug)
    files: dict[str, bytes] = {}
    withheld: dict[str, Any] = {"sources": hidden, "files": [], "lines": {}}
    folders = [catalog.mind_dir(slug), *(catalog.course_dir(course) for course in courses)]
    for folder in folders:
        if not folder.is_dir():
            raise BundleError(f"nothing to export at {catalog.relative(folder)}.", file=folder,
                              hint="Check the slug and course names (and --outputs).")
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            name = catalog.relative(path)
            data = path.read_bytes()
            inside = path.relative_to(catalog.mind_dir(slug)).as_posix() if path.is_relative_to(catalog.mind_dir(slug)) else ""
            if hidden and inside in LINE_FILTERED:
                data, dropped = _filter_lines(data, hidden)
                if dropped:
                    withheld["lines"][name] = dropped
            elif hidden and any(h.encode("utf-8") in data for h in hidden if h):
                if not (inside == "sources/metadata.yaml"):  # the list of sources itself: metadata, not content
                    withheld["files"].append(name)
                    continue
            files[name] = data
    return files, withheld


def mind_rows(conn, mind_id: str | None, courses: list[str], hidden: list[str]) -> tuple[dict[str, bytes], dict[str, int], dict[str, int]]:
    rows: dict[str, bytes] = {}
    counts: dict[str, int] = {}
    withheld: dict[str, int] = {}
    for table, _, where in TABLES:
        if mind_id is None:
            lines: list[str] = []
        else:
            lines = [r[0] for r in conn.execute(f"select row_to_json(t)::text from public.{table} t where {where} order by 1",
                                                {"mind": mind_id, "courses": courses})]
        if hidden:
            kept = [line for line in lines if not _names_hidden(table, json.loads(line), line, hidden)]
            if len(kept) != len(lines):
                withheld[table] = len(lines) - len(kept)
            lines = kept
        rows[f"rows/{table}.jsonl"] = "".join(line + "\n" for line in lines).encode("utf-8")
        counts[table] = len(lines)
    return rows, counts, withheld


def _names_hidden(table: str, row: dict[str, Any], text: str, hidden: list[str]) -> bool:
    if table in ("sources", "fragments", "fragment_tags"):
        key = row.get("source_id") or row.get("fragment_id") or ""
        return row.get("classification", PUBLIC) != PUBLIC or any(key.startswith(h) for h in hidden)
    return any(h in text for h in hidden)


def export_mind(conn, outputs_root: Path, slug: str, courses: list[str], target: Path, *, include_private: bool = False,
                lendaria_version: str = "", contracts: dict[str, str] | None = None) -> dict[str, Any]:
    """Write the bundle of ``slug`` to ``target`` (atomically); returns its manifest."""
    catalog = Catalog(outputs_root)
    check_slug(slug)
    courses = [check_slug(c) for c in courses]
    files, withheld = collect_files(catalog, slug, courses, include_private)
    row = conn.execute("select id from public.minds where slug = %s", (slug,)).fetchone()
    mind_id = str(row[0]) if row else None
    rows, counts, withheld_rows = mind_rows(conn, mind_id, courses, withheld["sources"])
    withheld["rows"] = withheld_rows
    schema = conn.execute("select max(version) from public.schema_versions").fetchone()[0]
    members = {f"files/{name}": data for name, data in files.items()} | rows
    manifest: dict[str, Any] = {
        "bundle_format": BUNDLE_FORMAT, "lendaria_version": lendaria_version, "schema_version": schema,
        "mind": slug, "mind_id": mind_id, "courses": courses, "contracts": contracts or {},
        "include_private": include_private, "withheld": withheld, "records": counts,
        "files": {name: _sha(data) for name, data in sorted(members.items())},
    }
    manifest["checksum"] = manifest_checksum(manifest)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        archive.comment = f"lendaria bundle of {slug}; exported_at={datetime.now(timezone.utc).isoformat(timespec='seconds')}".encode()
        for name, data in [(MANIFEST, manifest_bytes(manifest)), *sorted(members.items())]:
            archive.writestr(zipfile.ZipInfo(name, date_time=ZIP_TIME), data, compress_type=zipfile.ZIP_DEFLATED)
    atomic_write_bytes(target, buffer.getvalue())
    return manifest


# ---- import ----------------------------------------------------------------------------------------
def safe_member(name: str) -> PurePosixPath:
    """The member's path if it is a plain relative path, else :class:`BundleError`."""
    path = PurePosixPath(name)
    if (not name or name.startswith(("/", "\\")) or "\\" in name or ":" in path.parts[0] or path.is_absolute()
            or any(part in ("..", ".", "") for part in path.parts) or "\0" in name):
        raise BundleError(f"unsafe member path {name!r} in the bundle.", hint="The bundle was tampered with or not made by "
                                                                               "`lendaria export`; nothing was written.")
    return path


def read_bundle(path: Path, limits: Limits = Limits()) -> tuple[dict[str, Any], dict[str, bytes]]:
    """The verified manifest and members of the bundle at ``path``; raises :class:`BundleError`."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise BundleError(f"not a readable zip: {exc}.", file=path, hint="The bundle is corrupted or truncated; export it again.") from None
    with archive:
        infos = archive.infolist()
        if len(infos) > limits.max_members:
            raise BundleError(f"{len(infos)} members (at most {limits.max_members}).", file=path, hint="Nothing was written.")
        total = 0
        for info in infos:
            safe_member(info.filename)
            if info.is_dir():
                continue
            total += info.file_size
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > limits.max_member_bytes or total > limits.max_total_bytes or \
                    (info.file_size > 1 << 20 and ratio > limits.max_ratio):
                raise BundleError(f"member {info.filename!r} expands to {info.file_size:,} bytes (ratio {ratio:.0f}:1): "
                                  "over the size caps.", file=path, hint="This looks like a zip bomb; nothing was written.")
        names = {info.filename for info in infos if not info.is_dir()}
        if MANIFEST not in names:
            raise BundleError("no MANIFEST.json in the bundle.", file=path, hint="Not a Lendária bundle; nothing was written.")
        members = {name: _read_capped(archive, name, limits) for name in sorted(names)}
    raw = members.pop(MANIFEST)
    try:
        manifest = json.loads(raw)
    except ValueError:
        raise BundleError("MANIFEST.json is not JSON.", file=path, hint="The bundle is corrupted; nothing was written.") from None
    if not isinstance(manifest, dict) or raw != manifest_bytes(manifest):
        raise BundleError("MANIFEST.json is not in its canonical form.", file=path,
                          hint="The manifest was edited after export; nothing was written.")
    check_manifest(manifest, members, path)
    return manifest, members


def _read_capped(archive: zipfile.ZipFile, name: str, limits: Limits) -> bytes:
    """The member's bytes, never more than the cap whatever its header claims; a damaged member
    (bad CRC, truncated stream) is a :class:`BundleError`."""
    try:
        with archive.open(name) as stream:
            data = stream.read(limits.max_member_bytes + 1)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise BundleError(f"member {name!r} cannot be read: {exc}.", hint="The bundle is corrupted or truncated; nothing was written.") from None
    if len(data) > limits.max_member_bytes:
        raise BundleError(f"member {name!r} is larger than its header says.", hint="This looks like a zip bomb; nothing was written.")
    return data


def check_manifest(manifest: dict[str, Any], members: dict[str, bytes], path: Path) -> None:
    fmt = str(manifest.get("bundle_format", ""))
    if fmt.split(".")[0] != BUNDLE_FORMAT.split(".")[0]:
        raise BundleError(f"bundle format {fmt or '(none)'} is not one this Lendária reads ({BUNDLE_FORMAT.split('.')[0]}.x).",
                          file=path, hint="Import it with the Lendária that made it, or upgrade.")
    if manifest.get("checksum") != manifest_checksum(manifest):
        raise BundleError("the manifest's checksum does not match its content.", file=path,
                          hint="The manifest was changed after export; nothing was written.")
    listed = manifest.get("files") or {}
    if set(listed) != set(members):
        extra, missing = sorted(set(members) - set(listed)), sorted(set(listed) - set(members))
        raise BundleError(f"members and manifest disagree (not listed: {extra[:3]}; missing: {missing[:3]}).", file=path,
                          hint="The bundle was tampered with or truncated; nothing was written.")
    for name, data in members.items():
        safe = safe_member(name)
        if safe.parts[0] not in ("files", "rows"):
            raise BundleError(f"unexpected member {name!r}.", file=path, hint="Nothing was written.")
        if _sha(data) != listed[name]:
            raise BundleError(f"member {name!r} does not match its sha256 in the manifest.", file=path,
                              hint="The bundle was changed or damaged after export; nothing was written.")
    slug = check_slug(manifest.get("mind"), file=path)
    allowed = [("minds", slug), *(("courses", check_slug(c, file=path)) for c in manifest.get("courses") or [])]
    for name in members:
        parts = PurePosixPath(name).parts
        if parts[0] == "files" and (len(parts) < 4 or tuple(parts[1:3]) not in allowed):
            raise BundleError(f"member {name!r} is outside the mind's and its courses' folders.", file=path, hint="Nothing was written.")
        if parts[0] == "rows" and (len(parts) != 2 or parts[1].removesuffix(".jsonl") not in {t for t, _, _ in TABLES}):
            raise BundleError(f"unknown table member {name!r}.", file=path, hint="Nothing was written.")


@dataclass
class ImportResult:
    slug: str
    files: int
    rows: dict[str, int]
    replaced: bool

    def summary(self) -> str:
        return (f"imported {self.slug}: {self.files} files, {sum(self.rows.values())} rows in {len(self.rows)} tables"
                + (" (replaced the existing mind)" if self.replaced else "") + ".")


def import_bundle(conn, outputs_root: Path, manifest: dict[str, Any], members: dict[str, bytes], *, replace: bool = False,
                  latest_schema: str | None = None) -> ImportResult:
    """Write a verified bundle (:func:`read_bundle`): rows in one transaction through the pack roles,
    then the files. ``conn`` is a direct connection as the database owner, not in a transaction."""
    slug, mind_id = manifest["mind"], manifest.get("mind_id")
    if latest_schema is not None and manifest.get("schema_version") and manifest["schema_version"] > latest_schema:
        raise BundleError(f"the bundle's schema {manifest['schema_version']} is newer than this installation's ({latest_schema}).",
                          hint="Upgrade Lendária, then import again; nothing was written.")
    catalog = Catalog(outputs_root)
    files = {PurePosixPath(name).relative_to("files").as_posix(): data for name, data in members.items() if name.startswith("files/")}
    existing = conn.execute("select id from public.minds where slug = %s", (slug,)).fetchone()
    replaced = False
    if existing is not None and mind_id is not None and str(existing[0]) != mind_id:
        if not replace:
            raise BundleError(f"the database already holds a different mind named {slug!r}.",
                              hint="Pass --replace to overwrite it (its rows and files are replaced); nothing was written.")
        replaced = True
    different = _different_files(catalog, slug, manifest.get("courses") or [], files)
    if different and not replace:
        raise BundleError(f"{len(different)} file(s) under the outputs root differ from the bundle's (e.g. {different[0]}).",
                          hint="Pass --replace to overwrite them; nothing was written.")
    staging = Path(tempfile.mkdtemp(prefix=".import-", dir=_mkdir(outputs_root)))
    try:
        for name, data in files.items():  # staged first: a full disk fails here, before the database is touched
            target = staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        counts = _insert_rows(conn, manifest, members, existing[0] if existing else None)
        for folder in _folders(catalog, slug, manifest.get("courses") or []) if replace else []:
            for path in [p for p in folder.rglob("*") if p.is_file()]:
                if catalog.relative(path) not in files:
                    path.unlink()  # --replace: the mind's files are exactly the bundle's
        for name in files:
            atomic_write_bytes(outputs_root / name, (staging / name).read_bytes())
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return ImportResult(slug, len(files), counts, replaced or bool(different))


def _mkdir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def _folders(catalog: Catalog, slug: str, courses: list[str]) -> list[Path]:
    return [folder for folder in (catalog.mind_dir(slug), *(catalog.course_dir(c) for c in courses)) if folder.is_dir()]


def _different_files(catalog: Catalog, slug: str, courses: list[str], files: dict[str, bytes]) -> list[str]:
    different = []
    for folder in _folders(catalog, slug, courses):
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            name = catalog.relative(path)
            if files.get(name) != path.read_bytes():
                different.append(name)
    return different


def _insert_rows(conn, manifest: dict[str, Any], members: dict[str, bytes], existing: Any) -> dict[str, int]:
    counts: dict[str, int] = {}
    with conn.transaction():
        previous = conn.execute("select current_user").fetchone()[0]
        if existing is not None:  # the same mind again, or --replace: its rows are replaced by the bundle's
            conn.execute("set local role lendaria_creatoros")
            conn.execute("delete from public.content_projects where mind_id = %s and slug = any(%s)", (existing, manifest.get("courses") or []))
            conn.execute("set local role lendaria_etl")
            conn.execute("delete from public.minds where id = %s", (existing,))  # cascades to every mind-scoped row
        for table, role, _ in TABLES:
            data = members.get(f"rows/{table}.jsonl", b"")
            rows = [json.loads(line) for line in data.decode("utf-8").splitlines() if line.strip()]
            counts[table] = len(rows)
            if not rows:
                continue
            conn.execute(f"set local role lendaria_{role}")
            if table == "mind_profile_versions":
                conn.execute("select public.lendaria_restore_profile_versions(%s, %s::jsonb)", (manifest["mind_id"], json.dumps(rows)))
            else:
                # only the columns the bundle has: one written before a column was added leaves it to its
                # default, as the migration that added it did for the rows already there
                listed = ", ".join(_bundle_columns(conn, table, rows))
                conn.execute(f"insert into public.{table} ({listed}) select {listed} "
                             f"from jsonb_populate_recordset(null::public.{table}, %s::jsonb)", (json.dumps(rows),))
        conn.execute(f"set local role {previous}")
    return counts


def _bundle_columns(conn, table: str, rows: list[dict[str, Any]]) -> list[str]:
    """The table's columns (quoted, in table order) that the bundle's rows carry; a column the rows
    carry and the table no longer has is an error naming it (no migration drops data silently here)."""
    columns = [r[0] for r in conn.execute(
        "select attname from pg_attribute where attrelid = %s::regclass and attnum > 0 and not attisdropped order by attnum",
        (f"public.{table}",))]
    carried = set().union(*(row.keys() for row in rows))
    unknown = sorted(carried - set(columns))
    if unknown:
        raise BundleError(f"rows/{table}.jsonl has column(s) this database's {table} lacks: {', '.join(unknown)}.",
                          hint="Import with the Lendária version that exported it; nothing was written.")
    return [f'"{name}"' for name in columns if name in carried]
