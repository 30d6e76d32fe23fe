"""Two counties of 邵阳市 and an office at each level: the world of issue 35's tests."""

from decimal import Decimal

from tests.factories import (
    BenefitLinkFactory,
    HouseholdFactory,
    ProducerFactory,
    RegionFactory,
    make_administrator,
    make_id_number,
    make_user,
)
from trace.choices import RegionLevel, Role


class World:
    """湖南省 邵阳市: 洞口县 (古楼乡 古楼村) and 邵东市 (廉桥镇 廉桥村); one office a level."""

    def __init__(self):
        province = RegionFactory(name="湖南省", level=RegionLevel.PROVINCE)
        city = RegionFactory(name="邵阳市", level=RegionLevel.CITY, parent=province)
        self.county = RegionFactory(
            name="洞口县", level=RegionLevel.COUNTY, parent=city, code="430525"
        )
        town = RegionFactory(name="古楼乡", level=RegionLevel.TOWN, parent=self.county)
        self.village = RegionFactory(
            name="古楼村", level=RegionLevel.VILLAGE, parent=town
        )
        self.other_county = RegionFactory(
            name="邵东市", level=RegionLevel.COUNTY, parent=city
        )
        self.other_village = RegionFactory(
            name="廉桥村",
            level=RegionLevel.VILLAGE,
            parent=RegionFactory(
                name="廉桥镇", level=RegionLevel.TOWN, parent=self.other_county
            ),
        )
        self.producer = ProducerFactory(name="古楼茶业合作社", region=self.village)
        self.other_producer = ProducerFactory(
            name="廉桥药材公司", region=self.other_village
        )
        self.id_number = make_id_number("430525")
        self.household = HouseholdFactory(
            village=self.village, head_name="王小明", id_number=self.id_number
        )
        self.other_household = HouseholdFactory(
            village=self.other_village, head_name="李春花"
        )
        self.link = BenefitLinkFactory(
            producer=self.producer,
            household=self.household,
            annual_income=Decimal("8000"),
        )
        self.users = {
            "county": make_user("reg_county", Role.OFFICE, regions=[self.county]),
            "other_county": make_user(
                "reg_other", Role.OFFICE, regions=[self.other_county]
            ),
            "city": make_user("reg_city", Role.OFFICE, regions=[city]),
            "province": make_user("reg_province", Role.OFFICE, regions=[province]),
            "admin": make_administrator("reg_admin"),
            "informant": make_user("reg_informant", Role.INFORMANT, regions=[town]),
        }
