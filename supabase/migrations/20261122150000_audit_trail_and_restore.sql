-- Audit trail and bundle import.
--
-- * Every statement that writes a Lendária table lands one db_audit_events row: who (the role that
--   wrote: the pack role a persist runs as), what (table, operation, rows), which run (the rows'
--   run_id, or the setting lendaria.run_id for deletes) and, when all rows belong to one mind, that
--   mind's id in row_key. Statement-level triggers with transition tables: one row per statement,
--   not per row, so a persist of 50,000 fragments adds one event.
-- * lendaria_restore_profile_versions: `lendaria import` restores a mind's profile history from a
--   bundle. Versions stay trigger-only otherwise; this function replaces only versions created in the
--   current transaction (those the import's own profile inserts just made), so it cannot rewrite the
--   history of a mind that was already there.

create or replace function public.lendaria_audit_statement() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  v_count bigint;
  v_run   text;
  v_key   text;
  v_who   text := coalesce(nullif(current_setting('role', true), 'none'), session_user);
begin
  if tg_op = 'DELETE' then
    execute 'select count(*), null::text, case when count(distinct ' || tg_argv[0] || ') = 1 then min(' || tg_argv[0] || '::text) end from old_rows'
      into v_count, v_run, v_key;
    v_run := nullif(current_setting('lendaria.run_id', true), '');
  else
    execute 'select count(*), max(' || tg_argv[1] || '), case when count(distinct ' || tg_argv[0] || ') = 1 then min(' || tg_argv[0] || '::text) end from new_rows'
      into v_count, v_run, v_key;
  end if;
  if v_count > 0 then
    insert into public.db_audit_events (actor, action, table_name, row_key, run_id, details)
    values (v_who, lower(tg_op), tg_table_name, v_key, v_run, jsonb_build_object('rows', v_count));
  end if;
  return null;
end
$$;
revoke execute on function public.lendaria_audit_statement() from public, anon, authenticated;

do $$
declare
  t record;
begin
  -- (table, the column naming its mind, the column naming its run)
  for t in select * from (values
      ('minds', 'id', 'run_id'), ('sources', 'mind_id', 'run_id'), ('ingestion_batches', 'mind_id', 'run_id'),
      ('fragments', 'mind_id', 'run_id'), ('fragment_tags', 'mind_id', 'run_id'),
      ('fragment_quality_audits', 'mind_id', 'run_id'), ('big_five_profiles', 'mind_id', 'run_id'),
      ('mind_profiles', 'mind_id', 'run_id'), ('mind_profile_versions', 'mind_id', 'run_id'),
      ('fidelity_checks', 'mind_id', 'run_id'), ('content_projects', 'mind_id', 'run_id'),
      ('content_minds', 'mind_id', 'run_id'), ('content_pieces', 'mind_id', 'run_id'),
      ('content_lessons', 'mind_id', 'run_id'), ('audience_profiles', 'null::uuid', 'run_id'),
      ('content_performance', 'null::uuid', 'run_id'), ('job_executions', 'mind_slug', 'run_id'),
      ('task_metrics', 'mind_slug', 'run_id'), ('pipeline_runs', 'mind_slug', 'run_id')
    ) as v(tbl, mind_col, run_col)
  loop
    execute format('create trigger %I after insert on public.%I referencing new table as new_rows '
                   'for each statement execute function public.lendaria_audit_statement(%L, %L)',
                   t.tbl || '_audit_insert', t.tbl, t.mind_col, t.run_col);
    execute format('create trigger %I after update on public.%I referencing new table as new_rows '
                   'for each statement execute function public.lendaria_audit_statement(%L, %L)',
                   t.tbl || '_audit_update', t.tbl, t.mind_col, t.run_col);
    execute format('create trigger %I after delete on public.%I referencing old table as old_rows '
                   'for each statement execute function public.lendaria_audit_statement(%L, %L)',
                   t.tbl || '_audit_delete', t.tbl, t.mind_col, t.run_col);
  end loop;
end
$$;

create or replace function public.lendaria_restore_profile_versions(p_mind uuid, p_rows jsonb) returns integer
language plpgsql security definer set search_path = '' as $$
declare
  v_count integer;
begin
  if exists (select 1 from public.mind_profile_versions
              where mind_id = p_mind and created_at < transaction_timestamp()) then
    raise exception 'mind % already has a profile history; versions are restored only into a mind imported in this transaction', p_mind;
  end if;
  delete from public.mind_profile_versions where mind_id = p_mind;
  insert into public.mind_profile_versions
  select * from jsonb_populate_recordset(null::public.mind_profile_versions, p_rows) where mind_id = p_mind;
  get diagnostics v_count = row_count;
  return v_count;
end
$$;
revoke execute on function public.lendaria_restore_profile_versions(uuid, jsonb) from public, anon, authenticated;
grant execute on function public.lendaria_restore_profile_versions(uuid, jsonb) to lendaria_mmos, service_role;
