"""The LLM Big Five rating beside the lexical one, through the Anthropic engine against the local
Messages API stub (tests/support/anthropic_stub.py): citations checked, both kept, combination stated."""

from __future__ import annotations

import json

from lendaria.settings import Settings
from lendaria.yamlio import load_yaml
from stages.etl.run import run_etl
from stages.innerlens import llm_rating
from stages.innerlens.run import run_innerlens
from tests.conftest import run_cli, write_spec
from tests.support.anthropic_stub import message_with_tool_use, ok, usage

KEY = "sk-ant-test-innerlens-0123456789"
TRAITS = llm_rating.TRAITS


def mind(tmp_path, corpus):
    words = (corpus / "henry-david-thoreau" / "walden.txt").read_text().split()[:4000]
    (tmp_path / "walden.txt").write_text("\n\n".join(" ".join(words[i:i + 150]) for i in range(0, len(words), 150)) + "\n")
    out = tmp_path / "out"
    run_etl(write_spec(tmp_path, [{"path": "walden.txt"}], language="en"), out, Settings(home=tmp_path / "home"))
    return out


def test_llm_rating_is_kept_beside_the_lexical_one_with_checked_citations(tmp_path, corpus, anthropic_stub):
    out = mind(tmp_path, corpus)
    home = tmp_path / "home"
    offline = run_innerlens("test-mind", out, Settings(home=home))
    analysis = offline.fragments_path.parent
    lexical = load_yaml((analysis / "psychometric-profile.yaml").read_text())["big_five"]
    records = [json.loads(line) for line in offline.fragments_path.read_text().splitlines()]
    sent = llm_rating.sample(records)
    ids = [f["id"] for f in sent]
    answer = {trait: {"score": 60 + 5 * i, "rationale": f"The material shows {trait}.", "evidence": [ids[i], ids[i + 1], "test-mind-000000000000"]}
              for i, trait in enumerate(TRAITS)}
    answer["neuroticism"]["evidence"] = ["not-a-fragment-aaaaaaaaaaaa"]  # every citation fails the check
    anthropic_stub.respond(ok(message_with_tool_use("submit_rate_big_five", answer, usage=usage(9000, 700))))

    claude = Settings(home=home, engine="anthropic", anthropic_api_key=KEY, anthropic_base_url=anthropic_stub.base_url)
    result = run_innerlens("test-mind", out, claude)
    [request] = [r for r in anthropic_stub.requests if r["path"].endswith("/messages")]
    body = request["body"]
    assert body["tool_choice"]["name"] == "submit_rate_big_five"
    text = json.dumps(body["messages"])
    assert text.count("<source_material index=") == len(sent) and ids[0] in text  # fragments sent as material, ids as input
    assert sum(f["words"] for f in sent) <= llm_rating.SAMPLE_WORDS and len(sent) <= llm_rating.SAMPLE_FRAGMENTS

    profile = load_yaml((analysis / "psychometric-profile.yaml").read_text())
    assert profile["llm_rating"]["traits_rated"] == 4 and profile["llm_rating"]["citations_dropped"] == 5
    assert profile["llm_rating"]["engine"].startswith("anthropic claude-")
    assert "0.5" in profile["combination"]
    for i, trait in enumerate(TRAITS[:4]):
        values = profile["big_five"][trait]
        assert values["lexical"] == lexical[trait]["score"] and values["llm"]["score"] == 60 + 5 * i
        assert values["llm"]["evidence"] == [ids[i], ids[i + 1]]  # the invented id was dropped
        expected = (values["confidence"] * values["lexical"] + 0.5 * values["llm"]["score"]) / (values["confidence"] + 0.5)
        assert abs(values["score"] - expected) < 0.06
    assert profile["big_five"]["neuroticism"] == lexical["neuroticism"]  # nothing checked out: lexical alone
    assert "rating of 4 traits" in result.summary()
    assert run_cli("validate", str(out)).returncode == 0

    again = run_innerlens("test-mind", out, claude)  # unchanged inputs and engine: no new request, nothing written
    assert again.written == [] and len([r for r in anthropic_stub.requests if r["path"].endswith("/messages")]) == 1
    back = run_innerlens("test-mind", out, Settings(home=home))  # offline again: the lexical profile, as before
    assert "psychometric-profile.yaml" in " ".join(back.written)
    assert load_yaml((analysis / "psychometric-profile.yaml").read_text())["big_five"] == lexical


def test_validate_refuses_an_llm_citation_that_is_not_a_fragment(tmp_path, corpus):
    from lendaria.yamlio import dump_yaml
    from stages.innerlens.profile import with_llm_rating

    out = mind(tmp_path, corpus)
    result = run_innerlens("test-mind", out, Settings(home=tmp_path / "home"))
    path = result.fragments_path.parent / "psychometric-profile.yaml"
    profile = load_yaml(path.read_text())
    contract = profile.pop("contract")
    rated = with_llm_rating(profile, {"openness": {"score": 70.0, "rationale": "r", "evidence": ["test-mind-ffffffffffff"]}},
                            engine="anthropic claude-sonnet-4-5", fragments_rated=10, words_rated=500, citations_dropped=0)
    path.write_text(dump_yaml({"contract": contract, **rated}))
    done = run_cli("validate", str(path))
    assert done.returncode == 1 and "/big_five/openness/llm/evidence/0" in done.stdout + done.stderr
