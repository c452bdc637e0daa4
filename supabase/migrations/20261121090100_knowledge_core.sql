-- Knowledge core: minds -> sources -> fragments lineage, profiles and psychometrics.
-- Every row that comes from a contract file carries contract_path, contract_sha256 (of the file)
-- and run_id (the pipeline run that last changed it).

create table public.minds (
  id              uuid primary key default gen_random_uuid(),
  slug            text not null unique check (slug ~ '^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$'),
  display_name    text not null check (length(display_name) > 0),
  language        text,
  spec_sha256     text check (spec_sha256 ~ '^[0-9a-f]{64}$'),
  contract_path   text not null,
  contract_sha256 text not null check (contract_sha256 ~ '^[0-9a-f]{64}$'),
  run_id          text not null,
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now()
);

create table public.mind_profiles (
  id              uuid primary key default gen_random_uuid(),
  mind_id         uuid not null references public.minds (id) on delete cascade,
  profile_kind    text not null check (profile_kind in ('analysis', 'communication_style', 'voice', 'summary')),
  profile         jsonb not null default '{}'::jsonb,
  contract_path   text not null,
  contract_sha256 text not null check (contract_sha256 ~ '^[0-9a-f]{64}$'),
  run_id          text not null,
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now(),
  unique (mind_id, profile_kind)
);

create table public.sources (
  id              uuid primary key default gen_random_uuid(),
  mind_id         uuid not null references public.minds (id) on delete cascade,
  source_id       text not null check (source_id ~ '^[a-z0-9][a-z0-9-]{0,80}$'),
  status          text not null check (status in ('collected', 'kept')),
  type            text not null,
  title           text not null,
  format          text not null,
  origin_kind     text not null check (origin_kind in ('file', 'url', 'feed')),
  origin_location text not null,
  origin_feed     text,
  speaker         text,
  language        text not null,
  words           integer not null check (words >= 0),
  content_sha256  text not null check (content_sha256 ~ '^[0-9a-f]{64}$'),
  contract_path   text not null,
  contract_sha256 text not null check (contract_sha256 ~ '^[0-9a-f]{64}$'),
  run_id          text not null,
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now(),
  unique (mind_id, source_id)
);

create table public.ingestion_batches (
  id              uuid primary key default gen_random_uuid(),
  mind_id         uuid not null references public.minds (id) on delete cascade,
  spec_sha256     text not null check (spec_sha256 ~ '^[0-9a-f]{64}$'),
  sources_total   integer not null check (sources_total >= 0),
  collected       integer not null check (collected >= 0),
  kept            integer not null check (kept >= 0),
  duplicates      integer not null check (duplicates >= 0),
  failed          integer not null check (failed >= 0),
  words           integer not null check (words >= 0),
  failures        jsonb not null default '[]'::jsonb,
  contract_path   text not null,
  contract_sha256 text not null check (contract_sha256 ~ '^[0-9a-f]{64}$'),
  run_id          text not null,
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now(),
  unique (mind_id, contract_sha256)
);
comment on table public.ingestion_batches is 'One row per distinct collection (sources/metadata.yaml content) of a mind.';

create table public.fragments (
  id              uuid primary key default gen_random_uuid(),
  mind_id         uuid not null references public.minds (id) on delete cascade,
  source_row_id   uuid not null references public.sources (id) on delete cascade,
  fragment_id     text not null,
  start_offset    integer not null check (start_offset >= 0),
  end_offset      integer not null,
  content         text not null,
  content_sha256  text not null check (content_sha256 ~ '^[0-9a-f]{64}$'),
  words           integer not null check (words >= 0),
  contract_path   text not null,
  contract_sha256 text not null check (contract_sha256 ~ '^[0-9a-f]{64}$'),
  run_id          text not null,
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now(),
  check (end_offset > start_offset),
  unique (mind_id, fragment_id)
);
create index fragments_source_idx on public.fragments (source_row_id);

create table public.fragment_tags (
  fragment_row_id uuid not null references public.fragments (id) on delete cascade,
  mind_id         uuid not null references public.minds (id) on delete cascade,
  tag             text not null check (length(tag) between 1 and 100),
  contract_path   text not null,
  contract_sha256 text not null check (contract_sha256 ~ '^[0-9a-f]{64}$'),
  run_id          text not null,
  primary key (fragment_row_id, tag)
);

create table public.fragment_quality_audits (
  id              uuid primary key default gen_random_uuid(),
  mind_id         uuid not null references public.minds (id) on delete cascade,
  suite           text not null,
  success         boolean not null,
  evaluated       integer not null check (evaluated >= 0),
  statistics      jsonb not null default '{}'::jsonb,
  results         jsonb not null default '[]'::jsonb,
  contract_path   text not null,
  contract_sha256 text not null check (contract_sha256 ~ '^[0-9a-f]{64}$'),
  run_id          text not null,
  created_at      timestamptz not null default now(),
  unique (mind_id, suite, contract_sha256)
);

create table public.big_five_profiles (
  id                uuid primary key default gen_random_uuid(),
  mind_id           uuid not null unique references public.minds (id) on delete cascade,
  openness          numeric(5, 2) check (openness between 0 and 100),
  conscientiousness numeric(5, 2) check (conscientiousness between 0 and 100),
  extraversion      numeric(5, 2) check (extraversion between 0 and 100),
  agreeableness     numeric(5, 2) check (agreeableness between 0 and 100),
  neuroticism       numeric(5, 2) check (neuroticism between 0 and 100),
  confidence        jsonb not null default '{}'::jsonb,
  evidence          jsonb not null default '{}'::jsonb,
  words_analysed    integer not null check (words_analysed >= 0),
  level             text not null check (level in ('insufficient', 'low', 'moderate', 'full')),
  contract_path     text not null,
  contract_sha256   text not null check (contract_sha256 ~ '^[0-9a-f]{64}$'),
  run_id            text not null,
  created_at        timestamptz not null default now(),
  updated_at        timestamptz not null default now()
);
