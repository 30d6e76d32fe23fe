"""Celery tasks of the labels domain: ids in, one service call each."""

from celery import shared_task


@shared_task(acks_late=True)
def print_job_render_task(print_job_id: int) -> None:
    """Render a print job's PDF; safe to run twice (the service is idempotent)."""
    from labels.services import print_job_render  # services.py imports this module

    print_job_render(print_job_id=print_job_id)
