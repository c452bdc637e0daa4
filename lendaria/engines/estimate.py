"""What a run with Claude would cost, before it runs: ``lendaria run … --estimate`` (the stages are
run by ``flows/estimate.py``; the engine, the tables and their text are here).

The stages run as they would, in a temporary copy of the outputs and a temporary home (nothing of
yours is written), with an engine that sends no message. For each call a stage makes it builds the
exact request the Anthropic engine would send, counts its input tokens — with the API's token-counting
endpoint, which is free and sends no message, or, without a key, a stated local approximation (about
four characters per token) — takes the output cap (``max_tokens``) as the output, and splits the input
into the cached prefix (written on its first use, read after) and the rest. Answers already paid for
in the response cache are counted as cached, at no cost. The stage then goes on with the offline
method's answer, or, for a capability that has none, the smallest answer its schema accepts (so the
stage's later calls are counted too; those answers are never kept).

Costs are given interactive and batched (Message Batches cost half). What an estimate cannot know:
calls a model's own answer would trigger (a lesson rewritten because its first draft scored low), and
prompts built from a model's earlier answers (a system prompt that includes Claude's layer claims).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from lendaria.engines.base import Capability, CallContext, EngineCall, In, Out
from lendaria.engines.batches import BATCH_DISCOUNT



def minimal_instance(model: type[BaseModel]) -> BaseModel:
    """The smallest value ``model``'s JSON schema accepts: short strings, the lowest numbers, the
    fewest list items."""
    schema = model.model_json_schema()
    definitions = schema.get("$defs", {})

    def value(node: dict[str, Any]) -> Any:
        if "$ref" in node:
            return value(definitions[node["$ref"].rsplit("/", 1)[-1]])
        for key in ("anyOf", "oneOf", "allOf"):
            if key in node:
                return value(node[key][0])
        if "enum" in node:
            return node["enum"][0]
        if "const" in node:
            return node["const"]
        kind = node.get("type")
        if kind == "object":
            return {name: value(sub) for name, sub in node.get("properties", {}).items() if name in node.get("required", [])}
        if kind == "array":
            return [value(node.get("items", {})) for _ in range(node.get("minItems", 0))]
        if kind == "string":
            return "x" * max(1, node.get("minLength", 1))
        if kind in ("integer", "number"):
            low = node.get("minimum", node.get("exclusiveMinimum", 0))
            return (int(low) + (1 if "exclusiveMinimum" in node else 0)) if kind == "integer" else float(low)
        if kind == "boolean":
            return False
        return None

    return model.model_validate(value(schema))


@dataclass
class EstimatedCall:
    step: str
    capability: str
    input_tokens: int  # outside the cached prefix
    prefix_tokens: int
    prefix_read: bool  # the prefix was written by an earlier call of this estimate: read from the prompt cache
    output_tokens: int  # the cap
    cached_answer: bool  # in the response cache: not sent, no cost
    cost_usd: float
    batched_usd: float


@dataclass
class EstimatingEngine:
    """Builds the Anthropic engine's requests and counts them; sends no message."""

    engine: Any  # an AnthropicEngine (its request building, prices and token counter)
    counted: bool  # token counts from the API's counter (else the local approximation)
    calls: list[EstimatedCall] = field(default_factory=list)
    _prefixes: set[str] = field(default_factory=set)
    name: str = "anthropic"

    def run(self, capability: Capability[In, Out], payload: In, context: CallContext) -> tuple[Out, EngineCall]:
        from lendaria.engines.anthropic_engine import approximate_tokens, prices_for

        request = self.engine.request_for(capability, payload, context)
        tokens = self.engine.count_tokens(request) if self.counted else approximate_tokens(request)
        prefix_text = json.dumps([request["tools"], request["system"][:-1]]) if context.stable_prefix else ""
        total_text = json.dumps([request["tools"], request["system"], request["messages"]])
        prefix = round(tokens * len(prefix_text) / max(len(total_text), 1)) if prefix_text else 0
        read = prefix_text in self._prefixes
        self._prefixes.add(prefix_text)
        key = self.engine.cache_key(capability, context, request, request["messages"][0]["content"])
        cached = self.engine.cache is not None and self.engine.cache.get(key) is not None
        prices = prices_for(self.engine.model, self.engine.prices) or {"input": 0, "output": 0, "cache_write": 0, "cache_read": 0}
        cost = 0.0 if cached else round(((tokens - prefix) * prices["input"] + self.engine.max_tokens * prices["output"]
                                         + prefix * prices["cache_read" if read else "cache_write"]) / 1_000_000, 6)
        self.calls.append(EstimatedCall(context.step, capability.name, tokens - prefix, prefix, read, self.engine.max_tokens,
                                        cached, cost, round(cost * BATCH_DISCOUNT, 6)))
        answer = capability.offline(payload) if capability.offline is not None else minimal_instance(capability.output_model)
        call = EngineCall(capability=capability.name, engine="estimate", model=self.engine.model, step=context.step,
                          mind=context.mind, correlation_id=context.correlation_id, note="estimate: not sent")
        return answer, call  # type: ignore[return-value]


def by_stage(calls: list[EstimatedCall]) -> dict[str, dict[str, Any]]:
    """Per stage (the step's first part): calls, input, prefix reads and writes, output cap, costs."""
    table: dict[str, dict[str, Any]] = {}
    for call in calls:
        row = table.setdefault(call.step.split(".")[0], {"calls": 0, "cached_answers": 0, "input_tokens": 0, "cache_write_tokens": 0,
                                                         "cache_read_tokens": 0, "output_tokens_cap": 0, "cost_usd": 0.0,
                                                         "batched_usd": 0.0})
        row["calls"] += 1
        row["cached_answers"] += int(call.cached_answer)
        if not call.cached_answer:
            row["input_tokens"] += call.input_tokens
            row["cache_read_tokens" if call.prefix_read else "cache_write_tokens"] += call.prefix_tokens
            row["output_tokens_cap"] += call.output_tokens
        row["cost_usd"] = round(row["cost_usd"] + call.cost_usd, 6)
        row["batched_usd"] = round(row["batched_usd"] + call.batched_usd, 6)
    return table


def render(report: dict[str, Any]) -> list[str]:
    """The estimate as lines a person reads."""
    header = (f"estimate for {report['mind']} with {report['model']}; input counted by {report['counted']}; "
              "output at its cap (max_tokens)")
    lines = [header, f"{'stage':<10} {'calls':>5} {'cached':>6} {'input':>9} {'cache write':>11} {'cache read':>10} "
                     f"{'output cap':>10} {'interactive':>12} {'batched':>9}"]
    total = {"calls": 0, "cached_answers": 0, "input_tokens": 0, "cache_write_tokens": 0, "cache_read_tokens": 0,
             "output_tokens_cap": 0, "cost_usd": 0.0, "batched_usd": 0.0}
    for stage, row in report["stages"].items():
        lines.append(_row(stage, row))
        for key in total:
            total[key] += row[key]
    lines.append(_row("total", total))
    lines += [f"{stage}: not estimated past this point: {problem}" for stage, problem in report["problems"].items()]
    lines.append("No message was sent. Not counted: calls a model's own answer would trigger (a lesson rewritten after a "
                 "low fidelity score), and prompts built from a model's earlier answers.")
    return lines


def _row(name: str, row: dict[str, Any]) -> str:
    return (f"{name:<10} {row['calls']:>5} {row['cached_answers']:>6} {row['input_tokens']:>9,} {row['cache_write_tokens']:>11,} "
            f"{row['cache_read_tokens']:>10,} {row['output_tokens_cap']:>10,} {'$' + format(row['cost_usd'], '.4f'):>12} "
            f"{'$' + format(row['batched_usd'], '.4f'):>9}")
