"""Production mode: secrets are mandatory and Django's deployment checks pass."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
SECRETS = {
    "DJANGO_SECRET_KEY": "x" * 20
    + "-production-secret-key-for-the-deploy-check-0123456789",
    "SUYUAN_ID_NUMBER_KEYS": Fernet.generate_key().decode(),
    "SUYUAN_ID_NUMBER_INDEX_KEY": "index-key-for-the-deploy-check-0123456789",
    "SUYUAN_SERIAL_KEY": "serial-key-for-the-deploy-check-0123456789",
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "SUYUAN_"))
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean
        | {"DJANGO_DEBUG": "0", "DJANGO_ALLOWED_HOSTS": "suyuan.example.cn"}
        | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("missing", sorted(SECRETS))
def test_production_refuses_to_start_without_each_secret(missing):
    env = {key: value for key, value in SECRETS.items() if key != missing}
    result = manage("check", **env)
    assert result.returncode != 0
    assert f"{missing} must be set" in result.stderr


def test_deploy_check_passes_with_no_warning():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **SECRETS)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
def test_favicon_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert body[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert len(body) < 10_000


def test_buffered_scans_without_a_shared_redis_refuse_to_start():
    result = manage("check", SUYUAN_SCAN_WRITE_MODE="buffered", **SECRETS)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "needs a shared Redis" in result.stderr
    started = manage(
        "check",
        SUYUAN_SCAN_WRITE_MODE="buffered",
        SUYUAN_CACHE_URL="redis://127.0.0.1:6379/13",
        **SECRETS,
    )
    assert started.returncode == 0, started.stderr
