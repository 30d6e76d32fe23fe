"""Logins resist guessing on every path (django-axes, api/logins.py; issue 34).

Failures are counted per account and, apart, per address; a locked login
answers the same whether the account exists or not; an administrator lifts
a lockout; each lockout is logged without the account or address in clear.
"""

import logging

import pytest
from axes.models import AccessAttempt
from django.core.cache import cache
from django.test import Client

from tests.factories import UserFactory, make_administrator

PASSWORD = "a-long-pass-phrase"
LIMIT = 3
LOCKED = "登录失败次数过多，已暂时锁定"


@pytest.fixture(autouse=True)
def small_limit(settings):
    settings.AXES_FAILURE_LIMIT = LIMIT
    # The token view's own per-address throttle is tested apart; here axes.
    settings.SUYUAN_API_RATE_ANONYMOUS = "10000/min"
    cache.clear()
    yield
    cache.clear()


def token_login(username, password, address):
    return Client(REMOTE_ADDR=address).post(
        "/api/v1/auth/token/", {"username": username, "password": password}
    )


def page_login(username, password, address):
    return Client(REMOTE_ADDR=address).post(
        "/login/", {"username": username, "password": password}
    )


def admin_login(username, password, address):
    return Client(REMOTE_ADDR=address).post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password, "next": "/admin/"},
    )


PATHS = {"token": token_login, "page": page_login, "admin": admin_login}


def succeeded(path: str, response) -> bool:
    if path == "token":
        return response.status_code == 200 and "token" in response.json()
    return response.status_code == 302


def failed_not_locked(path: str, response) -> bool:
    return response.status_code == (400 if path == "token" else 200)


@pytest.mark.parametrize("path", PATHS)
def test_guesses_from_many_addresses_lock_the_account(db, path):
    UserFactory(username="bookkeeper", password=PASSWORD, is_staff=True)
    login = PATHS[path]
    for guess in range(LIMIT - 1):
        wrong = login("bookkeeper", f"guess-{guess}", f"10.0.0.{guess + 1}")
        assert failed_not_locked(path, wrong)
    locking = login("bookkeeper", "guess-last", "10.0.0.99")
    assert locking.status_code == 429
    # The right password from an address never seen is refused as well.
    locked = login("bookkeeper", PASSWORD, "10.0.1.1")
    assert locked.status_code == 429
    assert LOCKED in locked.content.decode()
    assert int(locked["Retry-After"]) > 0
    # Another account is not locked by it.
    UserFactory(username="cashier", password=PASSWORD, is_staff=True)
    assert succeeded(path, login("cashier", PASSWORD, "10.0.1.2"))


@pytest.mark.parametrize("path", PATHS)
def test_guesses_from_one_address_lock_the_address(db, path):
    UserFactory(username="bookkeeper", password=PASSWORD, is_staff=True)
    login = PATHS[path]
    for guess in range(LIMIT):
        login(f"someone-{guess}", "guess", "10.0.0.7")
    assert login("bookkeeper", PASSWORD, "10.0.0.7").status_code == 429
    assert succeeded(path, login("bookkeeper", PASSWORD, "10.0.0.8"))


@pytest.mark.parametrize("path", PATHS)
def test_a_lockout_does_not_tell_whether_the_account_exists(db, path):
    UserFactory(username="bookkeeper", password=PASSWORD, is_staff=True)
    login = PATHS[path]
    answers = {}
    for username in ("bookkeeper", "nobody-here"):
        for guess in range(LIMIT):
            login(username, "guess", f"10.0.{guess}.{len(username)}")
        locked = login(username, "guess", "10.9.9.9")
        answers[username] = (locked.status_code, locked.content, locked["Retry-After"])
        assert username.encode() not in locked.content
        AccessAttempt.objects.filter(ip_address="10.9.9.9").delete()
    assert answers["bookkeeper"] == answers["nobody-here"]


def test_an_administrator_lifts_a_lockout_in_the_admin(world):
    UserFactory(username="bookkeeper", password=PASSWORD)
    for guess in range(LIMIT):
        page_login("bookkeeper", f"guess-{guess}", f"10.0.0.{guess + 1}")
    assert page_login("bookkeeper", PASSWORD, "10.0.2.1").status_code == 429

    lifter = make_administrator("lifter")  # the office's superuser, as in the demo
    lifter.is_staff = lifter.is_superuser = True
    lifter.save()
    admin = Client()
    admin.force_login(lifter)
    listing = admin.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200
    attempts = list(AccessAttempt.objects.filter(username="bookkeeper"))
    assert attempts
    for attempt in attempts:
        deleted = admin.post(
            f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"}
        )
        assert deleted.status_code == 302
    assert page_login("bookkeeper", PASSWORD, "10.0.2.1").status_code == 302


def test_each_lockout_is_logged_without_account_or_address(db, caplog):
    UserFactory(username="bookkeeper", password=PASSWORD)
    with caplog.at_level(logging.WARNING, logger="api.logins"):
        for guess in range(LIMIT):
            token_login("bookkeeper", "guess", f"10.0.3.{guess + 1}")
    lines = [r.getMessage() for r in caplog.records if r.name == "api.logins"]
    assert lines and all(line.startswith("login locked out: ") for line in lines)
    assert "path=/api/v1/auth/token/" in lines[0]
    assert not any("bookkeeper" in line or "10.0.3." in line for line in lines)


def test_a_successful_login_is_not_held_back(db):
    UserFactory(username="bookkeeper", password=PASSWORD)
    for _round in range(3):  # a mistyped password now and then never adds up
        token_login("bookkeeper", "typo", "10.0.4.1")
        assert succeeded("token", token_login("bookkeeper", PASSWORD, "10.0.4.1"))
