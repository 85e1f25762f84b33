"""Refusing a stale save: someone changed what this form would write since it was loaded.

A three-way check, per top-level setting: a setting conflicts when it changed between what
the form was loaded from and what Telnyx has now, *and* this save would set it to something
else than what Telnyx has now. So a setting nobody else touched never blocks a save, and a
resubmission of a save that already happened (a dropped response) is not mistaken for
someone else's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assistants.compare import flatten

# Identity and bookkeeping: two loads of the same settings may differ here.
NOT_SETTINGS = {"id", "created_at", "version_id", "version_name", "version_created_at", "promote_to_main"}
SHOWN_CHARS = 80


@dataclass(frozen=True)
class ChangedSetting:
    """One setting someone else changed since the form was loaded (dotted key), before/after."""

    key: str
    before: str
    after: str


class StaleFormError(Exception):
    """The save was refused before anything was sent: `changed` lists what someone else saved."""

    def __init__(self, changed: list[ChangedSetting], current: Any, what: str):
        self.changed, self.current, self.what = changed, current, what
        keys = ", ".join(c.key for c in changed)
        super().__init__(f"Someone else saved {what} since you opened this form ({keys}). Nothing was saved.")

    @property
    def user_message(self) -> str:
        return str(self)


def _shown(value: Any) -> str:
    if value is None or value == "" or value == {} or value == []:
        return "(not set)"
    text = value if isinstance(value, str) else repr(value)
    text = " ".join(text.split())
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 1] + "…"


def changed_settings(before: dict, after: dict, keys: set[str] | None = None) -> list[ChangedSetting]:
    """The settings (dotted keys) that differ between two objects, limited to top-level `keys`."""
    def settings(obj: dict) -> dict:
        chosen = {k: v for k, v in (obj or {}).items() if k not in NOT_SETTINGS and (keys is None or k in keys)}
        return flatten(chosen)

    a, b = settings(before), settings(after)
    return [ChangedSetting(key, _shown(a.get(key)), _shown(b.get(key)))
            for key in sorted(set(a) | set(b)) if a.get(key) != b.get(key)]


def refuse_if_stale(*, loaded: dict | None, current: dict, changes: dict, what: str) -> None:
    """Raise StaleFormError if `changes` (what this save sends, computed against `current`)
    would overwrite a setting someone changed since `loaded`. No `loaded`: nothing to check."""
    if loaded is None:
        return
    moved = {k for k in set(loaded) | set(current) if k not in NOT_SETTINGS and loaded.get(k) != current.get(k)}
    if moved & set(changes):
        raise StaleFormError(changed_settings(loaded, current, moved), current, what)


def refuse_if_stale_rules(*, loaded: list | None, current: list, rules: list, what: str) -> None:
    """The same for a canary deploy, whose rules are saved as one value."""
    if loaded is None or loaded == current or rules == current:
        return
    raise StaleFormError(changed_settings({"rules": loaded}, {"rules": current}), current, what)
