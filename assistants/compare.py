"""Comparing two assistant configurations: instructions line by line, the rest key by key."""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from typing import Any

# Identity and bookkeeping, not settings: two versions always differ here.
NOT_SETTINGS = {"id", "created_at", "version_id", "version_name", "version_created_at", "instructions"}


@dataclass
class DiffRow:
    """One row of a side-by-side line diff. `kind` is same | change | remove | add."""

    kind: str
    left: str | None
    right: str | None
    left_number: int | None = None
    right_number: int | None = None


@dataclass
class SettingChange:
    key: str
    left: Any
    right: Any

    @property
    def left_text(self) -> str:
        return _shown(self.left)

    @property
    def right_text(self) -> str:
        return _shown(self.right)


def _shown(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def instructions_diff(left: str, right: str) -> list[DiffRow]:
    """Side-by-side rows for two texts, aligned with difflib's opcodes."""
    a, b = (left or "").splitlines(), (right or "").splitlines()
    rows: list[DiffRow] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            rows += [DiffRow("same", a[i], b[j], i + 1, j + 1) for i, j in zip(range(i1, i2), range(j1, j2))]
            continue
        # A replaced block pairs lines up; the longer side's leftovers are plain removals/additions.
        for offset in range(max(i2 - i1, j2 - j1)):
            i, j = i1 + offset, j1 + offset
            has_left, has_right = i < i2, j < j2
            kind = "change" if has_left and has_right else ("remove" if has_left else "add")
            rows.append(DiffRow(kind, a[i] if has_left else None, b[j] if has_right else None,
                                i + 1 if has_left else None, j + 1 if has_right else None))
    return rows


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Nested dicts as dotted keys: {"voice_settings": {"voice": "x"}} → {"voice_settings.voice": "x"}.

    Lists stay whole values (a tool list is compared as one setting per index).
    """
    if isinstance(value, dict) and (value or not prefix):
        flat: dict[str, Any] = {}
        for key, item in value.items():
            flat.update(flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        flat = {}
        for index, item in enumerate(value):
            flat.update(flatten(item, f"{prefix}.{index}"))
        return flat
    return {prefix: value}


def settings_diff(left: dict, right: dict) -> list[SettingChange]:
    """Every setting (dotted key) whose value differs, instructions and ids excluded."""
    a = flatten({k: v for k, v in (left or {}).items() if k not in NOT_SETTINGS})
    b = flatten({k: v for k, v in (right or {}).items() if k not in NOT_SETTINGS})
    return [SettingChange(key, a.get(key), b.get(key)) for key in sorted(set(a) | set(b)) if a.get(key) != b.get(key)]


@dataclass
class Comparison:
    instructions: list[DiffRow]
    settings: list[SettingChange]

    @property
    def instructions_changed(self) -> bool:
        return any(row.kind != "same" for row in self.instructions)

    @property
    def identical(self) -> bool:
        return not self.instructions_changed and not self.settings


def compare(left: dict, right: dict) -> Comparison:
    return Comparison(
        instructions=instructions_diff(str(left.get("instructions") or ""), str(right.get("instructions") or "")),
        settings=settings_diff(left, right),
    )
