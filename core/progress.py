"""Where a long-running Telnyx job stands: its stages, the current one, how long it has run.

Telnyx reports only a status word for embedding, clustering and fine-tuning jobs; the
stages are the statuses each job passes through, in order, so a page can show a stepper
and an elapsed time that advance as it polls.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone


@dataclass
class Stage:
    label: str
    state: str  # "done", "current", "todo" or "failed"


@dataclass
class JobProgress:
    stages: list[Stage]
    elapsed: timedelta | None
    final: bool

    @property
    def percent(self) -> int:
        done = sum(1 for s in self.stages if s.state == "done")
        return 100 if self.final else round(100 * done / len(self.stages))

    @property
    def elapsed_text(self) -> str:
        if self.elapsed is None:
            return ""
        seconds = max(0, int(self.elapsed.total_seconds()))
        hours, rest = divmod(seconds, 3600)
        minutes, seconds = divmod(rest, 60)
        return f"{hours} h {minutes} min" if hours else f"{minutes} min {seconds} s" if minutes else f"{seconds} s"


def job_progress(status: str, *, running: list[tuple[str, str]], outcomes: dict[str, str], failed: tuple[str, ...],
                 started: datetime | None, finished: datetime | None, now: datetime | None = None) -> JobProgress:
    """`running` lists the unfinished statuses in order as (status, label); `outcomes` maps
    each final status to its label (the last stage). An unknown status counts as the first."""
    final = status in outcomes
    index = len(running) if final else next((i for i, (s, _) in enumerate(running) if s == status), 0)
    stages = [Stage(label, "done" if i < index else "current" if i == index else "todo")
              for i, (_, label) in enumerate(running)]
    last = outcomes.get(status) or "Done"
    stages.append(Stage(last, ("failed" if status in failed else "done") if final else "todo"))
    end = finished if final and finished else (now or timezone.now())
    return JobProgress(stages=stages, elapsed=(end - started) if started else None, final=final)
