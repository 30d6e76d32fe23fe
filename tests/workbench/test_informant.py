"""The 信息员's own page at /w/village/: its tasks and its 滞销 reports (seed 001).

Seed 001, lines 202-205: the 信息员 "负责本村扶贫产品摸底、上报、促销"; lines
51-55: "在扶贫产品出现滞销问题不报告、不支持的给予通报批评".
"""

import pytest

from trace.models import SlowSellingMark

pytestmark = pytest.mark.django_db

VILLAGE = "/w/village/"


def report(batch, **extra) -> dict:
    return {
        "batch": batch.pk,
        "valid_from": "2026-09-15",
        "valid_until": "2026-10-31",
        "reason": "秋茶积压 300 盒，收购价跌至 60 元",
    } | extra


def test_the_informant_lands_on_its_tasks_not_an_empty_report_list(cycle, client):
    client.force_login(cycle.users["informant_v1"])
    assert client.get("/w/").url == VILLAGE
    page = client.get(VILLAGE).content.decode()
    assert "上报滞销" in page and f'data-period="{cycle.monthly.pk}"' in page
    assert 'href="/w/village/"' in page and 'href="/w/catalogue/"' in page
    # Its village's batches only.
    assert f'value="{cycle.batches["v1"].pk}"' in page
    assert f'value="{cycle.batches["v1b"].pk}"' not in page


def test_the_informant_reports_slow_selling_of_its_village(cycle, client):
    client.force_login(cycle.users["informant_v1"])
    batch = cycle.batches["v1"]
    done = client.post(VILLAGE, report(batch), follow=True)
    assert done.status_code == 200
    assert "已上报滞销" in done.content.decode()
    mark = SlowSellingMark.objects.get()
    assert (mark.batch, mark.region, mark.marked_by) == (
        batch,
        cycle.village_1,
        cycle.users["informant_v1"],
    )
    assert mark.reason == "秋茶积压 300 盒，收购价跌至 60 元"
    assert f'data-mark="{mark.pk}"' in done.content.decode()
    # Another village's 信息员 does not see it on its page.
    client.force_login(cycle.users["informant_v2"])
    assert f'data-mark="{mark.pk}"' not in client.get(VILLAGE).content.decode()


def test_another_villages_batch_or_bad_dates_are_refused(cycle, client):
    client.force_login(cycle.users["informant_v1"])
    outside = client.post(VILLAGE, report(cycle.batches["v1b"]))
    assert outside.status_code == 404
    backwards = client.post(
        VILLAGE, report(cycle.batches["v1"], valid_until="2026-09-01")
    )
    assert backwards.status_code == 400
    assert "滞销截止日期不能早于起始日期" in backwards.content.decode()
    assert "秋茶积压 300 盒" in backwards.content.decode()  # nothing typed is lost
    assert not SlowSellingMark.objects.exists()


@pytest.mark.parametrize(
    "user", ["supervisor_t1", "technician_t1", "operator_v1", "office_county"]
)
def test_the_page_is_the_informants(cycle, client, user):
    client.force_login(cycle.users[user])
    assert client.get(VILLAGE).status_code == 404
