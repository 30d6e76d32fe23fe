"""The yearly 信息员考核 (seed 001 lines 47-52) ranks from recorded work."""

import datetime

import pytest
from django.utils import timezone

from reports.models import Submission
from reports.selectors.informants import (
    ADVANCED_PER_YEAR,
    ADVANCED_REWARD_YUAN,
    informant_assessment,
)
from reports.submissions import (
    submission_accept,
    submission_create,
    submission_return,
    submission_submit,
)
from tests.reports.cycle import person
from trace.choices import Role
from trace.services.batches import slow_selling_mark

pytestmark = pytest.mark.django_db


def test_the_seed_numbers_are_the_seeds():
    # "年底评选30名消费扶贫先进个人，给予一次性奖励1200元" (seed 001, 49-50).
    assert (ADVANCED_PER_YEAR, ADVANCED_REWARD_YUAN) == (30, 1200)


@pytest.fixture
def year_of_work(cycle):
    """古楼村's 信息员 late but right first time; 醪田村's on time but returned once."""
    county = cycle.users["office_county"]
    for key, village in (
        ("informant_v1", cycle.village_1),
        ("informant_v2", cycle.village_2),
    ):
        informant = cycle.users[key]
        submission_submit(
            submission=submission_create(
                period=cycle.monthly, region=village, created_by=informant
            ),
            user=informant,
        )
    on_time = timezone.make_aware(datetime.datetime(2026, 9, 28, 10))
    second = Submission.objects.get(region=cycle.village_2)
    Submission.objects.filter(pk=second.pk).update(submitted_at=on_time)
    submission_return(submission=second, user=county, reason="缺凭证")
    submission_submit(
        submission=Submission.objects.get(pk=second.pk),
        user=cycle.users["informant_v2"],
    )
    Submission.objects.filter(pk=second.pk).update(submitted_at=on_time)
    for submission in Submission.objects.all():
        submission_accept(submission=submission, user=county)
    slow_selling_mark(
        region=cycle.village_2,
        batch=cycle.batches["v2"],
        valid_from=datetime.date(2026, 10, 1),
        valid_until=datetime.date(2026, 10, 31),
        reason="积压",
        marked_by=cycle.users["informant_v2"],
    )
    return cycle


def test_timeliness_comes_first_then_accuracy_then_sales(year_of_work):
    cycle = year_of_work
    rows = informant_assessment(user=cycle.users["office_county"], year=2026)
    assert [(row.name, row.rank) for row in rows] == [("赵信息", 1), ("王信息", 2)]
    second, first = rows[1], rows[0]
    assert (first.reported, first.reported_on_time, first.accepted_first_time) == (
        1,
        1,
        0,
    )
    assert (second.reported, second.reported_on_time, second.accepted_first_time) == (
        1,
        0,
        1,
    )
    assert (first.sold, second.sold) == (500, 1200)  # 醪田村, 古楼村 sales of 2026
    assert first.slow_selling_reports == 1
    assert all(row.advanced for row in rows)
    assert (
        informant_assessment(user=cycle.users["office_county"], year=2025)[0].reported
        == 0
    )


def test_the_county_sets_its_own_order(year_of_work, settings):
    settings.SUYUAN_INFORMANT_ASSESSMENT_ORDER = ("sold",)
    rows = informant_assessment(user=year_of_work.users["office_county"], year=2026)
    assert [row.name for row in rows] == ["王信息", "赵信息"]


def test_only_the_offices_own_informants_are_listed(year_of_work):
    cycle = year_of_work
    supervisor_scope = informant_assessment(
        user=cycle.users["supervisor_t1"], year=2026
    )
    assert [row.name for row in supervisor_scope] == ["王信息"]  # 古楼乡 only


def test_thirty_are_advanced_and_no_more(cycle):
    for number in range(ADVANCED_PER_YEAR + 1 - 2):  # the cycle has two already
        person(
            f"informant_x{number}",
            Role.INFORMANT,
            [cycle.village_1b],
            name=f"信息员{number}",
            phone="1",
        )
    rows = informant_assessment(user=cycle.users["office_county"], year=2026)
    assert len(rows) == ADVANCED_PER_YEAR + 1
    assert sum(row.advanced for row in rows) == ADVANCED_PER_YEAR


def test_the_page_ranks_for_the_office_and_is_404_for_others(year_of_work, client):
    cycle = year_of_work
    client.force_login(cycle.users["office_county"])
    assert "/w/reports/informants/" in client.get("/w/reports/").content.decode()
    html = client.get("/w/reports/informants/", {"year": 2026}).content.decode()
    assert html.index("赵信息") < html.index("王信息")
    assert "先进个人 2 名（每人 1200 元），奖励合计 2400.00 元" in html
    assert client.get("/w/reports/informants/", {"year": "abc"}).status_code == 200
    for user in ("informant_v1", "supervisor_t1", "operator_v1"):
        client.force_login(cycle.users[user])
        assert client.get("/w/reports/informants/").status_code == 404
