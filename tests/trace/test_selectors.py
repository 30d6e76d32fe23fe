"""认定 policies as the seeds write them, and what a producer may make where."""

import datetime
from decimal import Decimal

import pytest

from tests.factories import (
    BenefitLinkFactory,
    BrandFactory,
    BrandLicenseFactory,
    HouseholdFactory,
    ProducerFactory,
    ProductLineFactory,
    RegionFactory,
    make_administrator,
)
from trace.choices import BenefitKind, ProducerKind, RegionLevel
from trace.demo.certification import POLICIES
from trace.selectors.batches import origin_refusal, product_line_refusal
from trace.selectors.certification import certification_policy_for, producer_eligibility
from trace.services.certification import certification_policy_set

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


@pytest.fixture
def shaodong():
    """邵东市 with a township and a village, under its seeded policy."""
    province = RegionFactory(name="湖南省", level=RegionLevel.PROVINCE)
    city = RegionFactory(name="邵阳市", level=RegionLevel.CITY, parent=province)
    county = RegionFactory(name="邵东市", level=RegionLevel.COUNTY, parent=city)
    town = RegionFactory(name="斫曹乡", level=RegionLevel.TOWN, parent=county)
    village = RegionFactory(name="梧桐村", level=RegionLevel.VILLAGE, parent=town)
    kinds, links, income, households, document, clause, note = POLICIES["邵东市"]
    certification_policy_set(
        region=county,
        changed_by=make_administrator(f"policy_admin_{county.pk}"),
        eligible_producer_kinds=[str(kind) for kind in kinds],
        qualifying_benefit_kinds=[str(kind) for kind in links],
        min_annual_income=Decimal(income),
        min_households=households,
        source_document=document,
        source_clause=clause,
        note=note,
    )
    return village


def shaodong_producer(village, kind=ProducerKind.ENTERPRISE):
    return ProducerFactory(region=village, kind=kind)


def link(producer, kind, income, **fields):
    return BenefitLinkFactory(
        producer=producer,
        household=fields.pop("household", None)
        or HouseholdFactory(village=producer.region),
        kind=kind,
        annual_income=Decimal(income),
        **fields,
    )


class TestShaodongPolicy:
    """seeds/001_baf9327039a84779.txt, lines 115-118: "凡是带动 1 名以上贫困户务
    工、且年收入不低于 6000 元的企业（专业合作社）生产的产品可纳入邵东市扶贫产品目录"."""

    def test_employment_of_5999_99_does_not_qualify(self, shaodong):
        producer = shaodong_producer(shaodong)
        link(producer, BenefitKind.EMPLOYMENT, "5999.99")
        eligibility = producer_eligibility(producer=producer)
        assert not eligibility.qualifies
        assert eligibility.qualifying_households == 0

    def test_employment_of_6000_qualifies(self, shaodong):
        # "不低于 6000 元": 6,000 itself is not below it.
        producer = shaodong_producer(shaodong)
        link(producer, BenefitKind.EMPLOYMENT, "6000.00")
        eligibility = producer_eligibility(producer=producer)
        assert eligibility.qualifies
        assert eligibility.qualifying_households == 1

    def test_6000_of_lease_and_dividend_does_not_qualify(self, shaodong):
        # "带动…务工": only employment counts, and kinds are never summed.
        producer = shaodong_producer(shaodong)
        household = HouseholdFactory(village=shaodong)
        link(producer, BenefitKind.LAND_LEASE, "3000", household=household)
        link(producer, BenefitKind.DIVIDEND, "3000", household=household)
        eligibility = producer_eligibility(producer=producer)
        assert not eligibility.qualifies
        assert "务工就业" in "".join(eligibility.reasons)

    def test_6000_of_land_lease_alone_does_not_qualify(self, shaodong):
        producer = shaodong_producer(shaodong)
        link(producer, BenefitKind.LAND_LEASE, "6000")
        assert not producer_eligibility(producer=producer).qualifies

    def test_a_family_farm_does_not_qualify(self, shaodong):
        # "的企业（专业合作社）": a family farm is neither.
        producer = shaodong_producer(shaodong, kind=ProducerKind.FAMILY_FARM)
        link(producer, BenefitKind.EMPLOYMENT, "9000")
        eligibility = producer_eligibility(producer=producer)
        assert not eligibility.qualifies
        assert "家庭农场" in "".join(eligibility.reasons)

    def test_a_cooperative_qualifies(self, shaodong):
        producer = shaodong_producer(shaodong, kind=ProducerKind.COOPERATIVE)
        link(producer, BenefitKind.EMPLOYMENT, "6000")
        assert producer_eligibility(producer=producer).qualifies

    def test_the_village_producer_inherits_the_county_policy(self, shaodong):
        policy = certification_policy_for(region=shaodong)
        assert policy.pk is not None
        assert policy.region.name == "邵东市"
        assert policy.source_clause.startswith("凡是带动 1 名以上贫困户务工")

    def test_a_village_policy_overrides_the_county(self, shaodong):
        certification_policy_set(
            region=shaodong,
            changed_by=make_administrator("policy_admin"),
            eligible_producer_kinds=[ProducerKind.FAMILY_FARM],
            qualifying_benefit_kinds=[BenefitKind.EMPLOYMENT],
            min_annual_income=Decimal("6000"),
            source_document="村规（测试）",
        )
        producer = shaodong_producer(shaodong, kind=ProducerKind.FAMILY_FARM)
        link(producer, BenefitKind.EMPLOYMENT, "6000")
        assert producer_eligibility(producer=producer).qualifies

    def test_an_ended_link_no_longer_counts(self, shaodong):
        producer = shaodong_producer(shaodong)
        link(
            producer,
            BenefitKind.EMPLOYMENT,
            "8000",
            since=TODAY - datetime.timedelta(days=400),
            ended_on=TODAY,
        )
        assert not producer_eligibility(producer=producer).qualifies
        assert producer_eligibility(
            producer=producer, on=TODAY - datetime.timedelta(days=1)
        ).qualifies

    def test_a_link_not_yet_started_does_not_count(self, shaodong):
        producer = shaodong_producer(shaodong)
        link(
            producer,
            BenefitKind.EMPLOYMENT,
            "8000",
            since=TODAY + datetime.timedelta(days=1),
        )
        assert not producer_eligibility(producer=producer).qualifies


def test_without_any_policy_the_system_default_applies(settings):
    settings.SUYUAN_MIN_HOUSEHOLD_INCOME = 6000
    producer = ProducerFactory(kind=ProducerKind.HOUSEHOLD)
    link(producer, BenefitKind.DIVIDEND, "6000")
    eligibility = producer_eligibility(producer=producer)
    assert eligibility.qualifies
    assert eligibility.policy.pk is None
    assert "系统默认" in eligibility.policy.source_document


@pytest.mark.parametrize("region", ["湖南省", "洞口县", "大通湖区", "云阳县"])
def test_demo_policies_without_a_number_say_so_and_invent_none(region, settings):
    kinds, links, income, households, document, clause, note = POLICIES[region]
    assert income is None
    assert "不设数额" in note and "6000" not in note
    assert document and clause


class TestProductLineEntitlement:
    def test_an_unowned_unbranded_line_is_open_to_anyone(self):
        line = ProductLineFactory()
        assert not product_line_refusal(producer=ProducerFactory(), product_line=line)

    def test_an_owned_line_is_its_owners_alone(self):
        owner = ProducerFactory()
        line = ProductLineFactory(producer=owner)
        assert not product_line_refusal(producer=owner, product_line=line)
        assert "其他主体" in product_line_refusal(
            producer=ProducerFactory(), product_line=line
        )

    def test_a_branded_line_needs_a_license_for_that_line(self):
        brand = BrandFactory()
        line = ProductLineFactory(brand=brand)
        licensed = BrandLicenseFactory(brand=brand, product_lines=[line]).producer
        assert not product_line_refusal(producer=licensed, product_line=line)
        assert "品牌授权" in product_line_refusal(
            producer=ProducerFactory(), product_line=line
        )


class TestGeographicalIndicationOrigin:
    @pytest.fixture
    def lake(self):
        province = RegionFactory(name="湖南省", level=RegionLevel.PROVINCE)
        district = RegionFactory(
            name="大通湖区", level=RegionLevel.COUNTY, parent=province
        )
        village = RegionFactory(
            name="新华村", level=RegionLevel.VILLAGE, parent=district
        )
        elsewhere = RegionFactory(
            name="洞口县", level=RegionLevel.COUNTY, parent=province
        )
        line = ProductLineFactory(name="大通湖大闸蟹", geographical_indication=True)
        line.protected_regions.set([district])
        return line, village, elsewhere

    def test_origin_inside_the_protected_region_is_accepted(self, lake):
        line, village, _elsewhere = lake
        assert not origin_refusal(product_line=line, origin=village)

    def test_origin_outside_the_protected_region_is_refused(self, lake):
        line, _village, elsewhere = lake
        refusal = origin_refusal(product_line=line, origin=elsewhere)
        assert "大通湖区" in refusal

    def test_a_gi_line_without_protected_regions_takes_no_batch(self):
        line = ProductLineFactory(geographical_indication=True)
        assert "保护地域" in origin_refusal(product_line=line, origin=RegionFactory())

    def test_an_ordinary_line_may_come_from_anywhere(self):
        assert not origin_refusal(
            product_line=ProductLineFactory(), origin=RegionFactory()
        )
