"""Factories for the reports' tests: outlets, sales, events, contributions."""

import datetime
import zoneinfo
from decimal import Decimal

import factory

from reports.models import SalesEvent
from tests.factories import BatchFactory, HouseholdFactory, RegionFactory
from trace.choices import OutletKind, SaleChannel, TraceEventKind
from trace.models import BatchContribution, Outlet, Sale, TraceEvent

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def local(year: int, month: int, day: int, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, tzinfo=SHANGHAI)


class OutletFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Outlet

    name = factory.Sequence(lambda n: f"消费扶贫网点{n}")
    kind = OutletKind.SMART_CABINET
    region = factory.SubFactory(RegionFactory)
    operator_name = "邵阳市供销社"


class SaleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sale

    batch = factory.SubFactory(BatchFactory)
    seller = factory.SelfAttribute("batch.producer")
    buyer = "洞口县机关食堂"
    channel = SaleChannel.GOVERNMENT
    quantity = Decimal("10")
    unit = factory.SelfAttribute("batch.unit")
    amount = Decimal("100.00")
    sold_at = factory.LazyFunction(lambda: local(2026, 9, 1))


class TraceEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TraceEvent

    batch = factory.SubFactory(BatchFactory)
    kind = TraceEventKind.HARVEST
    occurred_at = factory.LazyFunction(lambda: local(2026, 8, 20))
    place = "古楼村茶园"
    actor = "古楼茶业专业合作社"


class ContributionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BatchContribution

    batch = factory.SubFactory(BatchFactory)
    household = factory.SubFactory(HouseholdFactory)
    quantity = Decimal("20")
    amount_paid = Decimal("640.00")


class SalesEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SalesEvent

    name = factory.Sequence(lambda n: f"消费扶贫产销对接会{n}")
    region = factory.SubFactory(RegionFactory)
    held_on = datetime.date(2026, 9, 15)
