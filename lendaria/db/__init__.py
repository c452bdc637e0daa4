"""Database access: the embedded local PostgreSQL, the migration runner, and the repositories
(direct psycopg and supabase-py) behind one small interface."""
