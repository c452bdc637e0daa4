"""Prefect flows: one per pack plus the pipeline DAG that chains them. Thin wiring over ``stages/``."""
