"""Celery tasks of the labels domain: ids in, one service call each."""

import logging

from celery import shared_task
from celery.contrib.django.task import DjangoTask
from django.db import DatabaseError

logger = logging.getLogger(__name__)


class PrintJobTask(DjangoTask):
    """Fail the job when the task itself dies; the service catches render errors.

    A DjangoTask, the base Celery gives Django projects, for delay_on_commit.
    """

    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        from labels.services import print_job_fail

        print_job_id = args[0] if args else kwargs.get("print_job_id")
        if print_job_id is not None:
            print_job_fail(print_job_id=print_job_id)


# A database restart or failover is transient: retry with backoff, then fail
# the job with a message (on_failure) rather than leave it `running`. The
# backoff stays below the broker's visibility timeout (30 s), or the waiting
# retry would be redelivered to a second worker meanwhile.
@shared_task(
    base=PrintJobTask,
    bind=True,
    acks_late=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=2,
    retry_backoff_max=20,
    max_retries=6,
)
def print_job_render_task(self, print_job_id: int) -> None:
    """Render a print job's PDF; safe to run twice (the service is idempotent).

    The message is acknowledged late and the broker redelivers it after a
    short visibility timeout, so a job whose worker was killed is re-run
    within a minute, without beat. If the redelivered message finds the job
    still alive elsewhere (heartbeat fresh), it looks again one lease later,
    so that a death after that moment is still caught.
    """
    # services.py imports this module.
    from labels.services import (
        PrintJobBusy,
        PrintJobLeaseLost,
        print_job_lease_seconds,
        print_job_render,
    )

    try:
        print_job_render(print_job_id=print_job_id)
    except PrintJobBusy:
        if not self.request.is_eager:  # inline there is no other worker to watch
            self.signature_from_request(
                countdown=print_job_lease_seconds()
            ).apply_async()
    except PrintJobLeaseLost:
        logger.warning("print job %s was taken over; stopping", print_job_id)


@shared_task
def scan_buffer_flush_task() -> int:
    """Write the buffered scans (SUYUAN_SCAN_WRITE_MODE=buffered); run it every few seconds."""
    from django.conf import settings

    from labels.scans import scan_buffer_flush

    if settings.SUYUAN_SCAN_WRITE_MODE != "buffered":
        return 0  # scans are written in the request; nothing is buffered
    return scan_buffer_flush()


@shared_task
def print_jobs_fail_stale_task() -> int:
    """Fail print jobs stuck in `running` (scheduled by CELERY_BEAT_SCHEDULE)."""
    from labels.services import print_jobs_fail_stale

    return print_jobs_fail_stale()


@shared_task
def scan_partitions_maintain_task() -> bool:
    """Make scan event partitions ahead, detach old ones (PostgreSQL; labels/partitions.py)."""
    from labels.partitions import scan_partitions_maintain

    return scan_partitions_maintain()
