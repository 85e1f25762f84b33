"""Canary deploy rules as plain data: normalising, validating weights, splits, and routing.

A rule is ``{serve, match?}``. ``match`` clauses ``{attribute, operator, values}`` are ANDed
and an empty ``match`` is a catch-all. ``serve`` is ``{version_id}`` or
``{rollout: [{version_id, weight}]}``; rollout weights sum to less than 100 and the rest of
the traffic goes to the main version. Rules are tried in order; the first that matches wins,
and a context no rule matches goes to main. Pure functions only: no HTTP, no ORM.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

OPERATORS = {"in": "is one of", "not_in": "is not one of", "starts_with": "starts with"}
MAIN = "main"


@dataclass(frozen=True)
class Share:
    """One slice of a rule's traffic: a version (or main) and its percentage."""

    version_id: str
    percent: float
    is_main: bool = False


@dataclass(frozen=True)
class RouteResult:
    """Where a routing context lands: the rule that matched (None: no rule) and its split."""

    rule_index: int | None
    rule: dict | None
    shares: list[Share]


def normalise_canary(data: dict | None) -> list[dict]:
    """The rules of a canary deploy response, whichever shape Telnyx answered in.

    Older responses (and the seed documents) carry ``versions: [{version_id, percentage}]``
    instead of ``rules``: that is one catch-all rule with a weighted rollout.
    """
    if not data:
        return []
    if isinstance(data.get("rules"), list):
        return [_normalise_rule(rule) for rule in data["rules"] if isinstance(rule, dict)]
    versions = data.get("versions")
    if isinstance(versions, list) and versions:
        rollout = [
            {"version_id": str(v.get("version_id") or ""), "weight": _number(v.get("percentage", v.get("weight")))}
            for v in versions
            if isinstance(v, dict)
        ]
        return [{"serve": {"rollout": rollout}}]
    return []


def _normalise_rule(rule: dict) -> dict:
    serve = rule.get("serve") or {}
    if serve.get("version_id"):
        out: dict = {"serve": {"version_id": str(serve["version_id"])}}
    else:
        out = {
            "serve": {
                "rollout": [
                    {"version_id": str(s.get("version_id") or ""), "weight": _number(s.get("weight"))}
                    for s in serve.get("rollout") or []
                    if isinstance(s, dict)
                ]
            }
        }
    match = [
        {"attribute": str(c.get("attribute") or ""), "operator": str(c.get("operator") or "in"),
         "values": [str(v) for v in c.get("values") or []]}
        for c in rule.get("match") or []
        if isinstance(c, dict)
    ]
    if match:
        out["match"] = match
    return out


def _number(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def parse_weight(raw: str) -> tuple[float | None, str]:
    """A typed weight and its error: each weight is a number from 0 to 100."""
    text = (raw or "").strip()
    if not text:
        return None, "Enter a weight."
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None, "Enter a number."
    if not number.is_finite() or not 0 <= number <= 100:
        return None, "Must be between 0 and 100."
    return float(number), ""


def sum_error(weights: list[float]) -> str:
    """The rollout's error when the weights leave nothing for main (they must sum under 100)."""
    total = sum(weights)
    if total >= 100:
        return f"Weights add up to {total:g}%; they must total less than 100% (the rest goes to main)."
    return ""


def rule_shares(rule: dict, main_version_id: str) -> list[Share]:
    """The traffic split a rule produces, main's remainder included (last)."""
    serve = rule.get("serve") or {}
    if serve.get("version_id"):
        version_id = serve["version_id"]
        return [Share(version_id, 100.0, is_main=version_id == main_version_id)]
    merged: dict[str, float] = {}
    for slot in serve.get("rollout") or []:
        merged[slot["version_id"]] = merged.get(slot["version_id"], 0.0) + float(slot["weight"])
    # A slot naming main itself just adds to main's remainder.
    merged.pop(main_version_id, None)
    shares = [Share(version_id, weight) for version_id, weight in merged.items() if weight > 0]
    remainder = max(0.0, 100.0 - sum(s.percent for s in shares))
    shares.append(Share(main_version_id or MAIN, round(remainder, 4), is_main=True))
    return shares


def clause_matches(clause: dict, context: dict[str, str]) -> bool:
    """One clause against the context; an attribute the context lacks counts as ""."""
    value = str(context.get(clause.get("attribute", ""), "") or "")
    values = [str(v) for v in clause.get("values") or []]
    operator = clause.get("operator")
    if operator == "in":
        return value in values
    if operator == "not_in":
        return value not in values
    if operator == "starts_with":
        return any(value.startswith(prefix) for prefix in values)
    return False


def route(rules: list[dict], context: dict[str, str], *, main_version_id: str) -> RouteResult:
    """Which rule a routing context matches (first wins, clauses ANDed) and the split it reaches."""
    for index, rule in enumerate(rules):
        if all(clause_matches(clause, context) for clause in rule.get("match") or []):
            return RouteResult(index, rule, rule_shares(rule, main_version_id))
    return RouteResult(None, None, [Share(main_version_id or MAIN, 100.0, is_main=True)])


def rule_attributes(rules: list[dict]) -> list[str]:
    """Every attribute the rules look at, in first-use order (for the tester's fields)."""
    seen: list[str] = []
    for rule in rules:
        for clause in rule.get("match") or []:
            if clause.get("attribute") and clause["attribute"] not in seen:
                seen.append(clause["attribute"])
    return seen


def referenced_versions(rules: list[dict]) -> set[str]:
    """Version ids the rules send traffic to."""
    ids = set()
    for rule in rules:
        serve = rule.get("serve") or {}
        if serve.get("version_id"):
            ids.add(serve["version_id"])
        ids.update(slot["version_id"] for slot in serve.get("rollout") or [])
    return ids
