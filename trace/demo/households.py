"""Demo households (贫困户) and their benefit links with producers."""

import datetime

from trace.choices import BenefitKind
from trace.demo.shapes import (
    DemoBenefitLink,
    DemoEndedLink,
    DemoHousehold,
    DemoHouseholdMember,
)

HOUSEHOLDS = [
    DemoHousehold(
        key="yang",
        head_name="杨桂花",
        village="古楼村",
        area="430525",
        born=datetime.date(1987, 3, 12),
        sequence=24,
        members=4,
        consent=True,
    ),
    DemoHousehold(
        key="xiao",
        head_name="肖德明",
        village="古楼村",
        area="430525",
        born=datetime.date(1988, 7, 2),
        sequence=13,
        members=3,
    ),
    DemoHousehold(
        key="zeng",
        head_name="曾凡林",
        village="古楼村",
        area="430525",
        born=datetime.date(1990, 11, 23),
        sequence=35,
        members=5,
    ),
    DemoHousehold(
        key="yin",
        head_name="尹秀兰",
        village="茶铺村",
        area="430525",
        born=datetime.date(1989, 5, 8),
        sequence=46,
        members=2,
    ),
    DemoHousehold(
        key="liu",
        head_name="刘长青",
        village="醪田村",
        area="430525",
        born=datetime.date(1986, 9, 30),
        sequence=57,
        members=4,
    ),
    DemoHousehold(
        key="tan",
        head_name="谭春梅",
        village="醪田村",
        area="430525",
        born=datetime.date(1992, 1, 17),
        sequence=68,
        members=3,
    ),
    DemoHousehold(
        key="wang",
        head_name="王满仓",
        village="金塘村",
        area="430525",
        born=datetime.date(1986, 12, 1),
        sequence=79,
        members=6,
        consent=True,
    ),
    DemoHousehold(
        key="deng",
        head_name="邓小兰",
        village="金塘村",
        area="430525",
        born=datetime.date(1991, 4, 19),
        sequence=82,
        members=3,
    ),
    DemoHousehold(
        key="li",
        head_name="李红英",
        village="梧桐村",
        area="430521",
        born=datetime.date(1986, 6, 6),
        sequence=93,
        members=4,
    ),
    DemoHousehold(
        key="zhou",
        head_name="周建华",
        village="新华村",
        area="430981",
        born=datetime.date(1995, 2, 14),
        sequence=15,
        members=3,
        consent=True,
    ),
    DemoHousehold(
        key="hu",
        head_name="胡玉珍",
        village="新华村",
        area="430981",
        born=datetime.date(1996, 8, 21),
        sequence=26,
        members=2,
    ),
    DemoHousehold(
        key="ran",
        head_name="冉启富",
        village="青山村",
        area="500235",
        born=datetime.date(1998, 10, 3),
        sequence=37,
        members=5,
    ),
]

# At least one household per producer above the 6,000-yuan rule (seeds/001, 邵东).
# 家庭成员 besides the head: the one a producer employs is often not the head.
MEMBERS = [
    DemoHouseholdMember(
        household="yang",
        name="杨小燕",
        relation="女儿",
        area="430525",
        born=datetime.date(2004, 9, 8),
        sequence=26,
    ),
]

BENEFIT_LINKS = [
    DemoBenefitLink(
        producer="orange",
        household="wang",
        kind=BenefitKind.EMPLOYMENT,
        since=datetime.date(2019, 3, 1),
        annual_income="9600.00",
    ),
    DemoBenefitLink(
        producer="orange",
        household="deng",
        kind=BenefitKind.ORDER_PURCHASE,
        since=datetime.date(2019, 10, 15),
        annual_income="7200.00",
    ),
    DemoBenefitLink(
        producer="orange",
        household="liu",
        kind=BenefitKind.PROCESSING,
        since=datetime.date(2020, 1, 10),
        annual_income="3000.00",
    ),
    DemoBenefitLink(
        producer="tea",
        household="yang",
        kind=BenefitKind.EMPLOYMENT,
        since=datetime.date(2018, 4, 1),
        annual_income="8400.00",
    ),
    DemoBenefitLink(
        producer="tea",
        household="xiao",
        kind=BenefitKind.LAND_LEASE,
        since=datetime.date(2018, 4, 1),
        annual_income="2400.00",
    ),
    DemoBenefitLink(
        producer="tea",
        household="zeng",
        kind=BenefitKind.DIVIDEND,
        since=datetime.date(2019, 1, 1),
        annual_income="6500.00",
    ),
    DemoBenefitLink(
        producer="tea",
        household="yin",
        kind=BenefitKind.ORDER_PURCHASE,
        since=datetime.date(2019, 4, 10),
        annual_income="6800.00",
    ),
    DemoBenefitLink(
        producer="farm",
        household="liu",
        kind=BenefitKind.ORDER_PURCHASE,
        since=datetime.date(2019, 9, 1),
        annual_income="6200.00",
    ),
    DemoBenefitLink(
        producer="farm",
        household="tan",
        kind=BenefitKind.EMPLOYMENT,
        since=datetime.date(2020, 3, 1),
        annual_income="7800.00",
    ),
    DemoBenefitLink(
        producer="lake",
        household="zhou",
        kind=BenefitKind.EMPLOYMENT,
        since=datetime.date(2019, 5, 1),
        annual_income="10800.00",
    ),
    DemoBenefitLink(
        producer="lake",
        household="hu",
        kind=BenefitKind.ORDER_PURCHASE,
        since=datetime.date(2019, 9, 20),
        annual_income="6600.00",
    ),
    # Exactly 邵东's 6,000 (seeds/001, line 116: "不低于 6000 元").
    DemoBenefitLink(
        producer="peach",
        household="li",
        kind=BenefitKind.EMPLOYMENT,
        since=datetime.date(2019, 3, 1),
        annual_income="6000.00",
    ),
]

# Links that ended after the producer was certified: the certification goes
# to the administrators' review queue, which the demo shows with one open case.
ENDED_LINKS = [
    DemoEndedLink(
        producer="peach", household="li", kind=BenefitKind.EMPLOYMENT, days_ago=10
    )
]
