"""The 技术指导员's and the 村级收购点's workbench pages (issue 21, seed 001 lines 190-205)."""

import datetime

import pytest

from reports.selectors.common import ReportFilters
from reports.selectors.ledger import benefit_ledger
from tests.factories import HouseholdFactory
from tests.reports.factories import local
from trace.models import BatchContribution, TraceEvent
from trace.services.events import trace_event_record

pytestmark = pytest.mark.django_db

GUIDANCE = "/w/guidance/"
PURCHASES = "/w/purchases/"


def signed_in(client, user):
    client.force_login(user)
    return client


def test_each_role_lands_on_its_page_after_login(cycle, client):
    assert signed_in(client, cycle.users["technician_t1"]).get("/w/").url == GUIDANCE
    assert (
        signed_in(client, cycle.users["purchase_point_v1"]).get("/w/").url == PURCHASES
    )
    page = client.get(PURCHASES).content.decode()
    assert 'href="/w/purchases/"' in page and 'href="/w/guidance/"' not in page


def test_a_technician_records_guidance_through_the_page(cycle, client):
    technician = signed_in(client, cycle.users["technician_t1"])
    page = technician.get(GUIDANCE).content.decode()
    # Its township's batches only: 古楼村 and 茶铺村, not 醪田村.
    assert cycle.batches["v1b"].lot_code in page
    assert f'value="{cycle.batches["v2"].pk}"' not in page
    saved = technician.post(
        GUIDANCE,
        {
            "batch": cycle.batches["v1b"].pk,
            "occurred_at": "2026-09-12T09:00",
            "topic": "春茶修剪与病虫害绿色防控",
            "organisation": "古楼乡农业综合服务站",
            "reference_document_number": "古农指〔2026〕12号",
        },
    )
    batch = cycle.batches["v1b"]
    assert saved.status_code == 302
    assert saved.url == f"{GUIDANCE}?saved=1&batch={batch.pk}"
    event = TraceEvent.objects.get(kind="guidance")
    assert (event.batch, event.place, event.actor, event.recorded_by) == (
        cycle.batches["v1b"],
        "春茶修剪与病虫害绿色防控",
        "古楼乡农业综合服务站",
        cycle.users["technician_t1"],
    )
    listed = technician.get(saved.url).content.decode()
    assert "已保存" in listed and "春茶修剪与病虫害绿色防控" in listed
    # The next form keeps the batch just used.
    assert f'<option value="{batch.pk}" selected>' in listed


def test_a_refused_guidance_keeps_what_was_typed_and_says_why(cycle, client):
    technician = signed_in(client, cycle.users["technician_t1"])
    body = {
        "batch": cycle.batches["v1"].pk,
        "occurred_at": "2199-01-01T09:00",
        "topic": "  ",
        "organisation": "古楼乡农业综合服务站",
    }
    refused = technician.post(GUIDANCE, body)
    assert refused.status_code == 400
    text = refused.content.decode()
    assert 'id="id_occurred_at-errors"' in text and "日期必须在" in text
    assert 'id="id_topic-errors"' in text
    assert 'value="古楼乡农业综合服务站"' in text
    assert not TraceEvent.objects.filter(kind="guidance").exists()


def test_a_purchase_through_the_page_counts_in_the_benefit_ledger(cycle, client):
    batch, household = cycle.batches["v1"], cycle.households["v1"]
    point = signed_in(client, cycle.users["purchase_point_v1"])
    page = point.get(PURCHASES).content.decode()
    assert household.masked_name in page
    saved = point.post(
        PURCHASES,
        {
            "batch": batch.pk,
            "household": household.pk,
            "quantity": "30",
            "amount_paid": "450.00",
            "purchased_at": "2026-09-05T15:00",
            "reference_document_number": "SG-0905-01",
        },
    )
    assert saved.status_code == 302, saved.content.decode()
    event = TraceEvent.objects.get(kind="purchase")
    assert (event.batch, event.place, event.quantity) == (
        batch,
        "古楼村供销社收购点",
        30,
    )
    contribution = BatchContribution.objects.get(batch=batch, household=household)
    assert contribution.amount_paid == 750  # 300 before + 450 now
    ledger = benefit_ledger(
        user=cycle.users["admin"],
        filters=ReportFilters(
            region=cycle.village_1,
            date_from=datetime.date(2026, 8, 1),
            date_to=datetime.date(2026, 8, 31),
        ),
    )
    # The harvest's 300 is August's; the purchase's 450 is paid in September.
    assert [entry.paid for entry in ledger] == [300]
    september = benefit_ledger(
        user=cycle.users["admin"],
        filters=ReportFilters(
            region=cycle.village_1,
            date_from=datetime.date(2026, 9, 1),
            date_to=datetime.date(2026, 9, 30),
        ),
    )
    assert [entry.paid for entry in september] == [450]
    listed = point.get(saved.url).content.decode()
    assert "SG-0905-01" in listed and household.head_name not in listed


def test_the_household_never_appears_unmasked(cycle, client):
    household = cycle.households["v1"]
    point = signed_in(client, cycle.users["purchase_point_v1"])
    refused = point.post(
        PURCHASES,
        {
            "batch": cycle.batches["v1"].pk,
            "household": household.pk,
            "quantity": "0",
            "amount_paid": "-1",
            "purchased_at": "2026-09-05T15:00",
        },
    )
    assert refused.status_code == 400
    for response in (point.get(PURCHASES), refused):
        text = response.content.decode()
        assert household.masked_name in text
        for secret in (household.head_name, household.id_number()):
            assert secret not in text
    # The service's rules, next to their fields.
    text = refused.content.decode()
    assert 'id="id_quantity-errors"><li>收购数量必须大于 0' in text
    assert not TraceEvent.objects.filter(kind="purchase").exists()


def test_a_household_without_a_benefit_link_is_refused_next_to_its_field(cycle, client):
    unlinked = HouseholdFactory(village=cycle.village_1, head_name="古大成")
    point = signed_in(client, cycle.users["purchase_point_v1"])
    refused = point.post(
        PURCHASES,
        {
            "batch": cycle.batches["v1"].pk,
            "household": unlinked.pk,
            "quantity": "5",
            "amount_paid": "75.00",
            "purchased_at": "2026-09-05T15:00",
            "reference_document_number": "SG-0905-02",
        },
    )
    assert refused.status_code == 400
    text = refused.content.decode()
    assert 'id="id_household-errors"><li>该贫困户与批次的主体没有利益联结' in text
    assert 'value="SG-0905-02"' in text and 'value="75.00"' in text
    assert f'<option value="{unlinked.pk}" selected>' in text
    assert "古大成" not in text
    assert not BatchContribution.objects.filter(household=unlinked).exists()


def test_a_purchase_after_the_shipment_is_refused_next_to_its_time(cycle, client):
    batch, household = cycle.batches["v1"], cycle.households["v1"]
    trace_event_record(
        batch=batch,
        recorded_by=cycle.users["admin"],
        kind="ship",
        occurred_at=local(2026, 9, 1, 12),
    )
    point = signed_in(client, cycle.users["purchase_point_v1"])
    body = {
        "batch": batch.pk,
        "household": household.pk,
        "quantity": "20",
        "amount_paid": "600.00",
        "purchased_at": "2026-10-01T09:00",
        "reference_document_number": "SG-1001-01",
    }
    refused = point.post(PURCHASES, body)
    assert refused.status_code == 400
    text = refused.content.decode()
    assert (
        'id="id_purchased_at-errors"><li>'
        "该批次已于 2026-09-01 12:00 发货，不能再登记发货前的环节（收购）。"
    ) in text
    assert 'value="SG-1001-01"' in text and 'value="600.00"' in text
    assert not TraceEvent.objects.filter(kind="purchase").exists()
    assert BatchContribution.objects.get(batch=batch).amount_paid == 300
    saved = point.post(PURCHASES, body | {"purchased_at": "2026-09-01T11:59"})
    assert saved.status_code == 302, saved.content.decode()


def test_a_batch_or_household_outside_the_village_is_not_found(cycle, client):
    point = signed_in(client, cycle.users["purchase_point_v1"])
    body = {
        "batch": cycle.batches["v1"].pk,
        "household": cycle.households["v1"].pk,
        "quantity": "1",
        "amount_paid": "1",
        "purchased_at": "2026-09-05T15:00",
    }
    assert (
        point.post(PURCHASES, body | {"batch": cycle.batches["v1b"].pk}).status_code
        == 404
    )
    elsewhere = body | {"household": cycle.households["v2"].pk}
    assert point.post(PURCHASES, elsewhere).status_code == 404
    technician = signed_in(client, cycle.users["technician_t1"])
    guidance = {
        "batch": cycle.batches["v2"].pk,
        "occurred_at": "2026-09-12T09:00",
        "topic": "施肥",
    }
    assert technician.post(GUIDANCE, guidance).status_code == 404
    for query in (cycle.batches["v2"].pk, "x"):
        assert technician.get(f"{GUIDANCE}?batch={query}").status_code == 404
    assert not TraceEvent.objects.exists()


@pytest.mark.parametrize(
    ("user", "url"),
    [
        ("technician_t1", PURCHASES),
        ("purchase_point_v1", GUIDANCE),
        ("operator_v1", GUIDANCE),
        ("operator_v1", PURCHASES),
        ("informant_v1", PURCHASES),
    ],
)
def test_other_roles_do_not_find_the_pages(cycle, client, user, url):
    assert signed_in(client, cycle.users[user]).get(url).status_code == 404
    assert client.post(url, {}).status_code == 404


def test_the_pages_require_login(client):
    for url in (GUIDANCE, PURCHASES):
        assert client.get(url).status_code == 302
