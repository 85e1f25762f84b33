from django.apps import AppConfig


class ReleasesConfig(AppConfig):
    name = "releases"

    def ready(self) -> None:
        # Releases adds to the assistant pages through assistants' hooks, so assistants imports no releases module;
        # imported in ready(), once the app registry is.
        from assistants import hooks
        from releases import hooks as ours

        hooks.register_panel("canary", "releases/_canary_plan_card.html", ours.canary_panel)
        hooks.register_panel("promote", "releases/_promotion_check.html", ours.promote_panel)
        hooks.register_promotion_gate(ours.suite_gate)
        hooks.register_canary_gate(ours.canary_gate)
        hooks.register_live_change(ours.plan_interrupted)
        hooks.register_trial_blocker(ours.trial_blocker)
        hooks.register_release_note(ours.release_note)
        hooks.register_live_edit_blocker(ours.live_edit_blocker)
