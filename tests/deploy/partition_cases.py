"""Cases run by test_partitions.py: scan events partitioned by month (pg_partman).

DATABASE_URL is a real PostgreSQL with pg_partman; the test database is
made by the migrations (labels/migrations/0008 partitions the table).
"""

import datetime
import zoneinfo

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from labels import scans, services
from labels.models import ScanEvent
from labels.partitions import (
    SCAN_ARCHIVE_SCHEMA,
    scan_partitions,
    scan_partitions_maintain,
)

pytestmark = pytest.mark.django_db(transaction=True)

OLD = "labels_scanevent_p2026_01"


def sql(query: str, params=()):
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall() if cursor.description else []


def month_start(moment: datetime.datetime) -> datetime.datetime:
    local = moment.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE))
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def next_month(start: datetime.datetime) -> datetime.datetime:
    return (start + datetime.timedelta(days=32)).replace(day=1)


def partition_name(start: datetime.datetime) -> str:
    return f"labels_scanevent_p{start:%Y_%m}"


@pytest.fixture
def labels(world):
    job = services.print_job_create(
        batch=world.batch_a,
        template="a4-3x8",
        count=3,
        requested_by=world.operator_a,
        enqueue=False,
    )
    return list(job.labels.order_by("sequence"))


def record(label, moment: datetime.datetime, client: str) -> None:
    """Write one scan as the buffer's flush does."""
    scans.scans_record_many(
        records=[[label.pk, moment.isoformat(), scans.client_hash(client), "test", ""]]
    )


@pytest.fixture
def no_old_partition():
    for schema in ("public", SCAN_ARCHIVE_SCHEMA):
        sql(f"DROP TABLE IF EXISTS {schema}.{OLD}")
    yield
    for schema in ("public", SCAN_ARCHIVE_SCHEMA):
        sql(f"DROP TABLE IF EXISTS {schema}.{OLD}")


def test_the_table_is_partitioned_by_month_with_the_key_in_the_primary_key():
    (strategy,) = sql(
        "SELECT partstrat FROM pg_partitioned_table"
        " WHERE partrelid = 'labels_scanevent'::regclass"
    )[0]
    assert strategy == "r"
    key = [
        name
        for (name,) in sql(
            "SELECT a.attname FROM pg_index i JOIN pg_attribute a"
            " ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)"
            " WHERE i.indrelid = 'labels_scanevent'::regclass AND i.indisprimary"
        )
    ]
    assert sorted(key) == ["id", "scanned_at"]
    this_month = month_start(timezone.now())
    attached = scan_partitions()
    assert partition_name(this_month) in attached
    assert "labels_scanevent_default" in attached


def test_a_months_scans_are_read_from_that_months_partition_alone(labels):
    this_month = month_start(timezone.now())
    following = next_month(this_month)
    record(labels[0], this_month + datetime.timedelta(hours=1), "198.51.100.1")
    record(labels[0], following + datetime.timedelta(hours=1), "198.51.100.2")
    in_month = ScanEvent.objects.filter(
        scanned_at__gte=this_month, scanned_at__lt=following
    )
    assert in_month.count() == 1
    plan = in_month.explain()
    assert partition_name(this_month) in plan, plan
    assert partition_name(following) not in plan, plan
    assert "labels_scanevent_default" not in plan, plan
    # A label's scans in a month (the counts of the forms and the dashboard).
    plan = (
        ScanEvent.objects.filter(
            label=labels[0], scanned_at__gte=this_month, scanned_at__lt=following
        )
        .values("label")
        .annotate(scans=Count("id"))
        .explain()
    )
    assert partition_name(this_month) in plan and partition_name(following) not in plan
    assert ScanEvent.objects.count() == 2


def test_maintenance_makes_months_ahead_and_archives_old_ones(
    labels, settings, no_old_partition
):
    settings.SUYUAN_SCAN_PARTITION_PREMAKE_MONTHS = 6
    settings.SUYUAN_SCAN_PARTITION_RETENTION_MONTHS = 0
    ahead = month_start(timezone.now())
    for _ in range(6):
        ahead = next_month(ahead)
    assert scan_partitions_maintain() is True
    assert partition_name(ahead) in scan_partitions()

    # An old month (made as the migration would for old scans) with a scan.
    sql(
        "SELECT partman.create_partition_time('public.labels_scanevent',"
        " ARRAY[%s::timestamptz])",
        ["2026-01-15T12:00:00+08:00"],
    )
    old_moment = datetime.datetime(2026, 1, 15, 12, tzinfo=datetime.UTC)
    record(labels[1], old_moment, "198.51.100.3")
    assert OLD in scan_partitions()
    assert ScanEvent.objects.filter(label=labels[1]).count() == 1

    settings.SUYUAN_SCAN_PARTITION_RETENTION_MONTHS = 3
    scan_partitions_maintain()
    assert OLD not in scan_partitions()
    assert ScanEvent.objects.filter(label=labels[1]).count() == 0
    archived = sql(f"SELECT count(*) FROM {SCAN_ARCHIVE_SCHEMA}.{OLD}")[0][0]
    assert archived == 1

    # The restore of docs/deploy.md: back to public, attached for its month.
    settings.SUYUAN_SCAN_PARTITION_RETENTION_MONTHS = 0
    scan_partitions_maintain()
    sql(f"ALTER TABLE {SCAN_ARCHIVE_SCHEMA}.{OLD} SET SCHEMA public")
    sql(
        f"ALTER TABLE labels_scanevent ATTACH PARTITION {OLD}"
        " FOR VALUES FROM ('2026-01-01 00:00+08') TO ('2026-02-01 00:00+08')"
    )
    assert ScanEvent.objects.filter(label=labels[1]).count() == 1
