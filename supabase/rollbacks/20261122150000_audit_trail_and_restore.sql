drop function if exists public.lendaria_restore_profile_versions(uuid, jsonb);
do $$
declare
  t text;
begin
  foreach t in array array['minds', 'sources', 'ingestion_batches', 'fragments', 'fragment_tags', 'fragment_quality_audits',
                           'big_five_profiles', 'mind_profiles', 'mind_profile_versions', 'fidelity_checks', 'content_projects',
                           'content_minds', 'content_pieces', 'content_lessons', 'audience_profiles', 'content_performance',
                           'job_executions', 'task_metrics', 'pipeline_runs'] loop
    execute format('drop trigger if exists %I on public.%I', t || '_audit_insert', t);
    execute format('drop trigger if exists %I on public.%I', t || '_audit_update', t);
    execute format('drop trigger if exists %I on public.%I', t || '_audit_delete', t);
  end loop;
end
$$;
drop function if exists public.lendaria_audit_statement();
