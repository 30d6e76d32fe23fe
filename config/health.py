"""Probes for the balancer and the operator: /healthz, /readyz.

/healthz says the process answers (nothing else is asked: a node whose
database is away is alive, and restarting it would not help). /readyz asks
each service a request may need, within about a second each, and answers
503 when the database, the cache's Redis or the broker does not answer; a
replica that is down or lagging is reported but not fatal, since reads then
fall back to the primary (trace/replica.py). Neither shows anything but
service names and states.
"""

import time

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from trace import replica


@never_cache
@require_GET
def healthz(request):
    return HttpResponse("ok\n", content_type="text/plain")


def _database() -> dict:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"ok": True}


def _replica() -> dict:
    state = replica.replica_state()
    return {
        "ok": state.usable,
        "detail": state.reason,
        "lag_seconds": state.lag_seconds,
    }


def _cache() -> dict:
    cache.set("suyuan:readyz", "1", 10)
    return {"ok": cache.get("suyuan:readyz") == "1"}


def _broker() -> dict:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"ok": True, "detail": "eager"}
    from config.celery import app

    with app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=1, timeout=2)
    return {"ok": True}


def _run(check) -> dict:
    started = time.monotonic()
    try:
        result = check()
    except Exception as error:  # any failure is "not ready", by type only
        result = {"ok": False, "detail": type(error).__name__}
    result["seconds"] = round(time.monotonic() - started, 3)
    return result


@never_cache
@require_GET
def readyz(request):
    checks = {"database": _run(_database)}
    if replica.replica_configured():
        checks["replica"] = _run(_replica)
    checks["cache"] = _run(_cache)
    checks["broker"] = _run(_broker)
    ready = all(checks[name]["ok"] for name in ("database", "cache", "broker"))
    return JsonResponse(
        {"ready": ready, "checks": checks}, status=200 if ready else 503
    )
