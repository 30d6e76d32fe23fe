"""Payments to households: dated when paid, confirmed by the household."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.factories import (
    BenefitLinkFactory,
    HouseholdFactory,
    ProducerFactory,
    RegionFactory,
    make_user,
)
from trace.choices import (
    BenefitKind,
    PaymentConfirmation,
    PaymentKind,
    ProducerKind,
    Role,
)
from trace.models import CertificationPolicy
from trace.selectors.certification import producer_eligibility
from trace.services.payments import (
    household_payment_add,
    household_payment_confirm_on_visit,
    household_payment_confirm_with_code,
)

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def shaodong():
    county = RegionFactory(name="邵东市", level="county")
    village = RegionFactory(name="廉桥村", parent=county)
    CertificationPolicy.objects.create(
        region=county,
        eligible_producer_kinds=[ProducerKind.ENTERPRISE],
        qualifying_benefit_kinds=[BenefitKind.EMPLOYMENT],
        min_annual_income=Decimal("6000"),
        min_households=1,
        source_document="邵东市消费扶贫工作",
    )
    producer = ProducerFactory(kind=ProducerKind.ENTERPRISE, region=village)
    household = HouseholdFactory(village=village, head_name="李春花")
    link = BenefitLinkFactory(
        producer=producer, household=household, annual_income=Decimal("6000")
    )
    informant = make_user("informant_lq", Role.INFORMANT, regions=[village])
    return producer, household, link, informant


def wage(link, amount, *, days_ago=10):
    return household_payment_add(
        household=link.household,
        producer=link.producer,
        benefit_link=link,
        kind=PaymentKind.WAGE,
        amount=Decimal(amount),
        paid_on=TODAY - datetime.timedelta(days=days_ago),
        recorded_by=None,
    )


def test_unconfirmed_wages_do_not_count_toward_the_6000(shaodong):
    producer, household, link, informant = shaodong
    assert producer_eligibility(producer=producer).qualifies  # declared only
    first, _ = wage(link, "3000", days_ago=40)
    second, code = wage(link, "3000")
    eligibility = producer_eligibility(producer=producer)
    assert not eligibility.qualifies
    assert "不低于 6000" in "".join(eligibility.reasons)
    household_payment_confirm_on_visit(
        payment=first, confirmed_by=informant, note="到户收益确认单已签字，拍照存档"
    )
    assert not producer_eligibility(producer=producer).qualifies  # 3000 confirmed
    household_payment_confirm_with_code(payment=second, code=code)
    assert producer_eligibility(producer=producer).qualifies
    second.refresh_from_db()
    assert second.confirmation == PaymentConfirmation.CONFIRMED
    with pytest.raises(ValidationError):  # one-time
        household_payment_confirm_with_code(payment=second, code=code)


def test_a_wrong_code_confirms_nothing_and_a_dispute_goes_to_review(shaodong):
    producer, household, link, informant = shaodong
    payment, code = wage(link, "6000")
    wrong = "0" * len(code) if code != "0" * len(code) else "1" * len(code)
    with pytest.raises(ValidationError) as raised:
        household_payment_confirm_with_code(payment=payment, code=wrong)
    assert raised.value.message_dict == {"code": ["确认码不正确。"]}
    payment.refresh_from_db()
    assert payment.confirmation == PaymentConfirmation.UNCONFIRMED
    disputed = household_payment_confirm_on_visit(
        payment=payment, confirmed_by=informant, note="本户称未收到", agreed=False
    )
    assert disputed.confirmation == PaymentConfirmation.DISPUTED
    assert not producer_eligibility(producer=producer).qualifies


def test_only_the_villages_informant_records_a_confirmation(shaodong):
    producer, household, link, informant = shaodong
    payment, _ = wage(link, "6000")
    elsewhere = make_user(
        "informant_other", Role.INFORMANT, regions=[RegionFactory(name="别村")]
    )
    with pytest.raises(ValidationError):
        household_payment_confirm_on_visit(
            payment=payment, confirmed_by=elsewhere, note="确认单"
        )
    with pytest.raises(ValidationError) as raised:
        household_payment_confirm_on_visit(
            payment=payment, confirmed_by=informant, note=" "
        )
    assert "note" in raised.value.message_dict
    assert "李春花" not in str(raised.value)


def test_the_roster_shows_unconfirmed_money_apart(shaodong):
    from reports.selectors.common import ReportFilters
    from reports.tables import report_build
    from tests.factories import make_administrator

    producer, household, link, informant = shaodong
    confirmed, _ = wage(link, "2500", days_ago=3)
    wage(link, "1200", days_ago=2)
    household_payment_confirm_on_visit(
        payment=confirmed, confirmed_by=informant, note="确认单已签字"
    )
    rows = report_build(
        key="beneficiary_roster",
        user=make_administrator("admin_roster"),
        filters=ReportFilters(
            date_from=TODAY - datetime.timedelta(days=7), date_to=TODAY
        ),
    ).rows
    assert [(row[0], row[3]) for row in rows] == [
        ("李春花", Decimal("2500.00")),
        ("李春花（待本户确认）", Decimal("1200.00")),
    ]
