"""Cases run by test_replica.py against a real primary and streaming replica.

DATABASE_URL is the primary, DATABASE_REPLICA_URL its replica (the test
database the primary creates is replayed there: settings mirror it). Data
is committed (transactional tests) so that the replica can replay it;
pausing the replica's replay makes it stale on purpose, which is how a
test tells which server answered.
"""

import logging
import os
import subprocess
import time

import pytest
from django.db import connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from tests.catalogue import listed_entry, make_officers
from trace import replica
from trace.choices import BatchStatus
from trace.models import CatalogueEntry

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])

OLD_NAME = "古楼云雾茶"
NEW_NAME = "古楼新茶"


def sql(alias: str, query: str, params=()):
    with connections[alias].cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchone()


def wait_for_replay(timeout: float = 20.0) -> None:
    """Return once the replica has replayed everything the primary wrote so far."""
    (position,) = sql("default", "SELECT pg_current_wal_lsn()::text")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        (done,) = sql(
            "replica",
            "SELECT pg_wal_lsn_diff(pg_last_wal_replay_lsn(), %s::pg_lsn) >= 0",
            [position],
        )
        if done:
            return
        time.sleep(0.05)
    raise AssertionError("the replica did not catch up")


def pg_script(command: str) -> None:
    subprocess.run(
        [
            os.path.join("deploy", "postgres.sh"),
            command,
            os.environ["SUYUAN_TEST_PG_DIR"],
        ],
        check=True,
        timeout=120,
    )


@pytest.fixture(autouse=True)
def fresh_state(settings):
    settings.SUYUAN_REPLICA_CHECK_SECONDS = 0
    replica.replica_forget_state()
    yield
    replica.replica_forget_state()


@pytest.fixture
def paused_replica():
    """The replica stops replaying the primary's WAL (it still answers)."""
    wait_for_replay()
    sql("replica", "SELECT pg_wal_replay_pause()")
    yield
    sql("replica", "SELECT pg_wal_replay_resume()")
    wait_for_replay()


@pytest.fixture
def entry(world):
    listed = listed_entry(world, make_officers(world))
    assert listed.name == OLD_NAME
    return listed


def rename_on_primary(entry) -> None:
    CatalogueEntry.objects.filter(pk=entry.pk).update(name=NEW_NAME)
    assert CatalogueEntry.objects.using("default").get(pk=entry.pk).name == NEW_NAME


def public_name(entry) -> str:
    response = APIClient().get(f"/api/v1/catalogue/{entry.pk}/")
    assert response.status_code == 200, response.content
    return response.json()["name"]


def test_the_public_catalogue_reads_the_replica(entry, paused_replica):
    rename_on_primary(entry)
    with (
        CaptureQueriesContext(connections["replica"]) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_primary,
    ):
        # Replayed up to before the rename: the replica answers, stale.
        assert public_name(entry) == OLD_NAME
        page = Client().get(f"/catalogue/{entry.pk}/")
    assert page.status_code == 200
    assert OLD_NAME in page.content.decode() and NEW_NAME not in page.content.decode()
    catalogue_reads = [
        query["sql"]
        for query in on_replica.captured_queries
        if "trace_catalogueentry" in query["sql"]
    ]
    assert catalogue_reads, on_replica.captured_queries
    assert not any(
        "trace_catalogueentry" in query["sql"] for query in on_primary.captured_queries
    )
    sql("replica", "SELECT pg_wal_replay_resume()")
    wait_for_replay()
    assert public_name(entry) == NEW_NAME


def test_a_lagging_replica_falls_back_to_the_primary_logged_once(
    entry, paused_replica, settings, caplog
):
    rename_on_primary(entry)
    settings.SUYUAN_REPLICA_MAX_LAG_SECONDS = 0.5
    time.sleep(1.0)
    with caplog.at_level(logging.WARNING, logger="trace.replica"):
        assert public_name(entry) == NEW_NAME
        assert public_name(entry) == NEW_NAME
        assert Client().get("/catalogue/").status_code == 200
    unusable = [r for r in caplog.records if "unusable" in r.getMessage()]
    assert len(unusable) == 1, caplog.records
    assert "lagging" in unusable[0].getMessage()
    assert replica.replica_state().lag_seconds > 0.5


def test_a_stopped_replica_falls_back_to_the_primary_logged_once(
    world, settings, caplog
):
    admin = APIClient()
    admin.force_authenticate(world.admin)
    url = f"/api/v1/batches/{world.batch_a.pk}/recall-trace/"
    pg_script("stop-replica")
    try:
        with caplog.at_level(logging.WARNING, logger="trace.replica"):
            for _ in range(3):
                response = admin.get(url)
                assert response.status_code == 200, response.content
                assert response.json()["batch"]["lot_code"] == world.batch_a.lot_code
            dashboard = Client()
            dashboard.force_login(world.admin)
            assert dashboard.get("/reports/dashboard/").status_code == 200
            report = admin.get("/api/v1/reports/township_sales/")
            assert report.status_code == 200, report.content
        unusable = [r for r in caplog.records if "unusable" in r.getMessage()]
        assert len(unusable) == 1, caplog.records
        assert "down" in unusable[0].getMessage()
    finally:
        pg_script("start-replica")
    connections["replica"].close()
    wait_for_replay()
    with caplog.at_level(logging.WARNING, logger="trace.replica"):
        assert admin.get(url).status_code == 200
    assert replica.replica_state().usable
    assert any("usable again" in r.getMessage() for r in caplog.records)


def test_a_writer_reads_its_own_write_others_read_the_replica(world, paused_replica):
    writer = APIClient()
    writer.force_authenticate(world.admin)
    held = writer.post(
        f"/api/v1/batches/{world.batch_a.pk}/hold/", {"reason": "快检农残疑似超标"}
    )
    assert held.status_code == 200, held.content
    assert "suyuan_primary" in held.cookies
    url = f"/api/v1/batches/{world.batch_a.pk}/recall-trace/"
    mine = writer.get(url).json()
    assert mine["batch"]["status"] == BatchStatus.ON_HOLD
    assert [c["to_status"] for c in mine["status_changes"]][-1] == BatchStatus.ON_HOLD
    other = APIClient()
    other.force_authenticate(world.admin)
    theirs = other.get(url).json()
    assert theirs["batch"]["status"] != BatchStatus.ON_HOLD
    assert BatchStatus.ON_HOLD not in [c["to_status"] for c in theirs["status_changes"]]


def test_an_object_read_from_the_replica_is_saved_to_the_primary(entry, paused_replica):
    with replica.request_scope(pinned=False), replica.replica_reads():
        read = CatalogueEntry.objects.get(pk=entry.pk)
        assert read._state.db == "replica"
        read.name = NEW_NAME
        read.save(update_fields=["name"])
        # Having written, this context reads the primary: its own write.
        assert CatalogueEntry.objects.get(pk=entry.pk).name == NEW_NAME
    assert CatalogueEntry.objects.using("default").get(pk=entry.pk).name == NEW_NAME
    assert CatalogueEntry.objects.using("replica").get(pk=entry.pk).name == OLD_NAME


def test_only_marked_reads_outside_transactions_go_to_the_replica(entry):
    wait_for_replay()
    with replica.request_scope(pinned=False):
        assert CatalogueEntry.objects.all().db == "default"
        with replica.replica_reads():
            assert CatalogueEntry.objects.all().db == "replica"
            with transaction.atomic():
                assert CatalogueEntry.objects.all().db == "default"
    with replica.request_scope(pinned=True), replica.replica_reads():
        assert CatalogueEntry.objects.all().db == "default"
