"""The county clerk's registers in the workbench (issue 35), through the Django client.

A county office creates and edits inside its county only (404 outside); a
市州 or province office reads and sums its counties and edits nothing; ID
numbers show masked on every page and whole only in the county's 名册.
"""

import datetime
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from tests.factories import (
    CertificationFactory,
    HouseholdFactory,
    ProductLineFactory,
    make_id_number,
)
from tests.offices import World
from tests.reports.factories import OutletFactory
from trace.choices import (
    CertificationReviewStatus,
    CertificationStatus,
    OutletKind,
    RegionLevel,
)
from trace.models import (
    BenefitLink,
    Certification,
    CertificationReview,
    Household,
    Outlet,
    Producer,
    SlowSellingMark,
)

TODAY = datetime.date.today()


@pytest.fixture
def world(db):
    return World()


def login(client, world, role):
    client.force_login(world.users[role])
    return client


def producer_post(world, region, **extra) -> dict:
    return {
        "name": "古楼家庭农场",
        "kind": "family_farm",
        "uscc": "",
        "region": region.pk,
        "address": "古楼村三组",
        "contact_person": "",
        "contact_phone": "",
        "reason": "",
        **extra,
    }


def test_the_registers_are_for_offices_only(world, client):
    login(client, world, "informant")
    assert client.get("/w/registers/").status_code == 404
    assert client.get("/w/registers/households/").status_code == 404
    client.logout()
    assert client.get("/w/registers/").status_code == 302  # to the login page


def test_the_county_office_registers_a_producer_in_its_county(world, client):
    login(client, world, "county")
    response = client.post(
        "/w/registers/producers/new/",
        producer_post(world, world.village, uscc="91430525ma4l3rxp2", reason="新申报"),
    )
    # A wrong check character is a field error; nothing is saved.
    assert response.status_code == 400
    assert "uscc" in response.context["form"].errors
    assert not Producer.objects.filter(name="古楼家庭农场").exists()

    from stdnum.cn import uscc

    code = "91430525MA4L3RXP2"
    code += uscc.calc_check_digit(code)
    response = client.post(
        "/w/registers/producers/new/",
        producer_post(world, world.village, uscc=code, reason="新申报"),
    )
    assert response.status_code == 302
    producer = Producer.objects.get(name="古楼家庭农场")
    assert producer.uscc == code
    record = producer.history.get()
    assert record.history_user_id == world.users["county"].pk
    assert record.history_change_reason == "新申报"


def test_a_county_office_cannot_register_in_another_county(world, client):
    login(client, world, "county")
    response = client.post(
        "/w/registers/producers/new/", producer_post(world, world.other_village)
    )
    assert response.status_code == 400
    assert "region" in response.context["form"].errors
    assert (
        client.get(f"/w/registers/producers/{world.other_producer.pk}/").status_code
        == 404
    )
    assert (
        client.get(f"/w/registers/households/{world.other_household.pk}/").status_code
        == 404
    )
    assert not Producer.objects.filter(name="古楼家庭农场").exists()


def test_an_edit_says_why_and_keeps_who_and_when(world, client):
    login(client, world, "county")
    url = f"/w/registers/producers/{world.producer.pk}/"
    fields = producer_post(world, world.village, name="古楼茶业专业合作社")
    fields["uscc"] = world.producer.uscc
    response = client.post(url, fields)
    assert response.status_code == 400  # a change must say why
    assert "reason" in response.context["form"].errors
    response = client.post(url, {**fields, "reason": "更名（营业执照变更）"})
    assert response.status_code == 302
    world.producer.refresh_from_db()
    assert world.producer.name == "古楼茶业专业合作社"
    page = client.get(url).content.decode()
    assert "更名（营业执照变更）" in page
    assert "变更记录" in page


@pytest.mark.parametrize("role", ["city", "province"])
def test_city_and_province_offices_read_and_sum_but_do_not_edit(world, client, role):
    login(client, world, role)
    index = client.get("/w/registers/")
    assert index.status_code == 200
    counties = {row["county"].name: row for row in index.context["counties"]}
    assert set(counties) == {"洞口县", "邵东市"}
    assert counties["洞口县"]["producers"] == 1
    assert index.context["totals"]["households"] == 2
    assert not index.context["keeps_any"]
    # The producer reads, without a form; writing is a 404, as in the service.
    page = client.get(f"/w/registers/producers/{world.producer.pk}/")
    assert page.status_code == 200 and page.context["form"] is None
    url = f"/w/registers/producers/{world.producer.pk}/"
    posted = client.post(url, producer_post(world, world.village, reason="改"))
    assert posted.status_code == 404
    assert client.get("/w/registers/producers/new/").status_code == 404
    assert (
        client.get(f"/w/registers/households/{world.household.pk}/").status_code == 404
    )
    assert client.get("/w/registers/households/new/").status_code == 404
    assert (
        client.post(
            f"/w/registers/producers/{world.producer.pk}/certify/",
            {"number": "X", "issuer": "Y", "valid_from": TODAY, "valid_until": TODAY},
        ).status_code
        == 404
    )
    world.producer.refresh_from_db()
    assert world.producer.name == "古楼茶业合作社"


def test_the_county_office_registers_a_household_with_a_masked_id(world, client):
    login(client, world, "county")
    number = make_id_number("430525")
    response = client.post(
        "/w/registers/households/new/",
        {
            "village": world.village.pk,
            "head_name": "赵大妈",
            "id_number": number,
            "phone": "13973900000",
            "members": 2,
            "registered_year": 2015,
            "reason": "",
        },
    )
    assert response.status_code == 302
    household = Household.objects.get(head_name="赵大妈")
    assert household.id_number() == number
    assert household.history.get().history_user_id == world.users["county"].pk
    # Another county's village is not a choice.
    response = client.post(
        "/w/registers/households/new/",
        {
            "village": world.other_village.pk,
            "head_name": "钱大爷",
            "id_number": make_id_number("430521"),
            "members": 1,
        },
    )
    assert response.status_code == 400
    assert "village" in response.context["form"].errors
    assert not Household.objects.filter(head_name="钱大爷").exists()


REGISTER_PAGES = [
    "/w/registers/",
    "/w/registers/households/",
    "/w/registers/links/",
    "/w/registers/producers/",
    "/w/registers/outlets/",
    "/w/registers/slow-selling/",
    "/w/registers/events/",
    "/w/registers/periods/",
    "/w/reviews/",
]


@pytest.mark.parametrize("role", ["county", "city", "province", "admin"])
def test_id_numbers_are_masked_on_every_register_page(world, client, role):
    CertificationReview.objects.create(
        certification=CertificationFactory(producer=world.producer),
        producer=world.producer,
        trigger="利益联结终止",
        reason="带贫户数不足",
    )
    certification = CertificationFactory(producer=world.producer, number="DK-9")
    login(client, world, role)
    pages = [
        *REGISTER_PAGES,
        f"/w/registers/producers/{world.producer.pk}/",
        f"/w/registers/certifications/{certification.pk}/",
    ]
    if role in ("county", "admin"):
        pages += [
            "/w/registers/households/new/",
            "/w/registers/links/new/",
            f"/w/registers/households/{world.household.pk}/",
            f"/w/registers/links/{world.link.pk}/",
        ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        assert world.id_number not in text, url
        assert world.id_number[:14] not in text, url
    households = client.get("/w/registers/households/").content.decode()
    assert f"**************{world.id_number[-4:]}" in households
    if role in ("city", "province"):
        assert "王小明" not in households and "王*明" in households


def roster(client, world, region) -> list[tuple]:
    response = client.get(
        f"/api/v1/reports/beneficiary_roster/?format=xlsx&region={region.pk}"
    )
    assert response.status_code == 200, response.content
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def _paid(world):
    """Money the household received: the roster lists who was paid."""
    from tests.factories import BatchFactory
    from trace.models import BatchContribution

    batch = BatchFactory(producer=world.producer, origin=world.village)
    BatchContribution.objects.create(
        batch=batch,
        household=world.household,
        quantity=Decimal("10"),
        amount_paid=Decimal("300"),
    )


def test_id_numbers_are_whole_only_in_the_county_offices_roster(world, client):
    _paid(world)
    login(client, world, "county")
    rows = roster(client, world, world.county)
    assert any(world.id_number in map(str, row) for row in rows)
    for role in ("city", "province"):
        login(client, world, role)
        rows = roster(client, world, world.county)
        cells = [str(cell) for row in rows for cell in row]
        assert world.id_number not in cells
        assert f"**************{world.id_number[-4:]}" in cells
    login(client, world, "other_county")
    rows = roster(client, world, world.other_county)
    assert all(world.id_number not in map(str, row) for row in rows)
    login(client, world, "informant")
    response = client.get("/api/v1/reports/beneficiary_roster/?format=xlsx")
    assert response.status_code == 404


def test_the_county_office_certifies_suspends_reinstates_and_revokes(world, client):
    login(client, world, "county")
    response = client.post(
        f"/w/registers/producers/{world.producer.pk}/certify/",
        {
            "number": "DK-2026-001",
            "issuer": "洞口县扶贫开发办公室",
            "valid_from": TODAY.isoformat(),
            "valid_until": (TODAY + datetime.timedelta(days=365)).isoformat(),
        },
    )
    assert response.status_code == 302, (
        response.context and response.context["certify_form"].errors
    )
    certification = Certification.objects.get(number="DK-2026-001")
    url = f"/w/registers/certifications/{certification.pk}/"
    assert client.post(url, {"action": "suspend", "reason": ""}).status_code == 400
    for action, status in (
        ("suspend", CertificationStatus.SUSPENDED),
        ("reinstate", CertificationStatus.ACTIVE),
        ("revoke", CertificationStatus.REVOKED),
    ):
        response = client.post(url, {"action": action, "reason": f"{action} 的原因"})
        assert response.status_code == 302
        certification.refresh_from_db()
        assert certification.status == status
        assert certification.status_changed_by == world.users["county"]
    page = client.get(url).content.decode()
    assert "revoke 的原因" in page
    # The other county's office does not see it; the city's may not act.
    login(client, world, "other_county")
    assert client.get(url).status_code == 404
    login(client, world, "city")
    assert client.get(url).status_code == 200
    assert client.post(url, {"action": "revoke", "reason": "x"}).status_code == 404


def test_the_review_queue_is_decided_by_the_county_office(world, client):
    review = CertificationReview.objects.create(
        certification=CertificationFactory(producer=world.producer),
        producer=world.producer,
        trigger="利益联结终止",
        reason="带贫户数不足",
    )
    login(client, world, "other_county")
    assert not client.get("/w/reviews/").context["open"]
    login(client, world, "city")
    assert client.get("/w/reviews/").context["open"] == [(review, False)]
    posted = {"review": review.pk, "action": "dismiss", "reason": "已核实"}
    assert client.post("/w/reviews/", posted).status_code == 404
    login(client, world, "county")
    assert client.post("/w/reviews/", posted).status_code == 302
    review.refresh_from_db()
    assert review.status == CertificationReviewStatus.DISMISSED
    assert review.resolved_by == world.users["county"]


def test_benefit_links_are_registered_and_ended_with_a_reason(world, client):
    login(client, world, "county")
    other = HouseholdFactory(village=world.village, head_name="张德胜")
    response = client.post(
        "/w/registers/links/new/",
        {
            "producer": world.producer.pk,
            "household": other.pk,
            "kind": "employment",
            "since": "2026-01-01",
            "annual_income": "7000",
            "reason": "签订劳动合同",
        },
    )
    assert response.status_code == 302
    link = BenefitLink.objects.get(household=other)
    page = client.get(f"/w/registers/links/{link.pk}/").content.decode()
    assert "证明材料" in page
    response = client.post(
        f"/w/registers/links/{link.pk}/end/",
        {"ended_on": TODAY.isoformat(), "reason": "合同到期"},
    )
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.ended_on == TODAY
    assert link.history.first().history_change_reason == "合同到期"
    # A household of another county is no choice; its link no page.
    login(client, world, "other_county")
    assert client.get(f"/w/registers/links/{link.pk}/").status_code == 404


def test_an_authorised_store_needs_its_opening_day(world, client):
    login(client, world, "county")
    fields = {
        "name": "古楼村消费扶贫授权店",
        "kind": OutletKind.AUTHORISED_STORE,
        "region": world.village.pk,
        "operator_name": "古楼村供销社",
        "url": "",
        "reason": "",
    }
    response = client.post("/w/registers/outlets/new/", fields)
    assert response.status_code == 400
    assert "opened_on" in response.context["form"].errors
    response = client.post(
        "/w/registers/outlets/new/", {**fields, "opened_on": "2026-03-01"}
    )
    assert response.status_code == 302
    outlet = Outlet.objects.get(name="古楼村消费扶贫授权店")
    assert outlet.opened_on == datetime.date(2026, 3, 1)
    response = client.post(
        f"/w/registers/outlets/{outlet.pk}/",
        {"revoke": "1", "revoked_on": TODAY.isoformat(), "reason": "不再经营扶贫产品"},
    )
    assert response.status_code == 302
    outlet.refresh_from_db()
    assert not outlet.is_authorised
    assert outlet.history.first().history_user_id == world.users["county"].pk
    other = OutletFactory(region=world.other_village)
    assert client.get(f"/w/registers/outlets/{other.pk}/").status_code == 404


def test_the_county_office_marks_and_clears_slow_selling_goods(world, client):
    line = ProductLineFactory(name="古楼云雾茶")
    login(client, world, "county")
    fields = {
        "product_line": line.pk,
        "region": world.county.pk,
        "valid_from": TODAY.isoformat(),
        "valid_until": (TODAY + datetime.timedelta(days=60)).isoformat(),
        "reason": "春茶积压",
    }
    assert client.post("/w/registers/slow-selling/", fields).status_code == 302
    mark = SlowSellingMark.objects.get()
    assert mark.marked_by == world.users["county"]
    url = f"/w/registers/slow-selling/{mark.pk}/clear/"
    assert client.post(url, {"ended_on": TODAY.isoformat()}).status_code == 400
    response = client.post(url, {"ended_on": TODAY.isoformat(), "reason": "已售出"})
    assert response.status_code == 302
    mark.refresh_from_db()
    assert mark.valid_until == TODAY
    assert mark.history.first().history_change_reason == "已售出"
    # Another county's region is no choice; the city marks nothing.
    response = client.post(
        "/w/registers/slow-selling/", {**fields, "region": world.other_county.pk}
    )
    assert response.status_code == 400
    login(client, world, "city")
    assert client.post("/w/registers/slow-selling/", fields).status_code == 404
    assert client.get(url).status_code == 404
    login(client, world, "other_county")
    assert client.get(url).status_code == 404
    assert SlowSellingMark.objects.count() == 1


def test_sales_events_and_report_periods_are_the_county_offices(world, client):
    from reports.models import ReportPeriod, SalesEvent

    login(client, world, "county")
    event = {
        "name": "洞口县消费扶贫月产销对接会",
        "region": world.county.pk,
        "held_on": TODAY.isoformat(),
        "organiser": "洞口县扶贫开发办公室",
        "note": "",
    }
    assert client.post("/w/registers/events/", event).status_code == 302
    assert SalesEvent.objects.get().history.get().history_user_id == (
        world.users["county"].pk
    )
    period = {
        "form_key": "township_sales",
        "region": world.county.pk,
        "submitter_level": RegionLevel.TOWN,
        "frequency": "quarterly",
        "name": "2026年第3季度",
        "starts_on": "2026-07-01",
        "ends_on": "2026-09-30",
        "due_on": "2026-09-30",
        "recipient": "县商务委",
        "source": "",
        "reason": "",
    }
    assert client.post("/w/registers/periods/new/", period).status_code == 302
    saved = ReportPeriod.objects.get()
    url = f"/w/registers/periods/{saved.pk}/"
    moved = {**period, "due_on": "2026-09-25", "reason": "县商务委要求提前"}
    assert client.post(url, moved).status_code == 302
    saved.refresh_from_db()
    assert saved.due_on == datetime.date(2026, 9, 25)
    assert saved.history.first().history_change_reason == "县商务委要求提前"
    for role in ("city", "other_county"):
        login(client, world, role)
        assert client.get(url).status_code == 404
        assert client.post("/w/registers/events/", event).status_code in (400, 404)
    login(client, world, "city")
    assert client.post("/w/registers/events/", event).status_code == 404
    assert SalesEvent.objects.count() == 1


def test_the_county_office_keeps_a_households_members(world, client):
    from trace.models import HouseholdMember

    login(client, world, "county")
    url = f"/w/registers/households/{world.household.pk}/members/new/"
    number = make_id_number("430525")
    fields = {"name": "王小芳", "relation": "女儿", "phone": "", "reason": "新增"}
    # The head's own number is already registered: refused next to the field.
    response = client.post(url, {**fields, "id_number": world.id_number})
    assert response.status_code == 400
    assert "id_number" in response.context["form"].errors
    response = client.post(url, {**fields, "id_number": number})
    assert response.status_code == 302
    member = HouseholdMember.objects.get()
    assert member.id_number() == number
    page = client.get(f"/w/registers/households/{world.household.pk}/")
    text = page.content.decode()
    assert "王小芳" in text and number not in text
    assert f"**************{number[-4:]}" in text
    member_url = f"/w/registers/members/{member.pk}/"
    assert number not in client.get(member_url).content.decode()
    assert client.post(member_url, {"remove": "1", "reason": ""}).status_code == 400
    response = client.post(member_url, {"remove": "1", "reason": "出嫁迁出"})
    assert response.status_code == 302
    assert not HouseholdMember.objects.exists()
    removed = member.history.first()
    assert removed.history_type == "-"
    assert removed.history_change_reason == "出嫁迁出"
    assert removed.history_user_id == world.users["county"].pk
    for role in ("city", "other_county"):
        login(client, world, role)
        assert client.post(url, {**fields, "id_number": number}).status_code == 404
    assert not HouseholdMember.objects.exists()
