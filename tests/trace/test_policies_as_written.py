"""County 认定 policies as their documents are written, with no invented amount.

云阳 (seeds/004, line 24): "各村对贫困户可销售的农特产品进行清理摸底"; its 附件1
(lines 81-84) lists "王某某 土豆 30斤 3元/斤": a household is the producer of
its own listed product, and 云阳's document names no yearly amount.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache

from tests.catalogue import end_notice
from tests.factories import (
    HouseholdFactory,
    RegionFactory,
    make_administrator,
    make_user,
)
from trace.choices import (
    CatalogueContactKind,
    CatalogueStatus,
    DeliveryMethod,
    ProducerKind,
    RegionLevel,
    Role,
    Season,
)
from trace.demo.certification import POLICIES
from trace.models import CatalogueEntry, CertificationPolicy
from trace.selectors.certification import producer_eligibility
from trace.services.catalogue import (
    catalogue_entry_apply,
    catalogue_entry_check,
    catalogue_entry_create,
    catalogue_entry_decide,
    catalogue_notices_close,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def yunyang(db):
    cache.clear()
    chongqing = RegionFactory(name="重庆市", level=RegionLevel.PROVINCE, code="500000")
    county = RegionFactory(
        name="云阳县", level=RegionLevel.COUNTY, parent=chongqing, code="500235"
    )
    town = RegionFactory(name="龙角镇", level=RegionLevel.TOWN, parent=county)
    village = RegionFactory(name="青山村", level=RegionLevel.VILLAGE, parent=town)
    return {
        "county": county,
        "town": town,
        "village": village,
        "admin": make_administrator("admin_yy"),
        "wang": HouseholdFactory(village=village, head_name="王某某", members=4),
    }


def yunyang_policy_payload(county) -> dict:
    policy = POLICIES["云阳县"]
    return {
        "region": county.pk,
        "eligible_producer_kinds": [str(kind) for kind in policy.producer_kinds],
        "qualifying_benefit_kinds": [str(kind) for kind in policy.benefit_kinds],
        "min_annual_income": None,
        "min_households": 1,
        "source_document": policy.source_document,
        "source_clause": policy.source_clause,
        "note": policy.note,
    }


def test_demo_policies_of_dongkou_datonghu_yunyang_name_no_amount():
    for county in ("洞口县", "大通湖区", "云阳县"):
        policy = POLICIES[county]
        assert policy.min_annual_income is None, county
        assert "6000" not in policy.note and "湖南省内" not in policy.note, county
    assert POLICIES["邵东市"].min_annual_income == "6000"  # its text names it
    datonghu = POLICIES["大通湖区"]
    assert "第 27、49、68 行" in datonghu.source_document
    seed = "/work/shared/seeds/003_eac4151f958b09b3.txt"
    try:
        lines = open(seed, encoding="utf-8").read().splitlines()
    except FileNotFoundError:
        pytest.skip("the seed documents are not on this machine")
    for fragment, line in (
        ("贫困村、贫困户自产的农特产品", 27),
        ("区扶贫办会同相关行业单位进行审定，确定消费扶贫产品目录", 49),
        ("获取劳务报酬和经营性收入", 68),
        ("获取财产性收入", 68),
    ):
        assert fragment in datonghu.source_clause
        assert fragment in lines[line - 1], (fragment, line)


def test_wang_mouxmou_potatoes_certified_and_listed_under_yunyang_policy(
    yunyang, client_for
):
    admin, village, wang = yunyang["admin"], yunyang["village"], yunyang["wang"]
    api = client_for(admin)
    response = api.post(
        "/api/v1/certification-policies/",
        yunyang_policy_payload(yunyang["county"]),
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["min_annual_income"] is None
    assert CertificationPolicy.objects.get().min_annual_income is None

    response = api.post(
        "/api/v1/producers/",
        {
            "name": "王某某（自产自销）",
            "kind": ProducerKind.HOUSEHOLD,
            "region": village.pk,
            "household": wang.pk,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    producer_id = response.json()["id"]
    today = datetime.date.today()
    response = api.post(
        "/api/v1/certifications/",
        {
            "producer": producer_id,
            "number": "CQ-YY-FPCP-2026-0009",
            "issuer": "云阳县扶贫开发办公室",
            "valid_from": str(today - datetime.timedelta(days=10)),
            "valid_until": str(today + datetime.timedelta(days=300)),
        },
        format="json",
    )
    assert response.status_code == 201, response.json()

    informant = make_user("informant_qs", Role.INFORMANT, regions=[village])
    supervisor = make_user("supervisor_lj", Role.SUPERVISOR, regions=[yunyang["town"]])
    office = make_user("office_yy", Role.OFFICE, regions=[yunyang["county"]])
    from trace.models import Producer

    producer = Producer.objects.get(pk=producer_id)
    entry = catalogue_entry_create(
        producer=producer,
        created_by=informant,
        households=[wang],
        name="土豆",
        category="蔬菜",
        specification="散装",
        unit="斤",
        price=Decimal("3"),
        delivery_method=DeliveryMethod.DOORSTEP,
        season=Season.AUTUMN,
        planned_quantity=Decimal("30"),
        contact_kind=CatalogueContactKind.INFORMANT,
        informant=informant,
    )
    catalogue_entry_apply(entry=entry, applied_by=informant)
    catalogue_entry_check(entry=entry, checked_by=supervisor, passed=True)
    catalogue_entry_decide(entry=entry, decided_by=office, approved=True)
    end_notice(entry)
    catalogue_notices_close()
    entry.refresh_from_db()
    assert entry.status == CatalogueStatus.LISTED
    listed = client_for(None).get("/api/v1/catalogue/").json()["results"]
    assert [item["id"] for item in listed] == [entry.pk]
    assert "王某某" not in str(listed)  # the household's name stays private
    assert CatalogueEntry.objects.get(pk=entry.pk).households.get() == wang


def test_household_producer_without_its_household_does_not_qualify(yunyang, client_for):
    api = client_for(yunyang["admin"])
    api.post(
        "/api/v1/certification-policies/",
        yunyang_policy_payload(yunyang["county"]),
        format="json",
    )
    response = api.post(
        "/api/v1/producers/",
        {
            "name": "某农户",
            "kind": ProducerKind.HOUSEHOLD,
            "region": yunyang["village"].pk,
        },
        format="json",
    )
    from trace.models import Producer

    eligibility = producer_eligibility(
        producer=Producer.objects.get(pk=response.json()["id"])
    )
    assert not eligibility.qualifies
    assert "有收益的贫困户有 0 户" in "".join(eligibility.reasons)


def test_only_a_household_producer_names_its_household(yunyang, client_for):
    response = client_for(yunyang["admin"]).post(
        "/api/v1/producers/",
        {
            "name": "青山村合作社",
            "kind": ProducerKind.COOPERATIVE,
            "region": yunyang["village"].pk,
            "household": yunyang["wang"].pk,
        },
        format="json",
    )
    assert response.status_code == 400
    assert "农户" in str(response.json()["household"])
    assert "王某某" not in response.content.decode()


def test_a_county_may_set_its_own_amount(yunyang, client_for):
    api = client_for(yunyang["admin"])
    payload = yunyang_policy_payload(yunyang["county"])
    payload.update(min_annual_income="3000", note="县扶贫办另定：见云阳县某文件")
    assert (
        api.post("/api/v1/certification-policies/", payload, format="json").status_code
        == 201
    )
    assert CertificationPolicy.objects.get().min_annual_income == Decimal("3000")
