drop function if exists public.lendaria_record_metrics(jsonb);
drop index if exists public.task_metrics_run_idx;
alter table public.task_metrics drop column if exists details;
alter table public.task_metrics drop column if exists mind_slug;
