do $$
declare
  t text;
begin
  foreach t in array array['content_pieces', 'content_lessons'] loop
    execute format('drop policy %I on public.%I', t || '_packs', t);
    execute format('drop policy %I on public.%I', t || '_own_mind', t);
    execute format('create policy %I on public.%I for all to lendaria_etl, lendaria_innerlens, lendaria_mmos, lendaria_creatoros, lendaria_ops '
                   'using (exists (select 1 from public.content_projects p where p.id = project_id)) '
                   'with check (exists (select 1 from public.content_projects p where p.id = project_id))', t || '_packs', t);
    execute format('create policy %I on public.%I for select to authenticated '
                   'using (exists (select 1 from public.content_projects p where p.id = project_id))', t || '_own_mind', t);
  end loop;
end
$$;
alter table public.content_pieces drop column mind_id, drop column course;
alter table public.content_lessons drop column mind_id, drop column course;
alter table public.content_minds drop column course;
