drop trigger if exists mind_profiles_record_version on public.mind_profiles;
drop function if exists public.record_mind_profile_version();
drop function if exists public.profile_diff(jsonb, jsonb);
drop table if exists public.mind_profile_versions;
-- back to the original profile kinds: rows of other kinds (the analysis layers) cannot stay
delete from public.mind_profiles where profile_kind not in ('analysis', 'communication_style', 'voice', 'summary');
alter table public.mind_profiles drop constraint mind_profiles_profile_kind_check;
alter table public.mind_profiles add constraint mind_profiles_profile_kind_check
  check (profile_kind in ('analysis', 'communication_style', 'voice', 'summary'));
