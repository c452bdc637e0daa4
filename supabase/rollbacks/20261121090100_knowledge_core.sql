drop table if exists public.big_five_profiles;
drop table if exists public.fragment_quality_audits;
drop table if exists public.fragment_tags;
drop table if exists public.fragments;
drop table if exists public.ingestion_batches;
drop table if exists public.sources;
drop table if exists public.mind_profiles;
drop table if exists public.minds;
