"""Turning canary rules into what the page draws: version labels and stacked split bars."""

from __future__ import annotations

from dataclasses import dataclass, field

from assistants.canary.rules import OPERATORS, Share, parse_weight, rule_shares
from assistants.forms.canary import RuleRow
from portal.converters import is_telnyx_id

PALETTE_SIZE = 8


@dataclass
class VersionLabels:
    """Names and colours for the assistant's versions; main is always called main."""

    versions: list[dict]
    main_version_id: str

    def name(self, version_id: str) -> str:
        if version_id == self.main_version_id or version_id == "main":
            return "main"
        for version in self.versions:
            if version["id"] == version_id:
                return version["name"] or version_id[:8]
        return version_id[:8] or "unknown"

    def describe(self, version_id: str) -> str:
        """The name with main's own version name too: 'main · revision 2'."""
        name = self.name(version_id)
        own = next((v["name"] for v in self.versions if v["id"] == version_id), "")
        return f"{name} · {own}" if name == "main" and own else name

    def colour(self, version_id: str) -> str:
        if version_id == self.main_version_id or version_id == "main":
            return "seg-main"
        ids = [v["id"] for v in self.versions if v["id"] != self.main_version_id]
        return f"seg-{ids.index(version_id) % PALETTE_SIZE}" if version_id in ids else "seg-unknown"

    def choices(self) -> list[tuple[str, str]]:
        return [(v["id"], f"{self.name(v['id'])}" + ("" if v["id"] == self.main_version_id else f" · {v['id'][:8]}"))
                for v in self.versions]


@dataclass
class Segment:
    version_id: str
    label: str
    percent: float
    colour: str
    count: int | None = None  # conversations behind the share, for observed splits
    width: float | None = None  # drawn width when it differs from the share (an overflowing draft)

    @property
    def bar_width(self) -> float:
        return self.percent if self.width is None else self.width


@dataclass
class SplitBar:
    title: str
    condition: str
    segments: list[Segment] = field(default_factory=list)
    invalid: bool = False


def describe_match(match: list[dict]) -> str:
    """'from starts with +1555 and channel is one of sms_chat', or 'everything else'."""
    if not match:
        return "catch-all: every conversation that reaches this rule"
    parts = [f"{c['attribute']} {OPERATORS.get(c['operator'], c['operator'])} {', '.join(c['values'])}" for c in match]
    return "when " + " and ".join(parts)


def segments_for(shares: list[Share], labels: VersionLabels) -> list[Segment]:
    return [Segment(s.version_id, labels.name(s.version_id), round(s.percent, 2), labels.colour(s.version_id))
            for s in shares if s.percent > 0]


def bars_from_rules(rules: list[dict], labels: VersionLabels) -> list[SplitBar]:
    """One stacked bar per saved rule."""
    return [
        SplitBar(f"Rule {n}", describe_match(rule.get("match") or []),
                 segments_for(rule_shares(rule, labels.main_version_id), labels))
        for n, rule in enumerate(rules, start=1)
    ]


def bars_from_rows(rows: list[RuleRow], labels: VersionLabels) -> list[SplitBar]:
    """One bar per rule being edited: unreadable weights count as 0, and a rollout whose
    weights leave nothing for main is drawn as invalid (main gets nothing)."""
    bars = []
    for n, row in enumerate(rows, start=1):
        match = [{"attribute": c.attribute, "operator": c.operator,
                  "values": [v.strip() for v in c.values.split(",") if v.strip()]} for c in row.clauses]
        if row.mode == "version":
            rule = {"serve": {"version_id": row.version_id or "unknown"}}
        else:
            rollout = [{"version_id": s.version_id or "unknown", "weight": parse_weight(s.weight)[0] or 0.0}
                       for s in row.slots]
            rule = {"serve": {"rollout": rollout}}
        shares = rule_shares(rule, labels.main_version_id)
        segments = segments_for(shares, labels)
        total = sum(s.percent for s in shares if not s.is_main)
        if total > 100:  # draw the overflow to scale so the bar fits; the legend keeps the typed weights
            segments = [Segment(s.version_id, s.label, s.percent, s.colour, width=s.percent * 100 / total)
                        for s in segments if s.colour != "seg-main"]
        bars.append(SplitBar(f"Rule {n}", describe_match([m for m in match if m["attribute"]]),
                             segments, invalid=row.has_errors))
    return bars


def _who(match: list[dict]) -> str:
    parts = []
    for clause in match:
        values = ", ".join(clause.get("values") or [])
        if clause.get("operator") == "starts_with":
            parts.append(f"whose {clause['attribute']} starts with {values}")
        elif clause.get("operator") == "not_in":
            parts.append(f"whose {clause['attribute']} is not {values}")
        else:
            parts.append(f"whose {clause['attribute']} is {values}")
    return "callers " + " and ".join(parts)


def summary_in_words(rules: list[dict], labels: VersionLabels) -> str:
    """The whole routing in one sentence, e.g. "callers whose from starts with +1555: 100% v7;
    everyone else: 20% v7, 80% main". Rules after a catch-all are never reached, so they are left out."""
    if not rules:
        return "everyone: 100% main"
    parts = []
    for index, rule in enumerate(rules):
        match = rule.get("match") or []
        who = _who(match) if match else ("everyone else" if index else "everyone")
        shares = ", ".join(f"{s.percent:g}% {labels.name(s.version_id)}"
                           for s in rule_shares(rule, labels.main_version_id) if s.percent > 0)
        parts.append(f"{who}: {shares}")
        if not match:
            return "; ".join(parts)
    return "; ".join(parts + ["everyone else: 100% main"])


def candidates(rules: list[dict], labels: VersionLabels) -> list[tuple[str, str]]:
    """(version id, name) of each non-main version the rules send traffic to, in rule order.
    The rules come from Telnyx: a version id the portal cannot use gets no Promote link (the
    split bars and the summary still name it, as text)."""
    seen: dict[str, str] = {}
    for rule in rules:
        for share in rule_shares(rule, labels.main_version_id):
            if not share.is_main and share.version_id not in seen and is_telnyx_id(share.version_id):
                seen[share.version_id] = labels.name(share.version_id)
    return list(seen.items())


def canary_in_words(canary, versions, *known: dict) -> str:
    """The canary's split in words, naming versions where the cache (or `known` objects) knows them."""
    if canary is None:
        return ""
    names = {v.version_id: v.name for v in versions if v.name}
    names.update({obj["version_id"]: obj["version_name"] for obj in known if obj.get("version_name")})
    parts = [f"{weight:g}% to “{names.get(vid, vid)}”" if weight is not None else f"matching traffic to “{names.get(vid, vid)}”"
             for vid, weight in canary.splits]
    return ", ".join(parts) or "no traffic"
