"""The reporting cycle's workbench page at /w/reports/."""

import pytest

from reports.models import Submission

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
    assert (
        refused.status_code == 400
        and "只有上级单位可以审核" in refused.content.decode()
    )

    client.force_login(cycle.users["office_county"])
    page = client.get(URL).content.decode()
    assert f'data-submission="{submission.pk}"' in page and "刘监督" in page
    assert "逾期" in page and "醪田镇" in page  # due 2026-09-30, not submitted
    no_reason = client.post(f"/w/reports/{submission.pk}/return/", {"reason": ""})
    assert (
        no_reason.status_code == 400 and "请填写退回原因" in no_reason.content.decode()
    )
    client.post(f"/w/reports/{submission.pk}/return/", {"reason": "缺发票"})
    submission.refresh_from_db()
    assert (submission.status, submission.return_reason) == ("returned", "缺发票")

    client.force_login(cycle.users["supervisor_t1"])
    assert "退回原因：缺发票" in client.get(URL).content.decode()
    client.post(f"/w/reports/{submission.pk}/submit/")
    client.force_login(cycle.users["office_county"])
    client.post(f"/w/reports/{submission.pk}/accept/")
    submission.refresh_from_db()
    assert submission.status == "accepted"


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
