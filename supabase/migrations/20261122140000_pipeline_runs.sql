-- Run history: one row per pipeline run (the Prefect flow run id), written at the end of the run
-- by the operations role, read by `lendaria runs`. A run retried from the Prefect UI keeps its flow
-- run id, so its row is updated in place (status, duration, stages of the last attempt).

create table public.pipeline_runs (
  run_id       text primary key check (length(run_id) between 1 and 200),
  mind_slug    text not null,
  status       text not null check (status in ('completed', 'failed')),
  started_at   timestamptz not null,
  finished_at  timestamptz not null default now(),
  duration_ms  integer check (duration_ms >= 0),
  engine       text,
  cost_usd     double precision not null default 0 check (cost_usd >= 0),
  forced       boolean not null default false,
  flow_run_url text,
  error        text,
  stages       jsonb not null default '[]'::jsonb check (jsonb_typeof(stages) = 'array'),
  attempts     integer not null default 1 check (attempts >= 1)
);
comment on table public.pipeline_runs is 'One row per pipeline run: stages (ran / skipped / failed), status, duration, cost, UI link.';
create index pipeline_runs_mind_started_idx on public.pipeline_runs (mind_slug, started_at desc);
create index pipeline_runs_started_idx on public.pipeline_runs (started_at desc);

-- Supabase's default privileges grant the API roles everything on a new table: start from nothing
revoke all on public.pipeline_runs from anon, authenticated, public;
grant select on public.pipeline_runs to lendaria_etl, lendaria_innerlens, lendaria_mmos, lendaria_creatoros, lendaria_ops;
grant insert, update, delete on public.pipeline_runs to lendaria_ops;
grant all on public.pipeline_runs to service_role;

create or replace function public.lendaria_record_run(p_run jsonb) returns text
language plpgsql volatile
as $$
declare
  v_prev text := current_user;
begin
  execute 'set local role lendaria_ops';
  insert into public.pipeline_runs as r (run_id, mind_slug, status, started_at, duration_ms, engine, cost_usd, forced,
                                         flow_run_url, error, stages)
  values (p_run ->> 'run_id', p_run ->> 'mind_slug', p_run ->> 'status', (p_run ->> 'started_at')::timestamptz,
          (p_run ->> 'duration_ms')::integer, p_run ->> 'engine', coalesce((p_run ->> 'cost_usd')::double precision, 0),
          coalesce((p_run ->> 'force')::boolean, false), p_run ->> 'flow_run_url', p_run ->> 'error',
          coalesce(p_run -> 'stages', '[]'::jsonb))
  on conflict (run_id) do update
    set status = excluded.status, finished_at = now(), duration_ms = excluded.duration_ms, engine = excluded.engine,
        cost_usd = r.cost_usd + excluded.cost_usd, forced = excluded.forced, error = excluded.error,
        stages = excluded.stages, flow_run_url = coalesce(excluded.flow_run_url, r.flow_run_url),
        attempts = r.attempts + 1;
  execute format('set local role %I', v_prev);
  return p_run ->> 'run_id';
end
$$;

revoke execute on function public.lendaria_record_run(jsonb) from public, anon, authenticated;
grant execute on function public.lendaria_record_run(jsonb) to service_role;
