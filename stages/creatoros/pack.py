"""The CreatorOS pack's declaration (read by lendaria.packs): courses in a mind's voice. Reaches MMOS
only through its services (knowledge_base, fidelity)."""

from lendaria.packs import Pack

PACK = Pack(
    name="creatoros",
    flow="flows.creatoros:creatoros_flow",
    after=("mmos",),
    payload_builder="stages.creatoros.persist:build_payload",
    role="creatoros",
    contracts=("creatoros-brief", "creatoros-research", "creatoros-curriculum", "creatoros-lesson", "creatoros-fidelity"),
    optional=True,
    options=("courses",),
    scope="stages.creatoros.run:scope",
    description="course brief, research, curriculum and lessons in a mind's voice, each scored for fidelity",
)
