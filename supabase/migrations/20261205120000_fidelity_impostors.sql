-- Voice fidelity by General Impostors (mmos-fidelity@2): a self-check may be "not measured" (no
-- impostor in the mind's language, no held-out chunk): its numbers are then null, never invented.
-- The row says which language the mind was verified in and how.
alter table public.fidelity_checks
  add column status   text not null default 'measured' check (status in ('measured', 'not measured')),
  add column language text,
  add column method   text;
alter table public.fidelity_checks alter column auc drop not null;
alter table public.fidelity_checks alter column true_positive_rate drop not null;
alter table public.fidelity_checks alter column false_positive_rate drop not null;
alter table public.fidelity_checks
  add constraint fidelity_checks_measured_has_numbers
  check (status <> 'measured' or (auc is not null and true_positive_rate is not null and false_positive_rate is not null));
comment on column public.fidelity_checks.reference_passages is 'Chunks of the impostors (reference pool writers) scored by the self-check.';
