-- The persist step's write path, shared by direct connections (psycopg) and the supabase-py path
-- (PostgREST RPC): one call = one transaction = one pack run.
--
-- lendaria_persist(p_pack, p_payload) switches to the pack's role (so the database enforces which
-- tables it may write), resolves or upserts the mind, scopes the session to it (RLS), then for each
-- table stages the rows once in a temp table (typed, foreign keys resolved, deduplicated on the
-- natural key: last occurrence wins), deletes rows of that mind no longer present ("sync"), updates
-- rows whose values changed (unchanged rows are left alone, so a re-run writes nothing) and inserts
-- new ones; finally it records the stage run in job_executions as the operations role.
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
  v_rows      jsonb;
  v_match     text;
  v_rel       regclass;
  v_any       boolean;
  v_inserted  bigint;
  v_first     jsonb;
  v_alias     text;
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
  -- large batches dedupe (sort) in memory rather than on disk; transaction-local
  perform set_config('work_mem', '256MB', true);
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
    v_rel := to_regclass(format('public.%I', v_table));
    if v_rel is null or not exists (select 1 from pg_attribute
                                    where attrelid = v_rel and attname = 'mind_id' and not attisdropped) then
      raise exception 'table % is not a mind-scoped table', v_table using errcode = '22023';
    end if;
    v_rows := coalesce(v_entry -> 'rows', '[]'::jsonb);
    v_first := coalesce(v_rows -> 0, '{}'::jsonb);
    v_keys := array(select jsonb_array_elements_text(v_entry -> 'key'));
    v_resolve := coalesce(v_entry -> 'resolve', '[]'::jsonb);
    v_res_cols := array(select r ->> 'column' from jsonb_array_elements(v_resolve) r);
    -- columns written: those present in the first row that exist in the table, plus resolved ones
    select array_agg(a.attname::text order by a.attnum),
           string_agg(format('%I %s', a.attname, format_type(a.atttypid, a.atttypmod)), ', ' order by a.attnum)
      into v_cols, v_defs
    from pg_attribute a
    where a.attrelid = v_rel and a.attnum > 0 and not a.attisdropped
      and a.attname not in ('mind_id', 'run_id', 'id', 'created_at', 'updated_at')
      and a.attname <> all (v_res_cols)
      and v_first ? a.attname;
    -- "by" fields of resolved columns are read from the rows as text
    v_defs := concat_ws(', ', v_defs, (select string_agg(format('%I text', r ->> 'by'), ', ')
                                       from jsonb_array_elements(v_resolve) r where not (r ->> 'by') = any (coalesce(v_cols, '{}'))));
    v_alias := (select string_agg(format('%I', x), ', ') from (
                  select unnest(coalesce(v_cols, '{}')) x
                  union all
                  select r ->> 'by' from jsonb_array_elements(v_resolve) r where not (r ->> 'by') = any (coalesce(v_cols, '{}'))) s);
    v_has_updated_at := exists (select 1 from pg_attribute where attrelid = v_rel and attname = 'updated_at' and not attisdropped);
    v_update := array(select c from unnest(coalesce(v_cols, '{}') || v_res_cols) c where not c = any (v_keys));

    -- one writer per (table, mind) at a time, so the insert/update split below cannot race
    perform pg_advisory_xact_lock(hashtextextended(v_table || ':' || v_mind::text, 0));
    v_written := 0;
    v_deleted := 0;
    if jsonb_array_length(v_rows) > 0 then
      -- stage the batch once: typed, resolved, deduplicated on the key (last occurrence wins)
      drop table if exists pg_temp.lendaria_stage;
      execute format(
        'create temp table lendaria_stage on commit drop as '
        'select distinct on (%1$s) %2$s '
        'from rows from (jsonb_to_recordset($1) as (%3$s)) with ordinality as r(%4$s, n) %5$s '
        'order by %1$s, r.n desc',
        coalesce((select string_agg(format('r.%I', k), ', ') from unnest(v_keys) k), 'true'),
        (select string_agg(format('r.%I', c), ', ') from unnest(coalesce(v_cols, '{}')) c)
          || coalesce(', ' || (select string_agg(format('%I.id as %I', 'res_' || (r ->> 'column'), r ->> 'column'), ', ')
                               from jsonb_array_elements(v_resolve) r), ''),
        v_defs, v_alias,
        coalesce((select string_agg(format('left join public.%1$I %2$I on %2$I.mind_id = %3$L and %2$I.%4$I = r.%4$I',
                                           r ->> 'table', 'res_' || (r ->> 'column'), v_mind, r ->> 'by'), ' ')
                  from jsonb_array_elements(v_resolve) r), ''))
      using v_rows;
    else
      drop table if exists pg_temp.lendaria_stage;
      execute format('create temp table lendaria_stage on commit drop as select %s from public.%I limit 0',
                     coalesce((select string_agg(format('%I', k), ', ') from unnest(v_keys) k), '1 as none'), v_table);
    end if;
    v_match := coalesce((select string_agg(format('t.%1$I = s.%1$I', k), ' and ') from unnest(v_keys) k), 'true');

    -- sync: rows of this mind whose key is not in the batch go
    if coalesce((v_entry ->> 'sync')::boolean, false) then
      execute format('delete from public.%I t where t.mind_id = %L and not exists (select 1 from pg_temp.lendaria_stage s where %s)',
                     v_table, v_mind, v_match);
      get diagnostics v_deleted = row_count;
    end if;

    if jsonb_array_length(v_rows) > 0 then
      -- changed rows: update only where a value differs (so a re-run writes nothing)
      if cardinality(v_update) > 0 then
        execute format(
          'update public.%1$I t set %2$s, run_id = %3$L%4$s from pg_temp.lendaria_stage s '
          'where t.mind_id = %5$L and %6$s and (%7$s) is distinct from (%8$s)',
          v_table,
          (select string_agg(format('%1$I = s.%1$I', c), ', ') from unnest(v_update) c),
          v_run, case when v_has_updated_at then ', updated_at = now()' else '' end,
          v_mind, v_match,
          (select string_agg(format('t.%I', c), ', ') from unnest(v_update) c) || ', null',
          (select string_agg(format('s.%I', c), ', ') from unnest(v_update) c) || ', null');
        get diagnostics v_written = row_count;
      end if;
      -- new rows: plain insert of keys not present yet (no existence check when the mind has none)
      execute format('select exists (select 1 from public.%I where mind_id = %L)', v_table, v_mind) into v_any;
      execute format(
        'insert into public.%1$I (mind_id, run_id, %2$s) select %3$L::uuid, %4$L, %5$s from pg_temp.lendaria_stage s %6$s',
        v_table,
        (select string_agg(format('%I', c), ', ') from unnest(coalesce(v_cols, '{}') || v_res_cols) c),
        v_mind, v_run,
        (select string_agg(format('s.%I', c), ', ') from unnest(coalesce(v_cols, '{}') || v_res_cols) c),
        case when v_any then format('where not exists (select 1 from public.%I t where t.mind_id = %L and %s)', v_table, v_mind, v_match)
             else '' end);
      get diagnostics v_inserted = row_count;
      v_written := v_written + v_inserted;
    end if;
    drop table if exists pg_temp.lendaria_stage;

    v_counts := v_counts || jsonb_build_object(v_table, jsonb_build_object(
      'rows', jsonb_array_length(v_rows), 'written', v_written, 'deleted', v_deleted));
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
