"""Monthly partitions of scan events on PostgreSQL (pg_partman; labels/migrations/0008).

`scan_partitions_maintain` is run by beat (labels.tasks): pg_partman makes
the partitions SUYUAN_SCAN_PARTITION_PREMAKE_MONTHS ahead, and detaches the
partitions older than SUYUAN_SCAN_PARTITION_RETENTION_MONTHS (0: keeps
them all) into the schema SCAN_ARCHIVE_SCHEMA: out of every query, still on
disk, to be dumped and dropped or attached again (docs/deploy.md, "Scan
history"). On SQLite it does nothing: the table is not partitioned there.

It runs on the "owner" database when there is one (DATABASE_OWNER_URL):
the app's role may not create or detach tables.
"""

from django.conf import settings
from django.db import connections, transaction

PARENT = "public.labels_scanevent"
SCAN_ARCHIVE_SCHEMA = "scan_archive"


def _alias() -> str:
    return "owner" if "owner" in settings.DATABASES else "default"


def scan_partitions_maintain() -> bool:
    """Make partitions ahead and detach old ones; return whether anything ran."""
    connection = connections[_alias()]
    if connection.vendor != "postgresql":
        return False
    months = settings.SUYUAN_SCAN_PARTITION_RETENTION_MONTHS
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        # Months of the county's time zone, as the migration made them; for
        # this transaction only (safe behind pgbouncer).
        cursor.execute("SELECT set_config('timezone', %s, true)", [settings.TIME_ZONE])
        cursor.execute(f"CREATE SCHEMA IF NOT EXISTS {SCAN_ARCHIVE_SCHEMA}")
        cursor.execute(
            "UPDATE partman.part_config SET premake = %s, retention = %s,"
            " retention_schema = %s, retention_keep_table = true,"
            " infinite_time_partitions = true WHERE parent_table = %s",
            [
                settings.SUYUAN_SCAN_PARTITION_PREMAKE_MONTHS,
                f"{months} months" if months > 0 else None,
                SCAN_ARCHIVE_SCHEMA if months > 0 else None,
                PARENT,
            ],
        )
        cursor.execute("SELECT partman.run_maintenance(%s)", [PARENT])
    return True


def scan_partitions() -> list[str]:
    """Return the names of the scan event partitions attached now, oldest first."""
    connection = connections[_alias()]
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i"
            " JOIN pg_class c ON c.oid = i.inhrelid"
            " WHERE i.inhparent = 'public.labels_scanevent'::regclass ORDER BY 1"
        )
        return [name for (name,) in cursor.fetchall()]
