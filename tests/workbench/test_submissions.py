"""The reporting cycle's workbench page at /w/reports/."""

import io

import openpyxl
import pytest

from reports.models import Submission
from tests.reports.test_form_pdf import pdf_text

pytestmark = pytest.mark.django_db

URL = "/w/reports/"


def test_a_township_fills_and_submits_and_the_county_returns_then_accepts(
    cycle, client
):
    client.force_login(cycle.users["supervisor_t1"])
    page = client.get(URL).content.decode()
    assert f'data-period="{cycle.quarterly.pk}"' in page and "开始填报" in page
    client.post(
        f"/w/reports/start/{cycle.quarterly.pk}/{cycle.town_1.pk}/",
        {"summary": "三季度销售平稳"},
    )
    submission = Submission.objects.get(region=cycle.town_1)
    assert submission.summary == "三季度销售平稳"
    assert client.post(f"/w/reports/{submission.pk}/submit/").status_code == 302
    refused = client.post(f"/w/reports/{submission.pk}/accept/")
    assert refused.status_code == 400
    assert "只有报送对象（县商务委）可以审核" in refused.content.decode()

    client.force_login(cycle.users["office_county"])
    page = client.get(URL).content.decode()
    assert f'data-submission="{submission.pk}"' in page and "刘监督" in page
    assert "逾期" in page and "醪田镇" in page  # due 2026-09-30, not submitted
    no_reason = client.post(
        f"/w/reports/{submission.pk}/return/", {"reason": "", "confirmed": "1"}
    )
    assert (
        no_reason.status_code == 400 and "请填写退回原因" in no_reason.content.decode()
    )
    # 退回 asks first, then acts and says what it did.
    asked = client.post(f"/w/reports/{submission.pk}/return/", {"reason": "缺发票"})
    assert asked.status_code == 200 and "确认退回" in asked.content.decode()
    assert 'value="缺发票"' in asked.content.decode()
    submission.refresh_from_db()
    assert submission.status == "submitted"
    done = client.post(
        f"/w/reports/{submission.pk}/return/",
        {"reason": "缺发票", "confirmed": "1"},
        follow=True,
    )
    assert "已退回" in done.content.decode() and "缺发票" in done.content.decode()
    submission.refresh_from_db()
    assert (submission.status, submission.return_reason) == ("returned", "缺发票")

    client.force_login(cycle.users["supervisor_t1"])
    page = client.get(URL).content.decode()
    assert "退回原因：缺发票" in page and "修改后重新上报" in page
    client.post(f"/w/reports/{submission.pk}/summary/", {"summary": "已补发票"})
    client.post(f"/w/reports/{submission.pk}/submit/")
    submission.refresh_from_db()
    assert submission.status == "submitted"
    assert submission.snapshot["summary"] == "已补发票"
    client.force_login(cycle.users["office_county"])
    asked = client.post(f"/w/reports/{submission.pk}/accept/")
    assert "确认审核通过" in asked.content.decode()
    submission.refresh_from_db()
    assert submission.status == "submitted"
    done = client.post(
        f"/w/reports/{submission.pk}/accept/", {"confirmed": "1"}, follow=True
    )
    assert "已审核通过" in done.content.decode()
    submission.refresh_from_db()
    assert submission.status == "accepted"


def test_the_city_reads_a_county_addressed_form_but_cannot_review_it(cycle, client):
    client.force_login(cycle.users["supervisor_t1"])
    client.post(f"/w/reports/start/{cycle.quarterly.pk}/{cycle.town_1.pk}/")
    submission = Submission.objects.get(region=cycle.town_1)
    client.post(f"/w/reports/{submission.pk}/submit/")

    client.force_login(cycle.users["office_city"])
    page = client.get(URL).content.decode()
    assert f'data-submission="{submission.pk}"' in page
    assert "由县商务委审核；本单位只能查阅" in page
    assert f"/w/reports/{submission.pk}/accept/" not in page
    for verb, data in (("accept", {}), ("return", {"reason": "重报"})):
        refused = client.post(
            f"/w/reports/{submission.pk}/{verb}/", data | {"confirmed": "1"}
        )
        assert refused.status_code == 400
        assert "只有报送对象" in refused.content.decode()
    pdf = client.get(f"/api/v1/submissions/{submission.pk}/?format=pdf")
    assert pdf.status_code == 200
    submission.refresh_from_db()
    assert submission.status == "submitted"


def test_the_preview_is_what_submitting_freezes(cycle, client):
    client.force_login(cycle.users["supervisor_t1"])
    client.post(
        f"/w/reports/start/{cycle.quarterly.pk}/{cycle.town_1.pk}/",
        {"summary": "三季度销售平稳，茶叶走俏。"},
    )
    submission = Submission.objects.get(region=cycle.town_1)
    page = client.get(URL).content.decode()
    assert f"/w/reports/{submission.pk}/preview.pdf" in page
    preview_xlsx = client.get(f"/w/reports/{submission.pk}/preview.xlsx")
    preview_pdf = client.get(f"/w/reports/{submission.pk}/preview.pdf")
    assert preview_pdf["Content-Type"] == "application/pdf"
    submission.refresh_from_db()
    assert submission.status == "draft" and submission.snapshot is None
    client.post(f"/w/reports/{submission.pk}/submit/")
    frozen_xlsx = client.get(f"/api/v1/submissions/{submission.pk}/?format=xlsx")
    frozen_pdf = client.get(f"/api/v1/submissions/{submission.pk}/?format=pdf")
    assert _sheet_values(preview_xlsx.content) == _sheet_values(frozen_xlsx.content)
    assert "工作小结" in _sheet_values(preview_xlsx.content)
    assert "三季度销售平稳，茶叶走俏。" in _sheet_values(preview_xlsx.content)
    assert _pdf_text(preview_pdf.content) == _pdf_text(frozen_pdf.content)
    assert "三季度销售平稳" in _pdf_text(frozen_pdf.content)
    # Once frozen there is nothing to preview.
    assert client.get(f"/w/reports/{submission.pk}/preview.pdf").status_code == 400


def test_others_get_no_preview(cycle, client):
    client.force_login(cycle.users["supervisor_t1"])
    client.post(f"/w/reports/start/{cycle.quarterly.pk}/{cycle.town_1.pk}/")
    submission = Submission.objects.get(region=cycle.town_1)
    client.force_login(cycle.users["supervisor_t2"])
    assert client.get(f"/w/reports/{submission.pk}/preview.pdf").status_code == 404
    assert client.post(f"/w/reports/{submission.pk}/summary/").status_code == 404
    client.force_login(cycle.users["office_county"])
    refused = client.get(f"/w/reports/{submission.pk}/preview.xlsx")
    assert (
        refused.status_code == 400 and "您不能为该地区填报" in refused.content.decode()
    )


def _sheet_values(content: bytes) -> list[str]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return [str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value]


def _pdf_text(content: bytes) -> str:
    return "".join(pdf_text(content).split())


def test_other_villages_and_other_roles_get_404(cycle, client):
    client.force_login(cycle.users["informant_v2"])
    client.post(f"/w/reports/start/{cycle.monthly.pk}/{cycle.village_2.pk}/")
    theirs = Submission.objects.get(region=cycle.village_2)
    client.force_login(cycle.users["informant_v1"])
    assert client.post(f"/w/reports/{theirs.pk}/submit/").status_code == 404
    refused = client.post(f"/w/reports/start/{cycle.monthly.pk}/{cycle.village_2.pk}/")
    assert refused.status_code == 400
    assert Submission.objects.count() == 1
    client.force_login(cycle.users["technician_t1"])
    assert client.get(URL).status_code == 404
    client.force_login(cycle.users["operator_v1"])
    assert client.get(URL).status_code == 404
