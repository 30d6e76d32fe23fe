"""config/middleware.py: the language, and 503 while Redis or the database is away.

zh-hans for every browser, unless the user chose otherwise. A Redis that
does not answer: 503 with Retry-After, not 500.
"""

import logging

import pytest
from django.conf import settings

from config import middleware
from labels import services as label_services
from labels.models import Label, ScanEvent

pytestmark = pytest.mark.django_db

ENGLISH_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}


def test_english_browser_gets_chinese_login_form(client):
    page = client.get("/login/", **ENGLISH_BROWSER).content.decode()
    assert "用户名" in page and "密码" in page
    assert "Username" not in page and "Password" not in page


def test_english_browser_gets_chinese_field_errors(client):
    response = client.post(
        "/login/", {"username": "", "password": ""}, **ENGLISH_BROWSER
    )
    page = response.content.decode()
    assert "该字段是必填项。" in page
    assert "This field is required." not in page
    assert response["Content-Language"] == "zh-hans"


def test_english_browser_gets_chinese_api_errors(client):
    response = client.get("/api/v1/batches/", **ENGLISH_BROWSER)
    assert response.status_code in (401, 403)
    assert "身份认证信息未提供" in response.json()["detail"]


def test_a_chosen_language_is_kept(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    page = client.get("/login/").content.decode()
    assert "Username" in page


def test_a_forged_language_cookie_is_ignored(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx-forged"
    page = client.get("/login/", **ENGLISH_BROWSER).content.decode()
    assert "用户名" in page


# Redis or the database away: 503 (UnavailableMiddleware).

# Nothing listens on port 1: every connection is refused at once.
DEAD_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture
def label(world):
    job = label_services.print_job_create(
        batch=world.batch_a,
        template="a4-3x8",
        count=1,
        requested_by=world.operator_a,
        enqueue=False,
    )
    return Label.objects.get(print_job=job)


@pytest.fixture
def redis_down(settings, monkeypatch):
    """Cache and broker pointed at a Redis that does not answer."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": DEAD_REDIS,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    settings.CELERY_BROKER_URL = DEAD_REDIS
    monkeypatch.setattr(middleware, "_logged_at", {})


@pytest.mark.parametrize("mode", ["sync", "buffered"])
def test_scans_answer_503_with_retry_after_in_both_modes(
    label, client, settings, redis_down, mode
):
    settings.SUYUAN_SCAN_WRITE_MODE = mode
    page = client.get(f"/t/{label.serial}")
    assert page.status_code == 503
    assert page["Retry-After"] == "30"
    html = page.content.decode()
    assert "扫码服务暂时不可用" in html and "正品" not in html
    api = client.get(f"/api/v1/scan/{label.serial}")
    assert api.status_code == 503 and api["Retry-After"] == "30"
    assert api.json() == {"detail": "服务暂时不可用，请稍后再试。"}
    assert not ScanEvent.objects.exists()


def test_token_login_and_signed_in_api_calls_answer_503(world, client_for, redis_down):
    login = client_for(None).post(
        "/api/v1/auth/token/",
        {"username": world.operator_a.username, "password": "pw-suyuan-test"},
    )
    assert login.status_code == 503 and login["Retry-After"] == "30"
    assert login.json()["detail"] == "服务暂时不可用，请稍后再试。"
    listing = client_for(world.operator_a).get("/api/v1/batches/")
    assert listing.status_code == 503 and listing["Retry-After"] == "30"


def test_pages_that_need_no_redis_keep_working(world, client, redis_down):
    assert client.get("/").status_code == 200
    assert client.get("/login/").status_code == 200
    schema = client.get("/api/schema/")
    assert schema.status_code == 200  # SchemaThrottle fails open
    assert b"/api/v1/scan/" in schema.content


def test_the_outage_is_logged_once_not_per_request(label, client, redis_down, caplog):
    with caplog.at_level(logging.ERROR, logger="config.middleware"):
        for _ in range(5):
            assert client.get(f"/t/{label.serial}").status_code == 503
    lines = [r.getMessage() for r in caplog.records if r.name == middleware.__name__]
    assert lines == [
        "redis unavailable (ConnectionError): answering 503 until it is back"
    ]
    assert label.serial not in caplog.text


def test_a_database_that_drops_the_scan_write_is_a_503(label, client, monkeypatch):
    from django.db import OperationalError, connection

    monkeypatch.setattr(middleware, "_logged_at", {})

    def drop_scan_writes(execute, sql, params, many, context):
        if "scanevent" in sql:
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(drop_scan_writes):
        page = client.get(f"/t/{label.serial}")
        api = client.get(f"/api/v1/scan/{label.serial}")
    assert page.status_code == 503 and page["Retry-After"] == "30"
    assert (
        api.status_code == 503
        and api.json()["detail"] == "服务暂时不可用，请稍后再试。"
    )
    assert client.get(f"/t/{label.serial}").status_code == 200  # and it recovers


def test_a_staff_page_in_an_outage_asks_to_retry_and_speaks_of_no_scan(
    world, client, monkeypatch
):
    from django.db import OperationalError, connection

    monkeypatch.setattr(middleware, "_logged_at", {})
    client.force_login(world.operator_a)

    def refuse(execute, sql, params, many, context):
        raise OperationalError("could not connect to server")

    with connection.execute_wrapper(refuse):
        page = client.get("/w/")
    assert page.status_code == 503 and page["Retry-After"] == "30"
    html = page.content.decode()
    assert "系统暂时不可用，请稍后再试。" in html
    assert "扫码" not in html and "商品" not in html
