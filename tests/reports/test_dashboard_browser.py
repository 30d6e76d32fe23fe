"""The dashboard in headless Chromium on a phone and a desktop (issue 39).

Screenshots go to artifacts/screenshots/ for people to look at.
"""

import os

import pytest
from django.core.management import call_command

from tests.conftest import PHONE, SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(live_server, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return live_server.url


@pytest.mark.parametrize("username", ["office", "admin"])
@pytest.mark.parametrize("width", [PHONE["width"], 1280])
def test_dashboard_figures_read_on_one_line(browser, demo, username, width):
    context = browser.new_context(
        viewport={"width": width, "height": 900}, device_scale_factor=1, locale="zh-CN"
    )
    page = context.new_page()
    page.goto(f"{demo}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "suyuan-demo")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{demo}/reports/dashboard/")
    page.screenshot(
        path=str(SCREENSHOTS / f"50-dashboard-{username}-{width}.png"), full_page=True
    )
    figures = page.locator(".figure b").all()
    assert any("元" in figure.inner_text() for figure in figures)
    for figure in figures:
        # "65,200.00 元" once put its 元 alone on a second line at 390 px.
        line = float(figure.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)"))
        assert figure.bounding_box()["height"] < 1.5 * line, figure.inner_text()
        assert figure.evaluate("e => e.scrollWidth <= e.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    context.close()
