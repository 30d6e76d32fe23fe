"""The audit trail: who changed what and when (django-simple-history).

Each audited model gets `history = audit_history()`. History rows are
append-only: the admin shows them read-only, no API writes them, and on
PostgreSQL a trigger refuses UPDATE and DELETE on every history table, so raw
SQL is caught too. The acting user is kept as a plain id, not a foreign key,
so deleting a user never has to touch (and so never breaks) the trail.
"""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import models
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import HistoricalRecords
from simple_history.utils import get_history_manager_for_model

HISTORY_IMMUTABLE_FUNCTION = """
CREATE OR REPLACE FUNCTION suyuan_history_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit history is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def audit_history(**kwargs) -> HistoricalRecords:
    """Return the history descriptor every audited model uses."""
    return HistoricalRecords(
        history_user_id_field=models.IntegerField(null=True, blank=True),
        **kwargs,
    )


def history_record(
    *, instances: Iterable[models.Model], user=None, reason: str = ""
) -> int:
    """Write a `changed` history row for rows changed by a bulk UPDATE.

    QuerySet.update() sends no signal, so services that change audited rows
    in bulk (voids, signing) call this with the rows as they are now.
    """
    instances = list(instances)
    if not instances:
        return 0
    manager = get_history_manager_for_model(type(instances[0]))
    manager.bulk_history_create(
        instances,
        batch_size=2000,
        update=True,
        default_user=user,
        default_change_reason=reason[:100],
    )
    return len(instances)


def history_immutable_sql(table: str) -> str:
    """Return SQL that makes one history table append-only on PostgreSQL."""
    return (
        HISTORY_IMMUTABLE_FUNCTION
        + f"""
DROP TRIGGER IF EXISTS {table}_append_only ON {table};
CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION suyuan_history_immutable();
"""
    )


def history_immutable_operation(*tables: str):
    """Return a migration operation adding the append-only trigger (PostgreSQL only)."""
    from django.db import migrations

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return  # SQLite (the embedded default): the app layer is the guard
        for table in tables:
            schema_editor.execute(history_immutable_sql(table), params=None)

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for table in tables:
            schema_editor.execute(
                f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};"
            )

    return migrations.RunPython(forwards, backwards)


class ReadOnlyHistoryAdmin(SimpleHistoryAdmin):
    """Show an object's history in the admin; never revert or edit through it."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple-history saves a POSTed old version (a revert) even when the
        # revert button is hidden; the trail is evidence, so refuse any write.
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)
