"""Celery application; tasks are discovered in each installed app's tasks.py."""

import os
import time

from celery import Celery, signals
from prometheus_client import Histogram

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("suyuan")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

TASK_SECONDS = Histogram(
    "suyuan_task_seconds",
    "Celery task durations, by task.",
    ["task"],
    buckets=(0.05, 0.25, 1, 5, 30, 120, 600, 1800),
)
_started: dict[str, float] = {}


@signals.task_prerun.connect
def _task_started(task_id=None, **kwargs):
    _started[task_id] = time.monotonic()


@signals.task_postrun.connect
def _task_finished(task_id=None, task=None, **kwargs):
    started = _started.pop(task_id, None)
    if started is not None and task is not None:
        TASK_SECONDS.labels(task.name).observe(time.monotonic() - started)
