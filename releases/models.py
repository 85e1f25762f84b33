"""Rollout plans, their steps and gate verdicts, approvals, promotion overrides, and the
insight results of conversations the live-traffic gate has read.

A plan belongs to one assistant and one candidate version. The engine
(`releases.services.engine.rollout_advance`) walks its steps in order; every row here is
what the plan page and the release timeline show.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from core.models import AlertDeliveryBase

User = settings.AUTH_USER_MODEL


class RolloutPlan(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        RUNNING = "running", "Running"
        PAUSED = "paused", "Paused"
        ABORTING = "aborting", "Aborting"  # restoring the rules live before the plan
        ABORTED = "aborted", "Aborted"
        COMPLETED = "completed", "Completed"

    ACTIVE = (Status.RUNNING, Status.PAUSED, Status.ABORTING)

    assistant_id = models.CharField(max_length=200, db_index=True)
    candidate_version_id = models.CharField(max_length=200)
    candidate_name = models.CharField(max_length=300, blank=True)
    # Main when the plan started: the live gate compares the candidate with it.
    main_version_id = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True)
    current_step = models.PositiveIntegerField(default=0)
    # The canary rules live before the plan; None = there was no canary deploy.
    rules_before = models.JSONField(null=True, blank=True)
    # The suite gate passes when the lower end of the 95% Wilson interval of the candidate's
    # pass rate (this assistant's tests only, every trial) reaches this (0–1).
    suite_threshold = models.FloatField(default=0.7, help_text="Lower bound of the pass rate (0–1) the suites must reach.")
    suite_trials = models.PositiveSmallIntegerField(default=3, help_text="Runs of each test on the candidate.")
    min_sample = models.PositiveIntegerField(default=30, help_text="Conversations per version before the live gate judges.")
    alpha = models.FloatField(default=0.05, help_text="Whole-plan false-abort rate allowed for a candidate no worse than main.")
    # Insight result keys the live gate judges, the primary metric first, then the guardrails
    # ("score, resolved"); empty = every numeric or pass/fail key, all as guardrails.
    metrics = models.CharField(max_length=300, blank=True)
    # Keys computed and drawn the same way that never decide anything.
    monitor_metrics = models.CharField(max_length=300, blank=True)
    # Non-inferiority margin: fail only a drop of at least this much (in the metric's units:
    # 0.05 = 5 points of pass rate); `margins` overrides it per key.
    margin = models.FloatField(default=0.05)
    margins = models.JSONField(default=dict, blank=True)
    # A step whose gate has not decided by this many candidate conversations, or this long,
    # is INCONCLUSIVE: the plan pauses for an Admin.
    max_sample = models.PositiveIntegerField(default=1000)
    max_step_seconds = models.PositiveIntegerField(default=86400)
    # {suite name: SuiteRun.batch_id} started against the candidate when the plan started.
    suite_batches = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_by_name = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # What the engine last did or could not do, in words, for the plan page.
    message = models.TextField(blank=True)
    apply_failures = models.PositiveIntegerField(default=0)
    # One engine run at a time per plan (taken with a conditional UPDATE).
    lease_until = models.DateTimeField(null=True, blank=True)
    # Set when someone changed the canary rules by hand while the plan ran: the plan paused,
    # and resuming re-applies its current step under a fresh Idempotency-Key.
    interrupted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Rollout of {self.candidate_name or self.candidate_version_id}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    def step(self) -> "RolloutStep | None":
        return self.steps.filter(index=self.current_step).first()

    @staticmethod
    def _keys(text: str) -> list[str]:
        return [k.strip() for k in text.split(",") if k.strip()]

    @property
    def judged_keys(self) -> list[str]:
        """The primary metric first, then the guardrails (empty: every key found, as guardrails)."""
        return self._keys(self.metrics)

    @property
    def monitor_keys(self) -> list[str]:
        return [k for k in self._keys(self.monitor_metrics) if k not in self.judged_keys]

    def margin_for(self, key: str) -> float:
        return float(self.margins.get(key, self.margin))


class RolloutStep(models.Model):
    class Kind(models.TextChoices):
        PIN = "pin", "Pin test callers"
        PERCENT = "percent", "Percentage"
        PROMOTE = "promote", "Promote"

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        APPLYING = "applying", "Applying"
        HOLDING = "holding", "Holding"
        PASSED = "passed", "Passed"
        SKIPPED = "skipped", "Skipped"
        FAILED = "failed", "Failed"

    plan = models.ForeignKey(RolloutPlan, on_delete=models.CASCADE, related_name="steps")
    index = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    weight = models.FloatField(null=True, blank=True)  # percent steps
    match = models.JSONField(default=list, blank=True)  # pin steps: match clauses
    hold_seconds = models.PositiveIntegerField(default=0)
    hold_for_approval = models.BooleanField(default=False)
    gate_tests = models.BooleanField(default=False)
    gate_live = models.BooleanField(default=False)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    # Sent with the canary write: derived from plan id + step index, so a redelivered
    # task that re-sends the step is recognised by Telnyx (and by `state` here).
    idempotency_key = models.CharField(max_length=100, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    # Where the live gate's maximum sample and time count from: applied_at, or when an Admin
    # resumed the plan after an INCONCLUSIVE verdict (a new window).
    window_started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    rules = models.JSONField(null=True, blank=True)  # what was sent
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["plan", "index"]
        constraints = [models.UniqueConstraint(fields=["plan", "index"], name="rollout_step_unique_index")]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if self.kind == self.Kind.PERCENT:
            return f"{self.weight:g}% of traffic"
        if self.kind == self.Kind.PIN:
            return "Pin test callers"
        return "Promote to main"


class GateResult(models.Model):
    class Kind(models.TextChoices):
        TESTS = "tests", "Test suites"
        LIVE = "live", "Live traffic"

    class Verdict(models.TextChoices):
        PASS = "pass", "Pass"
        FAIL = "fail", "Fail"
        WAITING = "waiting", "Waiting"
        INCONCLUSIVE = "inconclusive", "Inconclusive"

    plan = models.ForeignKey(RolloutPlan, on_delete=models.CASCADE, related_name="gate_results")
    step = models.ForeignKey(RolloutStep, null=True, on_delete=models.CASCADE, related_name="gate_results")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    verdict = models.CharField(max_length=16, choices=Verdict.choices)
    summary = models.TextField()
    # Tests: {suites: [{suite, passed, finished, status}], pass_rate, threshold}.
    # Live: {counts: {version: n}, metrics: [{key, role, kind, margin, alpha, candidate, main,
    # estimate, lower, upper, verdict}], history: [{at, n, values: {key: [estimate, lower, upper]}}]}.
    details = models.JSONField(default=dict)
    evaluated_at = models.DateTimeField()

    class Meta:
        ordering = ["-evaluated_at", "-pk"]
        # The plan page's newest gates and its live chart's newest looks: the first rows of an index
        # range, not every evaluation the plan ever had joined and sorted (a plan looks every minute).
        indexes = [models.Index(fields=["plan", "-evaluated_at", "-id"], name="gate_plan_newest"),
                   models.Index(fields=["plan", "kind", "-evaluated_at", "-id"], name="gate_plan_kind_newest")]


class LiveGateFold(models.Model):
    """The live gate's running tallies for one plan (`releases.services.gate_fold` keeps them):
    for each version and metric, how many conversations had each value, from which the
    confidence sequence's sums and the page's median follow; and the conversation counts the
    gate shows and stops on. `read_until` and `last_conversation` are the watermarks; `since`,
    `versions`, `deletions` and `verified_at` say when they can no longer be trusted."""

    plan = models.OneToOneField(RolloutPlan, on_delete=models.CASCADE, related_name="live_fold")
    since = models.DateTimeField()
    versions = models.JSONField(default=list)  # [candidate, main] the tallies are of
    read_until = models.DateTimeField()  # results stored before this (less the lag) are folded in
    last_conversation = models.BigIntegerField(default=0)  # the highest Conversation pk counted
    deletions = models.BigIntegerField(default=0)  # `core.cache.deletions(Conversation)` when counted
    tallies = models.JSONField(default=dict)  # {version: {key: {value token: count}}}
    counts = models.JSONField(default=dict)  # {version: conversations since `since`}
    window_start = models.DateTimeField(null=True)
    window_n = models.PositiveIntegerField(default=0)  # candidate conversations since window_start
    rebuilt_at = models.DateTimeField()
    verified_at = models.DateTimeField()  # when the counts were last checked against the table
    # A full recompute under way, in short transactions (`gate_fold`): -1 while the old entries
    # are cleared, then the Conversation pk folded up to; None when the fold is whole.
    rebuild_cursor = models.BigIntegerField(null=True, default=None)


class LiveGateEntry(models.Model):
    """What one conversation added to its plan's tallies (its results merged), so a late or
    replaced result takes the old contribution out before it puts the new one in."""

    fold = models.ForeignKey(LiveGateFold, on_delete=models.CASCADE, related_name="entries")
    conversation_id = models.CharField(max_length=200)
    version = models.CharField(max_length=200)
    values = models.JSONField(default=dict)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["fold", "conversation_id"], name="one_entry_per_conversation")]


class ReleasePolicy(models.Model):
    """Two-person approval for one assistant (overrides the global RELEASES_TWO_PERSON_APPROVAL)."""

    assistant_id = models.CharField(max_length=200, unique=True)
    # None = the global setting (a row may exist only for its release suites).
    two_person_approval = models.BooleanField(null=True, default=None)
    # The suites whose runs on a version must pass before it is promoted; None = every suite
    # with a test calling the assistant.
    release_suites = models.JSONField(null=True, blank=True)
    updated_by = models.CharField(max_length=150, blank=True)
    updated_at = models.DateTimeField(auto_now=True)


class ApprovalRequest(models.Model):
    class Kind(models.TextChoices):
        PROMOTION = "promotion", "Promotion"
        STEP = "step", "Held step"
        PLAN = "plan", "Rollout plan"  # the plan's steps sending traffic to the candidate
        CANARY = "canary", "Canary rules"
        POLICY = "policy", "Two-person approval off"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for approval"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        USED = "used", "Carried out"
        VOID = "void", "Void: what it covered changed"

    assistant_id = models.CharField(max_length=200, db_index=True)
    version_id = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    plan = models.ForeignKey(RolloutPlan, null=True, blank=True, on_delete=models.CASCADE, related_name="approvals")
    step = models.ForeignKey(RolloutStep, null=True, blank=True, on_delete=models.CASCADE, related_name="approvals")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    requested_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_by_name = models.CharField(max_length=150, blank=True)
    requested_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    # True when a second Admin must approve (two-person rule in force when requested).
    needs_second_admin = models.BooleanField(default=False)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_by_name = models.CharField(max_length=150, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(blank=True)
    override_reason = models.TextField(blank=True)  # a promotion gate override asked for with it
    # SHA-256 of what the request covers (releases.services.digest): the version's configuration
    # and the canary rules it would make live. An approval is used only while it still matches.
    digest = models.CharField(max_length=64, blank=True)
    # What carrying it out needs: canary {"rules", "before"}; policy {"two_person_approval"}.
    payload = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]

    def is_expired(self, now) -> bool:
        return self.status in (self.Status.PENDING, self.Status.APPROVED) and now >= self.expires_at


class PromotionOverride(models.Model):
    """An Admin promoting a version whose latest suite run did not pass, and why."""

    assistant_id = models.CharField(max_length=200, db_index=True)
    version_id = models.CharField(max_length=200)
    reason = models.TextField()
    blocked_because = models.TextField()
    user = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    username = models.CharField(max_length=150, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]


class ReleaseAlert(AlertDeliveryBase):
    """One alert about a plan event (aborted, paused, approval needed, completed) on one
    channel, with its delivery state and every attempt (`attempt_log`), as suite alerts keep them."""

    plan = models.ForeignKey(RolloutPlan, on_delete=models.CASCADE, related_name="alerts")
    event = models.CharField(max_length=40)
    subject = models.CharField(max_length=200)
    payload = models.JSONField(default=dict)  # the webhook's JSON; its "text" is the email body
    attempt_log = models.JSONField(default=list, blank=True)  # [{"at": iso, "ok": bool, "error": str}]
