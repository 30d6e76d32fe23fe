"""Celery tasks of the labels domain: ids in, one service call each."""

from celery import Task, shared_task


class PrintJobTask(Task):
    """Fail the job when the task itself dies; the service catches render errors."""

    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        from labels.services import print_job_fail

        print_job_id = args[0] if args else kwargs.get("print_job_id")
        if print_job_id is not None:
            print_job_fail(print_job_id=print_job_id)


@shared_task(base=PrintJobTask, acks_late=True)
def print_job_render_task(print_job_id: int) -> None:
    """Render a print job's PDF; safe to run twice (the service is idempotent)."""
    from labels.services import print_job_render  # services.py imports this module

    print_job_render(print_job_id=print_job_id)


@shared_task
def print_jobs_fail_stale_task() -> int:
    """Fail print jobs stuck in `running` (scheduled by CELERY_BEAT_SCHEDULE)."""
    from labels.services import print_jobs_fail_stale

    return print_jobs_fail_stale()
