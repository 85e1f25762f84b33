"""core.progress: the stepper a long job's page shows."""

from datetime import datetime, timedelta, timezone

from core.progress import job_progress

RUNNING = [("queued", "Queued"), ("running", "Training")]
OUTCOMES = {"succeeded": "Succeeded", "failed": "Failed"}
T0 = datetime(2026, 11, 1, 10, 0, tzinfo=timezone.utc)


def states(progress):
    return [(s.label, s.state) for s in progress.stages]


def test_a_running_job_marks_earlier_stages_done_and_counts_time_until_now():
    p = job_progress("running", running=RUNNING, outcomes=OUTCOMES, failed=("failed",), started=T0, finished=None,
                     now=T0 + timedelta(minutes=2, seconds=5))
    assert states(p) == [("Queued", "done"), ("Training", "current"), ("Done", "todo")]
    assert p.elapsed_text == "2 min 5 s" and p.percent == 33 and not p.final


def test_a_failed_job_ends_on_its_outcome_and_took_until_it_finished():
    p = job_progress("failed", running=RUNNING, outcomes=OUTCOMES, failed=("failed",), started=T0,
                     finished=T0 + timedelta(hours=1, minutes=3), now=T0 + timedelta(days=1))
    assert states(p)[-1] == ("Failed", "failed") and p.final and p.elapsed_text == "1 h 3 min" and p.percent == 100


def test_an_unknown_status_or_no_start_time_still_renders():
    p = job_progress("weird", running=RUNNING, outcomes=OUTCOMES, failed=(), started=None, finished=None)
    assert states(p)[0] == ("Queued", "current") and p.elapsed_text == ""
