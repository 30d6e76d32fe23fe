"""Pure rules of the reports, each with the seed document it comes from."""

from dataclasses import dataclass
from decimal import Decimal

# 邵东市消费扶贫奖惩机制 (seeds/001_baf9327039a84779.txt, lines 31-48).
REVOCATION_THRESHOLD = Decimal("100000")
REWARD_BASE_SALES = Decimal("100000")
REWARD_BASE = Decimal("1000")
REWARD_STEP_SALES = Decimal("50000")
REWARD_STEP = Decimal("1000")
REWARD_CAP = Decimal("10000")
ONE_OFF_SALES = Decimal("300000")
ONE_OFF_REWARD = Decimal("10000")


@dataclass(frozen=True)
class OutletVerdict:
    """The year's verdict on one authorised store."""

    annual_sales: Decimal
    revoke: bool
    reward: Decimal


def authorised_store_verdict(*, annual_sales: Decimal) -> OutletVerdict:
    """Return whether an authorised store (授权店) loses its authorisation; its reward.

    Source: 邵东 "推行消费扶贫奖惩机制" (seeds/001_baf9327039a84779.txt, lines 31-48):
    "对全年没有销售或销售扶贫产品金额10万元以下的授权店……取消授权资格";
    "对销售金额在30万元以上的授权单位给予一次性奖补1万元";
    "销售金额达10万元的奖励1000元，每增加5万元，增加奖励1000元，最多不超过1万元的一次性奖补".

    Reconciling the text (the ambiguities, and how they are decided here):
    - "10万元以下" would include 100,000 by the usual reading of 以下 (Civil Code
      art. 1259), but "达10万元" earns a reward in the next sentence, so a store at
      exactly 100,000 is rewarded and keeps its authorisation: revocation is for
      annual sales strictly below 100,000 (no sales included).
    - The stepped reward counts whole 50,000 steps above 100,000: 100,000-149,999
      earns 1,000, 150,000 earns 2,000, ..., 250,000-299,999 earns 4,000.
    - "30万元以上" (including 300,000) earns the one-off 10,000. Both rewards are
      "一次性奖补" capped at 10,000, so they are not added: the store receives the
      larger one, never more than 10,000.
    """
    annual_sales = Decimal(annual_sales)
    if annual_sales < 0:
        raise ValueError("annual_sales must not be negative")
    revoke = annual_sales < REVOCATION_THRESHOLD
    reward = Decimal("0")
    if annual_sales >= REWARD_BASE_SALES:
        steps = (annual_sales - REWARD_BASE_SALES) // REWARD_STEP_SALES
        reward = min(REWARD_BASE + steps * REWARD_STEP, REWARD_CAP)
    if annual_sales >= ONE_OFF_SALES:
        reward = max(reward, ONE_OFF_REWARD)
    return OutletVerdict(annual_sales=annual_sales, revoke=revoke, reward=reward)


def to_wan_yuan(amount: Decimal) -> Decimal:
    """Return yuan as 万元 with two decimals, as the 统计表 prints them."""
    return (Decimal(amount) / Decimal("10000")).quantize(Decimal("0.01"))
