"""Canary deploy rules: validation with JSON pointers, and routing a context to a version.

A rule is ``{serve, match?}``. ``match`` clauses ``{attribute, operator, values}`` are ANDed;
no ``match`` (or an empty one) always fires. ``serve`` is ``{version_id}`` or
``{rollout: [{version_id, weight}]}`` with weights summing to less than 100; the rest of the
traffic goes to the main version. Rules are tried in order and the first that fires wins.
"""

from __future__ import annotations

from sandbox import dice
from sandbox.api import ApiError, Enum, ListOf, check_fields, error_object

OPERATORS = ("in", "not_in", "starts_with")


def validate_rules(rules, *, version_ids: set[str]) -> list[dict]:
    """Return the rules if valid, else raise 422 with a pointer to every problem."""
    if rules is None:
        return []
    if not isinstance(rules, list):
        raise ApiError(422, "Must be an array.", pointer="/rules")
    errors = []
    for i, rule in enumerate(rules):
        base = f"/rules/{i}"
        problems = check_fields(rule, required={"serve": dict}, optional={"match": ListOf(dict)}, prefix=base)
        if problems:
            errors += problems
            continue
        errors += _serve_errors(rule["serve"], f"{base}/serve", version_ids)
        for j, clause in enumerate(rule.get("match") or []):
            errors += check_fields(clause, required={"attribute": str, "operator": Enum(*OPERATORS),
                                                     "values": ListOf(str)}, prefix=f"{base}/match/{j}")
    if errors:
        raise ApiError(422, errors=errors)
    return [_normalised(rule) for rule in rules]


def _serve_errors(serve: dict, base: str, version_ids: set[str]) -> list[dict]:
    has_version, has_rollout = serve.get("version_id") is not None, serve.get("rollout") is not None
    if has_version == has_rollout:
        return [error_object(422, "Give exactly one of 'version_id' or 'rollout'.", pointer=base)]
    if has_version:
        problems = check_fields(serve, required={"version_id": str}, prefix=base)
        if not problems and serve["version_id"] not in version_ids:
            problems.append(error_object(422, "No such version for this assistant.", pointer=f"{base}/version_id"))
        return problems
    rollout = serve["rollout"]
    if not isinstance(rollout, list) or not rollout:
        return [error_object(422, "Must be a non-empty array.", pointer=f"{base}/rollout")]
    errors = []
    for k, slot in enumerate(rollout):
        pointer = f"{base}/rollout/{k}"
        problems = check_fields(slot, required={"version_id": str, "weight": float}, prefix=pointer)
        if not problems and slot["version_id"] not in version_ids:
            problems.append(error_object(422, "No such version for this assistant.", pointer=f"{pointer}/version_id"))
        if not problems and not 0 <= slot["weight"] <= 100:
            problems.append(error_object(422, "Must be between 0 and 100.", pointer=f"{pointer}/weight"))
        errors += problems
    if not errors and sum(slot["weight"] for slot in rollout) >= 100:
        errors.append(error_object(422, "Weights must sum to less than 100; the rest goes to main.",
                                   pointer=f"{base}/rollout"))
    return errors


def _normalised(rule: dict) -> dict:
    serve = rule["serve"]
    if serve.get("version_id") is not None:
        out = {"serve": {"version_id": serve["version_id"]}}
    else:
        out = {"serve": {"rollout": [{"version_id": s["version_id"], "weight": s["weight"]} for s in serve["rollout"]]}}
    if rule.get("match"):
        out["match"] = [{"attribute": c["attribute"], "operator": c["operator"], "values": c["values"]}
                        for c in rule["match"]]
    return out


def clause_matches(clause: dict, context: dict) -> bool:
    value = context.get(clause["attribute"])
    value = "" if value is None else str(value)
    values = clause["values"]
    if clause["operator"] == "in":
        return value in values
    if clause["operator"] == "not_in":
        return value not in values
    return any(value.startswith(prefix) for prefix in values)


def route(rules: list[dict], context: dict, *, main_version_id: str, roll=None) -> str:
    """The version that serves a new conversation with this routing ``context``.

    ``roll`` returns a number in [0, 100); by default it draws from the seeded "canary" stream.
    """
    roll = roll or (lambda: dice.uniform("canary") * 100)
    for rule in rules:
        if all(clause_matches(clause, context) for clause in rule.get("match") or []):
            serve = rule["serve"]
            if serve.get("version_id"):
                return serve["version_id"]
            point, cumulative = roll(), 0.0
            for slot in serve["rollout"]:
                cumulative += slot["weight"]
                if point < cumulative:
                    return slot["version_id"]
            return main_version_id
    return main_version_id
