drop table if exists public.content_performance;
drop table if exists public.audience_profiles;
drop table if exists public.content_minds;
drop table if exists public.content_lessons;
drop table if exists public.content_pieces;
drop table if exists public.content_projects;
