"""Lendária's side of Prefect: the local server it starts and reuses, where CLI runs report, and
``lendaria serve`` (work pool, deployments, worker). Nothing here imports Prefect at module level."""
