"""Fail print jobs stuck in `running`: their worker died without reporting."""

import datetime

from django.core.management.base import BaseCommand

from labels.services import print_jobs_fail_stale


class Command(BaseCommand):
    help = "Mark print jobs running longer than the task time limit as failed."

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=int,
            default=None,
            help="seconds a job may run (default: CELERY_TASK_TIME_LIMIT)",
        )

    def handle(self, *args, older_than=None, **options):
        failed = print_jobs_fail_stale(
            older_than=datetime.timedelta(seconds=older_than)
            if older_than is not None
            else None
        )
        self.stdout.write(f"failed {failed} stale print job(s)")
