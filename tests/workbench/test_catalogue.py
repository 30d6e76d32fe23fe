"""Workbench pages of the 扶贫产品目录: each role takes its own step, nothing else."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from tests.catalogue import end_notice, make_officers
from tests.conftest import PHONE, SCREENSHOTS
from tests.factories import make_pdf
from trace.choices import CatalogueStatus
from trace.models import CatalogueEntry
from trace.services.catalogue import (
    catalogue_entry_create,
    catalogue_notices_close,
    catalogue_objection_lodge,
)
from trace.services.certification import certification_policy_set

pytestmark = pytest.mark.django_db


@pytest.fixture
def officers(world):
    return make_officers(world)


def browser_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_procedure_through_the_workbench(world, officers):
    certification_policy_set(
        region=world.dongkou,
        changed_by=world.admin,
        eligible_producer_kinds=["cooperative", "enterprise"],
        qualifying_benefit_kinds=["employment"],
        min_annual_income=Decimal("6000"),
        min_households=1,
        source_document="洞口县扶贫产品认定办法",
        source_clause="带动1名以上贫困户务工且年收入不低于6000元",
    )
    operator = browser_for(world.operator_a)
    form = operator.get("/w/catalogue/new/")
    assert form.status_code == 200 and "保存草稿" in form.content.decode()
    created = operator.post(
        "/w/catalogue/new/",
        {
            "producer": world.producer_a.pk,
            "name": "古楼云雾茶",
            "unit": "盒",
            "price": "88",
            "delivery_method": "courier",
            "season": "spring",
            "planned_quantity": "300",
            "planned_period": "month",
            "contact_kind": "producer",
            "households": [world.household_a.pk],
        },
    )
    assert created.status_code == 302, created.content.decode()
    entry = CatalogueEntry.objects.get()
    page = f"/w/catalogue/{entry.pk}/"
    assert "提交申报" in operator.get(page).content.decode()
    # A step that is not the operator's has no form and cannot be posted.
    assert operator.post(f"{page}check/", {"passed": "1"}).status_code == 404
    operator.post(f"{page}apply/", {"statement": "带动王小明务工"})

    supervisor = browser_for(officers.supervisor)
    assert "古楼云雾茶" in supervisor.get("/w/catalogue/").content.decode()
    screen = supervisor.get(page).content.decode()
    assert "洞口县扶贫产品认定办法" in screen  # the policy is cited
    assert "带动1名以上贫困户务工" in screen
    refused = supervisor.post(f"{page}check/", {"passed": "0", "reason": ""})
    assert refused.status_code == 400
    assert "核查未通过须说明原因" in refused.content.decode()
    assert supervisor.post(f"{page}check/", {"passed": "1"}).status_code == 302

    office = browser_for(officers.office)
    assert "洞口县扶贫产品认定办法" in office.get(page).content.decode()
    assert office.post(f"{page}decide/", {"approved": "1"}).status_code == 302
    entry.refresh_from_db()
    assert entry.status == CatalogueStatus.NOTICE

    objection = catalogue_objection_lodge(entry=entry, text="并非本村所产")
    screen = office.get(page).content.decode()
    assert "并非本村所产" in screen
    reviewed = office.post(
        f"{page}review/",
        {"objection": objection.pk, "upheld": "0", "note": "经核实为本村所产"},
    )
    assert reviewed.status_code == 302
    end_notice(entry)
    catalogue_notices_close()

    informant = browser_for(officers.informant)
    month = timezone.localdate().strftime("%Y-%m")
    recorded = informant.post(
        f"{page}availability/",
        {"month": month, "available": "on", "quantity": "120"},
    )
    assert recorded.status_code == 302
    assert entry.availability.get().quantity == Decimal("120")
    history = operator.get(page).content.decode()
    for step in ("申报", "核查通过", "审定通过，开始公示", "公示期满，列入目录"):
        assert step in history


def test_other_townships_do_not_see_the_entry(world, officers):
    entry = catalogue_entry_create(
        producer=world.producer_a,
        created_by=world.operator_a,
        name="古楼云雾茶",
        unit="盒",
        price=Decimal("88"),
        delivery_method="courier",
        planned_quantity=Decimal("300"),
    )
    for user in (officers.other_supervisor, officers.other_office, world.operator_b):
        client = browser_for(user)
        assert client.get(f"/w/catalogue/{entry.pk}/").status_code == 404
        assert client.post(f"/w/catalogue/{entry.pk}/apply/").status_code == 404
    assert browser_for(officers.supervisor).get("/w/catalogue/new/").status_code == 404


def evidence_upload(data: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def test_evidence_uploaded_in_a_plain_form_and_listed_for_the_check(
    world, officers, settings
):
    entry = catalogue_entry_create(
        producer=world.producer_a,
        created_by=world.operator_a,
        name="古楼云雾茶",
        unit="盒",
        price=Decimal("88"),
        delivery_method="courier",
        planned_quantity=Decimal("300"),
        households=[world.household_a],
    )
    page = f"/w/catalogue/{entry.pk}/"
    operator = browser_for(world.operator_a)
    screen = operator.get(page).content.decode()
    # A plain multipart form: no script is needed to send the file.
    assert 'enctype="multipart/form-data"' in screen
    assert f'action="{page}evidence/"' in screen
    assert 'type="file" name="file"' in screen

    refused = operator.post(
        f"{page}evidence/",
        {"file": evidence_upload(b"not a scan", "协议.jpg"), "caption": "带贫协议"},
    )
    assert refused.status_code == 400
    assert "照片或 PDF" in refused.content.decode()
    assert 'value="带贫协议"' in refused.content.decode()  # the caption is kept
    settings.SUYUAN_MAX_UPLOAD_BYTES = 100
    too_big = operator.post(
        f"{page}evidence/",
        {"file": evidence_upload(b"%PDF-1.4\n" + b"0" * 200, "a.pdf")},
    )
    assert too_big.status_code == 400 and "文件过大" in too_big.content.decode()
    settings.SUYUAN_MAX_UPLOAD_BYTES = 10 * 1024 * 1024
    assert not entry.evidence.exists()

    pdf = make_pdf()
    uploaded = operator.post(
        f"{page}evidence/",
        {"file": evidence_upload(pdf, "协议.pdf"), "caption": "带贫协议"},
    )
    assert uploaded.status_code == 302 and uploaded["Location"] == page
    evidence = entry.evidence.get()
    link = f"{page}evidence/{evidence.pk}/"
    assert f'href="{link}"' in operator.get(page).content.decode()
    operator.post(f"{page}apply/", {"statement": "带动1户务工"})

    # The 监督员's 核查 screen lists the evidence, without an upload form.
    supervisor = browser_for(officers.supervisor)
    screen = supervisor.get(page).content.decode()
    assert f'href="{link}"' in screen and "带贫协议" in screen
    assert 'id="step-check"' in screen
    assert f'action="{page}evidence/"' not in screen
    assert (
        supervisor.post(
            f"{page}evidence/", {"file": evidence_upload(pdf, "x.pdf")}
        ).status_code
        == 404
    )
    download = supervisor.get(link)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == pdf
    assert download["Content-Type"] == "application/pdf"

    for user in (world.operator_b, officers.other_supervisor, officers.other_office):
        assert browser_for(user).get(link).status_code == 404
    anonymous = Client().get(link)
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    assert entry.evidence.count() == 1


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_evidence_upload_in_a_browser_without_javascript(
    world, officers, browser, live_server, tmp_path
):
    entry = catalogue_entry_create(
        producer=world.producer_a,
        created_by=world.operator_a,
        name="古楼云雾茶",
        unit="盒",
        price=Decimal("88"),
        delivery_method="courier",
        planned_quantity=Decimal("300"),
        households=[world.household_a],
    )
    session = browser_for(world.operator_a).cookies[settings.SESSION_COOKIE_NAME]
    context = browser.new_context(
        viewport=PHONE, java_script_enabled=False, locale="zh-CN"
    )
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": session.value,
                "url": live_server.url,
            }
        ]
    )
    scan = tmp_path / "带贫协议.pdf"
    scan.write_bytes(make_pdf())
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/w/catalogue/{entry.pk}/")
        form = page.locator("#evidence form")
        form.locator("input[type=file]").set_input_files(str(scan))
        form.locator("input[name=caption]").fill("带贫协议")
        form.locator("button[type=submit]").click()
        page.wait_for_url(f"{live_server.url}/w/catalogue/{entry.pk}/")
        assert page.locator("#evidence a", has_text="带贫协议").count() == 1
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(
            path=str(SCREENSHOTS / "catalogue-evidence.png"), full_page=True
        )
    finally:
        context.close()
    assert entry.evidence.get().content_type == "application/pdf"
