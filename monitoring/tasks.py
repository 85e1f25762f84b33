"""Alert rules are evaluated on the worker, from the cache, every minute (beat)."""

from celery import shared_task

from monitoring import services


@shared_task(name="monitoring.evaluate_alert_rules", label="Evaluate alert rules")
def evaluate_alert_rules() -> int:
    """Safe to run twice at once: each rule is judged under its row lock, and a rule that fired
    opens no second incident while the first is open or within its cooldown."""
    return services.rules_evaluate()
