drop function if exists public.lendaria_persist(text, jsonb);
drop function if exists public.lendaria_record_job(jsonb);
