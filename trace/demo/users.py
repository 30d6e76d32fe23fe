"""Demo accounts, one for each role, and who they are on the forms."""

from trace.choices import Role
from trace.demo.shapes import DemoUser

DEMO_PASSWORD = "suyuan-demo"

USERS = [
    DemoUser(
        username="admin",
        role=Role.ADMINISTRATOR,
        producer=None,
        regions=(),
        organisation="洞口县扶贫开发办公室",
        staff=True,
        real_name="欧阳静",
        phone="0739-7221001",
    ),
    DemoUser(
        username="operator",
        role=Role.OPERATOR,
        producer="orange",
        regions=(),
        organisation="洞口县雪峰蜜橘果业有限公司",
        staff=False,
        real_name="邓志刚",
        phone="0739-7561001",
    ),
    DemoUser(
        username="operator2",
        role=Role.OPERATOR,
        producer="tea",
        regions=(),
        organisation="洞口县古楼云雾茶专业合作社",
        staff=False,
        real_name="杨永红",
        phone="0739-7562002",
    ),
    DemoUser(
        username="inspector",
        role=Role.INSPECTOR,
        producer=None,
        regions=("洞口县",),
        organisation="洞口县市场监督管理局",
        staff=False,
        real_name="罗建军",
        phone="0739-7223001",
    ),
    # The 四员 of 邵东 (seed 001, lines 190-205), here in 洞口县's 古楼乡.
    DemoUser(
        username="informant",
        role=Role.INFORMANT,
        producer=None,
        regions=("古楼村",),
        organisation="古楼村供销合作社",
        staff=False,
        real_name="曾庆华",
        phone="13807390101",
    ),
    DemoUser(
        username="informant2",
        role=Role.INFORMANT,
        producer=None,
        regions=("茶铺村",),
        organisation="茶铺村村民委员会",
        staff=False,
        real_name="尹国强",
        phone="13807390102",
    ),
    DemoUser(
        username="supervisor",
        role=Role.SUPERVISOR,
        producer=None,
        regions=("古楼乡",),
        organisation="古楼乡人民政府",
        staff=False,
        real_name="肖丽娟",
        phone="13807390201",
    ),
    DemoUser(
        username="technician",
        role=Role.TECHNICIAN,
        producer=None,
        regions=("古楼乡",),
        organisation="古楼乡农业综合服务站",
        staff=False,
        real_name="彭建明",
        phone="13807390301",
    ),
    DemoUser(
        username="purchase_point",
        role=Role.PURCHASE_POINT,
        producer=None,
        regions=("古楼村",),
        organisation="古楼村供销合作社",
        staff=False,
        real_name="曾庆华",
        phone="13807390101",
        outlet="purchase_point",
    ),
    # The offices that collect the forms, one per level.
    DemoUser(
        username="office",
        role=Role.OFFICE,
        producer=None,
        regions=("洞口县",),
        organisation="洞口县扶贫开发办公室",
        staff=False,
        real_name="邹红梅",
        phone="0739-7221002",
    ),
    DemoUser(
        username="office_city",
        role=Role.OFFICE,
        producer=None,
        regions=("邵阳市",),
        organisation="邵阳市扶贫开发办公室",
        staff=False,
        real_name="黄志强",
        phone="0739-5321002",
    ),
    DemoUser(
        username="office_province",
        role=Role.OFFICE,
        producer=None,
        regions=("湖南省",),
        organisation="湖南省扶贫开发办公室",
        staff=False,
        real_name="龙开元",
        phone="0731-82212001",
    ),
]


def accounts_by_role() -> list[tuple[str, list[str]]]:
    """Return the demo accounts grouped by role, for the login hint."""
    grouped: dict[str, list[str]] = {}
    for user in USERS:
        grouped.setdefault(user.role, []).append(user.username)
    return [(Role(role).label, names) for role, names in grouped.items()]
