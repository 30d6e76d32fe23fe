"""Load the demo county: 洞口县's 雪峰蜜橘 and 洞乡源味, plus 邵东, 大通湖 and 云阳.

Idempotent: every row is found by its natural key before anything is created,
so a second run changes nothing. Names and identifiers are invented (the ID
numbers and credit codes are only well-formed); place names, brands and
products follow the seed documents (seeds/000–004).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from stdnum import ean
from stdnum.cn import ric, uscc

from trace.choices import (
    BatchStatus,
    BenefitKind,
    BrandKind,
    OutletKind,
    ProducerKind,
    ReferenceDocumentType,
    RegionLevel,
    Role,
    SaleChannel,
    TraceEventKind,
)
from trace.models import (
    Batch,
    BenefitLink,
    Brand,
    BrandLicense,
    Certification,
    CertificationPolicy,
    Household,
    Outlet,
    Producer,
    ProductLine,
    Region,
    Sale,
    SlowSellingMark,
    TraceEvent,
    UserRole,
)
from trace.personal_data import id_number_blind_index
from trace.services.batches import batch_create, batch_release, slow_selling_mark
from trace.services.certification import certification_policy_set, producer_certify
from trace.services.events import (
    guidance_visit_record,
    purchase_record,
    sale_record,
    trace_event_record,
)
from trace.services.households import (
    benefit_link_end,
    household_create,
    household_record_public_name_consent,
)
from trace.services.licences import brand_license_grant
from trace.services.registry import (
    outlet_create,
    producer_create,
    product_line_create,
    product_line_update,
    region_create,
)

DEMO_PASSWORD = "suyuan-demo"

# (path, level, GB/T 2260 code or ""), parents first. Town and village codes
# are left empty: the 12-digit statistical codes are not in the seed documents.
REGIONS = [
    ("湖南省", RegionLevel.PROVINCE, "430000"),
    ("湖南省/邵阳市", RegionLevel.CITY, "430500"),
    ("湖南省/邵阳市/洞口县", RegionLevel.COUNTY, "430525"),
    ("湖南省/邵阳市/洞口县/古楼乡", RegionLevel.TOWN, ""),
    ("湖南省/邵阳市/洞口县/古楼乡/古楼村", RegionLevel.VILLAGE, ""),
    ("湖南省/邵阳市/洞口县/古楼乡/茶铺村", RegionLevel.VILLAGE, ""),
    ("湖南省/邵阳市/洞口县/醪田镇", RegionLevel.TOWN, ""),
    ("湖南省/邵阳市/洞口县/醪田镇/醪田村", RegionLevel.VILLAGE, ""),
    ("湖南省/邵阳市/洞口县/竹市镇", RegionLevel.TOWN, ""),
    ("湖南省/邵阳市/洞口县/竹市镇/金塘村", RegionLevel.VILLAGE, ""),
    # 430521 until the county became a county-level city in 2019.
    ("湖南省/邵阳市/邵东市", RegionLevel.COUNTY, "430582"),
    ("湖南省/邵阳市/邵东市/斫曹乡", RegionLevel.TOWN, ""),
    ("湖南省/邵阳市/邵东市/斫曹乡/梧桐村", RegionLevel.VILLAGE, ""),
    ("湖南省/益阳市", RegionLevel.CITY, "430900"),
    ("湖南省/益阳市/大通湖区", RegionLevel.COUNTY, "430971"),
    ("湖南省/益阳市/大通湖区/北洲子镇", RegionLevel.TOWN, ""),
    ("湖南省/益阳市/大通湖区/北洲子镇/新华村", RegionLevel.VILLAGE, ""),
    # A municipality: its counties sit directly under it.
    ("重庆市", RegionLevel.PROVINCE, "500000"),
    ("重庆市/云阳县", RegionLevel.COUNTY, "500235"),
    ("重庆市/云阳县/龙角镇", RegionLevel.TOWN, ""),
    ("重庆市/云阳县/龙角镇/青山村", RegionLevel.VILLAGE, ""),
]


@dataclass(frozen=True)
class DemoHousehold:
    key: str
    head_name: str
    village: str
    # Area code valid in the birth year: stdnum checks it (GB 11643).
    area: str
    born: datetime.date
    sequence: int
    members: int
    consent: bool = False

    @property
    def id_number(self) -> str:
        body = f"{self.area}{self.born:%Y%m%d}{self.sequence:03d}"
        return body + ric.calc_check_digit(body + "0")


HOUSEHOLDS = [
    DemoHousehold(
        "yang",
        "杨桂花",
        "古楼村",
        "430525",
        datetime.date(1987, 3, 12),
        24,
        4,
        consent=True,
    ),
    DemoHousehold(
        "xiao", "肖德明", "古楼村", "430525", datetime.date(1988, 7, 2), 13, 3
    ),
    DemoHousehold(
        "zeng", "曾凡林", "古楼村", "430525", datetime.date(1990, 11, 23), 35, 5
    ),
    DemoHousehold(
        "yin", "尹秀兰", "茶铺村", "430525", datetime.date(1989, 5, 8), 46, 2
    ),
    DemoHousehold(
        "liu", "刘长青", "醪田村", "430525", datetime.date(1986, 9, 30), 57, 4
    ),
    DemoHousehold(
        "tan", "谭春梅", "醪田村", "430525", datetime.date(1992, 1, 17), 68, 3
    ),
    DemoHousehold(
        "wang",
        "王满仓",
        "金塘村",
        "430525",
        datetime.date(1986, 12, 1),
        79,
        6,
        consent=True,
    ),
    DemoHousehold(
        "deng", "邓小兰", "金塘村", "430525", datetime.date(1991, 4, 19), 82, 3
    ),
    DemoHousehold("li", "李红英", "梧桐村", "430521", datetime.date(1986, 6, 6), 93, 4),
    DemoHousehold(
        "zhou",
        "周建华",
        "新华村",
        "430981",
        datetime.date(1995, 2, 14),
        15,
        3,
        consent=True,
    ),
    DemoHousehold(
        "hu", "胡玉珍", "新华村", "430981", datetime.date(1996, 8, 21), 26, 2
    ),
    DemoHousehold(
        "ran", "冉启富", "青山村", "500235", datetime.date(1998, 10, 3), 37, 5
    ),
]


def make_uscc(kind_code: str, area: str, organisation: str) -> str:
    """Return a well-formed 统一社会信用代码 with its GB 32100 check character."""
    body = f"{kind_code}{area}{organisation}"
    return body + uscc.calc_check_digit(body)


def make_gtin13(body12: str) -> str:
    return body12 + ean.calc_check_digit(body12)


# key: (name, kind, USCC, village, address, contact person, phone)
PRODUCERS = {
    "orange": (
        "洞口县雪峰蜜橘果业有限公司",
        ProducerKind.ENTERPRISE,
        make_uscc("91", "430525", "MA4LDK011"),
        "金塘村",
        "洞口县竹市镇金塘村雪峰路 8 号",
        "邓志强",
        "0739-7221001",
    ),
    "tea": (
        "洞口县古楼云雾茶专业合作社",
        ProducerKind.COOPERATIVE,
        make_uscc("93", "430525", "MA4LDK022"),
        "古楼村",
        "洞口县古楼乡古楼村茶园组",
        "杨永红",
        "0739-7562002",
    ),
    "farm": (
        "洞口县醪田五彩米家庭农场",
        ProducerKind.FAMILY_FARM,
        make_uscc("92", "430525", "MA4LDK033"),
        "醪田村",
        "洞口县醪田镇醪田村三组",
        "谭国平",
        "13807391003",
    ),
    "lake": (
        "益阳市大通湖区北洲子水产专业合作社",
        ProducerKind.COOPERATIVE,
        make_uscc("93", "430971", "MA4LDT044"),
        "新华村",
        "大通湖区北洲子镇新华村",
        "周立新",
        "0737-5301004",
    ),
    # seeds/001, lines 135-141: the yellow peaches of 梧桐村.
    "peach": (
        "邵东市梧桐村黄桃专业合作社",
        ProducerKind.COOPERATIVE,
        make_uscc("93", "430582", "MA4LDH055"),
        "梧桐村",
        "邵东市斫曹乡梧桐村牛形山",
        "曾建军",
        "0739-2701005",
    ),
}

# (producer, household, kind, since, annual income): at least one household
# per producer above the 6,000-yuan rule (seeds/001, 邵东).
BENEFIT_LINKS = [
    ("orange", "wang", BenefitKind.EMPLOYMENT, datetime.date(2019, 3, 1), "9600.00"),
    (
        "orange",
        "deng",
        BenefitKind.ORDER_PURCHASE,
        datetime.date(2019, 10, 15),
        "7200.00",
    ),
    ("orange", "liu", BenefitKind.PROCESSING, datetime.date(2020, 1, 10), "3000.00"),
    ("tea", "yang", BenefitKind.EMPLOYMENT, datetime.date(2018, 4, 1), "8400.00"),
    ("tea", "xiao", BenefitKind.LAND_LEASE, datetime.date(2018, 4, 1), "2400.00"),
    ("tea", "zeng", BenefitKind.DIVIDEND, datetime.date(2019, 1, 1), "6500.00"),
    ("tea", "yin", BenefitKind.ORDER_PURCHASE, datetime.date(2019, 4, 10), "6800.00"),
    ("farm", "liu", BenefitKind.ORDER_PURCHASE, datetime.date(2019, 9, 1), "6200.00"),
    ("farm", "tan", BenefitKind.EMPLOYMENT, datetime.date(2020, 3, 1), "7800.00"),
    ("lake", "zhou", BenefitKind.EMPLOYMENT, datetime.date(2019, 5, 1), "10800.00"),
    ("lake", "hu", BenefitKind.ORDER_PURCHASE, datetime.date(2019, 9, 20), "6600.00"),
    # Exactly 邵东's 6,000 (seeds/001, line 116: "不低于 6000 元").
    ("peach", "li", BenefitKind.EMPLOYMENT, datetime.date(2019, 3, 1), "6000.00"),
]

# Links that ended after the producer was certified, (producer, household,
# kind, days ago): the certification goes to the administrators' review
# queue, which the demo shows with one open case.
ENDED_LINKS = [("peach", "li", BenefitKind.EMPLOYMENT, 10)]

CERTIFICATIONS = {
    "orange": ("HN-DK-FPCP-2025-0001", "洞口县扶贫开发办公室"),
    "tea": ("HN-DK-FPCP-2025-0002", "洞口县扶贫开发办公室"),
    "farm": ("HN-DK-FPCP-2025-0003", "洞口县扶贫开发办公室"),
    "lake": ("HN-DTH-FPCP-2025-0001", "益阳市大通湖区扶贫开发办公室"),
    "peach": ("HN-SD-FPCP-2025-0001", "邵东市扶贫开发办公室"),
}

BRANDS = {
    "xuefeng": (
        "雪峰蜜橘",
        BrandKind.FLAGSHIP,
        "洞口县农业农村局",
        "洞口县主导产品品牌，“1+1+N”中的“1”：雪峰山下的地理标志蜜橘。",
    ),
    "dongxiang": (
        "洞乡源味",
        BrandKind.REGIONAL_PUBLIC,
        "洞口县消费扶贫公用品牌办公室",
        "洞口县区域公用品牌：统一品牌、统一包装、统一标准、统一建立追溯机制。",
    ),
}

# key: (brand or None, name, category, standard, GI, GTIN-13 or None, unit)
# An unbranded line belongs to one producer (PRODUCT_LINE_OWNERS); a GI
# line names its protected regions (PROTECTED_REGIONS).
PRODUCT_LINES = {
    "orange": (
        "xuefeng",
        "雪峰蜜橘",
        "水果",
        "GB/T 12947",
        True,
        make_gtin13("690123450001"),
        "箱",
    ),
    "tea": (
        "dongxiang",
        "古楼云雾茶",
        "茶叶",
        "GB/T 14456.1",
        False,
        make_gtin13("690123450002"),
        "盒",
    ),
    "rice": (
        "dongxiang",
        "五彩米",
        "大米",
        "GB/T 1354",
        False,
        make_gtin13("690123450003"),
        "袋",
    ),
    "eggs": ("dongxiang", "土鸡蛋", "禽蛋", "GB 2749", False, None, "盒"),
    "tofu": ("dongxiang", "豆腐乳", "调味品", "SB/T 10170", False, None, "瓶"),
    "crab": (
        None,
        "大通湖大闸蟹",
        "水产",
        "GB/T 19957",
        True,
        make_gtin13("690123450004"),
        "只",
    ),
    "lake_rice": (None, "大通湖大米", "大米", "GB/T 1354", False, None, "袋"),
    "peach": (None, "梧桐村黄桃", "水果", "NY/T 586", False, None, "kg"),
}
PRODUCT_LINE_OWNERS = {"crab": "lake", "lake_rice": "lake", "peach": "peach"}
PROTECTED_REGIONS = {
    # seeds/000, lines 43-44: 国家地理标志保护产品“洞口雪峰蜜橘”.
    "orange": ["洞口县"],
    # seeds/003, line 135: 大通湖大闸蟹, the district's own product brand.
    "crab": ["大通湖区"],
}

# (brand, producer, product lines)
LICENSES = [
    ("xuefeng", "orange", ["orange"]),
    ("dongxiang", "orange", ["tofu"]),
    ("dongxiang", "tea", ["tea"]),
    ("dongxiang", "farm", ["rice", "eggs"]),
]

# key: (name, kind, region, operator, url)
OUTLETS = {
    "pavilion": (
        "洞口县“橘子红了”消费扶贫专馆",
        OutletKind.PAVILION,
        "洞口县",
        "洞口县总工会",
        "",
    ),
    "cabinet": (
        "洞口县人民医院消费扶贫专柜",
        OutletKind.SMART_CABINET,
        "洞口县",
        "洞口县人民医院",
        "",
    ),
    "832": (
        "扶贫832销售平台",
        OutletKind.ECOMMERCE_PLATFORM,
        "湖南省",
        "扶贫832平台",
        "https://www.fupin832.com/",
    ),
    "store": (
        "邵东市消费扶贫授权店（人民路店）",
        OutletKind.AUTHORISED_STORE,
        "邵东市",
        "邵东市供销合作社",
        "",
    ),
    # 邵东's model (seed 001, lines 199-203): the village 供销合作社 is the
    # purchase point, its director the village's 信息员.
    "purchase_point": (
        "古楼村供销合作社收购点",
        OutletKind.PURCHASE_POINT,
        "古楼村",
        "古楼村供销合作社",
        "",
    ),
}


@dataclass(frozen=True)
class DemoBatch:
    lot_code: str  # GS1 AI 10: Latin letters and digits only
    producer: str
    product_line: str
    name: str
    origin: str
    days_ago: int
    quantity: str
    contributions: tuple[
        tuple[str, str, str], ...
    ]  # (household, quantity, amount paid)
    release: bool = True


BATCHES = [
    DemoBatch(
        "XFMJ2025A01",
        "orange",
        "orange",
        "雪峰蜜橘 金塘基地 第一批",
        "金塘村",
        30,
        "1200",
        (("wang", "300", "4800.00"), ("deng", "200", "3200.00")),
    ),
    DemoBatch(
        "XFMJ2025A02",
        "orange",
        "orange",
        "雪峰蜜橘 金塘基地 第二批",
        "金塘村",
        12,
        "800",
        (("deng", "150", "2400.00"),),
        release=False,
    ),
    DemoBatch(
        "DFR2025D01",
        "orange",
        "tofu",
        "洞乡源味 豆腐乳",
        "金塘村",
        40,
        "600",
        (("liu", "200", "1500.00"),),
    ),
    DemoBatch(
        "GLYW2025S01",
        "tea",
        "tea",
        "古楼云雾茶 秋茶",
        "古楼村",
        60,
        "800",
        (
            ("yang", "120", "3600.00"),
            ("zeng", "80", "2400.00"),
            ("yin", "100", "3000.00"),
        ),
    ),
    DemoBatch(
        "WCM2025B01",
        "farm",
        "rice",
        "五彩米 新米",
        "醪田村",
        45,
        "2000",
        (("liu", "800", "3200.00"), ("tan", "500", "2000.00")),
    ),
    DemoBatch(
        "TJD2025C01",
        "farm",
        "eggs",
        "土鸡蛋 散养",
        "醪田村",
        14,
        "300",
        (("tan", "300", "1800.00"),),
    ),
    DemoBatch(
        "DTHDZX2025A01",
        "lake",
        "crab",
        "大通湖大闸蟹 秋蟹",
        "新华村",
        25,
        "1500",
        (("zhou", "600", "5400.00"), ("hu", "400", "3600.00")),
    ),
    DemoBatch(
        "HT2025A01",
        "peach",
        "peach",
        "梧桐村黄桃 头茬",
        "梧桐村",
        20,
        "1000",
        (("li", "300", "3000.00"),),
    ),
    DemoBatch(
        "DTHDM2025A01",
        "lake",
        "lake_rice",
        "大通湖大米 晚稻",
        "新华村",
        50,
        "3000",
        (("hu", "1000", "3000.00"),),
    ),
]

# (lot code, buyer, outlet sold at, outlet that bought in, channel, quantity,
# amount, days after harvest, note). An outlet's 进货 (buying in) is not its
# sale; what it then sells at retail is (seeds/001, lines 30-34).
SALES = [
    (
        "XFMJ2025A01",
        "洞口县人民医院职工食堂",
        "cabinet",
        None,
        SaleChannel.HOSPITAL,
        "120",
        "9600.00",
        4,
        "医院专柜",
    ),
    (
        "XFMJ2025A01",
        "长沙某科技有限公司工会",
        "832",
        None,
        SaleChannel.ECOMMERCE,
        "300",
        "24000.00",
        6,
        "以购代捐",
    ),
    (
        "XFMJ2025A01",
        "邵东市消费扶贫授权店",
        None,
        "store",
        SaleChannel.MARKET,
        "80",
        "6400.00",
        8,
        "授权店进货",
    ),
    (
        "XFMJ2025A01",
        "邵东市某机关工会",
        "store",
        None,
        SaleChannel.GOVERNMENT,
        "40",
        "3600.00",
        12,
        "工会消费扶贫券",
    ),
    (
        "HT2025A01",
        "邵东市消费扶贫授权店",
        None,
        "store",
        SaleChannel.MARKET,
        "500",
        "5000.00",
        2,
        "授权店进货",
    ),
    (
        "HT2025A01",
        "门店散客",
        "store",
        None,
        SaleChannel.MARKET,
        "300",
        "6000.00",
        5,
        "门店零售",
    ),
    (
        "GLYW2025S01",
        "洞口县机关事务服务中心",
        "pavilion",
        None,
        SaleChannel.GOVERNMENT,
        "100",
        "16800.00",
        5,
        "工会福利",
    ),
    (
        "WCM2025B01",
        "洞口县第一中学食堂",
        None,
        None,
        SaleChannel.SCHOOL,
        "400",
        "4800.00",
        7,
        "进学校",
    ),
    (
        "DTHDZX2025A01",
        "益阳市某商贸公司",
        "832",
        None,
        SaleChannel.ECOMMERCE,
        "500",
        "30000.00",
        3,
        "扶贫832",
    ),
]

# 滞销 marks: (product line, region, days before today it starts, days it
# lasts, reason). seeds/001, lines 124-128: 邵东 organised buying of 滞销 goods.
SLOW_SELLING = [
    ("peach", "邵东市", 30, 90, "梧桐村黄桃丰收，产量达6万余公斤，组织帮助销售。"),
]

# 认定 policies, each in its own document's words.
SHAODONG_RULE = (
    "凡是带动 1 名以上贫困户务工、且年收入不低于 6000 元的企业（专业合作社）"
    "生产的产品可纳入邵东市扶贫产品目录"
)
DEFAULT_NOTE = (
    "文件未写明每户最低年收益和带动户数：取系统默认值（SUYUAN_MIN_HOUSEHOLD_INCOME，"
    "默认 6000 元，即湖南省内唯一写明数额的邵东标准；至少 1 户）。"
)
# region: (producer kinds, benefit kinds, yuan a year or None for the system
# default, households, document, clause, note)
POLICIES = {
    # seeds/002_9163a51b4e7803d4.txt, line 43: no condition is named.
    "湖南省": (
        list(ProducerKind),
        list(BenefitKind),
        None,
        1,
        "湘扶领办发〔2020〕4号《湖南省2020年消费扶贫月活动方案》（seeds/002，第 43 行）",
        "持续开展扶贫产品认定工作，把符合条件的农产品纳入扶贫产品目录。",
        "方案只要求“符合条件”，未列主体类型、联结方式或数额：各类主体、各种联结方式均可，"
        + DEFAULT_NOTE,
    ),
    # seeds/000_9fc936ce6709e860.txt, lines 74-76 and 94-95.
    "洞口县": (
        [ProducerKind.ENTERPRISE, ProducerKind.COOPERATIVE, ProducerKind.FAMILY_FARM],
        [BenefitKind.EMPLOYMENT, BenefitKind.ORDER_PURCHASE],
        None,
        1,
        "洞口县消费扶贫工作综述（seeds/000，第 74–76、94–95 行）",
        "县内企业通过订单农业、技术指导、劳务聘用等方式，与贫困户保持稳定的生产合作关系；"
        "有74家企业（合作社、家庭农场）的473种扶贫产品入驻国务院扶贫832平台",
        "主体类型取“企业（合作社、家庭农场）”；联结方式取“订单农业”（订单收购）和"
        "“劳务聘用”（务工就业），“技术指导”不带来收益，不计。" + DEFAULT_NOTE,
    ),
    # seeds/001_baf9327039a84779.txt, lines 112-118.
    "邵东市": (
        [ProducerKind.ENTERPRISE, ProducerKind.COOPERATIVE],
        [BenefitKind.EMPLOYMENT],
        "6000",
        1,
        "邵东市消费扶贫工作（seeds/001，第 112–118 行）",
        SHAODONG_RULE,
        "“务工”只计务工就业一种联结方式；“年收入不低于 6000 元”按每户每年计，"
        "含 6000 元，不同方式的收益不相加。",
    ),
    # seeds/003_eac4151f958b09b3.txt, lines 115, 137 and 156.
    "大通湖区": (
        list(ProducerKind),
        list(BenefitKind),
        None,
        1,
        "大扶办发〔2020〕10号《关于深入开展消费扶贫助力打赢脱贫攻坚战的实施方案》"
        "（seeds/003，第 115、137、156 行）",
        "贫困地区企业、农民专业合作社、家庭农场等生产的农副产品和贫困村、贫困户自产的农特产品；"
        "区扶贫办会同相关行业单位进行审定，确定消费扶贫产品目录；"
        "获取劳务报酬和经营性收入……获取财产性收入",
        "主体含企业、合作社、家庭农场和贫困户自产；联结方式含劳务报酬（务工）、"
        "经营性收入（订单收购、来料加工）和财产性收入（土地流转、入股分红）。"
        + DEFAULT_NOTE,
    ),
    # seeds/004_e2569fb525a9ad4f.txt, lines 21 and 114.
    "云阳县": (
        [ProducerKind.HOUSEHOLD, ProducerKind.COOPERATIVE],
        list(BenefitKind),
        None,
        1,
        "云阳府办发〔2019〕95号《云阳县深入开展消费扶贫助力打赢脱贫攻坚战实施方案》"
        "（seeds/004，第 21、114 行）",
        "以建档立卡贫困户为主要对象，以直接购买贫困群众产品为主要手段；"
        "如采购的是合作社的产品填写合作社涉及的贫困户",
        "主体取贫困户和合作社（方案只写这两类卖方）；合作社“涉及的贫困户”不限联结方式。"
        + DEFAULT_NOTE,
    ),
}

# (username, role, producer, regions, organisation, staff)
USERS = [
    ("admin", Role.ADMINISTRATOR, None, [], "洞口县扶贫开发办公室", True),
    ("operator", Role.OPERATOR, "orange", [], "洞口县雪峰蜜橘果业有限公司", False),
    ("operator2", Role.OPERATOR, "tea", [], "洞口县古楼云雾茶专业合作社", False),
    ("inspector", Role.INSPECTOR, None, ["洞口县"], "洞口县市场监督管理局", False),
    # The 四员 of 邵东 (seed 001, lines 190-205), here in 洞口县's 古楼乡.
    ("informant", Role.INFORMANT, None, ["古楼村"], "古楼村供销合作社", False),
    ("informant2", Role.INFORMANT, None, ["茶铺村"], "茶铺村村民委员会", False),
    ("supervisor", Role.SUPERVISOR, None, ["古楼乡"], "古楼乡人民政府", False),
    ("technician", Role.TECHNICIAN, None, ["古楼乡"], "古楼乡农业综合服务站", False),
    (
        "purchase_point",
        Role.PURCHASE_POINT,
        None,
        ["古楼村"],
        "古楼村供销合作社",
        False,
    ),
    # The offices that collect the forms, one per level.
    ("office", Role.OFFICE, None, ["洞口县"], "洞口县扶贫开发办公室", False),
    ("office_city", Role.OFFICE, None, ["邵阳市"], "邵阳市扶贫开发办公室", False),
    ("office_province", Role.OFFICE, None, ["湖南省"], "湖南省扶贫开发办公室", False),
]
# 填报人 and 联系方式 of the forms (invented names and numbers: demo data).
PEOPLE = {
    "admin": ("欧阳静", "0739-7221001"),
    "operator": ("邓志刚", "0739-7561001"),
    "operator2": ("杨永红", "0739-7562002"),
    "inspector": ("罗建军", "0739-7223001"),
    "informant": ("曾庆华", "13807390101"),
    "informant2": ("尹国强", "13807390102"),
    "supervisor": ("肖丽娟", "13807390201"),
    "technician": ("彭建明", "13807390301"),
    "purchase_point": ("曾庆华", "13807390101"),
    "office": ("邹红梅", "0739-7221002"),
    "office_city": ("黄志强", "0739-5321002"),
    "office_province": ("龙开元", "0731-82212001"),
}
PURCHASE_POINT_OUTLETS = {"purchase_point": "purchase_point"}


class Command(BaseCommand):
    help = "载入追溯部分的演示数据（seed_demo 调用；可重复执行）。"

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            self.today = timezone.localdate()
            self.regions: dict[str, Region] = {}
            for path, level, code in REGIONS:
                self._region(path, level, code)
            self.users = self._users_without_roles()
            self.households = {item.key: self._household(item) for item in HOUSEHOLDS}
            self.producers = {
                key: self._producer(*spec) for key, spec in PRODUCERS.items()
            }
            self._benefit_links()
            self._policies()
            self._certifications()
            self.brands = {key: self._brand(*spec) for key, spec in BRANDS.items()}
            self.product_lines = {
                key: self._product_line(*spec) for key, spec in PRODUCT_LINES.items()
            }
            self._licenses()
            self.outlets = {key: self._outlet(*spec) for key, spec in OUTLETS.items()}
            self._roles()
            self.batches = {item.lot_code: self._batch(item) for item in BATCHES}
            self._sales()
            self._four_officers()
            self._slow_selling()
            self._ended_links()
        self._print_summary()

    # Registers.

    def _region(self, path: str, level: str, code: str) -> None:
        *ancestors, name = path.split("/")
        parent = self.regions[ancestors[-1]] if ancestors else None
        region = Region.objects.filter(parent=parent, name=name).first()
        if region is None:
            region = region_create(name=name, level=level, parent=parent, code=code)
        self.regions[name] = region

    def _household(self, item: DemoHousehold) -> Household:
        household = Household.objects.filter(
            id_number_index=id_number_blind_index(item.id_number)
        ).first()
        if household is None:
            household = household_create(
                id_number=item.id_number,
                village=self.regions[item.village],
                head_name=item.head_name,
                phone="",
                members=item.members,
                registered_year=2016,
            )
        if item.consent and not household.has_public_name_consent:
            household = household_record_public_name_consent(
                household=household, recorded_by=self.users["admin"], consented=True
            )
        return household

    def _producer(
        self, name, kind, code, village, address, contact_person, contact_phone
    ) -> Producer:
        fields = {
            "name": name,
            "kind": kind,
            "region": self.regions[village],
            "address": address,
            "contact_person": contact_person,
            "contact_phone": contact_phone,
        }
        producer = Producer.objects.filter(uscc=code).first()
        if producer is None:
            return producer_create(uscc=code, **fields)
        return producer

    def _benefit_links(self) -> None:
        for producer, household, kind, since, income in BENEFIT_LINKS:
            BenefitLink.objects.get_or_create(
                producer=self.producers[producer],
                household=self.households[household],
                kind=kind,
                defaults={"since": since, "annual_income": Decimal(income)},
            )

    def _policies(self) -> None:
        for region, spec in POLICIES.items():
            if CertificationPolicy.objects.filter(region=self.regions[region]).exists():
                continue
            kinds, links, income, households, document, clause, note = spec
            certification_policy_set(
                region=self.regions[region],
                eligible_producer_kinds=[str(kind) for kind in kinds],
                qualifying_benefit_kinds=[str(kind) for kind in links],
                min_annual_income=Decimal(
                    income or settings.SUYUAN_MIN_HOUSEHOLD_INCOME
                ),
                min_households=households,
                source_document=document,
                source_clause=clause,
                note=note,
            )

    def _certifications(self) -> None:
        for producer, (number, issuer) in CERTIFICATIONS.items():
            if Certification.objects.filter(number=number).exists():
                continue
            producer_certify(
                producer=self.producers[producer],
                number=number,
                issuer=issuer,
                valid_from=datetime.date(self.today.year - 1, 1, 1),
                valid_until=datetime.date(self.today.year + 1, 12, 31),
                certified_by=self.users["admin"],
            )

    def _brand(self, name, kind, owner, description) -> Brand:
        brand, _ = Brand.objects.get_or_create(
            name=name,
            defaults={"kind": kind, "owner": owner, "description": description},
        )
        return brand

    def _product_line(
        self, brand, name, category, standard, gi, gtin, unit
    ) -> ProductLine:
        brand = self.brands[brand] if brand else None
        line = ProductLine.objects.filter(brand=brand, name=name).first()
        key = next(key for key, spec in PRODUCT_LINES.items() if spec[1] == name)
        owner = PRODUCT_LINE_OWNERS.get(key)
        fields = {
            "producer": self.producers[owner] if owner else None,
            "protected_regions": [
                self.regions[region] for region in PROTECTED_REGIONS.get(key, [])
            ],
        }
        if line is None:
            return product_line_create(
                brand=brand,
                name=name,
                category=category,
                standard=standard,
                geographical_indication=gi,
                gtin=gtin,
                unit=unit,
                **fields,
            )
        # A database seeded before owners and protected regions existed.
        if (
            line.producer_id is None
            and owner
            or (gi and not line.protected_regions.exists())
        ):
            line = product_line_update(product_line=line, **fields)
        return line

    def _licenses(self) -> None:
        for brand, producer, lines in LICENSES:
            product_lines = [self.product_lines[key] for key in lines]
            license_ = BrandLicense.objects.filter(
                brand=self.brands[brand],
                producer=self.producers[producer],
                revoked_at__isnull=True,
            ).first()
            if license_ is None:
                brand_license_grant(
                    brand=self.brands[brand],
                    producer=self.producers[producer],
                    product_lines=product_lines,
                    valid_from=datetime.date(self.today.year - 1, 1, 1),
                    valid_until=datetime.date(self.today.year + 1, 12, 31),
                )

    def _outlet(self, name, kind, region, operator_name, url) -> Outlet:
        outlet = Outlet.objects.filter(name=name).first()
        if outlet is None:
            outlet = outlet_create(
                name=name,
                kind=kind,
                region=self.regions[region],
                operator_name=operator_name,
                url=url,
            )
        return outlet

    # Users: accounts first (consent and certification record who did it),
    # roles once the producers exist.

    def _users_without_roles(self) -> dict:
        user_model = get_user_model()
        users = {}
        for username, _role, _producer, _regions, _organisation, staff in USERS:
            user, created = user_model.objects.get_or_create(
                username=username, defaults={"is_staff": staff, "is_superuser": staff}
            )
            if created or not user.check_password(DEMO_PASSWORD):
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
            if (user.is_staff, user.is_superuser, user.is_active) != (
                staff,
                staff,
                True,
            ):
                user.is_staff = user.is_superuser = staff
                user.is_active = True
                user.save(update_fields=["is_staff", "is_superuser", "is_active"])
            users[username] = user
        return users

    def _roles(self) -> None:
        for username, role, producer, regions, organisation, _staff in USERS:
            real_name, phone = PEOPLE[username]
            outlet = PURCHASE_POINT_OUTLETS.get(username)
            binding, _ = UserRole.objects.update_or_create(
                user=self.users[username],
                defaults={
                    "role": role,
                    "producer": self.producers[producer] if producer else None,
                    "outlet": self.outlets[outlet] if outlet else None,
                    "organisation": organisation,
                    "real_name": real_name,
                    "phone": phone,
                },
            )
            binding.regions.set([self.regions[name] for name in regions])

    # Batches, their events and sales.

    def _batch(self, item: DemoBatch) -> Batch:
        producer = self.producers[item.producer]
        product_line = self.product_lines[item.product_line]
        operator = next(
            (
                self.users[username]
                for username, _r, key, *_ in USERS
                if key == item.producer
            ),
            self.users["admin"],
        )
        batch = Batch.objects.filter(
            product_line=product_line, lot_code=item.lot_code
        ).first()
        if batch is None:
            batch = batch_create(
                producer=producer,
                product_line=product_line,
                lot_code=item.lot_code,
                name=item.name,
                origin=self.regions[item.origin],
                harvest_date=self.today - datetime.timedelta(days=item.days_ago),
                quantity=Decimal(item.quantity),
                unit=product_line.unit,
                created_by=operator,
                contributions=[
                    {
                        "household": self.households[household],
                        "quantity": Decimal(quantity),
                        "amount_paid": Decimal(amount),
                    }
                    for household, quantity, amount in item.contributions
                ],
            )
        if item.release and batch.status == BatchStatus.DRAFT:
            batch = batch_release(batch=batch, changed_by=operator)
        if batch.status != BatchStatus.DRAFT:
            self._events(batch, producer, operator)
        return batch

    def _events(self, batch: Batch, producer: Producer, operator) -> None:
        harvest = datetime.datetime.combine(
            batch.harvest_date,
            datetime.time(8, 0),
            tzinfo=timezone.get_current_timezone(),
        )
        steps = [
            (
                TraceEventKind.HARVEST,
                0,
                batch.origin,
                f"{batch.origin.name}基地",
                ReferenceDocumentType.PRODUCTION_LOG,
            ),
            (
                TraceEventKind.PACK,
                1,
                producer.region,
                producer.address,
                ReferenceDocumentType.CERTIFICATE,
            ),
            (
                TraceEventKind.SHIP,
                2,
                producer.region,
                producer.address,
                ReferenceDocumentType.BILL_OF_LADING,
            ),
        ]
        for kind, day, location, place, document in steps:
            if TraceEvent.objects.filter(batch=batch, kind=kind).exists():
                continue
            trace_event_record(
                batch=batch,
                recorded_by=operator,
                kind=kind,
                occurred_at=harvest + datetime.timedelta(days=day, hours=2 * day),
                location=location,
                place=place,
                actor=producer.name,
                quantity=batch.quantity,
                unit=batch.unit,
                reference_document_type=document,
                reference_document_number=f"{batch.lot_code}-{day + 1:02d}",
            )

    def _sales(self) -> None:
        for (
            lot_code,
            buyer,
            outlet,
            buyer_outlet,
            channel,
            quantity,
            amount,
            days_after,
            note,
        ) in SALES:
            batch = self.batches[lot_code]
            if Sale.objects.filter(batch=batch, buyer=buyer).exists():
                continue
            sold_at = datetime.datetime.combine(
                batch.harvest_date + datetime.timedelta(days=days_after),
                datetime.time(10, 30),
                tzinfo=timezone.get_current_timezone(),
            )
            sale_record(
                batch=batch,
                recorded_by=self.users["admin"],
                buyer=buyer,
                outlet=self.outlets[outlet] if outlet else None,
                buyer_outlet=self.outlets[buyer_outlet] if buyer_outlet else None,
                channel=channel,
                quantity=Decimal(quantity),
                unit=batch.unit,
                amount=Decimal(amount),
                sold_at=sold_at,
                note=note,
            )

    def _four_officers(self) -> None:
        """A guidance visit and a purchase from a household, once each.

        Both belong before the batch's 包装 and 发货 (`_events`: harvest day
        08:00, packed the next day at 10:00, shipped the day after at 12:00):
        the visit on the morning of the picking, the purchase the next
        morning. trace.rules refuses either after the shipment or before the
        batch's harvest date.
        """
        batch = self.batches["GLYW2025S01"]
        visited = datetime.datetime.combine(
            batch.harvest_date,
            datetime.time(7, 30),
            tzinfo=timezone.get_current_timezone(),
        )
        purchased = datetime.datetime.combine(
            batch.harvest_date + datetime.timedelta(days=1),
            datetime.time(9, 30),
            tzinfo=timezone.get_current_timezone(),
        )
        if not TraceEvent.objects.filter(
            batch=batch, kind=TraceEventKind.GUIDANCE
        ).exists():
            guidance_visit_record(
                batch=batch,
                recorded_by=self.users["technician"],
                occurred_at=visited,
                topic="秋茶采摘标准与病虫害绿色防控",
                organisation="古楼乡农业综合服务站",
            )
        if not TraceEvent.objects.filter(
            batch=batch, kind=TraceEventKind.PURCHASE
        ).exists():
            purchase_record(
                batch=batch,
                household=self.households["xiao"],
                quantity=Decimal("20"),
                amount_paid=Decimal("600.00"),
                purchased_at=purchased,
                recorded_by=self.users["purchase_point"],
                reference_document_number="GLGXS-SG-001",
            )

    def _slow_selling(self) -> None:
        for line, region, starts_ago, days, reason in SLOW_SELLING:
            product_line = self.product_lines[line]
            if SlowSellingMark.objects.filter(product_line=product_line).exists():
                continue
            valid_from = self.today - datetime.timedelta(days=starts_ago)
            slow_selling_mark(
                product_line=product_line,
                region=self.regions[region],
                valid_from=valid_from,
                valid_until=valid_from + datetime.timedelta(days=days),
                reason=reason,
                marked_by=self.users["admin"],
            )

    def _ended_links(self) -> None:
        for producer, household, kind, days_ago in ENDED_LINKS:
            link = BenefitLink.objects.get(
                producer=self.producers[producer],
                household=self.households[household],
                kind=kind,
            )
            if link.ended_on is None:
                benefit_link_end(
                    benefit_link=link,
                    ended_on=self.today - datetime.timedelta(days=days_ago),
                )

    def _print_summary(self) -> None:
        counts = (
            f"{Region.objects.count()} 个区域，{Producer.objects.count()} 个主体，"
            f"{Household.objects.count()} 户贫困户，{Batch.objects.count()} 个批次，"
            f"{Sale.objects.count()} 笔销售"
        )
        self.stdout.write(self.style.SUCCESS(f"演示数据已就绪：{counts}。"))
        self.stdout.write(f"演示账号（仅供演示，密码均为 {DEMO_PASSWORD}）：")
        for username, role, producer, regions, _organisation, _staff in USERS:
            scope = PRODUCERS[producer][0] if producer else "、".join(regions) or "全部"
            self.stdout.write(
                f"  {username:<10} {DEMO_PASSWORD}  {Role(role).label}（{scope}）"
            )
