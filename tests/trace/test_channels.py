"""Each county's channels in its own words, inherited down the tree."""

import pytest

from tests.factories import (
    BatchFactory,
    CertificationFactory,
    ProducerFactory,
    RegionFactory,
)
from tests.reports.factories import OutletFactory
from trace.channels import DEFAULT_CHANNELS, YUNYANG_LIUXIAO
from trace.choices import OutletKind, RegionLevel
from trace.models import Sale
from trace.selectors.channels import region_channels
from trace.services.channels import region_channels_adopt

pytestmark = pytest.mark.django_db


def sale_body(batch, channel, **overrides):
    return {
        "batch": batch.pk,
        "buyer": "县汽车站",
        "channel": channel,
        "quantity": "1",
        "unit": batch.unit,
        "amount": "30.00",
        "sold_at": "2026-10-05T10:30:00+08:00",
    } | overrides


@pytest.fixture
def yunyang(world):
    chongqing = RegionFactory(name="重庆市", level=RegionLevel.PROVINCE)
    county = RegionFactory(name="云阳县", level=RegionLevel.COUNTY, parent=chongqing)
    town = RegionFactory(name="凤鸣镇", level=RegionLevel.TOWN, parent=county)
    village = RegionFactory(name="黎明村", level=RegionLevel.VILLAGE, parent=town)
    producer = ProducerFactory(name="黎明村集体经济组织", region=village)
    CertificationFactory(producer=producer)
    region_channels_adopt(
        region=county, list_key="yunyang_liuxiao", changed_by=world.admin
    )
    return BatchFactory(producer=producer, origin=village)


@pytest.fixture
def dongkou_shijin(world):
    region_channels_adopt(
        region=world.dongkou, list_key="dongkou_shijin", changed_by=world.admin
    )


def names(region):
    return [spec.name for spec in region_channels(region=region)]


def test_a_village_inherits_its_county_list_and_others_the_default(
    world, yunyang, dongkou_shijin
):
    assert "进车站" in names(world.gulou_village)
    assert "进校园" in names(world.gulou_village)  # 洞口's word, not 进学校
    assert "进家庭" in names(yunyang.origin)
    assert "电子商务营销" in names(yunyang.origin)
    # 邵东 keeps no list here: the default, without either county's words.
    assert names(world.shaodong_village) == [spec.name for spec in DEFAULT_CHANNELS]
    assert "进车站" not in names(world.shaodong_village)


def test_dongkou_station_and_yunyang_family_are_channels_of_those_counties_only(
    world, client_for, yunyang, dongkou_shijin
):
    admin = client_for(world.admin)
    dongkou_batch, yunyang_batch = world.batch_a, yunyang

    station = admin.post("/api/v1/sales/", sale_body(dongkou_batch, "station"))
    assert station.status_code == 201, station.json()
    assert station.json()["channel_name"] == "进车站"
    family = admin.post("/api/v1/sales/", sale_body(yunyang_batch, "household"))
    assert family.status_code == 201, family.json()
    assert family.json()["channel_name"] == "进家庭"

    for batch, channel in (
        (yunyang_batch, "station"),
        (dongkou_batch, "household"),
        (world.batch_b, "station"),
        (world.batch_b, "household"),
    ):
        refused = admin.post("/api/v1/sales/", sale_body(batch, channel))
        assert refused.status_code == 400
        assert refused.json()["channel"] == [f"“{channel}”不是本县的销售渠道。"]
    assert Sale.objects.count() == 2


def test_a_school_sale_through_a_pavilion_needs_a_reason(world, client_for):
    pavilion = OutletFactory(kind=OutletKind.PAVILION, region=world.dongkou)
    cabinet = OutletFactory(kind=OutletKind.SMART_CABINET, region=world.dongkou)
    admin = client_for(world.admin)
    body = sale_body(world.batch_a, "school", outlet=pavilion.pk)

    refused = admin.post("/api/v1/sales/", body)
    assert refused.status_code == 400
    assert refused.json()["channel_reason"] == [
        "渠道“进学校”一般不经由专馆销售，请说明原因。"
    ]
    assert not Sale.objects.exists()

    explained = admin.post(
        "/api/v1/sales/", body | {"channel_reason": "学校食堂在专馆集中采购"}
    )
    assert explained.status_code == 201
    through_cabinet = admin.post(
        "/api/v1/sales/", sale_body(world.batch_a, "school", outlet=cabinet.pk)
    )
    assert through_cabinet.status_code == 201
    assert Sale.objects.count() == 2


def test_the_yunyang_list_quotes_its_liuxiao(world, yunyang):
    ways = {spec.way for spec in YUNYANG_LIUXIAO if spec.way}
    assert ways == {
        "“五进”对接直销",
        "对口帮扶助销",
        "爱心企业订销",
        "节会推介展销",
        "电子商务营销",
        "旅游服务带销",
    }


def test_only_the_office_sets_a_county_list(world):
    from trace.access import Refused

    with pytest.raises(Refused):
        region_channels_adopt(
            region=world.dongkou, list_key="dongkou_shijin", changed_by=world.operator_a
        )
    assert names(world.gulou_village) == [spec.name for spec in DEFAULT_CHANNELS]
