"""The fragments' quality audit: a great-expectations 1.x suite run on the fragments as a pandas table.

Each check is one expectation with a severity. A failed **blocking** check means the fragments cannot
be trusted (an id twice, an offset outside its source, text that is not verbatim, a table mostly in
another language than the mind's): InnerLens stops before writing them. A failed **warning** check is
reported in ``analysis/fragment-quality.yaml`` and the summary, and the stage goes on.

The table is built here (pure); the suite is run by :func:`run_suite`, which imports
great-expectations only when called (its import costs seconds). The context is ephemeral (nothing
written to disk), its analytics are off and its progress bars never show.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from lendaria.languages import text_languages
from stages.innerlens import dedupe

SUITE = "innerlens-fragments"
HARD_MAX_WORDS = 1_000  # a "fragment" this long means the cutter found no sentence ends: a broken table
LANGUAGE_MIN_WORDS = 8  # shorter fragments are too short to name their language reliably
UNEXPECTED_IDS_SHOWN = 10


@dataclass(frozen=True)
class Check:
    name: str
    severity: str  # "blocking" or "warning"
    description: str
    expectation: str  # great-expectations class name
    kwargs: Callable[["AuditInputs"], dict[str, Any] | None]  # None: the check does not apply


@dataclass(frozen=True)
class AuditInputs:
    language: str | None  # the mind's declared language (primary subtag), if any
    source_ids: tuple[str, ...]
    max_words: int


def _language_kwargs(mostly: float) -> Callable[[AuditInputs], dict[str, Any] | None]:
    def kwargs(inputs: AuditInputs) -> dict[str, Any] | None:
        if not inputs.language:
            return None
        return {"column": "language", "value_set": [inputs.language], "mostly": mostly}
    return kwargs


CHECKS: tuple[Check, ...] = (
    Check("rows", "blocking", "there is at least one fragment", "ExpectTableRowCountToBeBetween",
          lambda i: {"min_value": 1}),
    Check("ids-unique", "blocking", "no two fragments share an id", "ExpectColumnValuesToBeUnique",
          lambda i: {"column": "id"}),
    Check("source-known", "blocking", "every fragment names a collected source", "ExpectColumnValuesToBeInSet",
          lambda i: {"column": "source_id", "value_set": list(i.source_ids)}),
    Check("start-in-source", "blocking", "start offsets are not negative", "ExpectColumnValuesToBeBetween",
          lambda i: {"column": "start", "min_value": 0}),
    Check("end-after-start", "blocking", "every fragment ends after it starts", "ExpectColumnPairValuesAToBeGreaterThanB",
          lambda i: {"column_A": "end", "column_B": "start"}),
    Check("end-in-source", "blocking", "end offsets fall inside the source body", "ExpectColumnPairValuesAToBeGreaterThanB",
          lambda i: {"column_A": "source_length", "column_B": "end", "or_equal": True}),
    Check("verbatim", "blocking", "the text is the source body between the offsets, character for character",
          "ExpectColumnPairValuesToBeEqual", lambda i: {"column_A": "text", "column_B": "source_slice"}),
    Check("also-in-near-duplicate", "blocking",
          "every folded copy lies inside its own source and is a near-duplicate of the text (3-word-shingle Jaccard >= 0.8)",
          "ExpectColumnValuesToBeInSet", lambda i: {"column": "also_in_near_duplicate", "value_set": [True]}),
    Check("word-count", "blocking", "the word count is the text's", "ExpectColumnPairValuesToBeEqual",
          lambda i: {"column_A": "words", "column_B": "counted_words"}),
    Check("length-hard", "blocking", f"no fragment is empty or longer than {HARD_MAX_WORDS:,} words",
          "ExpectColumnValuesToBeBetween", lambda i: {"column": "words", "min_value": 1, "max_value": HARD_MAX_WORDS}),
    Check("language-mostly", "blocking", "at least half of the fragments are in the mind's language",
          "ExpectColumnValuesToBeInSet", _language_kwargs(0.5)),
    Check("length-target", "warning", "95% of fragments are within the cutter's length bounds",
          "ExpectColumnValuesToBeBetween", lambda i: {"column": "words", "min_value": 3, "max_value": i.max_words, "mostly": 0.95}),
    Check("language", "warning", "95% of fragments are in the mind's language", "ExpectColumnValuesToBeInSet",
          _language_kwargs(0.95)),
    Check("quoted-others", "warning", "at most 20% of fragments quote someone else", "ExpectColumnMeanToBeBetween",
          lambda i: {"column": "quotes_other", "min_value": 0, "max_value": 0.2}),
    Check("other-speakers", "warning", "at most 10% of fragments are another speaker's turn", "ExpectColumnMeanToBeBetween",
          lambda i: {"column": "other_speaker", "min_value": 0, "max_value": 0.1}),
    Check("duplicate-rate", "warning", "at most 20% of fragments were found in more than one source",
          "ExpectColumnMeanToBeBetween", lambda i: {"column": "folded", "min_value": 0, "max_value": 0.2}),
)


def primary_language(tag: str | None) -> str | None:
    """``pt-BR`` -> ``pt``; empty -> None."""
    return tag.split("-")[0].split("_")[0].lower() or None if tag else None


def candidate_languages(declared: str | None) -> tuple[str, ...]:
    """The languages a fragment is told among: those Lendária has text resources for
    (lendaria/languages/<code>/text.yaml) and the declared one."""
    return tuple(sorted({*text_languages(), *([declared] if declared else [])}))


def detect_languages(texts: list[str], among: Iterable[str] | None = None) -> list[str | None]:
    """ISO 639-1 code per text (py3langid's naive Bayes model), the likeliest of ``among`` when given:
    told among the languages we know, a Portuguese sentence is Portuguese, not the Galician its
    spelling sometimes suggests. None under LANGUAGE_MIN_WORDS words (too short to tell)."""
    import py3langid

    if among is None:
        return [py3langid.classify(t)[0] if len(t.split()) >= LANGUAGE_MIN_WORDS else None for t in texts]
    allowed = frozenset(among)

    def likeliest(text: str) -> str | None:
        return next((code for code, _ in py3langid.rank(text) if code in allowed), None)

    return [likeliest(t) if len(t.split()) >= LANGUAGE_MIN_WORDS else None for t in texts]


def fragment_table(records: list[dict[str, Any]], bodies: dict[str, str], speaker: str | None,
                   languages: list[str | None]) -> dict[str, list[Any]]:
    """The columns the suite reads, one row per fragment (pure: records and source bodies in)."""
    def slice_of(source_id: str, start: int, end: int) -> str | None:
        body = bodies.get(source_id)
        return body[start:end] if body is not None and 0 <= start < end <= len(body) else None

    columns: dict[str, list[Any]] = {name: [] for name in (
        "id", "source_id", "start", "end", "text", "words", "counted_words", "source_length", "source_slice",
        "also_in_near_duplicate", "quotes_other", "other_speaker", "folded", "language")}
    for record, language in zip(records, languages):
        columns["id"].append(record["id"])
        columns["source_id"].append(record["source_id"])
        columns["start"].append(record["start"])
        columns["end"].append(record["end"])
        columns["text"].append(record["text"])
        columns["words"].append(record["words"])
        columns["counted_words"].append(len(record["text"].split()))
        columns["source_length"].append(len(bodies.get(record["source_id"], "")))
        columns["source_slice"].append(slice_of(record["source_id"], record["start"], record["end"]))
        columns["also_in_near_duplicate"].append(all(_near_duplicate(slice_of(c["source_id"], c["start"], c["end"]), record["text"])
                                                     for c in record.get("also_in", ())))
        columns["quotes_other"].append(float(record["quotes_other"]))
        columns["other_speaker"].append(float(bool(speaker and record.get("speaker") and record["speaker"] != speaker)))
        columns["folded"].append(float(bool(record.get("also_in"))))
        columns["language"].append(language)
    return columns


def _near_duplicate(copy: str | None, text: str) -> bool:
    """A folded copy's span (None: outside its source) is the text or a near-duplicate of it."""
    if copy is None or not copy:
        return False
    return copy == text or dedupe.jaccard(dedupe.shingles(copy), dedupe.shingles(text)) >= dedupe.THRESHOLD


def _rounded(value: Any) -> Any:
    """Plain Python numbers (numpy scalars unwrapped), floats to 4 places: stable bytes across runs."""
    if hasattr(value, "item") and not isinstance(value, (list, dict, str)):
        value = value.item()
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return round(value, 4) if isinstance(value, float) else value


def _observed(result: dict[str, Any], ids: list[str]) -> tuple[dict[str, Any], list[str]]:
    """The numbers worth keeping from a great-expectations result, and the ids of unexpected rows."""
    kept = {key: _rounded(result[key]) for key in ("observed_value", "element_count", "missing_count", "unexpected_count",
                                                    "unexpected_percent") if key in result and result[key] is not None}
    unexpected = sorted({ids[i] for i in result.get("unexpected_index_list") or [] if isinstance(i, int) and i < len(ids)})
    return kept, unexpected[:UNEXPECTED_IDS_SHOWN]


def run_suite(table: dict[str, list[Any]], inputs: AuditInputs) -> list[dict[str, Any]]:
    """Run every applicable check on ``table``; one result per check, in CHECKS order."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")  # read at import time too
    logging.getLogger("great_expectations").setLevel(logging.WARNING)  # its INFO chatter is not our run's news
    import great_expectations as gx
    import great_expectations.expectations as gxe
    import pandas as pd
    from great_expectations.data_context.types.base import (DataContextConfig, InMemoryStoreBackendDefaults,
                                                            ProgressBarsConfig)

    context = gx.get_context(mode="ephemeral", project_config=DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),  # no data docs site
        analytics_enabled=False, progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False)))
    batch = (context.data_sources.add_pandas("lendaria").add_dataframe_asset("fragments")
             .add_batch_definition_whole_dataframe("all-fragments"))
    suite = gx.ExpectationSuite(name=SUITE)
    applied = []
    for check in CHECKS:
        kwargs = check.kwargs(inputs)
        if kwargs is None:
            continue
        suite.add_expectation(getattr(gxe, check.expectation)(**kwargs, meta={"check": check.name}))
        applied.append(check)
    suite = context.suites.add(suite)
    validation = context.validation_definitions.add(gx.ValidationDefinition(name=SUITE, data=batch, suite=suite))
    frame = pd.DataFrame(table)
    outcome = validation.run(batch_parameters={"dataframe": frame},
                             result_format={"result_format": "COMPLETE", "unexpected_index_column_names": []})
    by_check = {r.expectation_config.meta["check"]: r for r in outcome.results}
    results = []
    for check in applied:
        result = by_check[check.name]
        observed, unexpected = _observed(result.result, table["id"])
        info = result.exception_info or {}
        error = info.get("exception_message") if info.get("raised_exception") else None
        entry = {"check": check.name, "severity": check.severity, "success": bool(result.success),
                 "description": check.description, "expectation": result.expectation_config.type,
                 "kwargs": {k: _rounded(v) for k, v in sorted(result.expectation_config.kwargs.items())
                            if k != "batch_id" and not (k == "value_set" and len(v) > 5)},
                 "observed": observed}
        if unexpected:
            entry["unexpected_ids"] = unexpected
        if error:
            entry["error"] = str(error)
        results.append(entry)
    return results


def great_expectations_version() -> str:
    from importlib.metadata import version

    return version("great_expectations")


def report(slug: str, fragments_file: str, results: list[dict[str, Any]], rows: int, language: str | None) -> dict[str, Any]:
    """The fragment-quality document (contract innerlens-fragment-quality)."""
    blocking = [r["check"] for r in results if r["severity"] == "blocking" and not r["success"]]
    warnings = [r["check"] for r in results if r["severity"] == "warning" and not r["success"]]
    status = "failed" if blocking else ("warnings" if warnings else "passed")
    return {"mind": slug, "fragments_file": fragments_file, "suite": SUITE,
            "validator": f"great_expectations {great_expectations_version()}", "language": language or "undeclared",
            "status": status, "fragments": rows,
            "statistics": {"checks": len(results), "passed": sum(r["success"] for r in results),
                           "blocking_failed": len(blocking), "warnings": len(warnings)},
            "blocking_failed": blocking, "warnings": warnings, "checks": results}


def audit(slug: str, fragments_file: str, records: list[dict[str, Any]], bodies: dict[str, str], *,
          language: str | None, speaker: str | None, max_words: int, detected: list[str | None] | None = None) -> dict[str, Any]:
    """Build the table, run the suite, return the report. ``detected``: each record's language as
    :func:`detect_languages` found it (None under LANGUAGE_MIN_WORDS words); detected here when not given."""
    language = primary_language(language)
    if detected is None:
        detected = detect_languages([r["text"] for r in records], candidate_languages(language))
    table = fragment_table(records, bodies, speaker, detected)
    inputs = AuditInputs(language, tuple(sorted(bodies)), max_words)
    return report(slug, fragments_file, run_suite(table, inputs), len(records), language)


def summary_line(document: dict[str, Any]) -> str:
    stats = document["statistics"]
    line = f"{document['status']} ({stats['passed']} of {stats['checks']} checks passed"
    if document["blocking_failed"]:
        line += f"; blocking failed: {', '.join(document['blocking_failed'])}"
    if document["warnings"]:
        line += f"; warnings: {', '.join(document['warnings'])}"
    return line + ")"
