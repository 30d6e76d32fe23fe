"""湖南省's targets as the 消费扶贫月 programme writes them (seed 002).

- Line 23: "争取销售贫困地区扶贫产品 40 亿元。"
- Line 37: "今年计划设立消费扶贫智能专柜 30000 台，其中长沙市设立 10000 台，其他市州
  每个地区不低于 2000 台。"
- Line 41: "各个市州在商超等实体店至少设立 3 个线下消费扶贫专区".

The 工会's 500 元 a head (seed 004 line 41, seed 003 line 27) is a purchase per
member and needs each union's headcount, which is not recorded here: it is not
set as a target (no figure is invented for it).
"""

from decimal import Decimal

from django.utils.translation import gettext as _

from reports.models import SalesTarget, TargetMeasure
from trace import access
from trace.choices import RegionLevel, Role
from trace.models import Region

SEED = "002_9163a51b4e7803d4.txt"
PROVINCE_SALES = Decimal("4000000000")  # line 23: "40 亿元"
PROVINCE_CABINETS = Decimal("30000")  # line 37: "30000 台"
CHANGSHA = "长沙市"
CHANGSHA_CABINETS = Decimal("10000")  # line 37: "长沙市设立 10000 台"
CITY_CABINETS = Decimal("2000")  # line 37: "每个地区不低于 2000 台"
CITY_OFFLINE_ZONES = Decimal("3")  # line 41: "至少设立 3 个线下消费扶贫专区"


def may_set_targets(user, region: Region) -> bool:
    """Return True for the administrator or an office over the region."""
    return access.is_administrator(user) or (
        access.has_role(user, Role.OFFICE) and access.region_in_scope(user, region)
    )


def _target(region, year, name, measure, amount, source) -> SalesTarget:
    return SalesTarget.objects.update_or_create(
        region=region,
        year=year,
        name=name,
        defaults={"amount": amount, "measure": measure, "source": source},
    )[0]


def hunan_targets_set(*, province: Region, year: int, changed_by) -> list[SalesTarget]:
    """Record 湖南省's targets: 40 亿元, 30,000 专柜 and each 市州's 专柜 and 专区.

    Each 市州 is a CITY region under the province; 长沙市 (by name, as the seed
    names it) gets 10,000 台, every other 市州 at least 2,000.
    """
    access.require(
        may_set_targets(changed_by, province),
        field="region",
        message=_("只有本地区的扶贫办可以设定目标。"),
        visible=lambda: (
            access.is_administrator(changed_by)
            or access.region_in_scope(changed_by, province)
        ),
    )
    targets = [
        _target(
            province,
            year,
            "销售贫困地区扶贫产品",
            TargetMeasure.SALES,
            PROVINCE_SALES,
            f"{SEED} 第23行",
        ),
        _target(
            province,
            year,
            "设立消费扶贫智能专柜",
            TargetMeasure.SMART_CABINETS,
            PROVINCE_CABINETS,
            f"{SEED} 第37行",
        ),
    ]
    for city in Region.objects.filter(parent=province, level=RegionLevel.CITY):
        targets.append(
            _target(
                city,
                year,
                "设立消费扶贫智能专柜",
                TargetMeasure.SMART_CABINETS,
                CHANGSHA_CABINETS if city.name == CHANGSHA else CITY_CABINETS,
                f"{SEED} 第37行",
            )
        )
        targets.append(
            _target(
                city,
                year,
                "商超实体店线下消费扶贫专区",
                TargetMeasure.OFFLINE_ZONES,
                CITY_OFFLINE_ZONES,
                f"{SEED} 第41行",
            )
        )
    return targets
