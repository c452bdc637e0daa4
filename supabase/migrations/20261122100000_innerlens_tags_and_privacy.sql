-- InnerLens: fragment tags keyed by the fragment's own id, and privacy classes.
--
-- * fragment_tags.fragment_id: the persist function matches rows on columns it receives, so a tag
--   is keyed by (fragment_id, tag) within its mind; fragment_row_id is still resolved from it.
-- * classification on sources and fragments: PUBLIC (default), PRIVATE, SENSITIVE or CLINICAL, as
--   mind.yaml marks each source (the privacy layer of the architecture seed).
-- * RLS: a signed-in session reads its own mind's fragments of every class, and only the PUBLIC
--   fragments of other minds (published words); non-public fragments never leave their mind.
--   Pack roles keep their policies (their mind, or every mind when none is named).

alter table public.fragment_tags add column fragment_id text;
update public.fragment_tags t set fragment_id = f.fragment_id from public.fragments f where f.id = t.fragment_row_id;
alter table public.fragment_tags alter column fragment_id set not null;
alter table public.fragment_tags add constraint fragment_tags_mind_fragment_tag_key unique (mind_id, fragment_id, tag);

alter table public.sources add column classification text not null default 'PUBLIC'
  check (classification in ('PUBLIC', 'PRIVATE', 'SENSITIVE', 'CLINICAL'));
alter table public.fragments add column classification text not null default 'PUBLIC'
  check (classification in ('PUBLIC', 'PRIVATE', 'SENSITIVE', 'CLINICAL'));
create index fragments_public_idx on public.fragments (mind_id) where classification = 'PUBLIC';

drop policy fragments_own_mind on public.fragments;
create policy fragments_own_mind_or_public on public.fragments for select to authenticated
  using (mind_id = (select public.current_mind_id()) or classification = 'PUBLIC');
