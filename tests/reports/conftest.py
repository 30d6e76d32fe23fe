"""A county with sales, contributions, outlets and events to report on."""

import datetime
import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import RegionFactory
from tests.reports.factories import (
    ContributionFactory,
    OutletFactory,
    SaleFactory,
    SalesEventFactory,
    TraceEventFactory,
    local,
)
from trace.choices import OutletKind, RegionLevel, SaleChannel, TraceEventKind
from trace.models import Batch

SEED_FORMS = Path(settings.BASE_DIR).parent / "shared" / "forms" / "seed-forms.json"


@pytest.fixture(scope="session")
def seed_forms() -> dict[str, dict]:
    """The forms as printed in the seed documents, by key."""
    return {
        form["key"]: form
        for form in json.loads(SEED_FORMS.read_text(encoding="utf-8"))["forms"]
    }


@dataclass
class Sales:
    world: object
    store: object
    sale_a_sept: object
    sale_a_oct: object
    sale_b: object
    changsha_city: object
    changsha_county: object


@pytest.fixture
def sales(world) -> Sales:
    Batch.objects.filter(pk=world.batch_a.pk).update(
        harvest_date=datetime.date(2026, 8, 20)
    )
    Batch.objects.filter(pk=world.batch_b.pk).update(
        harvest_date=datetime.date(2026, 10, 5)
    )
    world.batch_a.refresh_from_db()
    world.batch_b.refresh_from_db()
    ContributionFactory(
        batch=world.batch_a, household=world.household_a, amount_paid=Decimal("640.00")
    )
    ContributionFactory(
        batch=world.batch_b, household=world.household_b, amount_paid=Decimal("300.00")
    )
    dongkou_town = world.gulou_village.parent
    store = OutletFactory(
        name="洞口县消费扶贫授权店",
        kind=OutletKind.AUTHORISED_STORE,
        region=dongkou_town,
    )
    OutletFactory(
        name="古楼专柜", kind=OutletKind.SMART_CABINET, region=world.gulou_village
    )
    OutletFactory(
        name="邵东专馆", kind=OutletKind.PAVILION, region=world.shaodong_village
    )
    OutletFactory(
        name="邵东线上专区",
        kind=OutletKind.ONLINE_ZONE,
        region=world.shaodong_village,
        url="https://shop.example.cn/sd",
    )
    OutletFactory(
        name="洞口直播基地", kind=OutletKind.LIVESTREAM_BASE, region=world.dongkou
    )
    SalesEventFactory(region=world.dongkou, held_on=datetime.date(2026, 9, 15))
    SalesEventFactory(region=world.shaodong_village, held_on=datetime.date(2025, 9, 15))
    TraceEventFactory(batch=world.batch_a, kind=TraceEventKind.HARVEST)
    TraceEventFactory(
        batch=world.batch_a, kind=TraceEventKind.SHIP, occurred_at=local(2026, 8, 28)
    )
    TraceEventFactory(batch=world.batch_b, kind=TraceEventKind.HARVEST, place="廉桥村")
    sale_a_sept = SaleFactory(
        batch=world.batch_a,
        buyer="洞口县人民政府机关食堂",
        amount=Decimal("1200.00"),
        sold_at=local(2026, 9, 1),
    )
    sale_a_oct = SaleFactory(
        batch=world.batch_a,
        buyer="张女士",
        channel=SaleChannel.MARKET,
        outlet=store,
        quantity=Decimal("3.5"),
        amount=Decimal("345.50"),
        sold_at=local(2026, 10, 15),
    )
    sale_b = SaleFactory(
        batch=world.batch_b,
        buyer="邵东市第一中学",
        channel=SaleChannel.SCHOOL,
        amount=Decimal("800.00"),
        sold_at=local(2026, 10, 20),
    )
    changsha_city = RegionFactory(
        name="长沙市", level=RegionLevel.CITY, parent=world.hunan, code="430100"
    )
    changsha_county = RegionFactory(
        name="长沙县", level=RegionLevel.COUNTY, parent=changsha_city, code="430121"
    )
    return Sales(
        world=world,
        store=store,
        sale_a_sept=sale_a_sept,
        sale_a_oct=sale_a_oct,
        sale_b=sale_b,
        changsha_city=changsha_city,
        changsha_county=changsha_county,
    )
