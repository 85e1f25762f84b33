"""The rollout plan form: a candidate version and the usual ladder of steps, typed in a few fields."""

from __future__ import annotations

from django import forms

from releases.models import RolloutStep


class PlanForm(forms.Form):
    candidate = forms.ChoiceField(label="Candidate version")
    pin_prefix = forms.CharField(
        label="Pin test callers whose number starts with", required=False, max_length=40,
        help_text="First step: these callers get the candidate, everyone else stays on main. Empty: no pin step.")
    weights = forms.CharField(label="Percentage steps", initial="10, 25, 50",
                              help_text="Share of the other traffic the candidate gets at each step, in order.")
    hold_minutes = forms.FloatField(label="Hold each step (minutes)", initial=30, min_value=0)
    hold_for_approval = forms.BooleanField(label="Each percentage step also waits for an Admin's approval", required=False)
    live_gate = forms.BooleanField(label="Live-traffic gate on percentage steps", required=False, initial=True)
    promote = forms.BooleanField(label="Promote the candidate at the end", required=False, initial=True)
    tests_gate = forms.BooleanField(label="Run the assistant's suites on the candidate first (gate on step 1)",
                                    required=False, initial=True)
    suite_threshold = forms.FloatField(
        label="Suite pass rate needed (%, lower bound)", initial=70, min_value=0, max_value=100,
        help_text="The lower end of the 95% interval of the candidate's pass rate (this assistant's tests, every "
                  "trial) must reach this: more tests or trials narrow it; 10 of 10 passing proves about 72%.")
    suite_trials = forms.IntegerField(label="Runs of each test on the candidate", initial=3, min_value=1, max_value=10,
                                      required=False, help_text="Empty: 3.")
    primary_metric = forms.CharField(
        label="Primary metric", required=False, max_length=100,
        help_text="The insight result the live gate judges first, e.g. “score”. Empty: every numeric or pass/fail "
                  "result, each as a guardrail.")
    margin = forms.FloatField(
        label="Margin: the smallest drop that fails", required=False, initial=0.05, min_value=0.0001,
        help_text="In the result's units: 0.05 is 5 points of a pass rate or 0.05 of a score. A smaller drop is "
                  "accepted; a drop this large is caught with 80% power at the sample the planner gives.")
    guardrails = forms.CharField(
        label="Guardrail metrics", required=False, max_length=300,
        help_text="Also judged, each with its own margin if given: “resolved: 0.1, handled”.")
    alert_rules = forms.MultipleChoiceField(
        label="Alert rules as guardrails", required=False, widget=forms.CheckboxSelectMultiple,
        help_text="Each chosen production alert rule is judged as a guardrail: its metric per conversation, candidate "
                  "against main; its margin is how far main stands from the rule's threshold (last 7 days), so a drop "
                  "that would cross the threshold fails the step. A rule that fires on a rise is judged negated (“−”).")
    monitor_metrics = forms.CharField(label="Monitor only", required=False, max_length=300,
                                      help_text="Computed and drawn the same way; never abort.")
    alpha = forms.FloatField(
        label="Whole-plan false-abort rate", initial=0.05, min_value=0.0001, max_value=0.2,
        help_text="Most a candidate no worse than main is aborted, over every metric, step and look.")
    min_sample = forms.IntegerField(label="Conversations per version before the first look", initial=30, min_value=2)
    max_sample = forms.IntegerField(
        label="Most candidate conversations a step waits for", required=False, min_value=10,
        help_text="Then, or after the maximum time, an undecided step is INCONCLUSIVE and the plan pauses for an "
                  "Admin. Empty: the planner's sample.")
    max_step_hours = forms.FloatField(label="Most time a step waits for a decision (hours)", required=False,
                                      initial=24, min_value=0.1)

    def __init__(self, *args, versions: list[tuple[str, str]], alert_rules=(), rule_guardrail=None, **kwargs):
        """`alert_rules`: the assistant's rules that can be guardrails; `rule_guardrail(rule)` gives
        what a chosen one becomes (`releases.services.guardrails.RuleGuardrail`)."""
        super().__init__(*args, **kwargs)
        self.fields["candidate"].choices = versions
        self._rules = {str(r.pk): r for r in alert_rules}
        self._rule_guardrail = rule_guardrail
        if self._rules:
            self.fields["alert_rules"].choices = [(pk, f"{r.name} ({r.get_metric_display().lower()}, "
                                                       f"{r.get_comparison_display()} {r.threshold:g})")
                                                  for pk, r in self._rules.items()]
        else:
            del self.fields["alert_rules"]

    def clean_weights(self) -> list[float]:
        try:
            weights = [float(w) for w in self.cleaned_data["weights"].replace(";", ",").split(",") if w.strip()]
        except ValueError:
            raise forms.ValidationError("Enter numbers separated by commas, e.g. 10, 25, 50.") from None
        if any(not 0 < w < 100 for w in weights):
            raise forms.ValidationError("Each step is more than 0% and less than 100% (promotion gives 100%).")
        if weights != sorted(set(weights)):
            raise forms.ValidationError("Each step must give the candidate more traffic than the one before.")
        return weights

    def clean_guardrails(self) -> dict[str, float | None]:
        """{key: its margin or None (the plan's margin)}, in the order typed."""
        parsed: dict[str, float | None] = {}
        for item in self.cleaned_data["guardrails"].split(","):
            key, _, margin = (part.strip() for part in item.partition(":"))
            if not key:
                continue
            try:
                parsed[key] = float(margin) if margin else None
            except ValueError:
                raise forms.ValidationError(f"“{item.strip()}”: write a key, or a key and its margin, e.g. resolved: 0.1.") from None
            if parsed[key] is not None and parsed[key] <= 0:
                raise forms.ValidationError(f"The margin of “{key}” must be more than 0.")
        return parsed

    def clean_alert_rules(self) -> dict[str, float | None]:
        """{guardrail key: its margin or None (the plan's)} of the chosen rules; their notes in `rule_notes`."""
        chosen = [self._rule_guardrail(self._rules[pk]) for pk in self.cleaned_data["alert_rules"]]
        self.rule_notes = [g.note for g in chosen]
        return {g.key: g.margin for g in chosen}

    def clean(self):
        data = super().clean()
        data.setdefault("alert_rules", {})
        if data.get("alert_rules") and "guardrails" in data:
            data["guardrails"] = {**data["guardrails"], **{k: m for k, m in data["alert_rules"].items()
                                                           if k not in data["guardrails"]}}
        if data.get("margin") is None:
            data["margin"] = self.fields["margin"].initial
        if data.get("max_step_hours") is None:
            data["max_step_hours"] = self.fields["max_step_hours"].initial
        if data.get("guardrails") and not data.get("primary_metric"):
            self.add_error("primary_metric", "Name the primary metric the guardrails go with.")
        if not data.get("pin_prefix") and not data.get("weights") and not data.get("promote") and not self.errors:
            raise forms.ValidationError("A plan needs at least one step.")
        return data

    def steps(self) -> list[dict]:
        """RolloutStep fields in order; the first step carries the suites gate if asked for."""
        data = self.cleaned_data
        hold = round(data["hold_minutes"] * 60)
        steps = []
        if data["pin_prefix"]:
            steps.append({"kind": RolloutStep.Kind.PIN, "hold_seconds": hold,
                          "match": [{"attribute": "from", "operator": "starts_with", "values": [data["pin_prefix"]]}]})
        for weight in data["weights"]:
            steps.append({"kind": RolloutStep.Kind.PERCENT, "weight": weight, "hold_seconds": hold,
                          "gate_live": data["live_gate"], "hold_for_approval": data["hold_for_approval"]})
        if data["promote"]:
            steps.append({"kind": RolloutStep.Kind.PROMOTE})
        if steps and data["tests_gate"]:
            steps[0]["gate_tests"] = True
        return steps

    def judged(self) -> list[str]:
        data = self.cleaned_data
        primary = data["primary_metric"].strip()
        return ([primary] if primary else []) + [k for k in data["guardrails"] if k != primary]

    def live_gate_fields(self, *, planned_sample: int | None) -> dict:
        """The plan's live-gate fields (`plan_create` keywords) from what was typed."""
        data = self.cleaned_data
        return {
            "metrics": ", ".join(self.judged()), "monitor_metrics": data["monitor_metrics"], "margin": data["margin"],
            "margins": {k: m for k, m in data["guardrails"].items() if m is not None},
            "max_sample": data["max_sample"] or planned_sample or 1000,
            "max_step_seconds": round(data["max_step_hours"] * 3600),
        }
