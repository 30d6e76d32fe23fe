"""/healthz, /readyz and /metrics (config/health.py, config/metrics.py), and the
Celery queues by task (settings.CELERY_TASK_ROUTES)."""

import re

import pytest
from django.test import Client

from config.celery import app
from labels import services


@pytest.fixture
def labels(world):
    job = services.print_job_create(
        batch=world.batch_a,
        template="a4-3x8",
        count=2,
        requested_by=world.operator_a,
        enqueue=False,
    )
    return list(job.labels.order_by("sequence"))


def metric(body: str, name: str) -> float:
    found = re.search(rf"^{re.escape(name)} (\S+)$", body, re.M)
    return float(found.group(1)) if found else 0.0


def test_healthz_answers_without_asking_anything():
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_checks_the_database_cache_and_broker():
    response = Client().get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["ready"] is True
    assert set(body["checks"]) == {"database", "cache", "broker"}  # no replica set
    assert all(check["ok"] for check in body["checks"].values())


@pytest.mark.django_db
def test_readyz_is_503_while_the_cache_does_not_answer(settings):
    # Nothing listens on port 1: the cache's Redis is away.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.5},
        }
    }
    response = Client().get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["ready"] is False
    assert body["checks"]["cache"]["ok"] is False
    assert body["checks"]["cache"]["detail"] == "ConnectionError"
    assert body["checks"]["database"]["ok"] is True


def test_metrics_count_requests_by_method_and_status():
    client = Client()
    sample = 'suyuan_http_requests_total{method="GET",status="200"}'
    before = metric(client.get("/metrics").content.decode(), sample)
    client.get("/healthz")
    client.generic("BREW", "/healthz")
    body = client.get("/metrics").content.decode()
    assert metric(body, sample) >= before + 2  # /metrics itself and /healthz
    assert 'method="other"' in body
    assert "BREW" not in body


def test_metrics_count_scans_written(labels):
    scanned = "suyuan_scans_recorded_total"
    before = metric(Client().get("/metrics").content.decode(), scanned)
    page = Client().get(f"/t/{labels[0].serial}", REMOTE_ADDR="203.0.113.9")
    assert page.status_code == 200
    assert metric(Client().get("/metrics").content.decode(), scanned) == before + 1


@pytest.mark.parametrize(
    "task, queue",
    [
        ("labels.tasks.scan_buffer_flush_task", "scans"),
        ("labels.tasks.scan_partitions_maintain_task", "scans"),
        ("labels.tasks.print_job_render_task", "labels"),
        ("labels.tasks.print_jobs_fail_stale_task", "labels"),
        ("trace.tasks.catalogue_notices_close_task", "celery"),
        ("reports.tasks.report_render_task", "reports"),
        ("trace.tasks.households_import_task", "imports"),
    ],
)
def test_each_kind_of_task_has_its_own_queue(task, queue):
    route = app.amqp.router.route({}, task)
    assert route["queue"].name == queue
