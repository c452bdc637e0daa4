"""ETL pack: collect a person's sources into ``outputs/minds/<slug>/sources/`` (contract etl-mmos)."""
