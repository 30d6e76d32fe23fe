"""Demo registers: regions, producers, brands, product lines, licenses, outlets."""

from trace.choices import BrandKind, OutletKind, ProducerKind, RegionLevel
from trace.demo.shapes import (
    DemoBrand,
    DemoLicense,
    DemoOutlet,
    DemoProducer,
    DemoProductLine,
    DemoRegion,
    make_gtin13,
    make_uscc,
)

# Parents first. Town and village codes are left empty: the 12-digit
# statistical codes are not in the seed documents.
REGIONS = [
    DemoRegion(path="湖南省", level=RegionLevel.PROVINCE, code="430000"),
    DemoRegion(path="湖南省/邵阳市", level=RegionLevel.CITY, code="430500"),
    DemoRegion(path="湖南省/邵阳市/洞口县", level=RegionLevel.COUNTY, code="430525"),
    DemoRegion(
        path="湖南省/邵阳市/洞口县/古楼乡",
        level=RegionLevel.TOWN,
        code="",
        supply_contact=("曾庆华", "13807390101"),  # 古楼村供销合作社
    ),
    DemoRegion(
        path="湖南省/邵阳市/洞口县/古楼乡/古楼村", level=RegionLevel.VILLAGE, code=""
    ),
    DemoRegion(
        path="湖南省/邵阳市/洞口县/古楼乡/茶铺村", level=RegionLevel.VILLAGE, code=""
    ),
    DemoRegion(path="湖南省/邵阳市/洞口县/醪田镇", level=RegionLevel.TOWN, code=""),
    DemoRegion(
        path="湖南省/邵阳市/洞口县/醪田镇/醪田村", level=RegionLevel.VILLAGE, code=""
    ),
    DemoRegion(path="湖南省/邵阳市/洞口县/竹市镇", level=RegionLevel.TOWN, code=""),
    DemoRegion(
        path="湖南省/邵阳市/洞口县/竹市镇/金塘村", level=RegionLevel.VILLAGE, code=""
    ),
    # 430521 until the county became a county-level city in 2019.
    DemoRegion(path="湖南省/邵阳市/邵东市", level=RegionLevel.COUNTY, code="430582"),
    DemoRegion(path="湖南省/邵阳市/邵东市/斫曹乡", level=RegionLevel.TOWN, code=""),
    DemoRegion(
        path="湖南省/邵阳市/邵东市/斫曹乡/梧桐村", level=RegionLevel.VILLAGE, code=""
    ),
    DemoRegion(path="湖南省/益阳市", level=RegionLevel.CITY, code="430900"),
    DemoRegion(path="湖南省/益阳市/大通湖区", level=RegionLevel.COUNTY, code="430971"),
    DemoRegion(path="湖南省/益阳市/大通湖区/北洲子镇", level=RegionLevel.TOWN, code=""),
    DemoRegion(
        path="湖南省/益阳市/大通湖区/北洲子镇/新华村",
        level=RegionLevel.VILLAGE,
        code="",
    ),
    # A municipality: its counties sit directly under it.
    DemoRegion(path="重庆市", level=RegionLevel.PROVINCE, code="500000"),
    DemoRegion(path="重庆市/云阳县", level=RegionLevel.COUNTY, code="500235"),
    DemoRegion(
        path="重庆市/云阳县/龙角镇",
        level=RegionLevel.TOWN,
        code="",
        # 青山村股份经济合作联合社's head (seed_catalogue_demo)
        supply_contact=("李德全", "13983400055"),
    ),
    DemoRegion(path="重庆市/云阳县/龙角镇/青山村", level=RegionLevel.VILLAGE, code=""),
]

PRODUCERS = {
    "orange": DemoProducer(
        name="洞口县雪峰蜜橘果业有限公司",
        kind=ProducerKind.ENTERPRISE,
        uscc=make_uscc("91", "430525", "MA4LDK011"),
        village="金塘村",
        address="洞口县竹市镇金塘村雪峰路 8 号",
        contact_person="邓志强",
        contact_phone="0739-7221001",
    ),
    "tea": DemoProducer(
        name="洞口县古楼云雾茶专业合作社",
        kind=ProducerKind.COOPERATIVE,
        uscc=make_uscc("93", "430525", "MA4LDK022"),
        village="古楼村",
        address="洞口县古楼乡古楼村茶园组",
        contact_person="杨永红",
        contact_phone="0739-7562002",
    ),
    "farm": DemoProducer(
        name="洞口县醪田五彩米家庭农场",
        kind=ProducerKind.FAMILY_FARM,
        uscc=make_uscc("92", "430525", "MA4LDK033"),
        village="醪田村",
        address="洞口县醪田镇醪田村三组",
        contact_person="谭国平",
        contact_phone="13807391003",
    ),
    "lake": DemoProducer(
        name="益阳市大通湖区北洲子水产专业合作社",
        kind=ProducerKind.COOPERATIVE,
        uscc=make_uscc("93", "430971", "MA4LDT044"),
        village="新华村",
        address="大通湖区北洲子镇新华村",
        contact_person="周立新",
        contact_phone="0737-5301004",
    ),
    # seeds/001, lines 135-141: the yellow peaches of 梧桐村.
    "peach": DemoProducer(
        name="邵东市梧桐村黄桃专业合作社",
        kind=ProducerKind.COOPERATIVE,
        uscc=make_uscc("93", "430582", "MA4LDH055"),
        village="梧桐村",
        address="邵东市斫曹乡梧桐村牛形山",
        contact_person="曾建军",
        contact_phone="0739-2701005",
    ),
}

BRANDS = {
    "xuefeng": DemoBrand(
        name="雪峰蜜橘",
        kind=BrandKind.FLAGSHIP,
        owner="洞口县农业农村局",
        description="洞口县主导产品品牌，“1+1+N”中的“1”：雪峰山下的地理标志蜜橘。",
    ),
    "dongxiang": DemoBrand(
        name="洞乡源味",
        kind=BrandKind.REGIONAL_PUBLIC,
        owner="洞口县消费扶贫公用品牌办公室",
        description="洞口县区域公用品牌：统一品牌、统一包装、统一标准、统一建立追溯机制。",
    ),
}

# An unbranded line belongs to one producer (owner); a GI line names its
# protected regions.
PRODUCT_LINES = {
    # seeds/000, lines 43-44: 国家地理标志保护产品“洞口雪峰蜜橘”.
    "orange": DemoProductLine(
        brand="xuefeng",
        name="雪峰蜜橘",
        category="水果",
        standard="GB/T 12947",
        geographical_indication=True,
        gtin=make_gtin13("690123450001"),
        unit="箱",
        protected_regions=("洞口县",),
    ),
    "tea": DemoProductLine(
        brand="dongxiang",
        name="古楼云雾茶",
        category="茶叶",
        standard="GB/T 14456.1",
        geographical_indication=False,
        gtin=make_gtin13("690123450002"),
        unit="盒",
        processed=True,
    ),
    "rice": DemoProductLine(
        brand="dongxiang",
        name="五彩米",
        category="大米",
        standard="GB/T 1354",
        geographical_indication=False,
        gtin=make_gtin13("690123450003"),
        unit="袋",
    ),
    "eggs": DemoProductLine(
        brand="dongxiang",
        name="土鸡蛋",
        category="禽蛋",
        standard="GB 2749",
        geographical_indication=False,
        gtin=None,
        unit="盒",
    ),
    "tofu": DemoProductLine(
        brand="dongxiang",
        name="豆腐乳",
        category="调味品",
        standard="SB/T 10170",
        geographical_indication=False,
        gtin=None,
        unit="瓶",
        processed=True,
    ),
    # seeds/003, line 135: 大通湖大闸蟹, the district's own product brand.
    "crab": DemoProductLine(
        brand=None,
        name="大通湖大闸蟹",
        category="水产",
        standard="GB/T 19957",
        geographical_indication=True,
        gtin=make_gtin13("690123450004"),
        unit="只",
        owner="lake",
        protected_regions=("大通湖区",),
    ),
    "lake_rice": DemoProductLine(
        brand=None,
        name="大通湖大米",
        category="大米",
        standard="GB/T 1354",
        geographical_indication=False,
        gtin=None,
        unit="袋",
        owner="lake",
    ),
    "peach": DemoProductLine(
        brand=None,
        name="梧桐村黄桃",
        category="水果",
        standard="NY/T 586",
        geographical_indication=False,
        gtin=None,
        unit="kg",
        owner="peach",
    ),
}

LICENSES = [
    DemoLicense(brand="xuefeng", producer="orange", product_lines=("orange",)),
    DemoLicense(brand="dongxiang", producer="orange", product_lines=("tofu",)),
    DemoLicense(brand="dongxiang", producer="tea", product_lines=("tea",)),
    DemoLicense(
        brand="dongxiang",
        producer="farm",
        product_lines=(
            "rice",
            "eggs",
        ),
    ),
]

OUTLETS = {
    "pavilion": DemoOutlet(
        name="洞口县“橘子红了”消费扶贫专馆",
        kind=OutletKind.PAVILION,
        region="洞口县",
        operator_name="洞口县总工会",
        url="",
    ),
    "cabinet": DemoOutlet(
        name="洞口县人民医院消费扶贫专柜",
        kind=OutletKind.SMART_CABINET,
        region="洞口县",
        operator_name="洞口县人民医院",
        url="",
    ),
    "832": DemoOutlet(
        name="扶贫832销售平台",
        kind=OutletKind.ECOMMERCE_PLATFORM,
        region="湖南省",
        operator_name="扶贫832平台",
        url="https://www.fupin832.com/",
    ),
    "store": DemoOutlet(
        name="邵东市消费扶贫授权店（人民路店）",
        kind=OutletKind.AUTHORISED_STORE,
        region="邵东市",
        operator_name="邵东市供销合作社",
        url="",
    ),
    # 邵东's model (seed 001, lines 199-203): the village 供销合作社 is the
    # purchase point, its director the village's 信息员.
    "purchase_point": DemoOutlet(
        name="古楼村供销合作社收购点",
        kind=OutletKind.PURCHASE_POINT,
        region="古楼村",
        operator_name="古楼村供销合作社",
        url="",
    ),
}
