do $$
declare
  t text;
  p record;
begin
  foreach t in array array['minds', 'mind_profiles', 'sources', 'ingestion_batches', 'fragments', 'fragment_tags',
                           'fragment_quality_audits', 'big_five_profiles', 'content_projects', 'content_pieces',
                           'content_lessons', 'content_minds', 'audience_profiles', 'content_performance'] loop
    for p in select policyname from pg_policies where schemaname = 'public' and tablename = t loop
      execute format('drop policy %I on public.%I', p.policyname, t);
    end loop;
    execute format('alter table public.%I disable row level security', t);
  end loop;
end
$$;

drop function if exists public.current_mind_id();

do $$
declare
  r text;
begin
  foreach r in array array['lendaria_etl', 'lendaria_innerlens', 'lendaria_mmos', 'lendaria_creatoros', 'lendaria_ops'] loop
    if exists (select 1 from pg_roles where rolname = r) then
      execute format('revoke all on public.minds, public.mind_profiles, public.sources, public.ingestion_batches, '
                     'public.fragments, public.fragment_tags, public.fragment_quality_audits, public.big_five_profiles, '
                     'public.content_projects, public.content_pieces, public.content_lessons, public.content_minds, '
                     'public.audience_profiles, public.content_performance, public.schema_versions, public.migration_log, '
                     'public.db_audit_events, public.job_executions, public.task_metrics from %I', r);
      execute format('revoke all on sequence public.migration_log_id_seq, public.db_audit_events_id_seq, public.task_metrics_id_seq from %I', r);
      execute format('revoke usage on schema public from %I', r);
      -- roles are cluster-wide: another database of the cluster may still use them
      begin
        execute format('drop role %I', r);
      exception when dependent_objects_still_exist or object_in_use then
        raise notice 'role % kept: still used elsewhere in the cluster', r;
      end;
    end if;
  end loop;
end
$$;

-- back to the state before the migration: the API roles' default privileges on our tables
grant all on public.minds, public.mind_profiles, public.sources, public.ingestion_batches, public.fragments,
  public.fragment_tags, public.fragment_quality_audits, public.big_five_profiles, public.content_projects,
  public.content_pieces, public.content_lessons, public.content_minds, public.audience_profiles,
  public.content_performance, public.schema_versions, public.migration_log, public.db_audit_events,
  public.job_executions, public.task_metrics to anon, authenticated;
