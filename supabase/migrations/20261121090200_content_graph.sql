-- CreatorOS content graph: projects -> pieces / lessons, the minds whose voice they use, audience
-- and performance. Minimal but real; the CreatorOS pack extends it with its own migrations.

create table public.content_projects (
  id              uuid primary key default gen_random_uuid(),
  slug            text not null unique check (slug ~ '^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$'),
  title           text not null,
  mind_id         uuid references public.minds (id) on delete set null,
  mode            text not null default 'greenfield' check (mode in ('greenfield', 'brownfield')),
  contract_path   text not null,
  contract_sha256 text not null check (contract_sha256 ~ '^[0-9a-f]{64}$'),
  run_id          text not null,
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now()
);

create table public.content_pieces (
  id              uuid primary key default gen_random_uuid(),
  project_id      uuid not null references public.content_projects (id) on delete cascade,
  kind            text not null check (kind in ('brief', 'research', 'curriculum', 'lesson', 'other')),
  path            text not null,
  title           text,
  contract_path   text not null,
  contract_sha256 text not null check (contract_sha256 ~ '^[0-9a-f]{64}$'),
  run_id          text not null,
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now(),
  unique (project_id, path)
);

create table public.content_lessons (
  id              uuid primary key default gen_random_uuid(),
  project_id      uuid not null references public.content_projects (id) on delete cascade,
  lesson_number   integer not null check (lesson_number > 0),
  module          text,
  title           text not null,
  objectives      jsonb not null default '[]'::jsonb,
  words           integer check (words >= 0),
  voice_fidelity  numeric(6, 4),
  contract_path   text not null,
  contract_sha256 text not null check (contract_sha256 ~ '^[0-9a-f]{64}$'),
  run_id          text not null,
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now(),
  unique (project_id, lesson_number)
);

create table public.content_minds (
  project_id      uuid not null references public.content_projects (id) on delete cascade,
  mind_id         uuid not null references public.minds (id) on delete cascade,
  role            text not null default 'voice' check (role in ('voice', 'reference')),
  run_id          text not null,
  primary key (project_id, mind_id)
);

create table public.audience_profiles (
  id              uuid primary key default gen_random_uuid(),
  project_id      uuid not null unique references public.content_projects (id) on delete cascade,
  profile         jsonb not null default '{}'::jsonb,
  contract_path   text not null,
  contract_sha256 text not null check (contract_sha256 ~ '^[0-9a-f]{64}$'),
  run_id          text not null,
  created_at      timestamptz not null default now()
);

create table public.content_performance (
  id              uuid primary key default gen_random_uuid(),
  lesson_id       uuid not null references public.content_lessons (id) on delete cascade,
  metric          text not null,
  value           double precision not null,
  measured_on     date not null,
  run_id          text not null,
  unique (lesson_id, metric, measured_on)
);
