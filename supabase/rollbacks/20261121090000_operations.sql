drop table if exists public.task_metrics;
drop table if exists public.job_executions;
drop table if exists public.db_audit_events;
drop table if exists public.migration_log;
drop table if exists public.schema_versions;
