import datetime

import pytest

from tests.reports.factories import SalesEventFactory

pytestmark = pytest.mark.django_db


def test_sales_event_str(world):
    event = SalesEventFactory(
        name="雪峰蜜橘产销对接会",
        region=world.dongkou,
        held_on=datetime.date(2026, 9, 15),
    )
    assert str(event) == "2026-09-15 雪峰蜜橘产销对接会"
