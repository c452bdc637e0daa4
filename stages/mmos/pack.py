"""The MMOS pack's declaration (read by lendaria.packs): the mind itself. Viability gate, build /
held-out split, voice profile and a calibrated voice-fidelity score (the ``fidelity`` service), the
eight analysis layers with cited evidence, synthesis, the generalista system prompt and the knowledge
base (the ``ask`` service)."""

from lendaria.packs import Pack

PACK = Pack(
    name="mmos",
    flow="flows.mmos:mmos_flow",
    after=("etl", "innerlens"),
    payload_builder="stages.mmos.persist:build_payload",
    role="mmos",
    contracts=("mmos-voice-profile", "mmos-fidelity", "mmos-kb", "mmos-kb-chunks", "mmos-layer", "mmos-synthesis", "mmos-creatoros"),
    optional=True,
    services=(("fidelity", "stages.mmos.run:score_texts"), ("attribute", "stages.mmos.run:attribute_texts"), ("ask", "stages.mmos.run:ask"),
              ("knowledge_base", "stages.mmos.run:load_index")),
    scope="stages.mmos.run:scope",
    description="voice fidelity, eight analysis layers with cited evidence, synthesis, system prompt, knowledge base",
)
