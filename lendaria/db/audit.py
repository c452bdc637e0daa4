"""The audit trail (``lendaria audit``): db_audit_events, newest first, of one mind or all."""

from __future__ import annotations

from typing import Any

COLUMNS = ("id", "occurred_at", "actor", "action", "table_name", "row_key", "run_id", "details")


def events(conn, mind: str | None, limit: int) -> list[dict[str, Any]]:
    """Events that concern ``mind`` (its slug or id in row_key) or every event; newest first."""
    query = (f"select {', '.join(COLUMNS)} from public.db_audit_events e "
             "where %(mind)s::text is null or e.row_key = %(mind)s "
             "or e.row_key = (select id::text from public.minds where slug = %(mind)s) "
             "order by e.id desc limit %(limit)s")
    return [dict(zip(COLUMNS, row)) for row in conn.execute(query, {"mind": mind, "limit": limit})]


def render_events(rows: list[dict[str, Any]]) -> list[str]:
    lines = []
    for row in rows:
        rows_count = (row.get("details") or {}).get("rows")
        what = f"{row['action']} {row['table_name']}" + (f" ({rows_count} rows)" if rows_count is not None else "")
        lines.append(f"{row['occurred_at']:%Y-%m-%d %H:%M:%S}  {row['actor']:<20} {what}"
                     + (f"  run {row['run_id']}" if row.get("run_id") else ""))
    return lines
