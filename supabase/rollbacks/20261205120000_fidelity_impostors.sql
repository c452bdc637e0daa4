delete from public.fidelity_checks where status <> 'measured';
alter table public.fidelity_checks drop constraint if exists fidelity_checks_measured_has_numbers;
alter table public.fidelity_checks alter column auc set not null;
alter table public.fidelity_checks alter column true_positive_rate set not null;
alter table public.fidelity_checks alter column false_positive_rate set not null;
alter table public.fidelity_checks drop column if exists method, drop column if exists language, drop column if exists status;
comment on column public.fidelity_checks.reference_passages is null;
