drop function if exists public.lendaria_record_run(jsonb);
drop table if exists public.pipeline_runs;
