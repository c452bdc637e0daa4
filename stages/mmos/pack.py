"""The MMOS pack's declaration (read by lendaria.packs): the mind itself. Part 1: viability gate,
build / held-out split, voice profile and a calibrated voice-fidelity score (offered to the other
packs as the ``fidelity`` service)."""

from lendaria.packs import Pack

PACK = Pack(
    name="mmos",
    flow="flows.mmos:mmos_flow",
    after=("etl", "innerlens"),
    payload_builder="stages.mmos.persist:build_payload",
    role="mmos",
    contracts=("mmos-voice-profile", "mmos-fidelity", "mmos-kb", "mmos-kb-chunks"),
    optional=True,
    services=(("fidelity", "stages.mmos.run:score_texts"), ("ask", "stages.mmos.run:ask")),
    description="viability gate, held-out split, voice profile and calibrated voice fidelity",
)
