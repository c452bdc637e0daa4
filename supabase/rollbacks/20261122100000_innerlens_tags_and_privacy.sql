drop policy if exists fragments_own_mind_or_public on public.fragments;
create policy fragments_own_mind on public.fragments for select to authenticated
  using (mind_id = (select public.current_mind_id()));
drop index if exists public.fragments_public_idx;
alter table public.fragments drop column if exists classification;
alter table public.sources drop column if exists classification;
alter table public.fragment_tags drop constraint if exists fragment_tags_mind_fragment_tag_key;
alter table public.fragment_tags drop column if exists fragment_id;
