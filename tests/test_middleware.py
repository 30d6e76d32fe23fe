"""The language: zh-hans for every browser, unless the user chose otherwise."""

import pytest
from django.conf import settings

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
