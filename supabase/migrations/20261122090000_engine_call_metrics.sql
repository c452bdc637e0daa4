-- Engine calls in task_metrics: which mind, and a details object (engine, model, capability, cache
-- hits, note) beside each metric row, plus the write path, run as the operations role.
--
-- One engine call is recorded as one row per metric (input_tokens, output_tokens,
-- cache_write_tokens, cache_read_tokens, cost_usd, duration_ms) under task = '<step>/<capability>#<n>'.
-- Re-recording the same run replaces its values (idempotent).

alter table public.task_metrics add column if not exists mind_slug text;
alter table public.task_metrics add column if not exists details jsonb not null default '{}'::jsonb;
create index if not exists task_metrics_run_idx on public.task_metrics (run_id);
comment on column public.task_metrics.details is 'For engine calls: engine, model, capability, correlation note.';

create or replace function public.lendaria_record_metrics(p_metrics jsonb) returns integer
language plpgsql volatile
as $$
declare
  v_prev text := current_user;
  v_count integer;
begin
  execute 'set local role lendaria_ops';
  insert into public.task_metrics as m (run_id, stage, task, metric, value, unit, mind_slug, details)
  select r ->> 'run_id', r ->> 'stage', r ->> 'task', r ->> 'metric', (r ->> 'value')::double precision,
         r ->> 'unit', r ->> 'mind_slug', coalesce(r -> 'details', '{}'::jsonb)
  from jsonb_array_elements(p_metrics) as r
  on conflict (run_id, stage, task, metric) do update
    set value = excluded.value, unit = excluded.unit, mind_slug = excluded.mind_slug,
        details = excluded.details, recorded_at = now();
  get diagnostics v_count = row_count;
  execute format('set local role %I', v_prev);
  return v_count;
end
$$;

revoke execute on function public.lendaria_record_metrics(jsonb) from public, anon, authenticated;
grant execute on function public.lendaria_record_metrics(jsonb) to service_role;
