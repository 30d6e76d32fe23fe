"""A period's page at /w/reports/periods/<id>/: who owes, the roll-up, history."""

import io

import openpyxl
import pytest

from reports.models import Submission
from reports.submissions import (
    submission_accept,
    submission_create,
    submission_return,
    submission_submit,
)
from tests.reports.test_form_pdf import pdf_text

pytestmark = pytest.mark.django_db


def _submitted(cycle, period, region, user):
    return submission_submit(
        submission=submission_create(period=period, region=region, created_by=user),
        user=user,
    )


@pytest.fixture
def quarter(cycle):
    """古楼乡 returned once then accepted; 醪田镇 has not filled the form."""
    county = cycle.users["office_county"]
    supervisor = cycle.users["supervisor_t1"]
    submission = _submitted(cycle, cycle.quarterly, cycle.town_1, supervisor)
    submission_return(submission=submission, user=county, reason="缺发票")
    submission_submit(
        submission=Submission.objects.get(pk=submission.pk), user=supervisor
    )
    submission_accept(submission=Submission.objects.get(pk=submission.pk), user=county)
    return submission


def test_the_county_sees_missing_overdue_and_the_accepted_form_with_its_history(
    cycle, quarter, client
):
    client.force_login(cycle.users["office_county"])
    url = f"/w/reports/periods/{cycle.quarterly.pk}/"
    assert url in client.get("/w/reports/").content.decode()
    html = client.get(url).content.decode()
    assert "应报 <strong>2</strong>" in html and "已通过 <strong>1</strong>" in html
    gulou = html.split(f'data-region="{cycle.town_1.pk}"')[1].split("</tr>")[0]
    assert "已审核通过" in gulou
    assert "已退回" in gulou and "缺发票" in gulou and "office_county" in gulou
    assert f"/api/v1/submissions/{quarter.pk}/?format=pdf" in gulou
    laotian = html.split(f'data-region="{cycle.town_2.pk}"')[1].split("</tr>")[0]
    assert "未填报" in laotian and "逾期未报" in laotian  # due 2026-09-30
    assert "尚未通过：醪田镇" in html
    assert "由县商务委审核" not in html  # the county is the addressee


def test_status_and_rollup_download_as_pdf_and_xlsx(cycle, quarter, client):
    client.force_login(cycle.users["office_city"])  # reads its counties' periods
    base = f"/w/reports/periods/{cycle.quarterly.pk}/"
    html = client.get(base).content.decode()
    assert "由县商务委审核；本单位只能查阅" in html
    status_xlsx = client.get(base + "status.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(status_xlsx.content)).active
    values = [str(c.value) for row in sheet.iter_rows() for c in row if c.value]
    assert "湖南省 邵阳市 洞口县 古楼乡" in values and "已审核通过" in values
    assert "逾期未报" in values and "缺发票" not in values  # accepted since
    status_pdf = "".join(pdf_text(client.get(base + "status.pdf").content).split())
    assert "醪田镇" in status_pdf and "逾期未报" in status_pdf

    frozen = quarter.snapshot
    rollup_xlsx = client.get(base + "rollup.xlsx")
    assert rollup_xlsx.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(rollup_xlsx.content)).active
    cells = [c.value for row in sheet.iter_rows() for c in row]
    assert frozen["title"] in cells
    rollup_pdf = client.get(base + "rollup.pdf")
    assert rollup_pdf["Content-Type"] == "application/pdf"
    assert frozen["title"].replace(" ", "") in "".join(
        pdf_text(rollup_pdf.content).split()
    )


def test_the_period_page_is_for_the_collecting_levels_only(cycle, quarter, client):
    base = f"/w/reports/periods/{cycle.quarterly.pk}/"
    for user in ("supervisor_t1", "informant_v1", "operator_v1", "technician_t1"):
        client.force_login(cycle.users[user])
        assert client.get(base).status_code == 404, user
        assert client.get(base + "rollup.xlsx").status_code == 404, user
    client.force_login(cycle.users["office_county"])
    assert client.get(base + "rollup.docx").status_code == 404
