"""The public catalogue and its 公示 in headless Chromium at a phone's size.

Screenshots go to artifacts/screenshots/ for people to look at.
"""

import os

import pytest
from django.core.management import call_command

from tests.conftest import PHONE, SCREENSHOTS
from trace.models import CatalogueObjection

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(live_server):
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return live_server.url


def phone(browser):
    return browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN"
    )


def test_buyer_searches_the_catalogue_on_a_phone(browser, demo):
    context = phone(browser)
    page = context.new_page()
    assert page.goto(f"{demo}/catalogue/").status == 200
    text = page.inner_text("main")
    for expected in ("雪峰蜜橘", "58元/箱", "快递", "古楼云雾茶", "曾庆华", "土豆"):
        assert expected in text
    assert "土鸡蛋" not in text  # still in 公示
    page.select_option("select[name=delivery_method]", "doorstep")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    text = page.inner_text("main")
    assert "五彩米" in text and "雪峰蜜橘" not in text
    page.screenshot(path=str(SCREENSHOTS / "40-catalogue.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()


def test_anyone_objects_to_a_notice_on_a_phone(browser, demo):
    context = phone(browser)
    page = context.new_page()
    assert page.goto(f"{demo}/catalogue/notices/").status == 200
    assert "土鸡蛋" in page.inner_text("main")
    page.click("summary")
    page.fill("textarea[name=text]", "该农场的鸡蛋是外地收购的")
    page.click("form button[type=submit]")
    page.wait_for_load_state()
    assert "已收到" in page.inner_text("main")
    page.screenshot(path=str(SCREENSHOTS / "41-catalogue-notices.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert CatalogueObjection.objects.filter(text="该农场的鸡蛋是外地收购的").exists()
    context.close()
