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
    suite_threshold = forms.FloatField(label="Suite pass rate needed (%)", initial=100, min_value=0, max_value=100)
    min_sample = forms.IntegerField(label="Minimum conversations per version", initial=30, min_value=2)
    alpha = forms.FloatField(label="Significance level", initial=0.05, min_value=0.0001, max_value=0.5)
    metrics = forms.CharField(label="Insight results to compare", required=False, max_length=300,
                              help_text="Keys such as “score, resolved”; empty compares every numeric or pass/fail result.")

    def __init__(self, *args, versions: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["candidate"].choices = versions

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

    def clean(self):
        data = super().clean()
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
