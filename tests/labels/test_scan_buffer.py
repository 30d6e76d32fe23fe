"""Buffered scan writes (SUYUAN_SCAN_WRITE_MODE=buffered): nothing lost, same outcome."""

import os

import pytest

from labels import services
from labels.models import Label, ScanEvent
from tests.conftest import IN_CI

BUFFER_URL = os.environ.get("SUYUAN_TEST_SCAN_BUFFER_URL", "redis://127.0.0.1:6379/13")


@pytest.fixture
def buffered(settings):
    import redis

    client = redis.Redis.from_url(BUFFER_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        if IN_CI:
            pytest.fail(f"Redis is not reachable at {BUFFER_URL}")
        pytest.skip(f"Redis is not reachable at {BUFFER_URL}")
    client.delete(services.SCAN_BUFFER_KEY, services.SCAN_FLUSH_LOCK)
    settings.SUYUAN_SCAN_WRITE_MODE = "buffered"
    settings.SUYUAN_SCAN_BUFFER_URL = BUFFER_URL
    yield client
    client.delete(services.SCAN_BUFFER_KEY, services.SCAN_FLUSH_LOCK)


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


def test_sync_mode_writes_in_the_request(labels, settings):
    settings.SUYUAN_SCAN_WRITE_MODE = "sync"
    label = services.scan_note(
        label=labels[0], client_address="10.0.0.1", city="长沙市"
    )
    assert label.scan_count == 1
    assert ScanEvent.objects.filter(label=labels[0]).count() == 1


def test_buffered_scans_are_written_by_the_flush_and_none_is_lost(
    labels, buffered, settings
):
    settings.SUYUAN_SCAN_ALERT_COUNT = 1000
    first, second, _third = labels
    for index in range(250):
        label = Label.objects.get(pk=(first if index % 5 else second).pk)
        shown = services.scan_note(
            label=label, client_address=f"10.0.{index % 7}.1", city="长沙市"
        )
        assert shown.scan_count == label.scan_count  # the count it will have
    assert not ScanEvent.objects.exists()  # nothing written in the request
    assert buffered.llen(services.SCAN_BUFFER_KEY) == 250

    assert services.scan_buffer_flush(chunk=40) == 250
    assert buffered.llen(services.SCAN_BUFFER_KEY) == 0
    assert ScanEvent.objects.count() == 250
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.scan_count, second.scan_count) == (200, 50)
    assert first.first_scanned_city == "长沙市"
    assert first.first_scanned_at == min(
        ScanEvent.objects.filter(label=first).values_list("scanned_at", flat=True)
    )
    assert services.scan_buffer_flush() == 0  # idempotent when empty


def test_buffered_flush_applies_clone_signals(labels, buffered, settings):
    settings.SUYUAN_SCAN_ALERT_COUNT = 5
    label = labels[0]
    for city in ["长沙市", "广州市", "上海市"]:
        services.scan_note(
            label=Label.objects.get(pk=label.pk), client_address="1.1.1.1", city=city
        )
    other = labels[1]
    for _ in range(6):
        services.scan_note(
            label=Label.objects.get(pk=other.pk), client_address="1.1.1.2"
        )
    services.scan_buffer_flush()
    label.refresh_from_db()
    other.refresh_from_db()
    assert label.suspicious_since is not None and "城市" in label.suspicious_reason
    assert other.suspicious_since is not None and "次数" in other.suspicious_reason
    assert labels[2].scan_count == 0


def test_a_failed_write_keeps_the_scans_in_the_buffer(labels, buffered, monkeypatch):
    services.scan_note(label=labels[0], client_address="10.0.0.1")

    def broken(**kwargs):
        raise RuntimeError("database down")

    monkeypatch.setattr(services, "scans_record_many", broken)
    with pytest.raises(RuntimeError):
        services.scan_buffer_flush()
    assert buffered.llen(services.SCAN_BUFFER_KEY) == 1
    monkeypatch.undo()
    assert services.scan_buffer_flush() == 1
    assert ScanEvent.objects.count() == 1
