-- CreatorOS's persist step: a course belongs to the mind whose voice it speaks in, so its pieces and
-- lessons carry that mind's id like every other mind-scoped table, and the course's slug (with the
-- piece's path or the lesson's number, the natural key the shared persist function matches on). The
-- persist function can then write them (as lendaria_creatoros, idempotently), and RLS scopes them to
-- the mind directly.

alter table public.content_pieces add column mind_id uuid references public.minds (id) on delete cascade;
alter table public.content_lessons add column mind_id uuid references public.minds (id) on delete cascade;
alter table public.content_pieces add column course text;
alter table public.content_lessons add column course text;
alter table public.content_minds add column course text;
update public.content_pieces c set mind_id = p.mind_id, course = p.slug from public.content_projects p where p.id = c.project_id;
update public.content_lessons c set mind_id = p.mind_id, course = p.slug from public.content_projects p where p.id = c.project_id;
update public.content_minds c set course = p.slug from public.content_projects p where p.id = c.project_id;
create index content_pieces_mind_id_idx on public.content_pieces (mind_id);
create index content_lessons_mind_id_idx on public.content_lessons (mind_id);

do $$
declare
  t text;
begin
  foreach t in array array['content_pieces', 'content_lessons'] loop
    execute format('drop policy %I on public.%I', t || '_packs', t);
    execute format('drop policy %I on public.%I', t || '_own_mind', t);
    execute format('create policy %I on public.%I for all to lendaria_etl, lendaria_innerlens, lendaria_mmos, lendaria_creatoros, lendaria_ops '
                   'using ((select public.current_mind_id()) is null or mind_id = (select public.current_mind_id())) '
                   'with check ((select public.current_mind_id()) is null or mind_id = (select public.current_mind_id()))', t || '_packs', t);
    execute format('create policy %I on public.%I for select to authenticated using (mind_id = (select public.current_mind_id()))',
                   t || '_own_mind', t);
  end loop;
end
$$;
