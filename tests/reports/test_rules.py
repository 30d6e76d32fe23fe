from decimal import Decimal

import pytest

from reports.rules import (
    authorised_store_verdict,
    local_share,
    local_share_is_short,
    to_wan_yuan,
)


@pytest.mark.parametrize(
    ("sales", "revoke"),
    [
        ("0", True),  # "全年没有销售"
        ("99999", True),
        ("99999.99", True),
        # 民法典 第1259条 would put 100,000 inside "10 万元以下"; "达10万元" rewards
        # it two lines later (seeds/001, lines 32-34 vs 40-41): kept, see the rule.
        ("100000", False),
        ("100001", False),
    ],
)
def test_revocation_at_the_100000_boundary(sales, revoke):
    """seeds/001, lines 32-34: "全年没有销售或销售扶贫产品金额 10 万元以下的授权店…取消授权资格"."""
    verdict = authorised_store_verdict(
        annual_sales=Decimal(sales), slow_selling_sales=0
    )
    assert verdict.revoke is revoke


@pytest.mark.parametrize(
    ("slow", "reward"),
    [
        ("0", "0"),
        ("99999", "0"),
        ("100000", "1000"),  # "销售金额达10万元的奖励 1000 元"
        ("100001", "1000"),
        ("149999", "1000"),
        ("150000", "2000"),  # "每增加 5 万元，增加奖励1000元"
        ("199999.99", "2000"),
        ("200000", "3000"),
        ("250000", "4000"),
        ("299999", "4000"),
    ],
)
def test_stepped_reward_counts_slow_selling_sales(slow, reward):
    """seeds/001, lines 38-42: the reward is for helping sell 滞销 products."""
    verdict = authorised_store_verdict(
        annual_sales=Decimal("299999"), slow_selling_sales=Decimal(slow)
    )
    assert verdict.reward == Decimal(reward)


def test_sales_that_were_not_slow_selling_earn_no_stepped_reward():
    verdict = authorised_store_verdict(
        annual_sales=Decimal("250000"), slow_selling_sales=Decimal("0")
    )
    assert verdict.reward == 0 and not verdict.revoke


@pytest.mark.parametrize(
    ("sales", "reward"), [("299999.99", "0"), ("300000", "10000"), ("5000000", "10000")]
)
def test_one_off_reward_from_300000_of_any_sales(sales, reward):
    """seeds/001, lines 37-38: "对销售金额在30万元以上的授权单位给予一次性奖补1万元"."""
    verdict = authorised_store_verdict(
        annual_sales=Decimal(sales), slow_selling_sales=Decimal("0")
    )
    assert verdict.reward == Decimal(reward)


def test_reward_never_exceeds_ten_thousand():
    for sales in range(0, 2_000_001, 12_345):
        verdict = authorised_store_verdict(
            annual_sales=Decimal(sales), slow_selling_sales=Decimal(sales)
        )
        assert verdict.reward <= 10000


def test_bad_figures_are_rejected():
    with pytest.raises(ValueError):
        authorised_store_verdict(annual_sales=Decimal("-1"), slow_selling_sales=0)
    with pytest.raises(ValueError):
        authorised_store_verdict(annual_sales=Decimal("10"), slow_selling_sales=11)


@pytest.mark.parametrize(
    ("local", "total", "short"),
    [("6999.99", "10000", True), ("7000", "10000", False), ("10000", "10000", False)],
)
def test_local_share_under_70_percent_is_flagged(local, total, short):
    """seeds/001, lines 3-5: "至少保障70%以上是本地的扶贫农畜产品"."""
    share = local_share(local_sales=Decimal(local), annual_sales=Decimal(total))
    assert local_share_is_short(share) is short


def test_a_store_without_sales_has_no_share():
    assert local_share(local_sales=Decimal("0"), annual_sales=Decimal("0")) is None
    assert not local_share_is_short(None)


def test_wan_yuan_has_two_decimals():
    assert to_wan_yuan(Decimal("2345.50")) == Decimal("0.23")
    assert str(to_wan_yuan(Decimal("123456"))) == "12.35"
