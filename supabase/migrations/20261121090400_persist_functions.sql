-- The persist step's write path, shared by direct connections (psycopg) and the supabase-py path
-- (PostgREST RPC): one call = one transaction = one pack run.
--
-- lendaria_persist(p_pack, p_payload) switches to the pack's role (so the database enforces which
-- tables it may write), resolves or upserts the mind, scopes the session to it (RLS), then upserts
-- each table's rows on its natural key (deduplicated, last occurrence wins; rows whose values did
-- not change are left untouched, so a re-run changes nothing), optionally deletes rows of that mind
-- no longer present ("sync"), and records the stage run in job_executions as the operations role.
--
-- payload: {
--   "run_id": "...", "stage": "etl", "started_at": "...", "duration_ms": 12,
--   "mind": {"slug": "...", "row": {...minds columns...}}     -- "row" only for the pack owning minds
--   "tables": [{"table": "sources", "key": ["source_id"], "rows": [{...}], "sync": true,
--               "resolve": [{"column": "source_row_id", "table": "sources", "by": "source_id"}]}]
-- }

create or replace function public.lendaria_record_job(p_job jsonb) returns uuid
language plpgsql volatile
as $$
declare
  v_prev text := current_user;
  v_id uuid;
begin
  execute 'set local role lendaria_ops';
  insert into public.job_executions as j (run_id, stage, mind_slug, status, counts, duration_ms, error, started_at, finished_at)
  values (p_job ->> 'run_id', p_job ->> 'stage', p_job ->> 'mind_slug', p_job ->> 'status',
          coalesce(p_job -> 'counts', '{}'::jsonb), (p_job ->> 'duration_ms')::integer, p_job ->> 'error',
          coalesce((p_job ->> 'started_at')::timestamptz, now()),
          case when p_job ->> 'status' = 'running' then null else now() end)
  on conflict (run_id, stage, mind_slug) do update
    set status = excluded.status, counts = excluded.counts, duration_ms = excluded.duration_ms,
        error = excluded.error, finished_at = excluded.finished_at
  returning j.id into v_id;
  execute format('set local role %I', v_prev);
  return v_id;
end
$$;

create or replace function public.lendaria_persist(p_pack text, p_payload jsonb) returns jsonb
language plpgsql volatile
as $$
declare
  v_prev      text := current_user;
  v_role      text;
  v_run       text := p_payload ->> 'run_id';
  v_slug      text := p_payload -> 'mind' ->> 'slug';
  v_mind      uuid;
  v_entry     jsonb;
  v_table     text;
  v_keys      text[];
  v_cols      text[];
  v_update    text[];
  v_resolve   jsonb;
  v_defs      text;
  v_alias     text;
  v_sql       text;
  v_written   bigint;
  v_deleted   bigint;
  v_counts    jsonb := '{}'::jsonb;
  v_has_updated_at boolean;
  v_res_cols  text[];
begin
  if p_pack not in ('etl', 'innerlens', 'mmos', 'creatoros') then
    raise exception 'unknown pack %', p_pack using errcode = '22023';
  end if;
  if v_run is null or v_slug is null then
    raise exception 'payload needs run_id and mind.slug' using errcode = '22023';
  end if;
  v_role := 'lendaria_' || p_pack;
  execute format('set local role %I', v_role);
  perform set_config('lendaria.mind_id', '', true);

  -- the mind: upserted by the pack that owns minds, looked up by every other pack
  if p_payload -> 'mind' ? 'row' then
    insert into public.minds as m (slug, display_name, language, spec_sha256, contract_path, contract_sha256, run_id)
    select v_slug, r.display_name, r.language, r.spec_sha256, r.contract_path, r.contract_sha256, v_run
    from jsonb_populate_record(null::public.minds, p_payload -> 'mind' -> 'row') r
    on conflict (slug) do update
      set display_name = excluded.display_name, language = excluded.language, spec_sha256 = excluded.spec_sha256,
          contract_path = excluded.contract_path, contract_sha256 = excluded.contract_sha256,
          run_id = excluded.run_id, updated_at = now()
      where (m.display_name, m.language, m.spec_sha256, m.contract_path, m.contract_sha256)
            is distinct from (excluded.display_name, excluded.language, excluded.spec_sha256, excluded.contract_path, excluded.contract_sha256);
    get diagnostics v_written = row_count;
    v_counts := v_counts || jsonb_build_object('minds', jsonb_build_object('rows', 1, 'written', v_written, 'deleted', 0));
  end if;
  select id into v_mind from public.minds where slug = v_slug;
  if v_mind is null then
    raise exception 'mind % is not in the database; persist its etl stage first', v_slug using errcode = 'P0002';
  end if;
  perform set_config('lendaria.mind_id', v_mind::text, true);

  for v_entry in select value from jsonb_array_elements(coalesce(p_payload -> 'tables', '[]'::jsonb)) loop
    v_table := v_entry ->> 'table';
    if not exists (select 1 from information_schema.columns
                   where table_schema = 'public' and table_name = v_table and column_name = 'mind_id') then
      raise exception 'table % is not a mind-scoped table', v_table using errcode = '22023';
    end if;
    v_keys := array(select jsonb_array_elements_text(v_entry -> 'key'));
    v_resolve := coalesce(v_entry -> 'resolve', '[]'::jsonb);
    v_res_cols := array(select r ->> 'column' from jsonb_array_elements(v_resolve) r);
    -- columns written: those present in the first row that exist in the table, plus resolved ones
    select array_agg(c.column_name::text order by c.ordinal_position),
           string_agg(format('%I %s', c.column_name, format_type(a.atttypid, a.atttypmod)), ', ' order by c.ordinal_position)
      into v_cols, v_defs
    from information_schema.columns c
    join pg_attribute a on a.attrelid = format('public.%I', v_table)::regclass and a.attname = c.column_name
    where c.table_schema = 'public' and c.table_name = v_table
      and c.column_name not in ('mind_id', 'run_id', 'id', 'created_at', 'updated_at')
      and c.column_name <> all (v_res_cols)
      and (v_entry -> 'rows' -> 0) ? c.column_name;
    -- "by" fields of resolved columns are read from the rows as text
    v_defs := concat_ws(', ', v_defs, (select string_agg(format('%I text', r ->> 'by'), ', ')
                                       from jsonb_array_elements(v_resolve) r where not (r ->> 'by') = any (coalesce(v_cols, '{}'))));
    v_alias := (select string_agg(format('%I', x), ', ') from (
                  select unnest(coalesce(v_cols, '{}')) x
                  union all
                  select r ->> 'by' from jsonb_array_elements(v_resolve) r where not (r ->> 'by') = any (coalesce(v_cols, '{}'))) s);
    v_has_updated_at := exists (select 1 from information_schema.columns
                                where table_schema = 'public' and table_name = v_table and column_name = 'updated_at');
    v_update := array(select c from unnest(coalesce(v_cols, '{}') || v_res_cols) c where not c = any (v_keys));

    if jsonb_array_length(coalesce(v_entry -> 'rows', '[]'::jsonb)) > 0 then
      v_sql := format(
        'insert into public.%1$I as t (mind_id, run_id, %2$s) '
        'select distinct on (%3$s) %4$L::uuid, %5$L, %6$s '
        'from rows from (jsonb_to_recordset($1) as (%7$s)) with ordinality as r(%8$s, n) %9$s '
        'order by %3$s, r.n desc '
        'on conflict (%10$s) do update set %11$s '
        'where (%12$s, null) is distinct from (%13$s, null)',
        v_table,
        (select string_agg(format('%I', c), ', ') from unnest(coalesce(v_cols, '{}') || v_res_cols) c),
        coalesce((select string_agg(format('r.%I', k), ', ') from unnest(v_keys) k), 'true'),
        v_mind, v_run,
        (select string_agg(format('r.%I', c), ', ') from unnest(coalesce(v_cols, '{}')) c)
          || coalesce(', ' || (select string_agg(format('%I.id', 'res_' || (r ->> 'column')), ', ')
                               from jsonb_array_elements(v_resolve) r), ''),
        v_defs, v_alias,
        coalesce((select string_agg(format('left join public.%1$I %2$I on %2$I.mind_id = %3$L and %2$I.%4$I = r.%4$I',
                                           r ->> 'table', 'res_' || (r ->> 'column'), v_mind, r ->> 'by'), ' ')
                  from jsonb_array_elements(v_resolve) r), ''),
        (select string_agg(format('%I', k), ', ') from unnest(array['mind_id'] || v_keys) k),
        coalesce((select string_agg(format('%1$I = excluded.%1$I', c), ', ') from unnest(v_update) c) || ', ', '')
          || 'run_id = excluded.run_id' || case when v_has_updated_at then ', updated_at = now()' else '' end,
        coalesce((select string_agg(format('t.%I', c), ', ') from unnest(v_update) c), 'null'),
        coalesce((select string_agg(format('excluded.%I', c), ', ') from unnest(v_update) c), 'null'));
      execute v_sql using v_entry -> 'rows';
      get diagnostics v_written = row_count;
    else
      v_written := 0;
    end if;

    v_deleted := 0;
    if coalesce((v_entry ->> 'sync')::boolean, false) then
      execute format(
        'delete from public.%I t where t.mind_id = %L and (%s) not in ('
        'select %s from jsonb_array_elements($1) e(doc))',
        v_table, v_mind,
        (select string_agg(format('t.%I::text', k), ', ') from unnest(v_keys) k),
        (select string_agg(format('e.doc ->> %L', k), ', ') from unnest(v_keys) k))
      using coalesce(v_entry -> 'rows', '[]'::jsonb);
      get diagnostics v_deleted = row_count;
    end if;
    v_counts := v_counts || jsonb_build_object(v_table, jsonb_build_object(
      'rows', jsonb_array_length(coalesce(v_entry -> 'rows', '[]'::jsonb)), 'written', v_written, 'deleted', v_deleted));
  end loop;

  execute format('set local role %I', v_prev);
  perform public.lendaria_record_job(jsonb_build_object(
    'run_id', v_run, 'stage', coalesce(p_payload ->> 'stage', p_pack), 'mind_slug', v_slug, 'status', 'completed',
    'counts', v_counts, 'duration_ms', p_payload -> 'duration_ms', 'started_at', p_payload -> 'started_at'));
  execute 'set local role lendaria_ops';
  insert into public.db_audit_events (action, table_name, row_key, run_id, details)
  values ('persist', coalesce(p_payload ->> 'stage', p_pack), v_slug, v_run, v_counts);
  execute format('set local role %I', v_prev);
  return jsonb_build_object('mind_id', v_mind, 'counts', v_counts);
end
$$;

revoke execute on function public.lendaria_persist(text, jsonb), public.lendaria_record_job(jsonb) from public, anon, authenticated;
grant execute on function public.lendaria_persist(text, jsonb), public.lendaria_record_job(jsonb) to service_role;
