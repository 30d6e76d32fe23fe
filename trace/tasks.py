"""Celery tasks of the trace domain: ids in, one service call, safe to run twice."""

from celery import shared_task


@shared_task(acks_late=True)
def catalogue_notices_close_task() -> int:
    """List the catalogue entries whose 公示 ended without objection."""
    from trace.services.catalogue import catalogue_notices_close

    return catalogue_notices_close()


@shared_task(acks_late=True)
def certifications_recheck_task() -> int:
    """Re-check every current certification against its region's policy."""
    from trace.services.certification import certifications_recheck_all

    return certifications_recheck_all(trigger="定期复核")


@shared_task(acks_late=True)
def certification_reviews_suspend_overdue_task() -> int:
    """Suspend the certifications whose review outlived the county's days."""
    from trace.services.certification import certification_reviews_suspend_overdue

    return certification_reviews_suspend_overdue()
