-- Ownership enforced by the database: one role per pack may write only its own tables and read
-- all; Row Level Security scopes every mind-scoped table to current_mind_id().
--
--   role                 writes
--   lendaria_etl         minds, sources, ingestion_batches
--   lendaria_innerlens   fragments, fragment_tags, fragment_quality_audits, big_five_profiles
--   lendaria_mmos        mind_profiles
--   lendaria_creatoros   content_projects, content_pieces, content_lessons, content_minds,
--                        audience_profiles, content_performance
--   lendaria_ops         schema_versions, migration_log, db_audit_events, job_executions, task_metrics

do $$
declare
  r text;
begin
  foreach r in array array['lendaria_etl', 'lendaria_innerlens', 'lendaria_mmos', 'lendaria_creatoros', 'lendaria_ops'] loop
    if not exists (select 1 from pg_roles where rolname = r) then
      execute format('create role %I nologin noinherit', r);
    end if;
    -- service_role (Supabase's backend role) and the migrating user may act as a pack
    execute format('grant %I to service_role', r);
    execute format('grant %I to %I', r, current_user);
  end loop;
end
$$;

grant usage on schema public to lendaria_etl, lendaria_innerlens, lendaria_mmos, lendaria_creatoros, lendaria_ops;

-- Start from nothing for the API roles on our tables (Supabase's defaults grant them everything).
-- Only Lendária's tables are touched: other tables in the project keep their own grants.
do $$
declare
  t text;
begin
  foreach t in array array['minds', 'mind_profiles', 'sources', 'ingestion_batches', 'fragments', 'fragment_tags',
                           'fragment_quality_audits', 'big_five_profiles', 'content_projects', 'content_pieces',
                           'content_lessons', 'content_minds', 'audience_profiles', 'content_performance',
                           'schema_versions', 'migration_log', 'db_audit_events', 'job_executions', 'task_metrics'] loop
    execute format('revoke all on public.%I from anon, authenticated, public', t);
    -- everyone inside the pipeline reads everything (subject to RLS); service_role does all
    execute format('grant select on public.%I to lendaria_etl, lendaria_innerlens, lendaria_mmos, lendaria_creatoros, lendaria_ops', t);
    execute format('grant all on public.%I to service_role', t);
  end loop;
end
$$;
grant usage on sequence public.migration_log_id_seq, public.db_audit_events_id_seq, public.task_metrics_id_seq to service_role, lendaria_ops;

grant insert, update, delete on public.minds, public.sources, public.ingestion_batches to lendaria_etl;
grant insert, update, delete on public.fragments, public.fragment_tags, public.fragment_quality_audits, public.big_five_profiles to lendaria_innerlens;
grant insert, update, delete on public.mind_profiles to lendaria_mmos;
grant insert, update, delete on public.content_projects, public.content_pieces, public.content_lessons,
  public.content_minds, public.audience_profiles, public.content_performance to lendaria_creatoros;
grant insert, update, delete on public.schema_versions, public.migration_log, public.db_audit_events,
  public.job_executions, public.task_metrics to lendaria_ops;

-- Signed-in users (Supabase `authenticated`) may read their own mind's rows, nothing else.
grant select on public.minds, public.mind_profiles, public.sources, public.ingestion_batches, public.fragments,
  public.fragment_tags, public.fragment_quality_audits, public.big_five_profiles, public.content_projects,
  public.content_pieces, public.content_lessons, public.content_minds, public.audience_profiles,
  public.content_performance to authenticated;

-- The mind a session works on: the JWT claim `mind_id` (or app_metadata.mind_id) on Supabase,
-- read from PostgREST's request.jwt.claims (what auth.jwt() reads, without needing rights on the
-- auth schema); the setting `lendaria.mind_id` on direct connections. NULL when none is set.
create or replace function public.current_mind_id() returns uuid
language sql stable
as $$
  with claims as (
    select nullif(current_setting('request.jwt.claims', true), '')::jsonb as c
  )
  select coalesce(
    (select c ->> 'mind_id' from claims),
    (select c -> 'app_metadata' ->> 'mind_id' from claims),
    nullif(current_setting('lendaria.mind_id', true), '')
  )::uuid
$$;

revoke execute on function public.current_mind_id() from public, anon;
grant execute on function public.current_mind_id()
  to authenticated, service_role, lendaria_etl, lendaria_innerlens, lendaria_mmos, lendaria_creatoros, lendaria_ops;

-- RLS on every mind-scoped table. Pack roles work on the mind their session names, or on all
-- minds when none is named; signed-in users see their own mind only; anon sees nothing.
-- `(select public.current_mind_id())` is evaluated once per statement (an InitPlan), not per row.
do $$
declare
  t text;
  packs constant text := 'lendaria_etl, lendaria_innerlens, lendaria_mmos, lendaria_creatoros, lendaria_ops';
  in_scope constant text := '((select public.current_mind_id()) is null or %1$s = (select public.current_mind_id()))';
  own constant text := '(%1$s = (select public.current_mind_id()))';
  via_project constant text := '(exists (select 1 from public.content_projects p where p.id = project_id))';
  via_lesson constant text := '(exists (select 1 from public.content_lessons l where l.id = lesson_id))';
begin
  foreach t in array array['minds', 'mind_profiles', 'sources', 'ingestion_batches', 'fragments', 'fragment_tags',
                           'fragment_quality_audits', 'big_five_profiles', 'content_minds', 'content_projects'] loop
    execute format('alter table public.%I enable row level security', t);
    execute format('create policy %I on public.%I for all to %s using %s with check %s', t || '_packs', t, packs,
                   format(in_scope, case t when 'minds' then 'id' else 'mind_id' end),
                   format(in_scope, case t when 'minds' then 'id' else 'mind_id' end));
    execute format('create policy %I on public.%I for select to authenticated using %s', t || '_own_mind', t,
                   format(own, case t when 'minds' then 'id' else 'mind_id' end));
  end loop;

  foreach t in array array['content_pieces', 'content_lessons', 'audience_profiles', 'content_performance'] loop
    execute format('alter table public.%I enable row level security', t);
    execute format('create policy %I on public.%I for all to %s using %s with check %s', t || '_packs', t, packs,
                   case t when 'content_performance' then via_lesson else via_project end,
                   case t when 'content_performance' then via_lesson else via_project end);
    execute format('create policy %I on public.%I for select to authenticated using %s', t || '_own_mind', t,
                   case t when 'content_performance' then via_lesson else via_project end);
  end loop;
end
$$;
