"""The Celery app: background syncs, run tracking and schedules (`celery -A portal worker|beat`).

Configuration comes from Django settings prefixed `CELERY_` (see settings.py, "Background
work"); tasks live in each app's `tasks.py`, found by autodiscovery.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
