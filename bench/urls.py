"""Benchmark-only URLconf: the production routes plus a constant JSON view.

Selected with DJANGO_ROOT_URLCONF=bench.urls by bench/scan.py, so production
has no extra endpoint. The bare view goes through the same middleware and
gunicorn as the scan, which makes it the ceiling the scan is compared with.
"""

from django.http import JsonResponse
from django.urls import path

from config.urls import urlpatterns as production

PAYLOAD = {"verdict": "genuine", "serial": "0" * 20, "product": "雪峰蜜橘 5kg"}


def bare(request):
    return JsonResponse(PAYLOAD, json_dumps_params={"ensure_ascii": False})


urlpatterns = [path("bench/bare", bare), *production]
