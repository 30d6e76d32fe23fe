import datetime
import io
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from tests.factories import (
    BatchFactory,
    BenefitLinkFactory,
    BrandFactory,
    BrandLicenseFactory,
    CertificationFactory,
    HouseholdFactory,
    ProducerFactory,
    ProductLineFactory,
    RegionFactory,
    make_administrator,
    make_id_number,
)
from tests.reports.factories import OutletFactory, local
from trace.choices import (
    BatchStatus,
    CertificationReviewStatus,
    CertificationStatus,
    TraceEventKind,
)
from trace.models import (
    Batch,
    BatchContribution,
    BatchStatusChange,
    BenefitLink,
    CertificationReview,
    Household,
    Sale,
    TraceEvent,
    UserRole,
)
from trace.rules import CLOCK_SKEW
from trace.selectors.certification import certification_is_active, producer_eligibility
from trace.selectors.events import batch_remaining, outlet_stock_of
from trace.services.batches import (
    batch_create,
    batch_hold,
    batch_release,
    batch_transition,
    batch_transition_as_consequence,
    batch_update,
)
from trace.services.certification import (
    certification_policy_set,
    certification_reinstate,
    certification_review_dismiss,
    certification_review_revoke,
    certification_review_suspend,
    certification_revoke,
    certification_suspend,
    certification_update,
    producer_certify,
)
from trace.services.events import (
    guidance_visit_record,
    purchase_record,
    sale_record,
    trace_event_record,
)
from trace.services.households import benefit_link_end, benefit_link_update
from trace.services.licences import brand_license_revoke
from trace.services.registry import product_line_create

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


def office():
    """An administrator: these tests are about the rules, not about who may."""
    binding = UserRole.objects.filter(user__username="rules_admin").first()
    return binding.user if binding else make_administrator("rules_admin")


def batch_kwargs(producer, **overrides):
    kwargs = {
        "producer": producer,
        "product_line": ProductLineFactory(),
        "lot_code": "LOT2026X",
        "origin": producer.region,
        "harvest_date": TODAY,
        "quantity": Decimal("100"),
        "unit": "箱",
        "created_by": office(),
    }
    return kwargs | overrides


def certify(producer, **overrides):
    return producer_certify(
        producer=producer,
        number=overrides.get("number", f"CERT-{producer.pk}"),
        issuer="洞口县扶贫开发办公室",
        valid_from=overrides.get("valid_from", TODAY - datetime.timedelta(days=1)),
        valid_until=overrides.get("valid_until", TODAY + datetime.timedelta(days=365)),
        certified_by=office(),
    )


class TestQualification:
    def test_household_earning_the_threshold_qualifies(self, settings):
        settings.SUYUAN_MIN_HOUSEHOLD_INCOME = 6000
        link = BenefitLinkFactory(annual_income=Decimal("6000.00"))
        assert producer_eligibility(producer=link.producer).qualifies

    def test_household_just_below_threshold_does_not(self):
        link = BenefitLinkFactory(annual_income=Decimal("5999.99"))
        assert not producer_eligibility(producer=link.producer).qualifies

    def test_income_of_different_kinds_is_not_summed(self):
        link = BenefitLinkFactory(annual_income=Decimal("4000"))
        BenefitLinkFactory(
            producer=link.producer,
            household=link.household,
            kind="dividend",
            annual_income=Decimal("2000"),
        )
        assert not producer_eligibility(producer=link.producer).qualifies

    def test_two_households_below_threshold_do_not_add_up(self):
        link = BenefitLinkFactory(annual_income=Decimal("4000"))
        BenefitLinkFactory(producer=link.producer, annual_income=Decimal("4000"))
        assert not producer_eligibility(producer=link.producer).qualifies

    def test_threshold_is_a_setting(self, settings):
        link = BenefitLinkFactory(annual_income=Decimal("6500"))
        settings.SUYUAN_MIN_HOUSEHOLD_INCOME = 7000
        assert not producer_eligibility(producer=link.producer).qualifies


class TestCertification:
    def test_certify_refuses_a_producer_that_does_not_qualify(self):
        with pytest.raises(ValidationError) as raised:
            certify(ProducerFactory())
        assert "producer" in raised.value.message_dict

    def test_certify_suspend_reinstate_revoke(self):
        producer = BenefitLinkFactory().producer
        certification = certify(producer)
        assert certification_is_active(producer=producer)
        certification_suspend(
            certification=certification, reason="抽检不合格", changed_by=office()
        )
        assert not certification_is_active(producer=producer)
        certification_reinstate(
            certification=certification, reason="整改完成", changed_by=office()
        )
        assert certification_is_active(producer=producer)
        certification_revoke(
            certification=certification, reason="弄虚作假", changed_by=office()
        )
        certification.refresh_from_db()
        assert certification.status == CertificationStatus.REVOKED
        with pytest.raises(ValidationError):
            certification_reinstate(
                certification=certification, reason="再次申请", changed_by=office()
            )

    def test_status_change_needs_a_reason(self):
        certification = CertificationFactory()
        with pytest.raises(ValidationError):
            certification_suspend(
                certification=certification, reason=" ", changed_by=office()
            )

    def test_expired_certification_is_not_active(self):
        certification = CertificationFactory(
            valid_from=TODAY - datetime.timedelta(days=400),
            valid_until=TODAY - datetime.timedelta(days=1),
        )
        assert not certification_is_active(producer=certification.producer)


class TestBatchCreation:
    def test_certified_producer_gets_a_draft_batch(self):
        producer = CertificationFactory().producer
        batch = batch_create(**batch_kwargs(producer))
        assert batch.status == BatchStatus.DRAFT

    @pytest.mark.parametrize(
        "status", [CertificationStatus.SUSPENDED, CertificationStatus.REVOKED]
    )
    def test_no_batch_for_suspended_or_revoked_producer(self, status):
        producer = CertificationFactory(status=status).producer
        with pytest.raises(ValidationError) as raised:
            batch_create(**batch_kwargs(producer))
        assert "producer" in raised.value.message_dict

    def test_no_batch_for_uncertified_producer(self):
        with pytest.raises(ValidationError):
            batch_create(**batch_kwargs(ProducerFactory()))

    def test_branded_line_needs_a_valid_license(self):
        producer = CertificationFactory().producer
        brand = BrandFactory(name="雪峰蜜橘")
        line = ProductLineFactory(brand=brand, name="雪峰蜜橘")
        with pytest.raises(ValidationError) as raised:
            batch_create(**batch_kwargs(producer, product_line=line))
        assert "product_line" in raised.value.message_dict
        BrandLicenseFactory(brand=brand, producer=producer, product_lines=[line])
        assert batch_create(**batch_kwargs(producer, product_line=line)).pk

    def test_revoked_license_no_longer_allows_batches(self):
        producer = CertificationFactory().producer
        line = ProductLineFactory(brand=BrandFactory())
        license_ = BrandLicenseFactory(
            brand=line.brand, producer=producer, product_lines=[line]
        )
        brand_license_revoke(license_=license_, reason="质量问题", changed_by=office())
        with pytest.raises(ValidationError):
            batch_create(**batch_kwargs(producer, product_line=line))

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
            batch_create(**batch_kwargs(link.producer, contributions=[contribution]))
        assert "contributions" in raised.value.message_dict
        contribution["household"] = link.household
        batch = batch_create(
            **batch_kwargs(link.producer, contributions=[contribution])
        )
        assert batch.contributions.get().amount_paid == Decimal("300")

    def test_contributions_never_add_up_to_more_than_the_batch(self):
        link = BenefitLinkFactory()
        CertificationFactory(producer=link.producer)
        too_much = {
            "household": link.household,
            "quantity": Decimal("100.001"),
            "amount_paid": Decimal("300"),
        }
        with pytest.raises(ValidationError) as raised:
            batch_create(**batch_kwargs(link.producer, contributions=[too_much]))
        assert (
            "不能超过批次数量：批次 100箱"
            in raised.value.message_dict["contributions"][0]
        )
        exactly = too_much | {"quantity": Decimal("100")}
        batch = batch_create(**batch_kwargs(link.producer, contributions=[exactly]))
        with pytest.raises(ValidationError) as raised:
            batch_update(batch=batch, changed_by=office(), quantity=Decimal("99"))
        assert "quantity" in raised.value.message_dict
        batch.refresh_from_db()
        assert batch.quantity == Decimal("100")

    def test_lot_code_must_be_gs1_safe_and_unique_per_line(self):
        producer = CertificationFactory().producer
        with pytest.raises(ValidationError) as raised:
            batch_create(**batch_kwargs(producer, lot_code="古楼一批"))
        assert "lot_code" in raised.value.message_dict
        first = batch_create(**batch_kwargs(producer))
        with pytest.raises(ValidationError):
            batch_create(**batch_kwargs(producer, product_line=first.product_line))


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
        # Lifting a hold is decided by inspections (its evidence); the move is here.
        batch_transition_as_consequence(
            batch=batch,
            to_status=target,
            changed_by=office(),
            reason="抽检结果",
            lifting_hold=start == BatchStatus.ON_HOLD,
        )
        batch.refresh_from_db()
        assert batch.status == target
        change = BatchStatusChange.objects.get(batch=batch)
        assert (change.from_status, change.to_status, change.reason) == (
            start,
            target,
            "抽检结果",
        )

    def test_a_hold_is_not_lifted_without_its_evidence(self):
        batch = BatchFactory(
            status=BatchStatus.ON_HOLD, producer=CertificationFactory().producer
        )
        with pytest.raises(ValidationError) as refused:
            batch_release(batch=batch, changed_by=office(), reason="看着没问题")
        assert "status" in refused.value.message_dict
        batch.refresh_from_db()
        assert batch.status == BatchStatus.ON_HOLD
        assert not BatchStatusChange.objects.filter(batch=batch).exists()

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
            batch_transition(
                batch=batch, to_status=target, changed_by=office(), reason="试图变更"
            )
        batch.refresh_from_db()
        assert batch.status == start
        assert not BatchStatusChange.objects.exists()

    def test_hold_needs_a_reason(self):
        batch = BatchFactory(producer=CertificationFactory().producer)
        with pytest.raises(ValidationError):
            batch_hold(batch=batch, changed_by=office(), reason="")

    def test_release_needs_an_active_certification(self):
        batch = BatchFactory(
            status=BatchStatus.DRAFT,
            producer=CertificationFactory(status="suspended").producer,
        )
        with pytest.raises(ValidationError):
            batch_release(batch=batch, changed_by=office())

    def test_released_batch_cannot_be_edited(self):
        batch = BatchFactory(status=BatchStatus.RELEASED)
        with pytest.raises(ValidationError):
            batch_update(batch=batch, changed_by=office(), quantity=Decimal("1"))


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
            trace_event_record(
                batch=batch, recorded_by=office(), kind="harvest", occurred_at=TODAY
            )

    @pytest.mark.parametrize(
        "status", [BatchStatus.ON_HOLD, BatchStatus.RECALLED, BatchStatus.DRAFT]
    )
    def test_only_released_batches_are_sold(self, status):
        batch = BatchFactory(status=status)
        with pytest.raises(ValidationError):
            sale_record(
                batch=batch,
                recorded_by=office(),
                buyer="洞口县第一中学",
                channel="school",
                quantity=Decimal("10"),
                unit="箱",
                amount=Decimal("800"),
                sold_at=TODAY,
            )


# A certification stays true: changes to what it rests on re-check it.


class TestCertificationReview:
    @pytest.fixture
    def certified(self):
        link = BenefitLinkFactory(
            annual_income=Decimal("8000"), since=TODAY - datetime.timedelta(days=60)
        )
        return link, certify(link.producer)

    def test_a_link_ending_moves_the_producer_to_review(self, certified):
        link, certification = certified
        benefit_link_end(benefit_link=link, changed_by=office(), ended_on=TODAY)
        review = CertificationReview.objects.get()
        assert review.certification == certification
        assert review.producer == link.producer
        assert review.status == CertificationReviewStatus.OPEN
        assert review.trigger == "利益联结结束"
        assert "少于要求的 1 户" in review.reason
        assert review.policy_source == "系统默认标准（本地区未设认定政策）"
        # Not silently changed: the administrator decides.
        assert certification_is_active(producer=link.producer)

    def test_a_link_ending_in_the_future_keeps_the_certification(self, certified):
        link, _certification = certified
        benefit_link_end(
            benefit_link=link,
            changed_by=office(),
            ended_on=TODAY + datetime.timedelta(days=30),
        )
        assert not CertificationReview.objects.exists()

    def test_a_link_cut_below_the_minimum_opens_a_review(self, certified, settings):
        settings.SUYUAN_MIN_HOUSEHOLD_INCOME = 6000
        link, _certification = certified
        benefit_link_update(
            benefit_link=link, changed_by=office(), annual_income=Decimal("5999.99")
        )
        review = CertificationReview.objects.get()
        assert review.trigger == "利益联结变更"

    def test_a_second_change_refreshes_the_one_open_review(self, certified):
        link, _certification = certified
        benefit_link_update(
            benefit_link=link, changed_by=office(), annual_income=Decimal("10")
        )
        benefit_link_update(
            benefit_link=link, changed_by=office(), annual_income=Decimal("20")
        )
        assert CertificationReview.objects.count() == 1

    def test_qualifying_again_closes_the_review(self, certified):
        link, _certification = certified
        benefit_link_update(
            benefit_link=link, changed_by=office(), annual_income=Decimal("10")
        )
        benefit_link_update(
            benefit_link=link, changed_by=office(), annual_income=Decimal("9000")
        )
        review = CertificationReview.objects.get()
        assert review.status == CertificationReviewStatus.REQUALIFIED

    def test_editing_the_validity_rechecks_the_producer(self, certified):
        link, certification = certified
        BenefitLink.objects.filter(pk=link.pk).update(annual_income=Decimal("10"))
        certification_update(
            certification=certification,
            changed_by=office(),
            valid_until=TODAY + datetime.timedelta(days=700),
        )
        assert CertificationReview.objects.get().trigger == "认定有效期修改"

    def test_a_stricter_policy_sends_its_producers_to_review(self, certified):
        link, _certification = certified
        certification_policy_set(
            region=link.producer.region,
            changed_by=office(),
            eligible_producer_kinds=["enterprise"],
            qualifying_benefit_kinds=["employment"],
            min_annual_income=Decimal("6000"),
            source_document="测试政策",
        )
        review = CertificationReview.objects.get()
        assert review.trigger == "认定政策变更"
        assert "专业合作社不在本地区可认定的主体类型之内" in review.reason

    def test_suspending_from_the_review_closes_it(self, certified):
        link, certification = certified
        benefit_link_end(benefit_link=link, changed_by=office(), ended_on=TODAY)
        review = certification_review_suspend(
            review=CertificationReview.objects.get(),
            note="带贫关系中断",
            resolved_by=office(),
        )
        certification.refresh_from_db()
        assert certification.status == CertificationStatus.SUSPENDED
        assert review.status == CertificationReviewStatus.SUSPENDED
        assert review.resolution_note == "带贫关系中断"
        assert not certification_is_active(producer=link.producer)

    def test_dismissing_keeps_the_certification_and_needs_a_reason(self, certified):
        link, certification = certified
        benefit_link_end(benefit_link=link, changed_by=office(), ended_on=TODAY)
        review = CertificationReview.objects.get()
        with pytest.raises(ValidationError):
            certification_review_dismiss(review=review, note=" ", resolved_by=office())
        review = certification_review_dismiss(
            review=review, note="已核实新务工合同", resolved_by=office()
        )
        assert review.status == CertificationReviewStatus.DISMISSED
        assert certification_is_active(producer=link.producer)
        with pytest.raises(ValidationError):
            certification_review_revoke(
                review=review, note="再处理", resolved_by=office()
            )


# Sales are guarded (DESIGN: "never more than is left of the batch, never for
# a producer whose certification is not active").


def sale(batch, quantity, **fields):
    return sale_record(
        batch=batch,
        recorded_by=office(),
        **{
            "buyer": "邵东市某机关食堂",
            "channel": "government",
            "quantity": Decimal(quantity),
            "unit": batch.unit,
            "amount": Decimal("100"),
            "sold_at": datetime.datetime(2026, 10, 5, 10, tzinfo=datetime.UTC),
        }
        | fields,
    )


class TestSaleGuard:
    @pytest.fixture
    def batch(self):
        certification = CertificationFactory()
        return BatchFactory(
            producer=certification.producer, quantity=Decimal("30"), unit="斤"
        )

    @pytest.mark.parametrize("service", [certification_revoke, certification_suspend])
    def test_no_sale_after_revocation_or_suspension(self, batch, service):
        service(
            certification=batch.producer.certifications.get(),
            reason="弄虚作假",
            changed_by=office(),
        )
        with pytest.raises(ValidationError) as raised:
            sale(batch, "1000", sold_at=timezone.now())
        assert "已暂停、撤销" in raised.value.message_dict["sold_at"][0]
        assert not Sale.objects.exists()

    def test_a_sale_made_before_a_suspension_may_be_entered_later(self, batch):
        made = timezone.now() - datetime.timedelta(days=2)
        certification_suspend(
            certification=batch.producer.certifications.get(),
            reason="复核中",
            changed_by=office(),
        )
        entered = sale(batch, "5", sold_at=made)
        assert entered.sold_at == made and entered.recorded_at > made

    def test_a_late_entered_sale_dated_inside_the_validity_is_accepted(self, batch):
        certification = batch.producer.certifications.get()
        ended = TODAY - datetime.timedelta(days=2)
        batch.producer.certifications.update(
            valid_from=ended - datetime.timedelta(days=300), valid_until=ended
        )
        inside = timezone.make_aware(
            datetime.datetime.combine(ended, datetime.time(16, 0))
        )
        entered = sale(batch, "5", sold_at=inside)
        assert entered.recorded_at.date() > ended  # entered after the end
        with pytest.raises(ValidationError) as raised:
            sale(batch, "5", sold_at=inside + datetime.timedelta(days=1))
        assert "sold_at" in raised.value.message_dict
        assert Sale.objects.count() == 1
        assert certification.pk

    def test_no_sale_after_the_certification_expired(self, batch):
        batch.producer.certifications.update(
            valid_from=TODAY - datetime.timedelta(days=400),
            valid_until=TODAY - datetime.timedelta(days=1),
        )
        with pytest.raises(ValidationError):
            sale(batch, "1", sold_at=timezone.now())
        assert not Sale.objects.exists()

    def test_a_sale_may_take_exactly_what_is_left(self, batch):
        sale(batch, "20")
        sale(batch, "10")
        assert batch_remaining(batch=batch) == 0

    def test_an_oversell_is_refused_with_what_is_left(self, batch):
        sale(batch, "20")
        with pytest.raises(ValidationError) as raised:
            sale(batch, "10.001")
        assert raised.value.message_dict["quantity"] == [
            "超出该批次剩余数量：剩余 10斤，本次 10.001斤。"
        ]
        assert Sale.objects.count() == 1

    def test_a_sale_in_another_unit_is_refused(self, batch):
        with pytest.raises(ValidationError) as raised:
            sale(batch, "1", unit="kg")
        assert "unit" in raised.value.message_dict

    def test_an_outlet_resells_what_it_bought_in_not_more(self, batch):
        store = OutletFactory(kind="authorised_store")
        sale(batch, "20", buyer_outlet=store, note="授权店进货")
        sale(batch, "10")  # the producer's last 10 斤
        sale(batch, "15", outlet=store)  # retail from the store's 20
        assert batch_remaining(batch=batch) == 0
        assert outlet_stock_of(batch=batch, outlet=store) == 5
        with pytest.raises(ValidationError) as raised:
            sale(batch, "6", outlet=store)
        assert "进货剩余 5斤" in raised.value.message_dict["quantity"][0]


# 地理标志 origin and entitled product lines, on every service path.


class TestBatchEntitlement:
    @pytest.fixture
    def crab(self):
        province = RegionFactory(name="湖南省", level="province")
        lake = RegionFactory(name="大通湖区", level="county", parent=province)
        dongkou = RegionFactory(name="洞口县", level="county", parent=province)
        lake_producer = CertificationFactory(
            producer=ProducerFactory(region=lake)
        ).producer
        orange = CertificationFactory(producer=ProducerFactory(region=dongkou)).producer
        line = product_line_create(
            created_by=office(),
            name="大通湖大闸蟹",
            geographical_indication=True,
            unit="只",
            producer=lake_producer,
            protected_regions=[lake],
        )
        return line, lake_producer, orange, lake, dongkou

    def test_the_owner_registers_a_batch_from_inside_the_region(self, crab):
        line, lake_producer, _orange, lake, _dongkou = crab
        batch = batch_create(
            **batch_kwargs(lake_producer, product_line=line, origin=lake)
        )
        assert batch.status == BatchStatus.DRAFT

    def test_another_producer_cannot_use_the_line(self, crab):
        line, _lake_producer, orange, lake, _dongkou = crab
        with pytest.raises(ValidationError) as raised:
            batch_create(**batch_kwargs(orange, product_line=line, origin=lake))
        assert "product_line" in raised.value.message_dict

    def test_a_gi_batch_from_outside_its_region_is_refused(self, crab):
        line, lake_producer, _orange, _lake, dongkou = crab
        with pytest.raises(ValidationError) as raised:
            batch_create(
                **batch_kwargs(lake_producer, product_line=line, origin=dongkou)
            )
        assert "大通湖区" in raised.value.message_dict["origin"][0]
        assert not Batch.objects.exists()

    def test_moving_a_draft_outside_the_region_is_refused(self, crab):
        line, lake_producer, _orange, lake, dongkou = crab
        batch = batch_create(
            **batch_kwargs(lake_producer, product_line=line, origin=lake)
        )
        with pytest.raises(ValidationError):
            batch_update(batch=batch, changed_by=office(), origin=dongkou)

    def test_a_draft_from_before_the_rules_is_not_released(self, crab):
        # The demo's crab got in as a draft by the orange company's operator.
        line, _lake_producer, orange, _lake, dongkou = crab
        batch = BatchFactory(
            producer=orange, product_line=line, origin=dongkou, status="draft"
        )
        with pytest.raises(ValidationError):
            batch_release(batch=batch, changed_by=office())
        batch.refresh_from_db()
        assert batch.status == BatchStatus.DRAFT

    def test_a_gi_line_needs_its_protected_region(self):
        with pytest.raises(ValidationError) as raised:
            product_line_create(
                created_by=office(),
                name="洞口雪峰蜜橘",
                geographical_indication=True,
                unit="箱",
            )
        assert "protected_regions" in raised.value.message_dict


@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs concurrent connections"
)
def test_two_sales_at_once_cannot_oversell_the_batch(transactional_db):
    batch = BatchFactory(
        producer=CertificationFactory().producer, quantity=Decimal("30"), unit="斤"
    )
    office()  # the recording user exists before the threads race for the batch
    barrier = threading.Barrier(2)
    outcomes = []

    def record():
        try:
            barrier.wait()
            sale(batch, "20")
            outcomes.append("sold")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=record) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["refused", "sold"]
    assert batch_remaining(batch=batch) == Decimal("10")


def test_the_daily_recheck_catches_a_link_that_ended_since(settings):
    link = BenefitLinkFactory(
        annual_income=Decimal("8000"), since=TODAY - datetime.timedelta(days=60)
    )
    certify(link.producer)
    benefit_link_end(
        benefit_link=link,
        changed_by=office(),
        ended_on=TODAY + datetime.timedelta(days=1),
    )
    assert not CertificationReview.objects.exists()  # still in force today
    # The next day nothing else changes; the daily command finds it.
    BenefitLink.objects.filter(pk=link.pk).update(ended_on=TODAY)
    out = io.StringIO()
    call_command("recheck_certifications", stdout=out)
    assert "待管理员处理的复核 1 件" in out.getvalue()
    assert CertificationReview.objects.get().trigger == "定期复核"


def test_beat_runs_the_daily_recheck(settings):
    from trace.tasks import certifications_recheck_task

    assert (
        settings.CELERY_BEAT_SCHEDULE["certifications-recheck"]["task"]
        == certifications_recheck_task.name
    )
    link = BenefitLinkFactory(
        annual_income=Decimal("8000"), since=TODAY - datetime.timedelta(days=60)
    )
    certify(link.producer)
    BenefitLink.objects.filter(pk=link.pk).update(ended_on=TODAY)
    assert certifications_recheck_task() == 1
    assert CertificationReview.objects.get().producer == link.producer
    assert certifications_recheck_task() == 1  # idempotent: still one review
    assert CertificationReview.objects.count() == 1


class TestEventOrder:
    """Events keep their order (issue 32): one rule, trace/rules.py, on every path.

    The cycle's batch v1 was harvested on 2026-08-20 and is released.
    """

    SHIPPED = local(2026, 9, 1, 12)

    def ship(self, cycle, batch):
        return trace_event_record(
            batch=batch,
            recorded_by=cycle.users["admin"],
            kind=TraceEventKind.SHIP,
            occurred_at=self.SHIPPED,
        )

    def purchase(self, cycle, purchased_at, batch=None):
        return purchase_record(
            batch=batch or cycle.batches["v1"],
            household=cycle.households["v1"],
            quantity=Decimal("20"),
            amount_paid=Decimal("600.00"),
            purchased_at=purchased_at,
            recorded_by=cycle.users["purchase_point_v1"],
        )

    def test_a_purchase_into_a_shipped_batch_is_refused_with_nothing_written(
        self, cycle
    ):
        batch = cycle.batches["v1"]
        self.ship(cycle, batch)
        before = list(BatchContribution.objects.values_list("quantity", "amount_paid"))
        with pytest.raises(ValidationError) as refused:
            self.purchase(cycle, local(2026, 10, 1, 9))
        assert refused.value.message_dict == {
            "purchased_at": [
                "该批次已于 2026-09-01 12:00 发货，不能再登记发货前的环节（收购）。"
            ]
        }
        assert not TraceEvent.objects.filter(kind=TraceEventKind.PURCHASE).exists()
        assert (
            list(BatchContribution.objects.values_list("quantity", "amount_paid"))
            == before
        )
        with pytest.raises(ValidationError):  # exactly at the shipment
            self.purchase(cycle, self.SHIPPED)
        event = self.purchase(cycle, self.SHIPPED - datetime.timedelta(seconds=1))
        assert event.kind == TraceEventKind.PURCHASE
        contribution = BatchContribution.objects.get(
            batch=batch, household=cycle.households["v1"]
        )
        assert contribution.amount_paid == Decimal("900.00")  # 300 + 600

    def test_a_purchase_into_a_recalled_batch_is_refused_whatever_its_date(self, cycle):
        batch = cycle.batches["v1"]
        # The caller's copy still says released: the service reads the row.
        Batch.objects.filter(pk=batch.pk).update(status=BatchStatus.RECALLED)
        with pytest.raises(ValidationError) as refused:
            self.purchase(cycle, local(2026, 8, 21, 9), batch=batch)
        assert refused.value.message_dict == {
            "purchased_at": ["该批次已召回，不能再登记收购。"]
        }
        assert not TraceEvent.objects.exists()
        assert BatchContribution.objects.get(batch=batch).amount_paid == 300

    def test_guidance_after_the_shipment_is_refused_on_its_time(self, cycle):
        batch = cycle.batches["v1b"]
        self.ship(cycle, batch)
        with pytest.raises(ValidationError) as refused:
            guidance_visit_record(
                batch=batch,
                recorded_by=cycle.users["technician_t1"],
                occurred_at=local(2026, 10, 1, 9),
                topic="茶园冬季修剪",
            )
        assert refused.value.message_dict == {
            "occurred_at": [
                "该批次已于 2026-09-01 12:00 发货，不能再登记发货前的环节（技术指导）。"
            ]
        }
        assert TraceEvent.objects.filter(batch=batch).count() == 1

    def test_an_event_is_allowed_from_the_start_of_the_harvest_date(self, cycle):
        batch = cycle.batches["v1"]

        def harvest(at):
            return trace_event_record(
                batch=batch,
                recorded_by=cycle.users["admin"],
                kind=TraceEventKind.HARVEST,
                occurred_at=at,
            )

        start = timezone.make_aware(datetime.datetime(2026, 8, 20))  # 00:00
        with pytest.raises(ValidationError) as refused:
            harvest(start - datetime.timedelta(seconds=1))
        assert refused.value.message_dict == {
            "occurred_at": [
                "该批次的采收/生产日期为 2026-08-20，不能登记此前的环节（采收）。"
            ]
        }
        assert harvest(start).occurred_at == start

    def test_an_event_beyond_the_clock_skew_is_refused(self, cycle):
        batch = cycle.batches["v1"]

        def pack(at):
            return trace_event_record(
                batch=batch,
                recorded_by=cycle.users["admin"],
                kind=TraceEventKind.PACK,
                occurred_at=at,
            )

        with pytest.raises(ValidationError) as refused:
            pack(timezone.now() + CLOCK_SKEW + datetime.timedelta(minutes=1))
        assert refused.value.message_dict == {
            "occurred_at": ["时间晚于当前时间，不能登记尚未发生的环节（包装）。"]
        }
        # A phone's clock a few minutes ahead is fine.
        pack(timezone.now() + CLOCK_SKEW - datetime.timedelta(minutes=1))
        assert TraceEvent.objects.count() == 1

    def test_a_shipment_cannot_precede_a_recorded_production_step(self, cycle):
        batch = cycle.batches["v1"]
        trace_event_record(
            batch=batch,
            recorded_by=cycle.users["admin"],
            kind=TraceEventKind.PACK,
            occurred_at=self.SHIPPED,
        )
        with pytest.raises(ValidationError) as refused:
            self.ship(cycle, batch)
        assert refused.value.message_dict == {
            "occurred_at": [
                "该批次已有 2026-09-01 12:00 的包装记录，发货时间须晚于它。"
            ]
        }
        trace_event_record(
            batch=batch,
            recorded_by=cycle.users["admin"],
            kind=TraceEventKind.SHIP,
            occurred_at=self.SHIPPED + datetime.timedelta(seconds=1),
        )
        assert TraceEvent.objects.filter(kind=TraceEventKind.SHIP).count() == 1
