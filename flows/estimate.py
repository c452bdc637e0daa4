"""``lendaria run … --estimate``: the stages run as they would, in a temporary copy of the outputs and a
temporary home, with :class:`lendaria.engines.estimate.EstimatingEngine`, which sends no message; see
that module for what is counted and how.
"""

from __future__ import annotations

from typing import Any

from lendaria.engines.estimate import EstimatingEngine, by_stage


class _NoClient:
    """Stands for the SDK client when there is no key: the estimate then counts tokens locally."""

    base_url = "https://api.anthropic.com"


def estimate_run(mind: str, stages: list[str], outputs_root: Any, settings: Any, courses: list[str] | None = None) -> dict[str, Any]:
    """Run ``stages`` for ``mind`` with an :class:`EstimatingEngine`, in a temporary copy of the outputs
    and a temporary home; the estimated calls per stage, and what could not be estimated."""
    import shutil
    import tempfile
    from pathlib import Path

    from lendaria.collected import slug_of
    from lendaria.engines.anthropic_engine import AnthropicEngine
    from lendaria.engines.cache import cache_for
    from lendaria.engines.select import EngineChoice
    from lendaria.engines.session import EngineSession, installed
    from lendaria.errors import LendariaError

    slug = slug_of(mind)
    has_key = settings.anthropic_api_key is not None and bool(settings.anthropic_api_key.get_secret_value())
    engine = AnthropicEngine(settings, cache=cache_for(settings), client=None if has_key else _NoClient())
    estimator = EstimatingEngine(engine, counted=has_key)
    problems: dict[str, str] = {}
    root = Path(outputs_root)
    with tempfile.TemporaryDirectory(prefix="lendaria-estimate-") as tmp:
        copy = Path(tmp) / "outputs"
        for part in (Path("minds") / slug, Path("courses")):
            if (root / part).is_dir():
                shutil.copytree(root / part, copy / part)
        scratch = settings.model_copy(update={"home": Path(tmp) / "home", "outputs": copy})
        session = EngineSession(EngineChoice(estimator), "estimate")
        with installed(session):
            for stage in stages:
                try:
                    _run_stage(stage, mind, slug, copy, scratch, courses)
                except LendariaError as exc:
                    problems[stage] = exc.message
    return {"mind": slug, "model": engine.model, "counted": "the API's token counter (free; no message sent)" if has_key
            else "a local approximation (about 4 characters per token): no ANTHROPIC_API_KEY",
            "stages": by_stage(estimator.calls), "calls": len(estimator.calls), "problems": problems}


def _run_stage(stage: str, mind: str, slug: str, copy: Any, settings: Any, courses: list[str] | None) -> None:
    from pathlib import Path

    from lendaria.catalog import Catalog

    if stage == "etl":
        if not (copy / "minds" / slug / "sources" / "metadata.yaml").is_file():
            from stages.etl.run import run_etl

            run_etl(Path(mind), copy, settings)  # ETL asks no model: it runs only so later stages have sources
    elif stage == "innerlens":
        from stages.innerlens.run import run_innerlens

        run_innerlens(slug, copy, settings)
    elif stage == "mmos":
        from stages.mmos.run import run_mmos

        run_mmos(slug, copy, settings)
    elif stage == "creatoros":
        from stages.creatoros.run import build_course, courses_for_mind

        for course in courses or courses_for_mind(Catalog(copy), slug):
            build_course(course, copy, settings)
