"""Insight results as people read them: the template's name and the result's fields, not an id and a JSON string."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from conversations.models import InsightTemplate


@dataclass
class ResultField:
    label: str
    value: str
    kind: str = "text"  # "score" (a number), "flag" (yes/no) or "text"


@dataclass
class ReadableResult:
    insight_id: str
    name: str
    text: str = ""  # a plain-text result
    fields: list[ResultField] = field(default_factory=list)  # a structured result


def _field(key: str, value) -> ResultField:
    label = key.replace("_", " ").capitalize()
    if isinstance(value, bool):
        return ResultField(label, "yes" if value else "no", "flag")
    if isinstance(value, (int, float)):
        return ResultField(label, f"{value:g}", "score")
    if isinstance(value, (list, dict)):
        return ResultField(label, json.dumps(value, ensure_ascii=False))
    return ResultField(label, str(value))


def parse_result(insight_id: str, name: str, raw) -> ReadableResult:
    """One result, which Telnyx sends as text or as a JSON-encoded object."""
    value = raw
    if isinstance(raw, str):
        try:
            value = json.loads(raw)
        except ValueError:
            return ReadableResult(insight_id, name, text=raw)
    if isinstance(value, dict):
        return ReadableResult(insight_id, name, fields=[_field(k, v) for k, v in value.items()])
    if isinstance(value, str):
        return ReadableResult(insight_id, name, text=value)
    return ReadableResult(insight_id, name, fields=[_field("result", value)])


def insight_results(runs: list[dict]) -> list[dict]:
    """The conversation's insight runs with each result named and formatted."""
    ids = {item.get("insight_id", "") for run in runs for item in run.get("conversation_insights") or []}
    names = dict(InsightTemplate.objects.filter(telnyx_id__in=ids).values_list("telnyx_id", "name"))
    return [
        {**run, "results": [
            parse_result(item.get("insight_id", ""), names.get(item.get("insight_id", "")) or "Unnamed insight", item.get("result"))
            for item in run.get("conversation_insights") or []
        ]}
        for run in runs
    ]
