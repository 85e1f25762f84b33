"""The canary editor's form: nested rules → clauses and rollout rows, parsed from POST.

Field names carry their position: ``r0-mode``, ``r0-version``, ``r0-c1-attribute``,
``r0-c1-operator``, ``r0-c1-values`` (comma-separated), ``r0-s2-version``, ``r0-s2-weight``.
Structural edits (add/remove a rule, clause or rollout row) arrive as ``op`` and are applied
to the parsed rows, which are then rendered again with fresh positions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistants.canary.rules import OPERATORS, parse_weight, sum_error
from portal.telnyx import TelnyxError

FIELD = re.compile(r"^r(\d+)-(?:(c|s)(\d+)-)?(\w+)$")
MAX_RULES, MAX_CLAUSES, MAX_SLOTS = 20, 10, 10


@dataclass
class ClauseRow:
    attribute: str = ""
    operator: str = "in"
    values: str = ""
    error: str = ""


@dataclass
class SlotRow:
    version_id: str = ""
    weight: str = ""
    weight_error: str = ""
    version_error: str = ""


@dataclass
class RuleRow:
    mode: str = "rollout"  # "version": serve one version; "rollout": weighted split with main
    version_id: str = ""
    clauses: list[ClauseRow] = field(default_factory=list)
    slots: list[SlotRow] = field(default_factory=list)
    version_error: str = ""
    rollout_error: str = ""

    @property
    def has_errors(self) -> bool:
        return bool(
            self.version_error
            or self.rollout_error
            or any(c.error for c in self.clauses)
            or any(s.weight_error or s.version_error for s in self.slots)
        )


def rows_from_rules(rules: list[dict]) -> list[RuleRow]:
    """Editor rows showing saved (normalised) rules."""
    rows = []
    for rule in rules:
        serve = rule.get("serve") or {}
        row = RuleRow(
            mode="version" if serve.get("version_id") else "rollout",
            version_id=serve.get("version_id") or "",
            clauses=[ClauseRow(c["attribute"], c["operator"], ", ".join(c["values"])) for c in rule.get("match") or []],
            slots=[SlotRow(s["version_id"], f"{s['weight']:g}") for s in serve.get("rollout") or []],
        )
        rows.append(row)
    return rows


def rows_from_post(post) -> list[RuleRow]:
    """Editor rows from the submitted form, in the order of their positions."""
    rules: dict[int, dict] = {}
    for key in post:
        found = FIELD.match(key)
        if not found:
            continue
        rule_no, kind, sub_no, name = int(found[1]), found[2], found[3], found[4]
        rule = rules.setdefault(rule_no, {"fields": {}, "c": {}, "s": {}})
        target = rule["fields"] if kind is None else rule[kind].setdefault(int(sub_no), {})
        target[name] = post.get(key, "").strip()
    rows = []
    for _, rule in sorted(rules.items())[:MAX_RULES]:
        rows.append(
            RuleRow(
                mode="version" if rule["fields"].get("mode") == "version" else "rollout",
                version_id=rule["fields"].get("version", ""),
                clauses=[
                    ClauseRow(c.get("attribute", ""), c.get("operator", "in"), c.get("values", ""))
                    for _, c in sorted(rule["c"].items())[:MAX_CLAUSES]
                ],
                slots=[SlotRow(s.get("version", ""), s.get("weight", "")) for _, s in sorted(rule["s"].items())[:MAX_SLOTS]],
            )
        )
    return rows


def apply_op(rows: list[RuleRow], op: str) -> list[RuleRow]:
    """Add or remove a rule, clause or rollout row: ``add_rule``, ``remove_rule-0``,
    ``add_clause-0``, ``remove_clause-0-1``, ``add_slot-0``, ``remove_slot-0-1``."""
    name, *numbers = (op or "").split("-")
    try:
        at = [int(n) for n in numbers]
    except ValueError:
        return rows
    if name == "add_rule" and len(rows) < MAX_RULES:
        rows.append(RuleRow(slots=[SlotRow()]))
    elif not at or at[0] >= len(rows):
        return rows
    elif name == "remove_rule":
        rows.pop(at[0])
    elif name == "add_clause" and len(rows[at[0]].clauses) < MAX_CLAUSES:
        rows[at[0]].clauses.append(ClauseRow())
    elif name == "add_slot" and len(rows[at[0]].slots) < MAX_SLOTS:
        rows[at[0]].slots.append(SlotRow())
    elif name == "remove_clause" and len(at) == 2 and at[1] < len(rows[at[0]].clauses):
        rows[at[0]].clauses.pop(at[1])
    elif name == "remove_slot" and len(at) == 2 and at[1] < len(rows[at[0]].slots):
        rows[at[0]].slots.pop(at[1])
    elif name == "move_up" and at[0] > 0:
        rows[at[0] - 1], rows[at[0]] = rows[at[0]], rows[at[0] - 1]
    return rows


def validate_rows(rows: list[RuleRow], version_ids: set[str]) -> list[dict] | None:
    """Check every row, writing errors next to the offending input; the rules body if valid."""
    rules = []
    for row in rows:
        rule: dict = {}
        match = []
        for clause in row.clauses:
            values = [v.strip() for v in clause.values.split(",") if v.strip()]
            if not clause.attribute:
                clause.error = "Name the attribute to match, e.g. from."
            elif clause.operator not in OPERATORS:
                clause.error = "Choose an operator."
            elif not values:
                clause.error = "Give at least one value."
            match.append({"attribute": clause.attribute, "operator": clause.operator, "values": values})
        if row.mode == "version":
            if not row.version_id:
                row.version_error = "Choose the version to serve."
            elif version_ids and row.version_id not in version_ids:
                row.version_error = "This version no longer exists."
            rule["serve"] = {"version_id": row.version_id}
        else:
            rollout, weights = [], []
            if not row.slots:
                row.rollout_error = "Add at least one version to the rollout."
            for slot in row.slots:
                weight, slot.weight_error = parse_weight(slot.weight)
                if not slot.version_id:
                    slot.version_error = "Choose a version."
                elif version_ids and slot.version_id not in version_ids:
                    slot.version_error = "This version no longer exists."
                if weight is not None:
                    weights.append(weight)
                rollout.append({"version_id": slot.version_id, "weight": weight})
            if not row.rollout_error and len(weights) == len(row.slots):
                row.rollout_error = sum_error(weights)
            rule["serve"] = {"rollout": rollout}
        if match:
            rule["match"] = match
        rules.append(rule)
    return None if any(row.has_errors for row in rows) else rules


POINTER = re.compile(r"^/rules/(\d+)(?:/(serve|match))?(?:/(rollout|version_id|\d+))?(?:/(\d+))?(?:/(\w+))?")


def add_telnyx_errors_to_rows(rows: list[RuleRow], exc: TelnyxError) -> list[str]:
    """Put each 422 error whose pointer names a rule's input next to it; return the rest."""
    unplaced = []
    for err in exc.errors:
        text = err.detail or err.title or exc.user_message
        found = POINTER.match(err.pointer or "")
        if not found or int(found[1]) >= len(rows):
            unplaced.append(text)
            continue
        row = rows[int(found[1])]
        part, item, index, name = found[2], found[3], found[4], found[5]
        if part == "serve" and item == "rollout" and index is not None and int(index) < len(row.slots):
            slot = row.slots[int(index)]
            if name == "version_id":
                slot.version_error = text
            else:
                slot.weight_error = text
        elif part == "serve" and item == "rollout":
            row.rollout_error = text
        elif part == "serve":
            row.version_error = text
        elif part == "match" and item and item.isdigit() and int(item) < len(row.clauses):
            row.clauses[int(item)].error = text
        else:
            unplaced.append(text)
    if not exc.errors:
        unplaced.append(exc.user_message)
    return unplaced
