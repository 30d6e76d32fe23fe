"""云阳 附件1 待销目录 from the 扶贫产品目录: price and 供货方式 filled, every cell."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from reports.forms import PRODUCTS_FOR_SALE
from reports.selectors.common import ReportFilters
from reports.tables import report_build
from tests.catalogue import end_notice
from tests.factories import (
    BenefitLinkFactory,
    CertificationFactory,
    HouseholdFactory,
    ProducerFactory,
    RegionFactory,
    make_administrator,
    make_operator,
    make_user,
)
from tests.reports.test_api import read_csv, split
from trace.choices import ProducerKind, RegionLevel, Role
from trace.services.catalogue import (
    catalogue_availability_set,
    catalogue_entry_apply,
    catalogue_entry_check,
    catalogue_entry_create,
    catalogue_entry_decide,
    catalogue_entry_withdraw,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def yunyang():
    """The example row's village: 云阳县xx乡镇xx村, its collective and 王某某."""
    chongqing = RegionFactory(name="重庆市", level=RegionLevel.PROVINCE, code="500000")
    county = RegionFactory(
        name="云阳县", level=RegionLevel.COUNTY, parent=chongqing, code="500235"
    )
    town = RegionFactory(name="xx乡镇", level=RegionLevel.TOWN, parent=county)
    village = RegionFactory(name="xx村", level=RegionLevel.VILLAGE, parent=town)
    household = HouseholdFactory(village=village, head_name="王某某")
    # Seed 004 line 28: the village collective gathers the households'
    # produce and its head is the 供货联系人.
    collective = ProducerFactory(
        name="云阳县xx村股份经济合作联合社",
        kind=ProducerKind.COOPERATIVE,
        region=village,
        contact_person="李xx",
        contact_phone="17723635558",
    )
    BenefitLinkFactory(producer=collective, household=household)
    CertificationFactory(producer=collective)
    admin = make_administrator("yunyang_admin")
    entry = catalogue_entry_create(
        producer=collective,
        created_by=admin,
        households=[household],
        name="土豆",
        unit="斤",
        price=Decimal("3"),
        delivery_method="doorstep",
        planned_quantity=Decimal("30"),
    )
    catalogue_entry_apply(entry=entry, applied_by=admin)
    catalogue_entry_check(entry=entry, checked_by=admin, passed=True)
    entry = catalogue_entry_decide(entry=entry, decided_by=admin, approved=True)
    return {
        "county": county,
        "village": village,
        "collective": collective,
        "entry": entry,
        "admin": admin,
    }


def test_example_row_comes_out_with_every_cell(yunyang, seed_forms, client_for):
    example = list(seed_forms["products_for_sale"]["example_row"])
    # Every form masks a household's name by one rule (reports/tables.py):
    # the example's household 王某某 prints as 王*某.
    example[2] = "王*某"
    filters = ReportFilters(region=yunyang["county"])
    # In 公示 it is not in the 目录 yet.
    assert (
        report_build(
            key="products_for_sale", user=yunyang["admin"], filters=filters
        ).rows
        == []
    )
    end_notice(yunyang["entry"])
    rows = report_build(
        key="products_for_sale", user=yunyang["admin"], filters=filters
    ).rows
    assert [[str(cell) for cell in row] for row in rows] == [example]
    response = client_for(yunyang["admin"]).get(
        "/api/v1/reports/products_for_sale/",
        {"format": "csv", "region": yunyang["county"].pk},
    )
    columns, data = split(read_csv(response), PRODUCTS_FOR_SALE)
    assert columns == seed_forms["products_for_sale"]["columns"]
    assert data == [example]


def test_household_names_are_masked_below_the_administrators(yunyang):
    end_notice(yunyang["entry"])
    office = make_user("yunyang_office", Role.OFFICE, regions=[yunyang["county"]])
    operator = make_operator("yunyang_operator", yunyang["collective"])
    for user in (office, operator):
        [row] = report_build(
            key="products_for_sale", user=user, filters=ReportFilters()
        ).rows
        assert row[2] == "王*某"
        assert row[3:7] == ["土豆", "30斤", "3元/斤", "送货上门"]


def test_listed_product_stays_on_the_form_with_the_months_quantity(yunyang):
    entry = yunyang["entry"]
    end_notice(entry)
    month = timezone.localdate().replace(day=1)
    catalogue_availability_set(
        entry=entry,
        month=month,
        available=True,
        quantity=Decimal("120"),
        recorded_by=yunyang["admin"],
    )
    [row] = report_build(
        key="products_for_sale", user=yunyang["admin"], filters=ReportFilters()
    ).rows
    assert row[4] == "120斤"  # no batch at all, and still listed
    last_month = month - datetime.timedelta(days=1)
    catalogue_availability_set(
        entry=entry,
        month=last_month,
        available=False,
        quantity=Decimal("0"),
        recorded_by=yunyang["admin"],
    )
    [row] = report_build(
        key="products_for_sale",
        user=yunyang["admin"],
        filters=ReportFilters(date_from=last_month.replace(day=1)),
    ).rows
    assert row[4] == "0斤"
    assert row[9] == f"{last_month.year}年{last_month.month}月暂无供货"
    catalogue_entry_withdraw(
        entry=entry, withdrawn_by=yunyang["admin"], reason="停止供货"
    )
    assert (
        report_build(
            key="products_for_sale", user=yunyang["admin"], filters=ReportFilters()
        ).rows
        == []
    )
