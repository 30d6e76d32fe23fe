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


@shared_task(acks_late=True)
def sales_import_check_task(sales_import_id: int) -> None:
    """Match the rows of an uploaded platform export (the dry run)."""
    from trace.services.imports import sales_import_check

    sales_import_check(sales_import_id=sales_import_id)


@shared_task(acks_late=True)
def sales_import_commit_task(sales_import_id: int) -> None:
    """Record the matched rows of a checked platform export as sales."""
    from trace.services.imports import sales_import_commit

    sales_import_commit(sales_import_id=sales_import_id)
