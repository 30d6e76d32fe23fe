"""Reads of platform imports: the jobs a user sees and their rows."""

from django.db.models import Count, QuerySet

from trace import access
from trace.choices import ImportRowStatus
from trace.models import SalesImport, SalesImportRow


def sales_import_list_visible_to(*, user) -> QuerySet[SalesImport]:
    """Return the imports a user sees: its own, or all for an administrator."""
    imports = SalesImport.objects.select_related("uploaded_by")
    if access.is_administrator(user):
        return imports
    if not getattr(user, "is_authenticated", False):
        return imports.none()
    return imports.filter(uploaded_by=user)


def sales_import_rows(*, sales_import: SalesImport) -> QuerySet[SalesImportRow]:
    return sales_import.rows.select_related(
        "batch", "producer", "product_line__brand"
    ).order_by("number")


def sales_import_summary(*, sales_import: SalesImport) -> dict[str, int]:
    """Return how many rows of the job are in each status."""
    counts = dict(
        sales_import.rows.values("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return {status: counts.get(status, 0) for status in ImportRowStatus.values}
