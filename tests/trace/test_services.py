import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tests.factories import (
    BatchFactory,
    BenefitLinkFactory,
    BrandFactory,
    BrandLicenseFactory,
    CertificationFactory,
    HouseholdFactory,
    ProducerFactory,
    ProductLineFactory,
    make_id_number,
)
from trace import services
from trace.choices import BatchStatus, CertificationStatus
from trace.models import BatchStatusChange, Household

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


def batch_kwargs(producer, **overrides):
    kwargs = {
        "producer": producer,
        "product_line": ProductLineFactory(),
        "lot_code": "LOT2026X",
        "origin": producer.region,
        "harvest_date": TODAY,
        "quantity": Decimal("100"),
        "unit": "箱",
        "created_by": None,
    }
    return kwargs | overrides


def certify(producer, **overrides):
    return services.producer_certify(
        producer=producer,
        number=overrides.get("number", f"CERT-{producer.pk}"),
        issuer="洞口县扶贫开发办公室",
        valid_from=overrides.get("valid_from", TODAY - datetime.timedelta(days=1)),
        valid_until=overrides.get("valid_until", TODAY + datetime.timedelta(days=365)),
        certified_by=None,
    )


class TestQualification:
    def test_household_earning_the_threshold_qualifies(self, settings):
        settings.SUYUAN_MIN_HOUSEHOLD_INCOME = 6000
        link = BenefitLinkFactory(annual_income=Decimal("6000.00"))
        assert services.producer_eligibility(producer=link.producer).qualifies

    def test_household_just_below_threshold_does_not(self):
        link = BenefitLinkFactory(annual_income=Decimal("5999.99"))
        assert not services.producer_eligibility(producer=link.producer).qualifies

    def test_income_of_different_kinds_is_not_summed(self):
        link = BenefitLinkFactory(annual_income=Decimal("4000"))
        BenefitLinkFactory(
            producer=link.producer,
            household=link.household,
            kind="dividend",
            annual_income=Decimal("2000"),
        )
        assert not services.producer_eligibility(producer=link.producer).qualifies

    def test_two_households_below_threshold_do_not_add_up(self):
        link = BenefitLinkFactory(annual_income=Decimal("4000"))
        BenefitLinkFactory(producer=link.producer, annual_income=Decimal("4000"))
        assert not services.producer_eligibility(producer=link.producer).qualifies

    def test_threshold_is_a_setting(self, settings):
        link = BenefitLinkFactory(annual_income=Decimal("6500"))
        settings.SUYUAN_MIN_HOUSEHOLD_INCOME = 7000
        assert not services.producer_eligibility(producer=link.producer).qualifies


class TestCertification:
    def test_certify_refuses_a_producer_that_does_not_qualify(self):
        with pytest.raises(ValidationError) as raised:
            certify(ProducerFactory())
        assert "producer" in raised.value.message_dict

    def test_certify_suspend_reinstate_revoke(self):
        producer = BenefitLinkFactory().producer
        certification = certify(producer)
        assert services.certification_is_active(producer=producer)
        services.certification_suspend(
            certification=certification, reason="抽检不合格", changed_by=None
        )
        assert not services.certification_is_active(producer=producer)
        services.certification_reinstate(
            certification=certification, reason="整改完成", changed_by=None
        )
        assert services.certification_is_active(producer=producer)
        services.certification_revoke(
            certification=certification, reason="弄虚作假", changed_by=None
        )
        certification.refresh_from_db()
        assert certification.status == CertificationStatus.REVOKED
        with pytest.raises(ValidationError):
            services.certification_reinstate(
                certification=certification, reason="再次申请", changed_by=None
            )

    def test_status_change_needs_a_reason(self):
        certification = CertificationFactory()
        with pytest.raises(ValidationError):
            services.certification_suspend(
                certification=certification, reason=" ", changed_by=None
            )

    def test_expired_certification_is_not_active(self):
        certification = CertificationFactory(
            valid_from=TODAY - datetime.timedelta(days=400),
            valid_until=TODAY - datetime.timedelta(days=1),
        )
        assert not services.certification_is_active(producer=certification.producer)


class TestBatchCreation:
    def test_certified_producer_gets_a_draft_batch(self):
        producer = CertificationFactory().producer
        batch = services.batch_create(**batch_kwargs(producer))
        assert batch.status == BatchStatus.DRAFT

    @pytest.mark.parametrize(
        "status", [CertificationStatus.SUSPENDED, CertificationStatus.REVOKED]
    )
    def test_no_batch_for_suspended_or_revoked_producer(self, status):
        producer = CertificationFactory(status=status).producer
        with pytest.raises(ValidationError) as raised:
            services.batch_create(**batch_kwargs(producer))
        assert "producer" in raised.value.message_dict

    def test_no_batch_for_uncertified_producer(self):
        with pytest.raises(ValidationError):
            services.batch_create(**batch_kwargs(ProducerFactory()))

    def test_branded_line_needs_a_valid_license(self):
        producer = CertificationFactory().producer
        brand = BrandFactory(name="雪峰蜜橘")
        line = ProductLineFactory(brand=brand, name="雪峰蜜橘")
        with pytest.raises(ValidationError) as raised:
            services.batch_create(**batch_kwargs(producer, product_line=line))
        assert "product_line" in raised.value.message_dict
        BrandLicenseFactory(brand=brand, producer=producer, product_lines=[line])
        assert services.batch_create(**batch_kwargs(producer, product_line=line)).pk

    def test_revoked_license_no_longer_allows_batches(self):
        producer = CertificationFactory().producer
        line = ProductLineFactory(brand=BrandFactory())
        license_ = BrandLicenseFactory(
            brand=line.brand, producer=producer, product_lines=[line]
        )
        services.brand_license_revoke(license_=license_, reason="质量问题")
        with pytest.raises(ValidationError):
            services.batch_create(**batch_kwargs(producer, product_line=line))

    def test_contributions_need_a_benefit_link(self):
        link = BenefitLinkFactory()
        CertificationFactory(producer=link.producer)
        stranger = HouseholdFactory()
        contribution = {
            "household": stranger,
            "quantity": Decimal("10"),
            "amount_paid": Decimal("300"),
        }
        with pytest.raises(ValidationError) as raised:
            services.batch_create(
                **batch_kwargs(link.producer, contributions=[contribution])
            )
        assert "contributions" in raised.value.message_dict
        contribution["household"] = link.household
        batch = services.batch_create(
            **batch_kwargs(link.producer, contributions=[contribution])
        )
        assert batch.contributions.get().amount_paid == Decimal("300")

    def test_lot_code_must_be_gs1_safe_and_unique_per_line(self):
        producer = CertificationFactory().producer
        with pytest.raises(ValidationError) as raised:
            services.batch_create(**batch_kwargs(producer, lot_code="古楼一批"))
        assert "lot_code" in raised.value.message_dict
        first = services.batch_create(**batch_kwargs(producer))
        with pytest.raises(ValidationError):
            services.batch_create(
                **batch_kwargs(producer, product_line=first.product_line)
            )


class TestBatchTransitions:
    @pytest.mark.parametrize(
        ("start", "target"),
        [
            (BatchStatus.DRAFT, BatchStatus.RELEASED),
            (BatchStatus.RELEASED, BatchStatus.ON_HOLD),
            (BatchStatus.ON_HOLD, BatchStatus.RELEASED),
            (BatchStatus.ON_HOLD, BatchStatus.RECALLED),
            (BatchStatus.RELEASED, BatchStatus.RECALLED),
        ],
    )
    def test_legal_transitions_are_recorded(self, start, target):
        batch = BatchFactory(status=start, producer=CertificationFactory().producer)
        services.batch_transition(
            batch=batch, to_status=target, changed_by=None, reason="抽检结果"
        )
        batch.refresh_from_db()
        assert batch.status == target
        change = BatchStatusChange.objects.get(batch=batch)
        assert (change.from_status, change.to_status, change.reason) == (
            start,
            target,
            "抽检结果",
        )

    @pytest.mark.parametrize(
        ("start", "target"),
        [
            (BatchStatus.DRAFT, BatchStatus.ON_HOLD),
            (BatchStatus.DRAFT, BatchStatus.RECALLED),
            (BatchStatus.RELEASED, BatchStatus.DRAFT),
            (BatchStatus.RECALLED, BatchStatus.RELEASED),
            (BatchStatus.RECALLED, BatchStatus.ON_HOLD),
            (BatchStatus.ON_HOLD, BatchStatus.DRAFT),
        ],
    )
    def test_illegal_transitions_are_refused(self, start, target):
        batch = BatchFactory(status=start, producer=CertificationFactory().producer)
        with pytest.raises(ValidationError):
            services.batch_transition(
                batch=batch, to_status=target, changed_by=None, reason="试图变更"
            )
        batch.refresh_from_db()
        assert batch.status == start
        assert not BatchStatusChange.objects.exists()

    def test_hold_needs_a_reason(self):
        batch = BatchFactory(producer=CertificationFactory().producer)
        with pytest.raises(ValidationError):
            services.batch_hold(batch=batch, changed_by=None, reason="")

    def test_release_needs_an_active_certification(self):
        batch = BatchFactory(
            status=BatchStatus.DRAFT,
            producer=CertificationFactory(status="suspended").producer,
        )
        with pytest.raises(ValidationError):
            services.batch_release(batch=batch, changed_by=None)

    def test_released_batch_cannot_be_edited(self):
        batch = BatchFactory(status=BatchStatus.RELEASED)
        with pytest.raises(ValidationError):
            services.batch_update(batch=batch, quantity=Decimal("1"))


class TestHouseholds:
    def test_id_number_is_encrypted_and_duplicates_are_refused(self):
        number = make_id_number()
        household = HouseholdFactory(id_number=number)
        stored = Household.objects.values_list("id_number_encrypted", flat=True).get(
            pk=household.pk
        )
        assert number not in stored
        assert household.id_number() == number
        with pytest.raises(ValidationError) as raised:
            HouseholdFactory(id_number=number.lower())
        assert "id_number" in raised.value.message_dict
        assert number not in str(raised.value)

    def test_invalid_id_number_is_refused(self):
        number = make_id_number()
        wrong_check = number[:-1] + ("0" if number[-1] != "0" else "1")
        with pytest.raises(ValidationError):
            HouseholdFactory(id_number=wrong_check)
        assert not Household.objects.exists()


class TestRecords:
    def test_no_trace_event_on_a_draft(self):
        batch = BatchFactory(status=BatchStatus.DRAFT)
        with pytest.raises(ValidationError):
            services.trace_event_record(
                batch=batch, recorded_by=None, kind="harvest", occurred_at=TODAY
            )

    @pytest.mark.parametrize(
        "status", [BatchStatus.ON_HOLD, BatchStatus.RECALLED, BatchStatus.DRAFT]
    )
    def test_only_released_batches_are_sold(self, status):
        batch = BatchFactory(status=status)
        with pytest.raises(ValidationError):
            services.sale_record(
                batch=batch,
                recorded_by=None,
                buyer="洞口县第一中学",
                channel="school",
                quantity=Decimal("10"),
                unit="箱",
                amount=Decimal("800"),
                sold_at=TODAY,
            )
