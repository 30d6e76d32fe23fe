"""The audit trail: who changed what and when (django-simple-history).

Each audited model gets `history = audit_history()`. History rows are
append-only: the admin shows them read-only, no API writes them, and on
PostgreSQL a trigger refuses UPDATE and DELETE on every history table, so raw
SQL is caught too. The acting user is kept as a plain id, not a foreign key,
so deleting a user never has to touch (and so never breaks) the trail.
"""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import migrations, models
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import HistoricalRecords
from simple_history.utils import get_history_manager_for_model

from trace import db_triggers

# One function serves every history table; each migration that adds history
# tables creates (or replaces) it. It raises insufficient_privilege (SQLSTATE
# 42501), not db_triggers.REFUSED, as it did before db_triggers existed: the
# migrations that built it have run, so what it raises stays.
HISTORY_IMMUTABLE = db_triggers.refusing(
    "suyuan_history_immutable",
    "audit history is append-only: % on % refused",
    "TG_OP",
    "TG_TABLE_NAME",
    errcode="insufficient_privilege",
    shared=True,
)


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


def history_immutable_trigger(table: str) -> db_triggers.Trigger:
    """Return the trigger that makes one history table append-only."""
    return db_triggers.Trigger(f"{table}_append_only", table, HISTORY_IMMUTABLE.name)


def history_immutable_operation(*tables: str) -> migrations.RunPython:
    """Return a migration operation adding the append-only trigger (PostgreSQL only).

    Reversed, it drops the tables' triggers and keeps the shared function.
    """
    return db_triggers.triggers_operation(
        functions=[HISTORY_IMMUTABLE],
        triggers=[history_immutable_trigger(table) for table in tables],
    )


class ReadOnlyHistoryAdmin(SimpleHistoryAdmin):
    """Show an object's history in the admin; never revert or edit through it."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple-history saves a POSTed old version (a revert) even when the
        # revert button is hidden; the trail is evidence, so refuse any write.
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)
