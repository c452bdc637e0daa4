-- The persist function stages a batch, then joins it to tables written moments before in the same
-- transaction (fragment_tags resolve their fragment rows from fragments just inserted). Those tables
-- have no statistics yet (autovacuum analyzes later, and pack roles may not ANALYZE), so the planner
-- estimates one row and picks a nested loop: 11,000 tags against 16,000 fresh fragments took 5.8 s.
-- Every join in the function is batch against table, where hash joins are right at any size, so the
-- function runs with nested loops off (its foreign-key checks are single-row lookups, unaffected).
alter function public.lendaria_persist(text, jsonb) set enable_nestloop = off;
