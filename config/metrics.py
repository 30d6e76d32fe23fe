"""Prometheus metrics at /metrics (prometheus-client).

Counted as they happen: requests by method and status (MetricsMiddleware),
scans written to the database (labels/scans.py), Celery task durations
(config/celery.py). Read when scraped: scans waiting in the Redis buffer,
messages waiting in each Celery queue, the replica's lag.

Under gunicorn and Celery each process counts for itself: with
PROMETHEUS_MULTIPROC_DIR set (one directory per host, emptied before the
processes start; deploy/cluster.sh) /metrics adds up every process on the
host. nginx lets only loopback and the monitoring network read it
(deploy/nginx.conf).
"""

import os

import redis
from django.conf import settings
from django.http import HttpResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

from labels import scans
from trace import replica

REQUESTS = Counter(
    "suyuan_http_requests",
    "HTTP requests answered, by method and status code.",
    ["method", "status"],
)

# Any other method is counted as "other": a label per invented method would grow without bound.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
CELERY_QUEUES = ("celery", "scans", "labels", "imports", "reports")


class LiveCollector:
    """What is read from Redis and the replica at scrape time."""

    def collect(self):
        if scans.write_mode() == scans.BUFFERED:
            waiting = GaugeMetricFamily(
                "suyuan_scans_buffered", "Scans waiting in Redis to be written."
            )
            waiting.add_metric([], scans.redis_client().llen(scans.SCAN_BUFFER_KEY))
            yield waiting
        if (
            not settings.CELERY_TASK_ALWAYS_EAGER
            and settings.CELERY_BROKER_URL.startswith("redis")
        ):
            depth = GaugeMetricFamily(
                "suyuan_queue_depth",
                "Messages waiting in a Celery queue.",
                labels=["queue"],
            )
            broker = redis.Redis.from_url(
                settings.CELERY_BROKER_URL, socket_connect_timeout=1, socket_timeout=2
            )
            for queue in CELERY_QUEUES:
                depth.add_metric([queue], broker.llen(queue))
            yield depth
        if replica.replica_configured():
            state = replica.replica_state()
            usable = GaugeMetricFamily(
                "suyuan_replica_usable", "1 when reads may go to the replica."
            )
            usable.add_metric([], 1 if state.usable else 0)
            yield usable
            if state.lag_seconds is not None:
                lag = GaugeMetricFamily(
                    "suyuan_replica_lag_seconds", "How far the replica is behind."
                )
                lag.add_metric([], state.lag_seconds)
                yield lag


def metrics(request):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        from prometheus_client import REGISTRY as registry
    live = CollectorRegistry(auto_describe=False)
    live.register(LiveCollector())
    body = generate_latest(registry) + generate_latest(live)
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)


class MetricsMiddleware:
    """Count each response by method and status code."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        method = request.method if request.method in METHODS else "other"
        REQUESTS.labels(method, str(response.status_code)).inc()
        return response
