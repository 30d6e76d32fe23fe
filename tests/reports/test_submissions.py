import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction

from reports.choices import SubmissionBasis, SubmissionStatus
from reports.selectors.common import ReportFilters
from reports.selectors.submissions import (
    frozen,
    period_expected,
    submission_difference,
    submission_list_visible_to,
    submission_overview,
    submission_rollup,
)
from reports.submissions import (
    report_periods_schedule,
    submission_accept,
    submission_create,
    submission_return,
    submission_submit,
    submission_update,
)
from reports.tables import report_build
from tests.reports.cycle import person
from tests.reports.factories import SaleFactory, local
from trace.access import Refused
from trace.choices import RegionLevel, Role
from trace.models import Region, UserRole


def submitted(period, region, user, **extra):
    submission = submission_create(
        period=period, region=region, created_by=user, **extra
    )
    return submission_submit(submission=submission, user=user)


def test_submitting_freezes_the_rows_and_a_later_sale_shows_as_a_difference(cycle):
    supervisor = cycle.users["supervisor_t1"]
    # 供货联系人: the township's (seed 004, line 28), not the 监督员 submitting.
    Region.objects.filter(pk=cycle.town_1.pk).update(
        supply_contact_name="陈立新", supply_contact_phone="13900000009"
    )
    submission = submitted(cycle.quarterly, cycle.town_1, supervisor)
    frozen_rows = submission.snapshot["rows"]
    assert [row[7] for row in frozen_rows] == ["1200.00", "3400.00"]
    assert submission.unit_name == "湖南省 邵阳市 洞口县 古楼乡"
    assert (submission.filler_name, submission.filler_phone) == (
        "刘监督",
        "13800000003",
    )
    header = {
        field["label"]: field["value"] for field in submission.snapshot["header_fields"]
    }
    assert header["供货联系人姓名"] == "陈立新" and header["联系方式"] == "13900000009"
    assert header["填报单位"] == "湖南省 邵阳市 洞口县 古楼乡"
    # The export of the same form, asked by the township's 监督员, says the same.
    export = report_build(
        key="township_sales",
        user=supervisor,
        filters=ReportFilters(region=Region.objects.get(pk=cycle.town_1.pk)),
    )
    assert dict(export.header_fields)["供货联系人姓名"] == "陈立新"

    SaleFactory(
        batch=cycle.batches["v1"], amount=Decimal("250.00"), sold_at=local(2026, 9, 20)
    )

    submission.refresh_from_db()
    assert submission.snapshot["rows"] == frozen_rows  # what was submitted stays
    difference = submission_difference(submission=submission)
    assert difference["changed"] is True
    assert difference["removed"] == []
    assert len(difference["added"]) == 1 and "250.00" in difference["added"][0]
    assert difference["totals"] == [
        {"column": "销售金额", "submitted": "4600.00", "current": "4850.00"}
    ]


def test_an_unchanged_form_has_no_difference(cycle):
    submission = submitted(cycle.quarterly, cycle.town_2, cycle.users["supervisor_t2"])
    assert submission_difference(submission=submission) == {
        "changed": False,
        "columns": [
            "采购单位",
            "销售时间",
            "地区",
            "贫困户姓名",
            "产品品种",
            "销售数量",
            "销售金额",
            "备注",
        ],
        "added": [],
        "removed": [],
        "totals": [],
    }


def _accept_townships(cycle, period):
    office = cycle.users["office_county"]
    for town, supervisor in (
        (cycle.town_1, cycle.users["supervisor_t1"]),
        (cycle.town_2, cycle.users["supervisor_t2"]),
    ):
        submission_accept(submission=submitted(period, town, supervisor), user=office)


def _without_numbers(rows):
    return sorted(repr(row[1:]) for row in rows)


def test_county_rollup_is_the_sum_of_accepted_townships_and_equals_the_data(cycle):
    office = cycle.users["office_county"]
    direct = frozen(
        report_build(
            key="township_sales",
            user=office,
            filters=ReportFilters(
                region=cycle.county,
                date_from=datetime.date(2026, 7, 1),
                date_to=datetime.date(2026, 9, 30),
            ),
        ).as_data()
    )
    before = submission_rollup(period=cycle.quarterly, region=cycle.county)
    assert before.data["rows"] == []
    assert before.missing == [cycle.town_1, cycle.town_2]

    _accept_townships(cycle, cycle.quarterly)

    rollup = submission_rollup(period=cycle.quarterly, region=cycle.county)
    assert rollup.missing == []
    assert len(rollup.data["rows"]) == 3
    assert [row[0] for row in rollup.data["rows"]] == [1, 2, 3]
    assert _without_numbers(rollup.data["rows"]) == _without_numbers(direct["rows"])


def test_county_statistics_table_from_townships_equals_the_computed_one(cycle):
    office = cycle.users["office_county"]
    _accept_townships(cycle, cycle.campaign)
    direct = frozen(
        report_build(
            key="campaign_statistics",
            user=office,
            filters=ReportFilters(
                region=cycle.county,
                date_from=datetime.date(2026, 9, 1),
                date_to=datetime.date(2026, 9, 30),
                year=2026,
            ),
        ).as_data()
    )

    rollup = submission_rollup(period=cycle.campaign, region=cycle.county)

    assert rollup.data["rows"] == direct["rows"]
    assert rollup.data["rows"][0][1] == "合计"
    assert rollup.data["rows"][0][8] == "0.51"  # 5,100 yuan in 万元


def test_a_rollup_submission_freezes_the_sum_of_the_level_below(cycle):
    office = cycle.users["office_county"]
    county_period = report_periods_schedule(
        form_key="township_sales",
        region=cycle.city,
        submitter_level=RegionLevel.COUNTY,
        frequency="quarterly",
        year=2026,
        due_day=30,
        created_by=cycle.users["admin"],
    )[2]
    draft = submission_create(
        period=county_period,
        region=cycle.county,
        created_by=office,
        basis=SubmissionBasis.ROLLUP,
    )
    with pytest.raises(ValidationError, match="古楼乡"):
        submission_submit(submission=draft, user=office)

    _accept_townships(cycle, cycle.quarterly)
    county = submission_submit(submission=draft, user=office)

    assert len(county.snapshot["rows"]) == 3
    assert county.snapshot["filler"][1]["value"] == "孙主任"
    city_rollup = submission_rollup(period=county_period, region=cycle.city)
    assert city_rollup.data["rows"] == []  # the county is submitted, not accepted
    submission_accept(submission=county, user=cycle.users["office_city"])
    city_rollup = submission_rollup(period=county_period, region=cycle.city)
    assert len(city_rollup.data["rows"]) == 3


def test_returned_submission_can_be_resubmitted_and_an_accepted_one_not_edited(cycle):
    supervisor, office = cycle.users["supervisor_t1"], cycle.users["office_county"]
    submission = submitted(cycle.quarterly, cycle.town_1, supervisor, summary="初稿")

    returned = submission_return(
        submission=submission, user=office, reason="缺少茶铺村的发票"
    )
    assert returned.status == SubmissionStatus.RETURNED
    assert returned.return_reason == "缺少茶铺村的发票"
    returned = submission_update(submission=returned, user=supervisor, summary="已补充")
    resubmitted = submission_submit(submission=returned, user=supervisor)
    accepted = submission_accept(submission=resubmitted, user=office)

    assert accepted.status == SubmissionStatus.ACCEPTED
    assert accepted.snapshot["summary"] == "已补充"
    moves = [
        (t.from_status, t.to_status, t.actor.username, t.reason)
        for t in accepted.transitions.all()
    ]
    assert moves == [
        ("draft", "submitted", "supervisor_t1", ""),
        ("submitted", "returned", "office_county", "缺少茶铺村的发票"),
        ("returned", "submitted", "supervisor_t1", ""),
        ("submitted", "accepted", "office_county", ""),
    ]
    # What was returned is kept, though the resubmission froze anew.
    assert accepted.transitions.get(to_status="returned").snapshot["summary"] == "初稿"
    with pytest.raises(ValidationError):
        submission_update(submission=accepted, user=supervisor, summary="改")
    with pytest.raises(ValidationError):
        submission_submit(submission=accepted, user=supervisor)
    with pytest.raises(ValidationError):
        submission_return(submission=accepted, user=office, reason="再改")


def test_only_the_addressee_reviews_and_a_return_needs_a_reason(cycle):
    """古楼乡's form to 洞口县 (县商务委): 邵阳市 and 湖南省 read it, only 洞口县 decides."""
    supervisor = cycle.users["supervisor_t1"]
    submission = submitted(cycle.quarterly, cycle.town_1, supervisor)
    province_office = person(
        "office_province", Role.OFFICE, [cycle.province], name="李主任", phone="1"
    )
    for user in (supervisor, cycle.users["office_city"], province_office):
        for review in (submission_accept, submission_return):
            with pytest.raises(Refused, match="只有报送对象（县商务委）可以审核"):
                review(submission=submission, user=user, **_reason(review))
        assert submission_list_visible_to(user=user).filter(pk=submission.pk)
    with pytest.raises(ValidationError, match="对象不存在"):
        submission_accept(submission=submission, user=cycle.users["informant_v1"])
    with pytest.raises(ValidationError, match="退回原因"):
        submission_return(
            submission=submission, user=cycle.users["office_county"], reason=" "
        )
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.SUBMITTED
    accepted = submission_accept(
        submission=submission, user=cycle.users["office_county"]
    )
    assert accepted.status == SubmissionStatus.ACCEPTED
    assert accepted.transitions.last().actor == cycle.users["office_county"]


def test_a_village_form_to_the_county_is_not_the_townships_to_review(cycle):
    """The monthly 证明材料 go from the villages to 洞口县, past the township."""
    informant = cycle.users["informant_v1"]
    submission = submitted(cycle.monthly, cycle.village_1, informant)
    with pytest.raises(Refused):
        submission_accept(submission=submission, user=cycle.users["supervisor_t1"])
    returned = submission_return(
        submission=submission, user=cycle.users["office_county"], reason="缺凭证"
    )
    assert returned.status == SubmissionStatus.RETURNED
    resubmitted = submission_submit(submission=returned, user=informant)
    assert resubmitted.status == SubmissionStatus.SUBMITTED
    assert [t.to_status for t in resubmitted.transitions.order_by("pk")] == [
        "submitted",
        "returned",
        "submitted",
    ]


def _reason(review) -> dict:
    return {"reason": "请核实"} if review is submission_return else {}


def test_submitting_needs_the_fillers_real_name_and_phone(cycle):
    supervisor = cycle.users["supervisor_t1"]
    UserRole.objects.filter(user=supervisor).update(phone="")
    supervisor = type(supervisor).objects.get(pk=supervisor.pk)
    draft = submission_create(
        period=cycle.quarterly, region=cycle.town_1, created_by=supervisor
    )
    with pytest.raises(ValidationError, match="联系电话"):
        submission_submit(submission=draft, user=supervisor)


def test_a_region_fills_only_its_own_forms_once(cycle):
    with pytest.raises(ValidationError, match="不能为该地区"):
        submission_create(
            period=cycle.monthly,
            region=cycle.village_2,
            created_by=cycle.users["informant_v1"],
        )
    with pytest.raises(ValidationError, match="填报范围"):
        submission_create(
            period=cycle.quarterly,
            region=cycle.village_1,
            created_by=cycle.users["informant_v1"],
        )
    submission_create(
        period=cycle.monthly,
        region=cycle.village_1,
        created_by=cycle.users["informant_v1"],
    )
    with pytest.raises(ValidationError, match="不能为该地区"):
        submission_create(  # the township's 监督员 reviews villages, not fills
            period=cycle.monthly,
            region=cycle.village_1,
            created_by=cycle.users["supervisor_t1"],
        )
    with pytest.raises(ValidationError, match="已经存在"):
        submission_create(
            period=cycle.monthly,
            region=cycle.village_1,
            created_by=cycle.users["admin"],
        )


def test_missing_and_overdue_regions_are_listed_for_the_level_above(cycle):
    submitted(cycle.monthly, cycle.village_1, cycle.users["informant_v1"])
    expected = period_expected(period=cycle.monthly, today=datetime.date(2026, 9, 30))
    states = {item.region.name: (item.state, item.overdue) for item in expected}
    assert states == {
        "古楼村": ("submitted", False),
        "茶铺村": ("missing", True),
        "醪田村": ("missing", True),
    }
    overview = submission_overview(
        user=cycle.users["office_county"], today=datetime.date(2026, 9, 30)
    )
    assert overview["counts"]["overdue"] == 2
    assert overview["counts"]["to_review"] == 1
    assert submission_overview(user=cycle.users["informant_v1"])["periods"] == []


def test_quarterly_schedule_is_due_on_the_30th_of_the_quarters_last_month(cycle):
    periods = report_periods_schedule(
        form_key="township_sales",
        region=cycle.county,
        submitter_level=RegionLevel.TOWN,
        frequency="quarterly",
        year=2027,
        due_day=30,
        created_by=cycle.users["admin"],
    )
    assert [(p.starts_on, p.ends_on, p.due_on) for p in periods] == [
        (
            datetime.date(2027, 1, 1),
            datetime.date(2027, 3, 31),
            datetime.date(2027, 3, 30),
        ),
        (
            datetime.date(2027, 4, 1),
            datetime.date(2027, 6, 30),
            datetime.date(2027, 6, 30),
        ),
        (
            datetime.date(2027, 7, 1),
            datetime.date(2027, 9, 30),
            datetime.date(2027, 9, 30),
        ),
        (
            datetime.date(2027, 10, 1),
            datetime.date(2027, 12, 31),
            datetime.date(2027, 12, 30),
        ),
    ]
    monthly = report_periods_schedule(
        form_key="sales_evidence",
        region=cycle.county,
        submitter_level=RegionLevel.TOWN,
        frequency="monthly",
        year=2027,
        due_day=29,
        created_by=cycle.users["admin"],
    )
    assert monthly[1].due_on == datetime.date(2027, 2, 28)  # no 29 February in 2027
    again = report_periods_schedule(
        form_key="sales_evidence",
        region=cycle.county,
        submitter_level=RegionLevel.TOWN,
        frequency="monthly",
        year=2027,
        due_day=29,
        created_by=cycle.users["admin"],
    )
    assert [p.pk for p in again] == [p.pk for p in monthly]
    later = report_periods_schedule(
        form_key="township_sales",
        region=cycle.county,
        submitter_level=RegionLevel.TOWN,
        frequency="quarterly",
        year=2027,
        due_day=30,
        since=datetime.date(2027, 8, 15),
        created_by=cycle.users["admin"],
    )
    assert [p.pk for p in later] == [p.pk for p in periods[2:]]


def test_a_filled_periods_dates_cannot_change_but_its_deadline_can(cycle):
    from reports.submissions import report_period_update

    submission_create(
        period=cycle.quarterly,
        region=cycle.town_1,
        created_by=cycle.users["supervisor_t1"],
    )
    with pytest.raises(ValidationError, match="已有地区填报"):
        report_period_update(
            period=cycle.quarterly,
            changed_by=cycle.users["office_county"],
            starts_on=datetime.date(2026, 8, 1),
        )
    moved = report_period_update(
        period=cycle.quarterly,
        changed_by=cycle.users["office_county"],
        due_on=datetime.date(2026, 10, 10),
    )
    assert moved.due_on == datetime.date(2026, 10, 10)
    with pytest.raises(ValidationError, match="上报截止日期"):
        report_period_update(
            period=cycle.quarterly,
            changed_by=cycle.users["office_county"],
            due_on=datetime.date(2026, 1, 1),
        )


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="database triggers exist on PostgreSQL only",
)
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE reports_submission SET snapshot = '{}' WHERE id = %s",
        "DELETE FROM reports_submission WHERE id = %s",
        "UPDATE reports_submissiontransition SET reason = 'x' WHERE submission_id = %s",
    ],
)
def test_raw_sql_on_an_accepted_submission_is_refused(cycle, sql):
    submission = submitted(cycle.quarterly, cycle.town_1, cycle.users["supervisor_t1"])
    submission_accept(submission=submission, user=cycle.users["office_county"])
    with pytest.raises(DatabaseError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql, [submission.pk])
    submission.refresh_from_db()
    assert submission.status == "accepted" and submission.snapshot["rows"]
