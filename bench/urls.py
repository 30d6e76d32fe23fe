"""Benchmark-only URLconf: the production routes plus two constant JSON views.

Selected with DJANGO_ROOT_URLCONF=bench.urls by bench/scan.py, so production
has no extra endpoint. The bare view goes through the same middleware and
gunicorn as the scan, which makes it the ceiling the scan is compared with.
The Redis floor is the bare view plus one call of a script that does
nothing, through the gate's own client (labels.scans.redis_client): what
any gate that asks Redis once per scan costs before it does any work.
"""

import functools

from django.http import JsonResponse
from django.urls import path

from config.urls import urlpatterns as production
from labels import scans

PAYLOAD = {"verdict": "genuine", "serial": "0" * 20, "product": "雪峰蜜橘 5kg"}


def bare(request):
    return JsonResponse(PAYLOAD, json_dumps_params={"ensure_ascii": False})


@functools.lru_cache(maxsize=8)
def _nothing_script(client):
    return client.register_script("return 0")


def redis_floor(request):
    client = scans.redis_client()
    _nothing_script(client)(client=client)
    return JsonResponse(PAYLOAD, json_dumps_params={"ensure_ascii": False})


urlpatterns = [
    path("bench/bare", bare),
    path("bench/redis-floor", redis_floor),
    *production,
]
