"""No non-administrator response anywhere carries household personal data.

The sweep walks every list and detail endpoint the router knows, so a new
resource is covered the day it is registered.
"""

import datetime
from decimal import Decimal

import pytest
from stdnum.cn import ric

from api.urls import router
from inspections.services.inspections import inspection_sign
from labels import services as label_services
from tests.conftest import leaks_in
from tests.factories import BenefitLinkFactory, HouseholdFactory
from tests.inspections.factories import record_inspection
from trace.services.batches import batch_create, batch_release
from trace.services.events import sale_record, trace_event_record
from trace.services.households import household_record_public_name_consent

pytestmark = pytest.mark.django_db


def fixed_id_number(birth: str, sequence: str) -> str:
    body = f"430525{birth}{sequence}"
    return body + ric.calc_check_digit(body + "0")


def personal_fragments(household, id_number: str) -> list[str]:
    """Return every piece of a household's personal data that must not leak."""
    return [
        household.head_name,
        id_number,
        id_number[6:14],  # birth date
        id_number[-6:],
        id_number[-4:],  # sequence and check code
        household.phone,
    ]


@pytest.fixture
def rich_world(world):
    """Add contributions, events, sales and more links, with known canary data."""
    canaries = []
    for name, birth, sequence, phone in [
        ("欧阳春燕", "19930817", "857", "13973901234"),
        ("司马德胜", "19880423", "619", "13873905678"),
    ]:
        id_number = fixed_id_number(birth, sequence)
        household = HouseholdFactory(
            village=world.gulou_village,
            head_name=name,
            id_number=id_number,
            phone=phone,
        )
        BenefitLinkFactory(
            producer=world.producer_a,
            household=household,
            annual_income=Decimal("6500"),
        )
        canaries.append((household, id_number))
    household_record_public_name_consent(
        household=canaries[0][0], recorded_by=world.admin, consented=True
    )
    batch = batch_create(
        producer=world.producer_a,
        product_line=world.batch_a.product_line,
        lot_code="GL2026C",
        origin=world.gulou_village,
        harvest_date=datetime.date(2026, 10, 2),
        quantity=Decimal("300"),
        unit="盒",
        created_by=world.operator_a,
        contributions=[
            {
                "household": household,
                "quantity": Decimal("50"),
                "amount_paid": Decimal("1500"),
            }
            for household, _ in canaries
        ],
    )
    batch_release(batch=batch, changed_by=world.operator_a)
    trace_event_record(
        batch=batch,
        recorded_by=world.operator_a,
        kind="harvest",
        occurred_at=datetime.datetime(2026, 10, 2, 9, 0, tzinfo=datetime.UTC),
    )
    sale_record(
        batch=batch,
        recorded_by=world.operator_a,
        buyer="洞口县人民医院",
        channel="hospital",
        quantity=Decimal("20"),
        unit="盒",
        amount=Decimal("1600"),
        sold_at=datetime.datetime(2026, 10, 9, 15, 0, tzinfo=datetime.UTC),
    )
    label_services.print_job_create(
        batch=batch,
        template="a4-3x8",
        count=3,
        requested_by=world.operator_a,
        enqueue=False,
    )
    inspection = record_inspection(batch=batch, user=world.inspector)
    inspection_sign(inspection=inspection, signed_by=world.inspector)
    return canaries + [
        (world.household_a, world.household_a.id_number()),
        (world.household_b, world.household_b.id_number()),
    ]


# List endpoints that need a query parameter to answer.
REQUIRED_QUERY = {"audit": {"model": "household"}}


def every_response(client) -> list[tuple[str, str]]:
    """GET every list endpoint and every object it lists; return (url, body)."""
    bodies = []
    for prefix, viewset, _basename in router.registry:
        url = f"/api/v1/{prefix}/"
        response = client.get(url, {"page_size": 500, **REQUIRED_QUERY.get(prefix, {})})
        assert response.status_code in (200, 404), (url, response.status_code)
        bodies.append((url, response.content.decode()))
        if response.status_code != 200 or not hasattr(viewset, "retrieve"):
            continue
        payload = response.json()
        rows = (
            payload["results"]
            if isinstance(payload, dict) and "results" in payload
            else payload
        )
        for row in rows:
            detail = f"{url}{row.get('id', row.get('serial'))}/"
            detail_response = client.get(detail)
            assert detail_response.status_code == 200, detail
            bodies.append((detail, detail_response.content.decode()))
    return bodies


@pytest.mark.parametrize("role", ["operator_a", "operator_b", "inspector"])
def test_no_personal_data_in_any_non_administrator_response(
    world, rich_world, client_for, role
):
    bodies = every_response(client_for(getattr(world, role)))
    assert len(bodies) > len(router.registry)  # details were visited too
    for household, id_number in rich_world:
        for fragment in personal_fragments(household, id_number):
            leaks = [url for url, body in bodies if leaks_in(body, fragment)]
            assert not leaks, (
                f"{household.masked_name}: a personal fragment appears in {leaks}"
            )


def test_operator_sees_masked_names_of_own_households(world, rich_world, client_for):
    body = client_for(world.operator_a).get("/api/v1/benefit-links/").content.decode()
    assert "欧**燕" in body
    assert "王*明" in body


def test_sweep_would_catch_a_leak(world, rich_world, client_for):
    """The administrator sees names: proof that the sweep finds them when present."""
    bodies = every_response(client_for(world.admin))
    household, _ = rich_world[0]
    assert any(household.head_name in body for _, body in bodies)
