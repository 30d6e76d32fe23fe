"""Production mode serves its static files itself (whitenoise), with DEBUG off."""

import subprocess
import sys

from tests.test_settings import ROOT, SECRETS, manage

REQUEST = """
import django, os
django.setup()
from django.test import Client
from django.conf import settings
assert not settings.DEBUG
from django.contrib.staticfiles.storage import staticfiles_storage
hashed = staticfiles_storage.url("admin/css/base.css")
client = Client()
for url in ("/static/admin/css/base.css", hashed):
    response = client.get(url, secure=True, HTTP_HOST="suyuan.example.cn")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    print(url, response.status_code, response.get("Content-Type"), len(body))
"""


def test_whitenoise_serves_collected_admin_css_with_debug_off(tmp_path):
    static_root = str(tmp_path / "static")
    env = SECRETS | {"SUYUAN_STATIC_ROOT": static_root}
    collected = manage("collectstatic", "--noinput", **env)
    assert collected.returncode == 0, collected.stderr[-2000:]
    import os

    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "SUYUAN_"))
    }
    result = subprocess.run(
        [sys.executable, "-c", REQUEST],
        cwd=ROOT,
        env=clean
        | {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_ALLOWED_HOSTS": "suyuan.example.cn",
        }
        | env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    lines = result.stdout.split("\n")
    assert len([line for line in lines if " 200 text/css" in line]) == 2, result.stdout
