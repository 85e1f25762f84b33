"""Comparing two assistant configurations: instructions line by line (with the changed words
marked inside a changed line, and long unchanged stretches folded), the rest key by key."""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field
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
    # A changed line as (text, changed) pieces, so the page marks only the words that differ.
    left_parts: list[tuple[str, bool]] = field(default_factory=list)
    right_parts: list[tuple[str, bool]] = field(default_factory=list)


#: Words, runs of spaces and single punctuation marks: the units a changed line is compared in.
TOKENS = re.compile(r"\s+|\w+|[^\w\s]")


def _merge(parts: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    merged: list[tuple[str, bool]] = []
    for text, changed in parts:
        if text and merged and merged[-1][1] == changed:
            merged[-1] = (merged[-1][0] + text, changed)
        elif text:
            merged.append((text, changed))
    return merged


def word_diff(left: str, right: str) -> tuple[list[tuple[str, bool]], list[tuple[str, bool]]]:
    """Both lines as (text, changed) pieces: the words one has and the other has not are changed.

    Python's difflib over word tokens is enough here: prompts are short next to what it handles,
    and it needs no dependency (difflib's own ndiff marks characters, which reads worse for prose)."""
    a, b = TOKENS.findall(left or ""), TOKENS.findall(right or "")
    left_parts: list[tuple[str, bool]] = []
    right_parts: list[tuple[str, bool]] = []
    for tag, i1, i2, j1, j2 in _slid(difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes(), a, b):
        left_parts.append(("".join(a[i1:i2]), tag != "equal"))
        right_parts.append(("".join(b[j1:j2]), tag != "equal"))
    return _merge(left_parts), _merge(right_parts)


def _slid(opcodes: list, a: list[str], b: list[str]) -> list:
    """Slide each pure insertion or deletion right, while it can, until it starts at a word: an
    added sentence then reads "Always confirm the name. " rather than ". Always confirm the name"."""
    ops = [list(op) for op in opcodes]
    for n in range(1, len(ops) - 1):
        tag, before, after = ops[n][0], ops[n - 1], ops[n + 1]
        if tag not in ("insert", "delete") or before[0] != "equal" or after[0] != "equal":
            continue
        tokens, (lo, hi) = (b, (3, 4)) if tag == "insert" else (a, (1, 2))
        start, end = ops[n][lo], ops[n][hi]
        shift = 0
        while (end + shift < after[hi] and tokens[start + shift] == tokens[end + shift]
               and not re.match(r"\w", tokens[start + shift])):
            shift += 1
        if shift and re.match(r"\w", tokens[start + shift]):
            for k in (1, 2, 3, 4):  # the block and the empty side move together
                ops[n][k] += shift
            before[2] += shift
            before[4] += shift
            after[1] += shift
            after[3] += shift
    return [tuple(op) for op in ops]


@dataclass
class Fold:
    """Unchanged lines between changes, shown folded: `rows` open on request."""

    rows: list[DiffRow]
    kind: str = "fold"


#: Unchanged lines kept open on each side of a change; longer unchanged stretches fold.
CONTEXT = 3


def folded(rows: list[DiffRow], context: int = CONTEXT) -> list[DiffRow | Fold]:
    """The rows with each run of unchanged lines longer than 2 × context + 1 folded, keeping
    `context` lines next to each change (and none before the first or after the last)."""
    out: list[DiffRow | Fold] = []
    start = 0
    while start < len(rows):
        end = start
        while end < len(rows) and rows[end].kind == "same":
            end += 1
        if end == start:
            out.append(rows[start])
            start += 1
            continue
        keep_before = context if start > 0 else 0
        keep_after = context if end < len(rows) else 0
        stretch = rows[start:end]
        if len(stretch) > keep_before + keep_after + 1:
            out += stretch[:keep_before]
            out.append(Fold(stretch[keep_before:len(stretch) - keep_after]))
            out += stretch[len(stretch) - keep_after:]
        else:
            out += stretch
        start = end
    return out


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
            row = DiffRow(kind, a[i] if has_left else None, b[j] if has_right else None,
                          i + 1 if has_left else None, j + 1 if has_right else None)
            if kind == "change":
                row.left_parts, row.right_parts = word_diff(row.left, row.right)
            rows.append(row)
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
    def instructions_folded(self) -> list[DiffRow | Fold]:
        return folded(self.instructions)

    @property
    def identical(self) -> bool:
        return not self.instructions_changed and not self.settings


def compare(left: dict, right: dict) -> Comparison:
    return Comparison(
        instructions=instructions_diff(str(left.get("instructions") or ""), str(right.get("instructions") or "")),
        settings=settings_diff(left, right),
    )
