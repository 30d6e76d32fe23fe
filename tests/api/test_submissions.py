import io
import subprocess
import zipfile

import openpyxl
import pytest
from PIL import Image

from reports.models import Submission
from tests.conftest import require_tool
from trace.models import Region

API = "/api/v1"


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), (180, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def create(client, period, region):
    return client.post(
        f"{API}/submissions/", {"period": period.pk, "region": region.pk}, format="json"
    )


def test_an_informant_cannot_see_or_submit_another_villages_form(cycle, client_for):
    own = client_for(cycle.users["informant_v1"])
    other = client_for(cycle.users["informant_v2"])
    theirs = create(other, cycle.monthly, cycle.village_2)
    assert theirs.status_code == 201, theirs.content
    url = f"{API}/submissions/{theirs.json()['id']}/"

    assert own.get(url).status_code == 404
    assert own.post(f"{url}submit/").status_code == 404
    assert own.get(f"{url}?format=pdf").status_code == 404
    assert own.get(f"{API}/submissions/").json()["count"] == 0
    refused = create(own, cycle.monthly, cycle.village_2)
    assert refused.status_code == 400 and "region" in refused.json()
    assert Submission.objects.count() == 1
    # The 信息员 fills its own village's form; the county office sees both.
    assert create(own, cycle.monthly, cycle.village_1).status_code == 201
    office = client_for(cycle.users["office_county"])
    assert office.get(f"{API}/submissions/").json()["count"] == 2


def test_submit_return_and_accept_through_the_api(cycle, client_for):
    supervisor = client_for(cycle.users["supervisor_t1"])
    office = client_for(cycle.users["office_county"])
    draft = create(supervisor, cycle.quarterly, cycle.town_1).json()
    url = f"{API}/submissions/{draft['id']}/"
    patched = supervisor.patch(url, {"summary": "本季度销售平稳。"}, format="json")
    assert patched.status_code == 200

    submitted = supervisor.post(f"{url}submit/").json()
    assert submitted["status"] == "submitted"
    assert submitted["filler_name"] == "刘监督"
    assert supervisor.post(f"{url}accept/").status_code == 403  # not its own
    no_reason = office.post(f"{url}return/", {}, format="json")
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    returned = office.post(f"{url}return/", {"reason": "金额有误"}, format="json")
    assert returned.json()["status"] == "returned"
    assert supervisor.post(f"{url}submit/").json()["status"] == "submitted"
    accepted = office.post(f"{url}accept/").json()
    assert accepted["status"] == "accepted"
    assert [t["to_status"] for t in accepted["transitions"]] == [
        "submitted",
        "returned",
        "submitted",
        "accepted",
    ]
    edit = supervisor.patch(url, {"summary": "改"}, format="json")
    assert edit.status_code == 400 and "status" in edit.json()


def test_the_frozen_form_downloads_as_xlsx_csv_and_pdf(cycle, client_for):
    Region.objects.filter(pk=cycle.town_1.pk).update(
        supply_contact_name="陈立新", supply_contact_phone="13900000009"
    )
    supervisor = client_for(cycle.users["supervisor_t1"])
    draft = create(supervisor, cycle.quarterly, cycle.town_1).json()
    url = f"{API}/submissions/{draft['id']}/"
    early = supervisor.get(f"{url}?format=xlsx")
    assert early.status_code == 400 and early["Content-Type"] == "application/json"
    supervisor.post(f"{url}submit/")

    workbook = openpyxl.load_workbook(
        io.BytesIO(supervisor.get(f"{url}?format=xlsx").content)
    )
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][0] == "乡镇（街道）贫困户产品销售情况表"
    assert "填报单位：湖南省 邵阳市 洞口县 古楼乡" in rows[1][0]
    assert "供货联系人姓名：陈立新" in rows[1][0]  # the township's contact
    assert [row[7] for row in rows[3:]] == [1200, 3400]
    csv = supervisor.get(f"{url}?format=csv").content.decode("utf-8-sig")
    assert "1200.00" in csv and "3400.00" in csv
    pdf = supervisor.get(f"{url}?format=pdf")
    assert pdf["Content-Type"] == "application/pdf"
    pdftotext = require_tool("pdftotext")
    text = subprocess.run(
        [pdftotext, "-raw", "-", "-"],
        input=pdf.content,
        capture_output=True,
        check=True,
    ).stdout.decode()
    assert "陈立新" in text and "13900000009" in text
    assert "3400元" in text  # 附件2 prints 90元


def test_the_difference_endpoint_reports_a_later_sale(cycle, client_for):
    from decimal import Decimal

    from tests.reports.factories import SaleFactory, local

    supervisor = client_for(cycle.users["supervisor_t1"])
    url = f"{API}/submissions/{create(supervisor, cycle.quarterly, cycle.town_1).json()['id']}/"
    assert supervisor.get(f"{url}difference/").status_code == 400
    supervisor.post(f"{url}submit/")
    SaleFactory(
        batch=cycle.batches["v1b"], amount=Decimal("99.00"), sold_at=local(2026, 9, 25)
    )
    difference = supervisor.get(f"{url}difference/").json()
    assert difference["changed"] is True and len(difference["added"]) == 1
    frozen = supervisor.get(url).json()["snapshot"]["rows"]
    assert len(frozen) == 2


def test_stamped_scan_is_checked_private_and_goes_into_the_evidence_zip(
    cycle, client_for, settings
):
    informant = client_for(cycle.users["informant_v1"])
    sale = cycle.batches["v1"].sales.get()
    evidence = informant.post(
        f"{API}/sales/{sale.pk}/evidence/",
        {"file": io.BytesIO(png()), "caption": "收购凭证"},
        format="multipart",
    )
    assert evidence.status_code == 201, evidence.content
    url = f"{API}/submissions/{create(informant, cycle.monthly, cycle.village_1).json()['id']}/"
    wrong = informant.post(
        f"{url}stamped-scan/",
        {"file": io.BytesIO(b"MZ not a scan")},
        format="multipart",
    )
    assert wrong.status_code == 400 and "file" in wrong.json()
    settings.SUYUAN_MAX_UPLOAD_BYTES = 100
    big = informant.post(
        f"{url}stamped-scan/", {"file": io.BytesIO(png() * 3)}, format="multipart"
    )
    assert big.status_code == 400 and "文件过大" in big.json()["file"][0]
    settings.SUYUAN_MAX_UPLOAD_BYTES = 10 * 1024 * 1024
    scan = informant.post(
        f"{url}stamped-scan/", {"file": io.BytesIO(png())}, format="multipart"
    )
    assert scan.status_code == 200 and scan.json()["has_stamped_scan"] is True
    stored = Submission.objects.get(pk=scan.json()["id"]).stamped_scan
    assert stored.path.startswith(str(settings.MEDIA_ROOT))
    assert (
        client_for(cycle.users["informant_v2"]).get(f"{url}stamped-scan/").status_code
        == 404
    )
    informant.post(f"{url}submit/")

    archive = zipfile.ZipFile(io.BytesIO(informant.get(f"{url}evidence/").content))
    names = archive.namelist()
    assert "消费扶贫证明材料.pdf" in names and "消费扶贫证明材料.xlsx" in names
    assert "盖章扫描件.png" in names
    # A receipt is signed by the household: its file goes only to a role that
    # may see household names (issue 34); the 信息员's zip leaves it out.
    assert not any(name.startswith("销售凭证/") for name in names)
    admin = client_for(cycle.users["admin"])
    archive = zipfile.ZipFile(io.BytesIO(admin.get(f"{url}evidence/").content))
    assert any(
        name.startswith("销售凭证/") and "收购凭证" in name
        for name in archive.namelist()
    )
    assert (
        client_for(cycle.users["informant_v2"]).get(f"{url}evidence/").status_code
        == 404
    )
    assert (
        client_for(cycle.users["informant_v2"]).get(f"{url}stamped-scan/").status_code
        == 404
    )
    assert informant.get(f"{url}stamped-scan/").status_code == 200


def test_periods_are_set_by_administrators_and_show_who_is_missing(cycle, client_for):
    admin = client_for(cycle.users["admin"])
    # The county's periods are its office's (issue 35); the city's reads them.
    office = client_for(cycle.users["office_city"])
    body = {
        "form_key": "township_sales",
        "region": cycle.county.pk,
        "submitter_level": "town",
        "frequency": "quarterly",
        "year": 2027,
        "due_day": 30,
        "recipient": "县商务委",
    }
    assert (
        office.post(f"{API}/report-periods/schedule/", body, format="json").status_code
        == 403
    )
    scheduled = admin.post(f"{API}/report-periods/schedule/", body, format="json")
    assert scheduled.status_code == 201
    assert [p["due_on"] for p in scheduled.json()] == [
        "2027-03-30",
        "2027-06-30",
        "2027-09-30",
        "2027-12-30",
    ]
    bad = admin.post(
        f"{API}/report-periods/",
        {
            "form_key": "township_sales",
            "region": cycle.county.pk,
            "submitter_level": "city",
            "frequency": "campaign",
            "name": "x",
            "starts_on": "2026-09-01",
            "ends_on": "2026-09-30",
            "due_on": "2026-10-09",
        },
        format="json",
    )
    assert bad.status_code == 400 and "submitter_level" in bad.json()
    status = office.get(f"{API}/report-periods/{cycle.quarterly.pk}/status/").json()
    assert status["counts"]["expected"] == 2 and status["counts"]["missing"] == 2
    assert {item["region_name"].split()[-1] for item in status["regions"]} == {
        "古楼乡",
        "醪田镇",
    }
    rollup = office.get(
        f"{API}/report-periods/{cycle.quarterly.pk}/rollup/?format=xlsx"
    )
    assert rollup.status_code == 200
    outside = client_for(cycle.users["informant_v1"]).get(
        f"{API}/report-periods/{cycle.quarterly.pk}/rollup/?region={cycle.county.pk}"
    )
    assert outside.status_code == 404


@pytest.mark.parametrize(
    "key", ["township_sales", "campaign_statistics", "sales_evidence"]
)
def test_reports_render_as_pdf(cycle, client_for, key):
    response = client_for(cycle.users["office_county"]).get(
        f"{API}/reports/{key}/?format=pdf&region={cycle.county.pk}"
    )
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-")
