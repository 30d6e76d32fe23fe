"""Pure rules of the reports, each with the seed document it comes from."""

from dataclasses import dataclass
from decimal import Decimal

# 邵东市消费扶贫奖惩机制 (seeds/001_baf9327039a84779.txt, lines 30-42).
REVOCATION_THRESHOLD = Decimal("100000")
REWARD_BASE_SALES = Decimal("100000")
REWARD_BASE = Decimal("1000")
REWARD_STEP_SALES = Decimal("50000")
REWARD_STEP = Decimal("1000")
REWARD_CAP = Decimal("10000")
ONE_OFF_SALES = Decimal("300000")
ONE_OFF_REWARD = Decimal("10000")
# seeds/001, lines 3-5: "至少保障70%以上是本地的扶贫农畜产品".
LOCAL_SHARE_MINIMUM = Decimal("0.70")


@dataclass(frozen=True)
class OutletVerdict:
    """The year's verdict on one authorised store."""

    annual_sales: Decimal
    slow_selling_sales: Decimal
    revoke: bool
    reward: Decimal


def authorised_store_verdict(
    *, annual_sales: Decimal, slow_selling_sales: Decimal
) -> OutletVerdict:
    """Return whether an authorised store (授权店) loses its authorisation; its reward.

    `annual_sales` is what the store sold of poverty products in the year
    (not what it bought in); `slow_selling_sales` the part of it that was
    marked 滞销 when sold.

    Source: 邵东 "推行消费扶贫奖惩机制" (seeds/001_baf9327039a84779.txt):
    - lines 32-34: "对全年没有销售或销售扶贫产品金额 10 万元以下的授权店和不支持
      配合消费扶贫工作的单位取消授权资格";
    - lines 35-38: "根据受益乡镇（街道、场）、村、带贫企业（专业合作社）、贫困户
      提供的销售扶贫产品数量清单，对销售金额在30万元以上的授权单位给予一次性
      奖补1万元";
    - lines 38-42: "对积极参与和帮助销售滞销扶贫产品的消费扶贫授权单位，根据销售
      成效，销售金额达10万元的奖励 1000 元，每增加 5 万元，增加奖励1000元，最多
      不超过1万元的一次性奖补".

    Reading chosen where the text is ambiguous:
    - Exactly 100,000 yuan. By the convention of 民法典 第1259条 ("民法所称的
      '以上'、'以下'、'以内'、'届满'，包括本数"), "10 万元以下" includes 100,000,
      so the penalty sentence alone would revoke a store at 100,000. The reward
      sentence two lines later pays a store whose sales "达10万元", i.e. it
      treats 100,000 as the mark of a store doing its job. A store cannot be
      both struck off and rewarded for the same figure, and a withdrawal of a
      right is read narrowly, so here 100,000 keeps the authorisation:
      revocation is for sales strictly below 100,000 (no sales included).
      99,999 is revoked; 100,000 and 100,001 are kept.
    - The stepped reward counts only sales of 滞销 products ("帮助销售滞销扶贫
      产品"), in whole 50,000 steps above 100,000: 100,000-149,999 earns 1,000,
      150,000 earns 2,000, ..., 250,000-299,999 earns 4,000.
    - "30万元以上" (300,000 included, by the same 第1259条) counts all poverty
      product sales and earns the one-off 10,000. Both are "一次性奖补" capped at
      10,000, so they are not added: the store receives the larger one.
    - "不支持配合消费扶贫工作的单位" is a judgement no figure records: the
      administrator states it as the reason when withdrawing by hand.
    """
    annual_sales = Decimal(annual_sales)
    slow_selling_sales = Decimal(slow_selling_sales)
    if annual_sales < 0 or slow_selling_sales < 0:
        raise ValueError("sales must not be negative")
    if slow_selling_sales > annual_sales:
        raise ValueError("slow-selling sales are part of the annual sales")
    revoke = annual_sales < REVOCATION_THRESHOLD
    reward = Decimal("0")
    if slow_selling_sales >= REWARD_BASE_SALES:
        steps = (slow_selling_sales - REWARD_BASE_SALES) // REWARD_STEP_SALES
        reward = min(REWARD_BASE + steps * REWARD_STEP, REWARD_CAP)
    if annual_sales >= ONE_OFF_SALES:
        reward = max(reward, ONE_OFF_REWARD)
    return OutletVerdict(
        annual_sales=annual_sales,
        slow_selling_sales=slow_selling_sales,
        revoke=revoke,
        reward=reward,
    )


def local_share(*, local_sales: Decimal, annual_sales: Decimal) -> Decimal | None:
    """Return the share of a store's sales that were local poverty products.

    None when the store sold nothing (no share to judge; the store is
    revoked for "全年没有销售" anyway).
    """
    if annual_sales <= 0:
        return None
    # Unrounded: 69.9999 % must not round up to the 70 % it falls short of.
    return Decimal(local_sales) / Decimal(annual_sales)


def local_share_is_short(share: Decimal | None) -> bool:
    """Return True if a store's local share is under 70 %.

    seeds/001_baf9327039a84779.txt, lines 3-5: "消费扶贫授权单位门店原则上只能
    销售扶贫产品，至少保障70%以上是本地的扶贫农畜产品". "以上" includes the number
    itself (民法典 第1259条), so exactly 70 % is enough; "本地" is read as the
    store's own county (县/市/区), where its office certifies producers.
    """
    return share is not None and share < LOCAL_SHARE_MINIMUM


def to_wan_yuan(amount: Decimal) -> Decimal:
    """Return yuan as 万元 with two decimals, as the 统计表 prints them."""
    return (Decimal(amount) / Decimal("10000")).quantize(Decimal("0.01"))
