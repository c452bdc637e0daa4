"""Versioned mind profiles, read back: ``lendaria profile history`` and ``lendaria profile diff``.

The database keeps every version of a mind's profiles (the voice profile and the eight analysis
layers) in ``mind_profile_versions``, each with its diff against the previous version (computed by
``public.profile_diff`` when MMOS persists; see migration ``20261122120000``). These functions query
it and describe versions for people; the CLI only prints what they return.
"""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from lendaria.errors import InputError


def _mind_id(conn: psycopg.Connection, slug: str) -> str:
    row = conn.execute("select id from public.minds where slug = %s", (slug,)).fetchone()
    if row is None:
        raise InputError(f"mind {slug!r} is not in the database.", hint=f"Persist it first: `lendaria run {slug}` or `lendaria persist {slug}`.")
    return str(row[0])


def history(conn: psycopg.Connection, slug: str, kind: str | None = None) -> list[dict[str, Any]]:
    """Every version of the mind's profiles (of one kind, when given), oldest first per kind."""
    mind_id = _mind_id(conn, slug)
    with conn.cursor(row_factory=dict_row) as cursor:
        rows = cursor.execute(
            "select profile_kind as kind, version, created_at, run_id, contract_path, contract_sha256, diff "
            "from public.mind_profile_versions where mind_id = %s and (%s::text is null or profile_kind = %s) "
            "order by profile_kind, version", (mind_id, kind, kind)).fetchall()
    if kind is not None and not rows:
        known = [r[0] for r in conn.execute("select distinct profile_kind from public.mind_profile_versions where mind_id = %s order by 1",
                                            (mind_id,))]
        raise InputError(f"{slug} has no {kind!r} profile in the database.", hint=f"Kinds: {', '.join(known) or 'none yet'}.")
    return [{**row, "created_at": row["created_at"].isoformat()} for row in rows]


def summarise(diff: dict[str, Any]) -> str:
    """One line: "+3 -1 ~2 claims; fields: engine, measures" (or "no change")."""
    parts = []
    counts = [(sign, len(diff.get(key) or [])) for sign, key in (("+", "added"), ("-", "removed"), ("~", "changed"))]
    if any(n for _, n in counts):
        parts.append(" ".join(f"{sign}{n}" for sign, n in counts) + " claims")
    if diff.get("fields"):
        parts.append("fields: " + ", ".join(diff["fields"]))
    return "; ".join(parts) or "no change"


def _version(conn: psycopg.Connection, mind_id: str, kind: str, version: int) -> dict[str, Any]:
    with conn.cursor(row_factory=dict_row) as cursor:
        row = cursor.execute("select version, profile, diff, run_id, created_at from public.mind_profile_versions "
                             "where mind_id = %s and profile_kind = %s and version = %s", (mind_id, kind, version)).fetchone()
    if row is None:
        raise InputError(f"there is no version {version} of {kind!r}.", hint="See the versions with `lendaria profile history`.")
    return row


def compare(conn: psycopg.Connection, slug: str, kind: str, old: int | None = None, new: int | None = None) -> dict[str, Any]:
    """What changed from version ``old`` to version ``new`` of one profile (default: the latest
    against the one before it): claims added, removed and changed (with their text), and fields."""
    mind_id = _mind_id(conn, slug)
    latest = conn.execute("select max(version) from public.mind_profile_versions where mind_id = %s and profile_kind = %s",
                          (mind_id, kind)).fetchone()[0]
    if latest is None:
        raise InputError(f"{slug} has no {kind!r} profile in the database.", hint="See the kinds with `lendaria profile history`.")
    new = latest if new is None else new
    old = max(new - 1, 0) if old is None else old
    after = _version(conn, mind_id, kind, new)
    before = _version(conn, mind_id, kind, old) if old else {"version": 0, "profile": {}}
    diff = conn.execute("select public.profile_diff(%s::jsonb, %s::jsonb)",
                        (Jsonb(before["profile"]), Jsonb(after["profile"]))).fetchone()[0]
    claims_before = {c["id"]: c for c in before["profile"].get("claims") or []}
    claims_after = {c["id"]: c for c in after["profile"].get("claims") or []}

    def brief(claim: dict[str, Any]) -> dict[str, Any]:
        return {"id": claim["id"], "claim": claim.get("claim"), "weight": claim.get("weight"), "evidence": len(claim.get("evidence") or [])}

    return {"mind": slug, "kind": kind, "from": before["version"], "to": after["version"], "run_id": after["run_id"],
            "summary": summarise(diff),
            "added": [brief(claims_after[i]) for i in diff["added"]],
            "removed": [brief(claims_before[i]) for i in diff["removed"]],
            "changed": [{"before": brief(claims_before[i]), "after": brief(claims_after[i])} for i in diff["changed"]],
            "fields": diff["fields"]}


def render_history(rows: list[dict[str, Any]]) -> list[str]:
    return [f"{r['kind']:<28} v{r['version']:<3} {r['created_at'][:19]}  run {r['run_id']}  sha256 {r['contract_sha256'][:12]}  "
            f"{summarise(r['diff'])}" for r in rows]


def render_comparison(report: dict[str, Any]) -> list[str]:
    lines = [f"{report['mind']} {report['kind']}: v{report['from']} -> v{report['to']} (run {report['run_id']}): {report['summary']}"]
    lines += [f"  + {c['id']}: {c['claim']}" for c in report["added"]]
    lines += [f"  - {c['id']}: {c['claim']}" for c in report["removed"]]
    for change in report["changed"]:
        before, after = change["before"], change["after"]
        lines.append(f"  ~ {after['id']}: {before['claim']} (weight {before['weight']}, {before['evidence']} spans) -> "
                     f"{after['claim']} (weight {after['weight']}, {after['evidence']} spans)")
    lines += [f"  field changed: {name}" for name in report["fields"]]
    return lines
