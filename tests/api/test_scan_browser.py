"""The public scan page in headless Chromium at a phone's size (issue 5).

Screenshots go to artifacts/screenshots/ for people to look at.
"""

import os

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from labels.models import Label
from tests.conftest import PHONE, SCREENSHOTS
from trace.demo.lots import demo_batch
from trace.services.batches import batch_hold

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(live_server):
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return live_server.url


def first_label(lot_template: str) -> Label:
    """The first label of a demo lot, e.g. first_label("XFMJ{year}A01")."""
    return Label.objects.filter(batch=demo_batch(lot_template)).order_by("pk").first()


def open_on_phone(browser, url: str, name: str):
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    page = context.new_page()
    response = page.goto(url)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    return context, page, response


def test_genuine_label_on_a_phone(browser, demo):
    label = first_label("XFMJ{year}A01")
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
    label = first_label("GLYW{year}S01")
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


GENUINE_WORDING = ["正品", "已认证", "统一品牌"]


def test_never_issued_serial_lands_on_a_lot_page_that_says_so(browser, demo):
    from labels.codes import lot_url, serial_new

    label = first_label("XFMJ{year}A01")
    batch = label.batch
    lot = lot_url(gtin=batch.product_line.gtin, lot=batch.lot_code, base_url=demo)
    context, page, response = open_on_phone(
        browser, f"{lot}/21/{serial_new()}", "23-scan-not-on-record"
    )
    assert response.status == 200
    assert "unknown_serial=1" in page.url  # after the 303 walk-up
    band = page.locator(".band")
    assert "此码不在记录中" in band.inner_text()
    assert band.get_attribute("role") == "alert"
    text = page.inner_text("main")
    assert "雪峰蜜橘" in text  # the lot is shown, as facts of the lot
    for words in GENUINE_WORDING:
        assert words not in text, words
    context.close()


def test_void_label_page_shows_the_void_and_nothing_genuine(browser, demo):
    from labels.services import labels_void

    label = first_label("XFMJ{year}A01")
    labels_void(
        label=label,
        voided_by=get_user_model().objects.get(username="operator"),
        reason="印刷错位，已重新打印",
    )
    context, page, response = open_on_phone(
        browser, f"{demo}/t/{label.serial}", "24-scan-void"
    )
    assert response.status == 410
    text = page.inner_text("main")
    assert (
        "标签已作废" in text and "印刷错位，已重新打印" in text and "作废时间" in text
    )
    for words in GENUINE_WORDING + ["已放行", "合格", "有效", "带贫成效"]:
        assert words not in text, words
    assert (
        page.locator(".band").evaluate(
            "element => getComputedStyle(element).backgroundColor"
        )
        == "rgb(179, 0, 27)"
    )
    context.close()


def test_the_demo_stays_green_however_often_it_is_opened(browser, demo):
    context = browser.new_context(viewport=PHONE, is_mobile=True, locale="zh-CN")
    page = context.new_page()
    for _ in range(25):
        response = page.goto(f"{demo}/w/demo-scan/")
        assert response.status == 200
    page.screenshot(path=str(SCREENSHOTS / "25-demo-scan.png"), full_page=True)
    assert "正品" in page.locator(".band").inner_text()
    label = Label.objects.filter(status="active").order_by("id").first()
    assert label.scan_count == 0 and label.suspicious_since is None
    context.close()
