"""The public scan page in headless Chromium at a phone's size (issue 5).

Screenshots go to artifacts/screenshots/ for people to look at.
"""

import os

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from labels.models import Label
from tests.conftest import PHONE, SCREENSHOTS
from trace.services import batch_hold

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(live_server):
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return live_server.url


def first_label(lot_code: str) -> Label:
    return Label.objects.filter(batch__lot_code=lot_code).order_by("pk").first()


def open_on_phone(browser, url: str, name: str):
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    page = context.new_page()
    response = page.goto(url)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    return context, page, response


def test_genuine_label_on_a_phone(browser, demo):
    label = first_label("XFMJ2025A01")
    context, page, response = open_on_phone(
        browser, f"{demo}/t/{label.serial}", "20-scan-genuine"
    )
    assert response.status == 200
    band = page.locator(".band")
    assert "正品" in band.inner_text()
    assert (
        band.evaluate("element => getComputedStyle(element).backgroundColor")
        == "rgb(29, 107, 44)"
    )
    text = page.inner_text("main")
    for expected in [
        "雪峰蜜橘",
        "洞口县雪峰蜜橘果业有限公司",
        "抽检",
        "合格",
        "湖南省 邵阳市 洞口县",
    ]:
        assert expected in text
    # Readable on a 390 px phone: nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()


def test_held_batch_warns_in_a_red_band_first(browser, demo):
    label = first_label("GLYW2025S01")
    batch_hold(
        batch=label.batch,
        changed_by=get_user_model().objects.get(username="inspector"),
        reason="快检疑似超标，待实验室复检",
    )
    context, page, response = open_on_phone(
        browser, f"{demo}/t/{label.serial}", "21-scan-on-hold"
    )
    assert response.status == 200
    band = page.locator(".band")
    assert band.get_attribute("role") == "alert"
    assert "暂停销售" in band.inner_text()
    assert (
        band.evaluate("element => getComputedStyle(element).backgroundColor")
        == "rgb(179, 0, 27)"
    )
    assert band.bounding_box()["y"] == 0  # the warning is the first thing on screen
    context.close()


def test_forged_code_shows_the_friendly_404(browser, demo):
    context, page, response = open_on_phone(
        browser, f"{demo}/t/FORGED0000000000000Z", "22-scan-forged"
    )
    assert response.status == 404
    assert "查无此码" in page.inner_text("main")
    context.close()
