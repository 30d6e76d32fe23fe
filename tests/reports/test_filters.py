import datetime

import pytest

from reports.filters import ReportFilterForm

pytestmark = pytest.mark.django_db


def test_valid_filters(world):
    form = ReportFilterForm(
        {"region": world.dongkou.pk, "from": "2026-01-01", "to": "2026-03-31"}
    )
    assert form.is_valid(), form.errors
    filters = form.filters()
    assert filters.region == world.dongkou
    assert (filters.date_from, filters.date_to) == (
        datetime.date(2026, 1, 1),
        datetime.date(2026, 3, 31),
    )


def test_reversed_period_is_an_error_on_to(world):
    form = ReportFilterForm({"from": "2026-03-31", "to": "2026-01-01"})
    assert not form.is_valid()
    assert list(form.errors) == ["to"]
