"""The InnerLens pack's declaration (read by lendaria.packs): the person's own words cut into
verbatim, traceable fragments under ``outputs/minds/<slug>/analysis/``."""

from lendaria.packs import Pack

PACK = Pack(
    name="innerlens",
    flow="flows.innerlens:innerlens_flow",
    after=("etl",),
    payload_builder="stages.innerlens.persist:build_payload",
    role="innerlens",
    contracts=("innerlens-fragments", "innerlens-fragment-quality", "innerlens-mmos"),
    optional=True,
    scope="stages.innerlens.run:scope",
    description="verbatim fragments of the person's sources, their quality audit and a Big Five profile",
)
