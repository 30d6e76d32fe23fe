"""Scans of labels (labels/scans.py): both write modes count the same scans."""

import datetime

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import OperationalError, connection
from django.utils import timezone

from labels import scans, services
from labels.models import Label, ScanEvent


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


def queue(label, *, client_address: str, city: str = "", moment=None) -> None:
    """Queue a scan as the gate does: `[label id` and the record's tail."""
    tail = scans.scan_record_tail(
        now=moment or timezone.now(),
        hashed=scans.client_hash(client_address),
        user_agent="test",
        city=city,
    )
    scans.redis_client().rpush(scans.SCAN_BUFFER_KEY, f"[{label.pk}{tail}")


def test_buffered_mode_without_redis_is_a_configuration_error(settings):
    settings.SUYUAN_SCAN_WRITE_MODE = "buffered"
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    }
    with pytest.raises(ImproperlyConfigured, match="shared Redis"):
        scans.write_mode()
    settings.SUYUAN_SCAN_WRITE_MODE = "fast"
    with pytest.raises(ImproperlyConfigured):
        scans.write_mode()


def test_a_client_counts_once_per_window(labels, settings):
    label = labels[0]
    assert scans.scan_record(label=label, client_address="10.0.0.1", city="长沙市")
    assert not scans.scan_record(label=label, client_address="10.0.0.1")
    assert scans.scan_record(label=label, client_address="10.0.0.2")
    assert label.scan_count == 2
    settings.SUYUAN_SCAN_REPEAT_SECONDS = 0
    assert scans.scan_record(label=label, client_address="10.0.0.1")
    label.refresh_from_db()
    assert label.scan_count == 3 and label.first_scanned_city == "长沙市"
    assert ScanEvent.objects.filter(label=label).count() == 3


def test_a_void_label_counts_nothing(labels, world):
    label = labels[0]
    services.labels_void(label=label, voided_by=world.operator_a, reason="印坏")
    label.refresh_from_db()
    assert not scans.scan_record(label=label, client_address="10.0.0.1")
    label.refresh_from_db()
    assert label.scan_count == 0 and not ScanEvent.objects.exists()


@pytest.mark.parametrize(
    ("clients", "cities", "flagged"),
    [(25, 1, True), (20, 1, False), (3, 3, True), (2, 3, False), (1, 4, False)],
)
def test_clone_reason_looks_at_distinct_clients_and_cities(clients, cities, flagged):
    assert bool(scans.clone_reason(clients=clients, cities=cities)) is flagged


@pytest.mark.django_db(transaction=True)
def test_a_dropped_connection_during_the_write_is_retried_once(labels):
    """The first INSERT of a scan fails as a dropped connection would; the retry writes."""
    label = labels[0]
    failures = []

    def drop_first_insert(execute, sql, params, many, context):
        if "INSERT" in sql and "scanevent" in sql and not failures:
            failures.append(sql)
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(drop_first_insert):
        assert scans.scan_record(label=label, client_address="10.0.0.1")
    assert failures
    assert ScanEvent.objects.filter(label=label).count() == 1
    label.refresh_from_db()
    assert label.scan_count == 1


@pytest.mark.django_db(transaction=True)
def test_a_database_that_stays_away_is_raised_after_one_retry(labels):
    attempts = []

    def always_down(execute, sql, params, many, context):
        if "scanevent" in sql:
            attempts.append(sql)
            raise OperationalError("could not connect to server")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(always_down), pytest.raises(OperationalError):
        scans.scan_record(label=labels[0], client_address="10.0.0.1")
    assert len(attempts) == 2  # the repeat check, once per attempt


def test_buffered_scans_are_written_by_the_flush_and_none_is_lost(labels, redis_gate):
    first, second, _third = labels
    start = timezone.now()
    for index in range(250):
        label = first if index % 5 else second
        moment = start + datetime.timedelta(milliseconds=index)
        queue(label, client_address=f"10.0.{index}.1", city="长沙市", moment=moment)
    assert not ScanEvent.objects.exists()  # nothing written in the request
    assert scans.scan_buffer_flush(chunk=40) == 250
    assert redis_gate.llen(scans.SCAN_BUFFER_KEY) == 0
    assert ScanEvent.objects.count() == 250
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.scan_count, second.scan_count) == (200, 50)
    assert first.first_scanned_city == "长沙市"
    assert first.first_scanned_at == min(
        ScanEvent.objects.filter(label=first).values_list("scanned_at", flat=True)
    )
    assert scans.scan_buffer_flush() == 0  # idempotent when empty


def test_buffered_flush_applies_clone_signals(labels, redis_gate, settings):
    settings.SUYUAN_SCAN_ALERT_CLIENTS = 5
    label, other, untouched = labels
    for number, city in enumerate(["长沙市", "广州市", "上海市"]):
        queue(label, client_address=f"1.1.1.{number}", city=city)
    for number in range(6):
        queue(other, client_address=f"1.1.2.{number}")
    scans.scan_buffer_flush()
    label.refresh_from_db()
    other.refresh_from_db()
    assert "3 个不同城市" in label.suspicious_reason
    assert "6 个不同客户端" in other.suspicious_reason
    untouched.refresh_from_db()
    assert untouched.scan_count == 0 and untouched.suspicious_since is None


def test_a_failed_write_keeps_the_scans_in_the_buffer(labels, redis_gate, monkeypatch):
    queue(labels[0], client_address="10.0.0.1")

    def broken(**kwargs):
        raise RuntimeError("database down")

    monkeypatch.setattr(scans, "scans_record_many", broken)
    with pytest.raises(RuntimeError):
        scans.scan_buffer_flush()
    assert redis_gate.llen(scans.SCAN_BUFFER_KEY) == 1
    monkeypatch.undo()
    assert scans.scan_buffer_flush() == 1
    assert ScanEvent.objects.count() == 1


def test_resetting_demo_scans_clears_counts_flags_and_redis(labels, redis_gate):
    label = labels[0]
    for number in range(3):
        scans.scan_record(label=label, client_address=f"10.0.0.{number}")
    Label.objects.filter(pk=label.pk).update(
        suspicious_since=timezone.now(), suspicious_reason="test"
    )
    scans.labels_publish(Label.objects.filter(pk=label.pk))
    assert redis_gate.exists(scans.label_key(label.serial))
    assert scans.labels_scans_reset(labels=Label.objects.filter(pk=label.pk)) == 1
    label.refresh_from_db()
    assert label.scan_count == 0 and label.suspicious_since is None
    assert label.first_scanned_at is None
    assert not ScanEvent.objects.filter(label=label).exists()
    assert not redis_gate.exists(scans.label_key(label.serial))


def test_each_process_has_its_own_redis_connection(redis_gate, monkeypatch):
    """A forked worker must not write to its parent's socket (one connection per client)."""
    first = scans.redis_client()
    assert scans.redis_client() is first
    assert first.connection is not None  # single connection, not a pool per call
    monkeypatch.setattr(scans.os, "getpid", lambda: -1)
    child = scans.redis_client()
    assert child is not first
    assert child.connection is not first.connection
    assert child.ping() and first.ping()
