"""The main journeys in a real browser at a phone's size, against a live server.

Debian's chromium driven by Playwright (never `playwright install`). The
screenshots go to artifacts/screenshots/ for people to look at. The whole
story of the landing page: a batch registered, released and printed; a rapid
test that fails; the scan of that batch's label now warns.
"""

import datetime
import os
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from inspections.models import Inspection
from labels.choices import PrintJobStatus
from labels.models import PrintJob
from labels.services import print_job_create
from tests.conftest import PHONE, SCREENSHOTS
from trace.choices import BatchStatus
from trace.demo.lots import demo_batch
from trace.models import Batch
from workbench.models import PrinterSettings

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ENZYME = "有机磷和氨基甲酸酯类农药（酶抑制率）"


@pytest.fixture
def demo(live_server, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return live_server.url


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        viewport=PHONE,
        device_scale_factor=1,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
    )
    context.set_default_timeout(10_000)
    yield context
    context.close()


def log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "suyuan-demo")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/w/**")


def shot(page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_operator_registers_and_releases_a_batch(demo, phone):
    page = phone.new_page()
    page.goto(f"{demo}/")
    shot(page, "00-landing")
    log_in(page, demo, "operator")
    shot(page, "01-operator-home")
    page.click("text=登记新批次")
    page.select_option(
        "#id_product_line", label=_option_label(page, "雪峰蜜橘", "#id_product_line")
    )
    page.fill("#id_lot_code", "雪峰 xf 2026 c01")  # Chinese and spaces: refused
    page.fill("#id_name", "雪峰蜜橘 冬果")
    page.select_option("#id_origin", label="金塘村")
    page.fill("#id_harvest_date", "2026-11-20")
    page.fill("#id_quantity", "640")
    page.fill("#id_unit", "箱")
    page.select_option("#id_contrib-0-household", index=1)
    page.fill("#id_contrib-0-quantity", "80")
    page.fill("#id_contrib-0-amount_paid", "1600")
    page.click("text=保存为草稿")
    assert page.locator("#id_lot_code-errors").is_visible()
    assert page.input_value("#id_name") == "雪峰蜜橘 冬果"  # nothing lost
    shot(page, "02-batch-form-error")
    page.click("text=使用建议的批次号")
    assert page.input_value("#id_lot_code") == "XF2026C01"
    page.click("text=保存为草稿")
    page.wait_for_selector("text=放行批次")
    shot(page, "03-batch-draft")
    page.click("text=放行批次")
    page.wait_for_selector("#batch-status:has-text('已放行')")
    shot(page, "04-batch-released")
    batch = Batch.objects.get(lot_code="XF2026C01")
    assert batch.status == BatchStatus.RELEASED
    assert batch.contributions.count() == 1

    page.click("text=打印标签 >> nth=-1")
    page.fill("#id_count", "24")
    page.click("[data-template-sheet='a4-3x8'] .slot[data-position='4']")
    assert page.input_value("#id_start_position") == "4"
    page.fill("#id_offset_x_mm", "0.5")
    shot(page, "05-print-form")
    page.click("text=生成标签 PDF")
    page.wait_for_selector("#pdf-link:visible")
    shot(page, "06-print-job-done")
    with page.expect_download() as download_info:
        page.click("#pdf-link")
    pdf = Path(download_info.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    # 24 labels from position 4 of a 24-label sheet fill two sheets.
    assert len(re.findall(rb"/Type /Page\b(?!s)", pdf)) == 2
    job = PrintJob.objects.get(batch=batch)
    assert (job.count, job.start_position, job.labels.count()) == (24, 4, 24)
    assert job.status == PrintJobStatus.DONE
    remembered = PrinterSettings.objects.get(user__username="operator")
    assert remembered.offset_x_mm == Decimal("0.5")
    page.goto(f"{demo}/w/")
    assert page.locator("text=已完成 100%").first.is_visible()
    shot(page, "07-operator-home-with-print-job")


def fill_rapid_test(page, *, lot_code: str, inhibition: str) -> None:
    page.select_option("#id_batch", label=_option_label(page, lot_code))
    page.select_option("#id_kind", value="rapid_test")
    page.select_option(
        "#id_items-0-analyte", label=_option_label(page, ENZYME, "#id_items-0-analyte")
    )
    page.fill("#id_items-0-measured_value", inhibition)
    page.fill("#id_sample_size", "0.5")
    page.fill("#id_sample_unit", "kg")


def _option_label(page, text: str, select: str = "#id_batch") -> str:
    return page.locator(f"{select} option", has_text=text).first.inner_text()


def test_inspector_logs_a_failing_rapid_test_and_the_scan_then_warns(demo, phone):
    batch = demo_batch("XFMJ{year}A01")
    job = print_job_create(
        batch=batch,
        template="a4-3x8",
        count=1,
        requested_by=get_user_model().objects.get(username="operator"),
        enqueue=False,
    )
    scan_url = f"{demo}/t/{job.labels.get().serial}"
    seeded = Inspection.objects.filter(batch=batch).count()
    page = phone.new_page()
    page.goto(scan_url)
    assert page.locator(".band.ok").is_visible()
    shot(page, "13-scan-before")

    log_in(page, demo, "inspector")
    shot(page, "10-inspector-list")
    page.goto(f"{demo}/w/inspect/new/")
    fill_rapid_test(
        page, lot_code=demo_batch("XFMJ{year}A01").lot_code, inhibition="72"
    )
    page.check("#id_sign")
    shot(page, "11-inspection-form")
    page.click("text=保存检测记录")
    page.wait_for_selector("text=批次已暂停销售")
    assert page.locator("text=需要实验室检测").is_visible()
    shot(page, "12-inspection-result")
    batch.refresh_from_db()
    assert batch.status == BatchStatus.ON_HOLD
    assert Inspection.objects.filter(batch=batch).count() == seeded + 1
    assert Inspection.objects.filter(batch=batch).latest("id").signed_at is not None

    page.click("text=查看消费者扫码页面")
    page.wait_for_selector(".band.bad")
    assert "暂停销售" in page.locator(".band.bad").inner_text()
    shot(page, "14-scan-after-warns")


def test_typed_serial_fills_the_batch_and_results_read_on_a_phone(demo, phone):
    batch = demo_batch("XFMJ{year}A01")
    job = print_job_create(
        batch=batch,
        template="a4-3x8",
        count=1,
        requested_by=get_user_model().objects.get(username="operator"),
        enqueue=False,
    )
    page = phone.new_page()
    log_in(page, demo, "inspector")
    page.goto(f"{demo}/w/inspect/new/")
    page.fill("#id_serial", job.labels.get().serial.lower())  # typed by hand
    page.press("#id_serial", "Tab")
    page.wait_for_selector("#serial-note:has-text('已找到批次')")
    assert page.input_value("#id_batch") == str(batch.pk)
    page.select_option("#id_kind", value="rapid_test")
    page.select_option(
        "#id_items-0-analyte", label=_option_label(page, ENZYME, "#id_items-0-analyte")
    )
    page.fill("#id_items-0-measured_value", "56")
    page.click("text=保存检测记录")
    page.wait_for_selector("#results")
    shot(page, "15-inspection-results-phone")
    # Each cell of the result reads on one line at 390 px ("结/果" stacked
    # one character per line before): no cell taller than two lines of text.
    for cell in page.locator("#results td[data-label]").all():
        box = cell.bounding_box()
        line = float(cell.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)"))
        assert box["height"] < 2.2 * line, cell.inner_text()
    assert "≥ 50%" in page.locator("#results").inner_text()


def test_offline_inspection_is_sent_once_when_back_online(demo, phone):
    page = phone.new_page()
    log_in(page, demo, "inspector")
    page.goto(f"{demo}/w/inspect/new/")
    fill_rapid_test(
        page, lot_code=demo_batch("GLYW{year}S01").lot_code, inhibition="64"
    )
    before = Inspection.objects.count()
    phone.set_offline(True)
    page.click("text=保存检测记录")
    page.wait_for_selector("#save-status:has-text('网络不通')")
    shot(page, "20-offline-saved-locally")
    assert Inspection.objects.count() == before
    phone.set_offline(False)
    page.wait_for_selector("#save-status:has-text('已保存')")
    shot(page, "21-back-online-sent")
    page.wait_for_timeout(4500)  # one more retry period: nothing is sent twice
    assert page.evaluate("localStorage.getItem('suyuan:queue:inspection')") == "[]"
    assert Inspection.objects.count() == before + 1
    assert demo_batch("GLYW{year}S01").status == BatchStatus.ON_HOLD


def test_technician_and_purchase_point_record_on_their_pages(demo, phone):
    # The seed ships the batch two days after its harvest: a visit or a
    # purchase after that is refused (trace/rules.py), so both are the day after.
    harvested = demo_batch("GLYW{year}S01").harvest_date
    day = harvested + datetime.timedelta(days=1)
    page = phone.new_page()
    log_in(page, demo, "technician")
    assert page.url == f"{demo}/w/guidance/"
    page.select_option(
        "#id_batch", label=_option_label(page, demo_batch("GLYW{year}S01").lot_code)
    )
    page.fill("#id_occurred_at", f"{day.isoformat()}T09:00")
    page.fill("#id_topic", "茶园冬季修剪与封园")
    page.fill("#id_organisation", "古楼乡农业综合服务站")
    page.click("text=保存指导记录")
    page.wait_for_selector("text=已保存")
    assert page.locator("td", has_text="茶园冬季修剪与封园").is_visible()
    shot(page, "40-technician-guidance")

    phone.clear_cookies()  # sign the technician out
    page = phone.new_page()
    log_in(page, demo, "purchase_point")
    assert page.url == f"{demo}/w/purchases/"
    households = page.locator("#id_household option").all_inner_texts()[1:]
    # Masked names only (王*明): the purchase point sees no household's name.
    assert households and all("*" in label for label in households)
    page.select_option(
        "#id_batch", label=_option_label(page, demo_batch("GLYW{year}S01").lot_code)
    )
    page.select_option("#id_household", index=1)
    page.fill("#id_quantity", "0")
    page.fill("#id_amount_paid", "120")
    page.fill("#id_purchased_at", f"{day.isoformat()}T09:45")
    page.fill("#id_reference_document_number", "GLGXS-SG-002")
    page.click("text=保存收购记录")
    assert page.locator("#id_quantity-errors").is_visible()
    assert page.input_value("#id_reference_document_number") == "GLGXS-SG-002"
    shot(page, "41-purchase-point-error")
    page.fill("#id_quantity", "4")
    page.click("text=保存收购记录")
    page.wait_for_selector("text=已计入带贫台账")
    shot(page, "42-purchase-point-saved")
