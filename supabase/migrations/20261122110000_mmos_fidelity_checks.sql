-- MMOS part 1: a mind's voice-fidelity calibration and self-check (analysis/fidelity.yaml), one row per
-- distinct file so the history of calibrations is kept. Written by lendaria_mmos; RLS like every
-- mind-scoped table (pack roles: their mind, or all when none is named; signed-in users: their own).

create table public.fidelity_checks (
  id                  uuid primary key default gen_random_uuid(),
  mind_id             uuid not null references public.minds (id) on delete cascade,
  threshold           numeric(5, 2) not null check (threshold between 0 and 100),
  auc                 numeric(6, 4) not null check (auc between 0 and 1),
  true_positive_rate  numeric(6, 4) not null check (true_positive_rate between 0 and 1),
  false_positive_rate numeric(6, 4) not null check (false_positive_rate between 0 and 1),
  own_passages        integer not null check (own_passages >= 0),
  reference_passages  integer not null check (reference_passages >= 0),
  calibration         jsonb not null default '{}'::jsonb,
  self_check          jsonb not null default '{}'::jsonb,
  contract_path       text not null,
  contract_sha256     text not null check (contract_sha256 ~ '^[0-9a-f]{64}$'),
  run_id              text not null,
  created_at          timestamptz not null default now(),
  updated_at          timestamptz not null default now(),
  unique (mind_id, contract_sha256)
);
comment on table public.fidelity_checks is 'Voice-fidelity calibration and self-check of a mind, one row per distinct fidelity.yaml.';

-- Supabase's default privileges grant the API roles everything on a new table: start from nothing
revoke all on public.fidelity_checks from anon, authenticated, public;
grant select on public.fidelity_checks to lendaria_etl, lendaria_innerlens, lendaria_mmos, lendaria_creatoros, lendaria_ops, authenticated;
grant all on public.fidelity_checks to service_role;
grant insert, update, delete on public.fidelity_checks to lendaria_mmos;

alter table public.fidelity_checks enable row level security;
create policy fidelity_checks_packs on public.fidelity_checks for all
  to lendaria_etl, lendaria_innerlens, lendaria_mmos, lendaria_creatoros, lendaria_ops
  using ((select public.current_mind_id()) is null or mind_id = (select public.current_mind_id()))
  with check ((select public.current_mind_id()) is null or mind_id = (select public.current_mind_id()));
create policy fidelity_checks_own_mind on public.fidelity_checks for select to authenticated
  using (mind_id = (select public.current_mind_id()));
