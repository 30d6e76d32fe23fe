from decimal import Decimal

import pytest

from reports.rules import authorised_store_verdict, to_wan_yuan


@pytest.mark.parametrize(
    ("sales", "revoke", "reward"),
    [
        ("0", True, "0"),
        ("99999", True, "0"),
        ("99999.99", True, "0"),
        ("100000", False, "1000"),
        ("149999", False, "1000"),
        ("150000", False, "2000"),
        ("199999.99", False, "2000"),
        ("200000", False, "3000"),
        ("250000", False, "4000"),
        ("299999", False, "4000"),
        ("300000", False, "10000"),
        ("550000", False, "10000"),
        ("5000000", False, "10000"),
    ],
)
def test_authorised_store_verdict_boundaries(sales, revoke, reward):
    verdict = authorised_store_verdict(annual_sales=Decimal(sales))
    assert verdict.revoke is revoke
    assert verdict.reward == Decimal(reward)


def test_reward_never_exceeds_ten_thousand():
    for sales in range(0, 2_000_001, 12_345):
        assert authorised_store_verdict(annual_sales=Decimal(sales)).reward <= 10000


def test_negative_sales_are_rejected():
    with pytest.raises(ValueError):
        authorised_store_verdict(annual_sales=Decimal("-1"))


def test_wan_yuan_has_two_decimals():
    assert to_wan_yuan(Decimal("2345.50")) == Decimal("0.23")
    assert str(to_wan_yuan(Decimal("123456"))) == "12.35"
