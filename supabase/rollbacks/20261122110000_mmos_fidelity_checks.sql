drop table if exists public.fidelity_checks;
