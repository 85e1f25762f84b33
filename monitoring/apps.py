from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    """Production alert rules: a metric of an assistant's live traffic, read from the cache on
    the worker, against a threshold over a window; firing opens an incident."""

    name = "monitoring"
