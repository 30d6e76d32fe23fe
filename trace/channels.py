"""Sales channels in each county's own words (pure data, no queries).

A county reports its sales under the names its own programme uses: 洞口's
十进, 邵东's 五进, 云阳's 五进 (with 进家庭) grouped into its 六销. A region
that keeps no list of its own inherits its nearest ancestor's; the top of the
tree falls back to DEFAULT_CHANNELS (trace.choices.SaleChannel).

One code means the same kind of buyer everywhere ("school" is 洞口's 进校园
and 邵东's 进学校), so a city or the province can sum its counties; the name
is the county's.
"""

from typing import NamedTuple

from trace.choices import OutletKind, SaleChannel


class ChannelSpec(NamedTuple):
    """One channel of a region's list: code, the county's name, its 六销 way."""

    code: str
    name: str
    # Outlet kinds a sale through this channel may pass through; a sale with
    # no outlet (a canteen buying direct) always agrees.
    outlet_kinds: tuple[str, ...] = ()
    way: str = ""


# Where a 五进/十进 sale meets an outlet: the 智能专柜 stand in 机关, 社区,
# 商场, 高校, 医院, 车站 (seed 002, line 37: "促进扶贫产品进机关、进社区、进商场、
# 进高校、进医院、进车站等场所销售"); a village 收购点 and an 授权店 sell on too.
IN_PLACE_OUTLETS = (
    OutletKind.SMART_CABINET,
    OutletKind.PURCHASE_POINT,
    OutletKind.AUTHORISED_STORE,
)
SHOP_OUTLETS = (*IN_PLACE_OUTLETS, OutletKind.OFFLINE_ZONE)
ONLINE_OUTLETS = (
    OutletKind.ECOMMERCE_PLATFORM,
    OutletKind.ONLINE_ZONE,
    OutletKind.LIVESTREAM_BASE,
)

# The 三专 and the platforms, common to every list.
OUTLET_CHANNELS = (
    ChannelSpec(SaleChannel.ECOMMERCE, "电商平台", ONLINE_OUTLETS),
    ChannelSpec(SaleChannel.SMART_CABINET, "专柜", (OutletKind.SMART_CABINET,)),
    ChannelSpec(SaleChannel.PAVILION, "专馆", (OutletKind.PAVILION,)),
    ChannelSpec(
        SaleChannel.ZONE, "专区", (OutletKind.ONLINE_ZONE, OutletKind.OFFLINE_ZONE)
    ),
    ChannelSpec(SaleChannel.OTHER, "其他", tuple(OutletKind.values)),
)

DEFAULT_CHANNELS = (
    ChannelSpec(SaleChannel.GOVERNMENT, "进机关", IN_PLACE_OUTLETS),
    ChannelSpec(SaleChannel.SCHOOL, "进学校", IN_PLACE_OUTLETS),
    ChannelSpec(SaleChannel.HOSPITAL, "进医院", IN_PLACE_OUTLETS),
    ChannelSpec(SaleChannel.ENTERPRISE, "进企业", IN_PLACE_OUTLETS),
    ChannelSpec(SaleChannel.MARKET, "进市场", SHOP_OUTLETS),
    *OUTLET_CHANNELS,
)

# 洞口 (seed 000, lines 154-155): "深入推进贫困户农副产品“十进”，即进机关、进校园、
# 进医院、进社区、进企业、进商场、进车站、进广场、进驾校、进街边。"
DONGKOU_SHIJIN = (
    ChannelSpec(SaleChannel.GOVERNMENT, "进机关", IN_PLACE_OUTLETS, "十进"),
    ChannelSpec(SaleChannel.SCHOOL, "进校园", IN_PLACE_OUTLETS, "十进"),
    ChannelSpec(SaleChannel.HOSPITAL, "进医院", IN_PLACE_OUTLETS, "十进"),
    ChannelSpec("community", "进社区", IN_PLACE_OUTLETS, "十进"),
    ChannelSpec(SaleChannel.ENTERPRISE, "进企业", IN_PLACE_OUTLETS, "十进"),
    ChannelSpec("mall", "进商场", SHOP_OUTLETS, "十进"),
    ChannelSpec("station", "进车站", IN_PLACE_OUTLETS, "十进"),
    ChannelSpec("square", "进广场", IN_PLACE_OUTLETS, "十进"),
    ChannelSpec("driving_school", "进驾校", IN_PLACE_OUTLETS, "十进"),
    ChannelSpec("street", "进街边", SHOP_OUTLETS, "十进"),
    *OUTLET_CHANNELS,
)

# 邵东 (seed 001, lines 63-64): "深入推进扶贫农产品“进机关、进学校、进医院、
# 进企业、进市场”的五进活动".
SHAODONG_WUJIN = (
    ChannelSpec(SaleChannel.GOVERNMENT, "进机关", IN_PLACE_OUTLETS, "五进"),
    ChannelSpec(SaleChannel.SCHOOL, "进学校", IN_PLACE_OUTLETS, "五进"),
    ChannelSpec(SaleChannel.HOSPITAL, "进医院", IN_PLACE_OUTLETS, "五进"),
    ChannelSpec(SaleChannel.ENTERPRISE, "进企业", IN_PLACE_OUTLETS, "五进"),
    ChannelSpec(SaleChannel.MARKET, "进市场", SHOP_OUTLETS, "五进"),
    *OUTLET_CHANNELS,
)

# 云阳 (seed 004, line 19): "采取“六销”方式 … 通过“五进”对接直销、对口帮扶助销、
# 爱心企业订销、节会推介展销、电子商务营销、旅游服务带销等方式"; its 五进 (lines
# 35-40) are 进机关、进学校、进医院、进企业 and "5．进家庭。县总工会…".
YUNYANG_WAY_WUJIN = "“五进”对接直销"
YUNYANG_WAY_FAIR = "节会推介展销"
YUNYANG_WAY_ECOMMERCE = "电子商务营销"
YUNYANG_LIUXIAO = (
    ChannelSpec(SaleChannel.GOVERNMENT, "进机关", IN_PLACE_OUTLETS, YUNYANG_WAY_WUJIN),
    ChannelSpec(SaleChannel.SCHOOL, "进学校", IN_PLACE_OUTLETS, YUNYANG_WAY_WUJIN),
    ChannelSpec(SaleChannel.HOSPITAL, "进医院", IN_PLACE_OUTLETS, YUNYANG_WAY_WUJIN),
    ChannelSpec(SaleChannel.ENTERPRISE, "进企业", IN_PLACE_OUTLETS, YUNYANG_WAY_WUJIN),
    ChannelSpec("household", "进家庭", IN_PLACE_OUTLETS, YUNYANG_WAY_WUJIN),
    ChannelSpec("paired_aid", "对口帮扶助销", SHOP_OUTLETS, "对口帮扶助销"),
    ChannelSpec("charity_order", "爱心企业订销", SHOP_OUTLETS, "爱心企业订销"),
    ChannelSpec("fair", "节会推介展销", SHOP_OUTLETS, YUNYANG_WAY_FAIR),
    ChannelSpec(
        SaleChannel.ECOMMERCE, "电子商务营销", ONLINE_OUTLETS, YUNYANG_WAY_ECOMMERCE
    ),
    ChannelSpec("tourism", "旅游服务带销", SHOP_OUTLETS, "旅游服务带销"),
    *OUTLET_CHANNELS[1:],
)

# The lists a county office can adopt in one step (trace.services.channels).
COUNTY_LISTS: dict[str, tuple[ChannelSpec, ...]] = {
    "dongkou_shijin": DONGKOU_SHIJIN,
    "shaodong_wujin": SHAODONG_WUJIN,
    "yunyang_liuxiao": YUNYANG_LIUXIAO,
}


def channel_outlet_agrees(spec: ChannelSpec, outlet_kind: str | None) -> bool:
    """Return True if a sale of the channel may pass through an outlet of the kind.

    A 进学校 sale goes to a school (a canteen, a 专柜 in it), never through a
    专馆; a sale with no outlet always agrees.
    """
    return outlet_kind is None or outlet_kind in spec.outlet_kinds
