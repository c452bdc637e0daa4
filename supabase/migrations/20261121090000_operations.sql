-- Operations: migration bookkeeping, audit, and per-run telemetry. Written by the operations role
-- (and the migration runner); readable by every pack. No RLS: these rows are not mind data.

create table public.schema_versions (
  version      text primary key check (version ~ '^[0-9]{14}$'),
  name         text not null,
  checksum     text not null check (checksum ~ '^[0-9a-f]{64}$'),
  applied_at   timestamptz not null default now(),
  applied_by   text not null default current_user,
  execution_ms integer not null default 0 check (execution_ms >= 0)
);
comment on table public.schema_versions is 'Applied migrations with the sha256 of their file (lendaria db migrate).';

create table public.migration_log (
  id          bigint generated always as identity primary key,
  version     text not null,
  name        text not null,
  direction   text not null check (direction in ('up', 'down')),
  status      text not null check (status in ('applied', 'failed', 'rolled_back')),
  checksum    text,
  error       text,
  started_at  timestamptz not null,
  finished_at timestamptz not null default now(),
  run_by      text not null default current_user
);
comment on table public.migration_log is 'Every migration attempt, failed ones included.';

create table public.db_audit_events (
  id          bigint generated always as identity primary key,
  occurred_at timestamptz not null default now(),
  actor       text not null default current_user,
  action      text not null check (action in ('insert', 'update', 'delete', 'persist', 'migrate', 'rollback')),
  table_name  text not null,
  row_key     text,
  run_id      text,
  details     jsonb not null default '{}'::jsonb
);
create index db_audit_events_table_idx on public.db_audit_events (table_name, occurred_at);

create table public.job_executions (
  id          uuid primary key default gen_random_uuid(),
  run_id      text not null check (length(run_id) between 1 and 200),
  stage       text not null check (stage in ('etl', 'innerlens', 'mmos', 'creatoros')),
  mind_slug   text,
  status      text not null check (status in ('running', 'completed', 'failed')),
  counts      jsonb not null default '{}'::jsonb,
  duration_ms integer check (duration_ms >= 0),
  error       text,
  started_at  timestamptz not null default now(),
  finished_at timestamptz,
  unique (run_id, stage, mind_slug)
);
comment on table public.job_executions is 'One row per stage run (pipeline run id, stage, mind).';

create table public.task_metrics (
  id          bigint generated always as identity primary key,
  run_id      text not null,
  stage       text not null,
  task        text not null,
  metric      text not null,
  value       double precision not null,
  unit        text,
  recorded_at timestamptz not null default now(),
  unique (run_id, stage, task, metric)
);
