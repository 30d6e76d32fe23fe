"""A county's reporting cycle: two townships, three villages, the 四员, offices.

Import the `cycle` fixture into a test module to use it.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest

from reports.choices import PeriodFrequency
from reports.submissions import report_period_create
from tests.factories import (
    BatchFactory,
    BenefitLinkFactory,
    CertificationFactory,
    HouseholdFactory,
    ProducerFactory,
    ProductLineFactory,
    RegionFactory,
    make_administrator,
    make_operator,
    make_user,
)
from tests.reports.factories import (
    ContributionFactory,
    OutletFactory,
    SaleFactory,
    local,
)
from trace.choices import OutletKind, RegionLevel, Role
from trace.models import UserRole


@dataclass
class Cycle:
    """Regions, producers, batches and one user per role of the cycle."""

    province: object
    city: object
    county: object
    town_1: object
    town_2: object
    village_1: object
    village_1b: object
    village_2: object
    batches: dict
    households: dict
    outlet: object
    users: dict
    quarterly: object  # township_sales, 2026 Q3, from the townships
    campaign: object  # campaign_statistics, September 2026, from the townships
    monthly: object  # sales_evidence, September 2026, from the villages


def person(username: str, role: str, regions, *, name: str, phone: str, **extra):
    user = make_user(username, role, regions=regions)
    UserRole.objects.filter(user=user).update(real_name=name, phone=phone, **extra)
    return user


@pytest.fixture
def cycle(db) -> Cycle:
    province = RegionFactory(name="湖南省", level=RegionLevel.PROVINCE, code="430000")
    city = RegionFactory(
        name="邵阳市", level=RegionLevel.CITY, parent=province, code="430500"
    )
    county = RegionFactory(
        name="洞口县", level=RegionLevel.COUNTY, parent=city, code="430525"
    )
    town_1 = RegionFactory(name="古楼乡", level=RegionLevel.TOWN, parent=county)
    town_2 = RegionFactory(name="醪田镇", level=RegionLevel.TOWN, parent=county)
    village_1 = RegionFactory(name="古楼村", level=RegionLevel.VILLAGE, parent=town_1)
    village_1b = RegionFactory(name="茶铺村", level=RegionLevel.VILLAGE, parent=town_1)
    village_2 = RegionFactory(name="醪田村", level=RegionLevel.VILLAGE, parent=town_2)
    batches, households = {}, {}
    # Amounts in whole hundreds of yuan: the 统计表 prints 万元 with two
    # decimals, so each township's rounded figure adds up exactly.
    for key, village, amount in (
        ("v1", village_1, "1200.00"),
        ("v1b", village_1b, "3400.00"),
        ("v2", village_2, "500.00"),
    ):
        producer = ProducerFactory(name=f"{village.name}茶叶专业合作社", region=village)
        CertificationFactory(producer=producer)
        household = HouseholdFactory(
            village=village, head_name=f"{village.name[0]}小明"
        )
        BenefitLinkFactory(producer=producer, household=household)
        batch = BatchFactory(
            producer=producer,
            product_line=ProductLineFactory(name=f"{village.name}云雾茶", unit="盒"),
            origin=village,
            harvest_date=datetime.date(2026, 8, 20),
        )
        ContributionFactory(
            batch=batch, household=household, amount_paid=Decimal("300.00")
        )
        SaleFactory(batch=batch, amount=Decimal(amount), sold_at=local(2026, 9, 10))
        batches[key], households[key] = batch, household
    outlet = OutletFactory(
        name="古楼村供销社收购点", kind=OutletKind.PURCHASE_POINT, region=village_1
    )
    users = {
        "admin": make_administrator("cycle_admin"),
        "operator_v1": make_operator("operator_v1", batches["v1"].producer),
        "operator_v2": make_operator("operator_v2", batches["v2"].producer),
        "informant_v1": person(
            "informant_v1",
            Role.INFORMANT,
            [village_1],
            name="王信息",
            phone="13800000001",
        ),
        "informant_v2": person(
            "informant_v2",
            Role.INFORMANT,
            [village_2],
            name="赵信息",
            phone="13800000002",
        ),
        "supervisor_t1": person(
            "supervisor_t1",
            Role.SUPERVISOR,
            [town_1],
            name="刘监督",
            phone="13800000003",
        ),
        "supervisor_t2": person(
            "supervisor_t2",
            Role.SUPERVISOR,
            [town_2],
            name="陈监督",
            phone="13800000004",
        ),
        "technician_t1": person(
            "technician_t1",
            Role.TECHNICIAN,
            [town_1],
            name="周技术",
            phone="13800000005",
        ),
        "purchase_point_v1": person(
            "purchase_point_v1",
            Role.PURCHASE_POINT,
            [village_1],
            name="吴收购",
            phone="13800000006",
            outlet=outlet,
        ),
        "office_county": person(
            "office_county", Role.OFFICE, [county], name="孙主任", phone="0739-7221234"
        ),
        "office_city": person(
            "office_city", Role.OFFICE, [city], name="钱主任", phone="0739-5321234"
        ),
    }
    quarterly = report_period_create(
        form_key="township_sales",
        region=county,
        submitter_level=RegionLevel.TOWN,
        frequency=PeriodFrequency.QUARTERLY,
        name="2026年第3季度",
        starts_on=datetime.date(2026, 7, 1),
        ends_on=datetime.date(2026, 9, 30),
        due_on=datetime.date(2026, 9, 30),
        recipient="县商务委",
        created_by=users["admin"],
    )
    campaign = report_period_create(
        form_key="campaign_statistics",
        region=county,
        submitter_level=RegionLevel.TOWN,
        frequency=PeriodFrequency.CAMPAIGN,
        name="2026年消费扶贫月",
        starts_on=datetime.date(2026, 9, 1),
        ends_on=datetime.date(2026, 9, 30),
        due_on=datetime.date(2026, 10, 5),
        created_by=users["admin"],
    )
    monthly = report_period_create(
        form_key="sales_evidence",
        region=county,
        submitter_level=RegionLevel.VILLAGE,
        frequency=PeriodFrequency.MONTHLY,
        name="2026年9月",
        starts_on=datetime.date(2026, 9, 1),
        ends_on=datetime.date(2026, 9, 30),
        due_on=datetime.date(2026, 9, 29),
        created_by=users["admin"],
    )
    return Cycle(
        province=province,
        city=city,
        county=county,
        town_1=town_1,
        town_2=town_2,
        village_1=village_1,
        village_1b=village_1b,
        village_2=village_2,
        batches=batches,
        households=households,
        outlet=outlet,
        users=users,
        quarterly=quarterly,
        campaign=campaign,
        monthly=monthly,
    )
