"""The ETL pack's declaration (read by lendaria.packs): collect a person's sources into
``outputs/minds/<slug>/sources/``."""

from lendaria.packs import Pack

PACK = Pack(
    name="etl",
    flow="flows.etl:etl_flow",
    payload_builder="stages.etl.persist:build_payload",
    role="etl",
    contracts=("etl-mmos", "etl-mmos-metadata"),
    preflight="stages.etl.run:preflight",
    services=(("extract_text", "stages.etl.sources:extract_file"),),
    scope="stages.etl.run:scope",
    description="collect a person's sources (files, URLs, feeds) as Markdown contract files",
)
