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
      execute format('revoke all on all tables in schema public from %I', r);
      execute format('revoke all on all sequences in schema public from %I', r);
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

grant all on all tables in schema public to anon, authenticated;
