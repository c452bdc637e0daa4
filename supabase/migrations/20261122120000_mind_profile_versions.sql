-- MMOS part 2: versioned mind profiles. mind_profiles keeps one current row per mind and kind (the
-- voice profile and the eight analysis layers); every insert, and every update that changes the
-- profile, appends the new version to mind_profile_versions with its diff against the previous one
-- and the run that produced it. An upsert with an identical profile adds nothing (persist stays
-- idempotent). Written by lendaria_mmos (through the trigger); RLS like every mind-scoped table.

-- the analysis layers are profile kinds too (their names are in the mmos-layer contract)
alter table public.mind_profiles drop constraint mind_profiles_profile_kind_check;
alter table public.mind_profiles add constraint mind_profiles_profile_kind_check
  check (profile_kind ~ '^[a-z][a-z0-9_-]{0,62}$');

create table public.mind_profile_versions (
  id              uuid primary key default gen_random_uuid(),
  mind_id         uuid not null references public.minds (id) on delete cascade,
  profile_kind    text not null check (profile_kind ~ '^[a-z][a-z0-9_-]{0,62}$'),
  version         integer not null check (version >= 1),
  profile         jsonb not null,
  diff            jsonb not null,
  contract_path   text not null,
  contract_sha256 text not null check (contract_sha256 ~ '^[0-9a-f]{64}$'),
  run_id          text not null,
  created_at      timestamptz not null default now(),
  unique (mind_id, profile_kind, version)
);
comment on table public.mind_profile_versions is
  'Every version of a mind profile (voice, analysis layers), with its diff against the previous version and the run that produced it.';

-- What changed between two profiles. Claims (profiles with a "claims" array) are matched by id:
-- added, removed, and changed (same id, different content). "fields": the other top-level keys whose
-- value changed, appeared or disappeared. Against no previous profile, every claim is added and every
-- field listed.
create function public.profile_diff(old_profile jsonb, new_profile jsonb) returns jsonb
language sql immutable set search_path = '' as $$
  with o as (select c ->> 'id' as id, c from jsonb_array_elements(coalesce(old_profile -> 'claims', '[]'::jsonb)) c),
       n as (select c ->> 'id' as id, c from jsonb_array_elements(coalesce(new_profile -> 'claims', '[]'::jsonb)) c),
       keys as (select k from jsonb_object_keys(coalesce(old_profile, '{}'::jsonb)) k
                union select k from jsonb_object_keys(coalesce(new_profile, '{}'::jsonb)) k)
  select jsonb_build_object(
    'added', coalesce((select jsonb_agg(n.id order by n.id) from n where not exists (select 1 from o where o.id = n.id)), '[]'::jsonb),
    'removed', coalesce((select jsonb_agg(o.id order by o.id) from o where not exists (select 1 from n where n.id = o.id)), '[]'::jsonb),
    'changed', coalesce((select jsonb_agg(n.id order by n.id) from n join o on o.id = n.id where n.c is distinct from o.c), '[]'::jsonb),
    'fields', coalesce((select jsonb_agg(k order by k) from keys
                        where k <> 'claims' and (old_profile -> k) is distinct from (new_profile -> k)), '[]'::jsonb))
$$;

-- Security definer: the trigger is the only way in (no pack role may insert versions itself, so none
-- can forge one); it runs as the table's owner with an empty search_path.
create function public.record_mind_profile_version() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  v_previous public.mind_profile_versions;
  v_diff     jsonb;
begin
  select * into v_previous from public.mind_profile_versions
   where mind_id = new.mind_id and profile_kind = new.profile_kind
   order by version desc limit 1;
  if v_previous.profile is not distinct from new.profile then
    return null;  -- the same profile again (an idempotent re-persist): no new version
  end if;
  v_diff := public.profile_diff(v_previous.profile, new.profile);
  if v_previous.version is not null and v_diff = '{"added": [], "removed": [], "changed": [], "fields": []}'::jsonb then
    return null;  -- only the order of the claims moved: not a new version
  end if;
  insert into public.mind_profile_versions (mind_id, profile_kind, version, profile, diff, contract_path, contract_sha256, run_id)
  values (new.mind_id, new.profile_kind, coalesce(v_previous.version, 0) + 1, new.profile, v_diff,
          new.contract_path, new.contract_sha256, new.run_id);
  return null;
end
$$;
revoke execute on function public.record_mind_profile_version() from public, anon, authenticated;

create trigger mind_profiles_record_version
  after insert or update of profile on public.mind_profiles
  for each row execute function public.record_mind_profile_version();

-- the profiles already stored are their version 1 (otherwise their history would start only when
-- they next change, against nothing)
insert into public.mind_profile_versions (mind_id, profile_kind, version, profile, diff, contract_path, contract_sha256, run_id, created_at)
select mind_id, profile_kind, 1, profile, public.profile_diff(null, profile), contract_path, contract_sha256, run_id, updated_at
from public.mind_profiles;

-- Supabase's default privileges grant the API roles everything on a new table: start from nothing
revoke all on public.mind_profile_versions from anon, authenticated, public;
grant select on public.mind_profile_versions to lendaria_etl, lendaria_innerlens, lendaria_mmos, lendaria_creatoros, lendaria_ops, authenticated;
grant all on public.mind_profile_versions to service_role;
-- no insert, update or delete for any pack role: versions are appended by the trigger only, never edited

alter table public.mind_profile_versions enable row level security;
create policy mind_profile_versions_packs on public.mind_profile_versions for all
  to lendaria_etl, lendaria_innerlens, lendaria_mmos, lendaria_creatoros, lendaria_ops
  using ((select public.current_mind_id()) is null or mind_id = (select public.current_mind_id()))
  with check ((select public.current_mind_id()) is null or mind_id = (select public.current_mind_id()));
create policy mind_profile_versions_own_mind on public.mind_profile_versions for select to authenticated
  using (mind_id = (select public.current_mind_id()));
