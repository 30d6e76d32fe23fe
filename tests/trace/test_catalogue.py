"""The 扶贫产品目录's rules: 核查 against the policy, 公示 by date, objections."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from tests.catalogue import (
    draft_entry,
    end_notice,
    entry_in_notice,
    listed_entry,
    make_officers,
)
from tests.factories import (
    BenefitLinkFactory,
    HouseholdFactory,
    ProducerFactory,
    make_pdf,
)
from trace.choices import (
    BenefitKind,
    CatalogueContactKind,
    CatalogueStatus,
    CatalogueStepKind,
    ObjectionStatus,
    ProducerKind,
)
from trace.models import CatalogueEntryStep, Certification
from trace.selectors.catalogue import (
    catalogue_entry_for_batch,
    catalogue_entry_status,
    catalogue_public_facts,
    catalogue_public_list,
)
from trace.services.catalogue import (
    catalogue_availability_set,
    catalogue_entry_apply,
    catalogue_entry_check,
    catalogue_entry_create,
    catalogue_entry_decide,
    catalogue_entry_update,
    catalogue_entry_withdraw,
    catalogue_notices_close,
    catalogue_objection_lodge,
    catalogue_objection_review,
)
from trace.services.catalogue_files import catalogue_evidence_add
from trace.services.certification import certification_policy_set, certification_revoke

pytestmark = pytest.mark.django_db


@pytest.fixture
def officers(world):
    return make_officers(world)


def test_each_step_keeps_who_when_and_why(world, officers):
    entry = draft_entry(world)
    catalogue_entry_apply(
        entry=entry, applied_by=world.operator_a, statement="带动王小明务工"
    )
    catalogue_entry_check(entry=entry, checked_by=officers.supervisor, passed=True)
    catalogue_entry_decide(
        entry=entry, decided_by=officers.office, approved=True, reason="符合政策"
    )
    steps = list(entry.steps.all())
    assert [(step.kind, step.actor) for step in steps] == [
        (CatalogueStepKind.APPLY, world.operator_a),
        (CatalogueStepKind.CHECK_PASSED, officers.supervisor),
        (CatalogueStepKind.APPROVE, officers.office),
    ]
    assert steps[0].reason == "带动王小明务工"
    check = steps[1]
    assert check.qualifying_households == 1
    assert check.policy_source  # the policy the 监督员 applied is cited
    assert [step.to_status for step in steps] == [
        CatalogueStatus.APPLIED,
        CatalogueStatus.CHECKED,
        CatalogueStatus.NOTICE,
    ]
    entry.refresh_from_db()
    today = timezone.localdate()
    assert entry.notice_starts_on == today
    assert entry.notice_ends_on == today + datetime.timedelta(days=6)  # 7 days


def test_check_cannot_pass_a_producer_the_county_policy_refuses(world, officers):
    # 邵东's policy (seed 001, lines 112-118): 务工 only, at least 6,000 yuan.
    certification_policy_set(
        region=world.dongkou,
        changed_by=world.admin,
        eligible_producer_kinds=[ProducerKind.COOPERATIVE],
        qualifying_benefit_kinds=[BenefitKind.EMPLOYMENT],
        min_annual_income=Decimal("9000"),
        min_households=1,
        source_document="洞口县扶贫产品认定办法（测试）",
    )
    entry = draft_entry(world)
    catalogue_entry_apply(entry=entry, applied_by=world.operator_a)
    with pytest.raises(ValidationError) as error:
        catalogue_entry_check(entry=entry, checked_by=officers.supervisor, passed=True)
    assert "洞口县扶贫产品认定办法（测试）" in str(error.value)
    with pytest.raises(ValidationError):  # a failure needs its reason
        catalogue_entry_check(entry=entry, checked_by=officers.supervisor, passed=False)
    catalogue_entry_check(
        entry=entry, checked_by=officers.supervisor, passed=False, reason="年收益不足"
    )
    entry.refresh_from_db()
    assert entry.status == CatalogueStatus.REJECTED
    step = entry.steps.get(kind=CatalogueStepKind.CHECK_FAILED)
    assert step.findings and "9000" in step.findings[0]
    # A rejected entry can be applied again once the producer qualifies.
    catalogue_entry_apply(entry=entry, applied_by=world.operator_a)
    entry.refresh_from_db()
    assert entry.status == CatalogueStatus.APPLIED


def test_approval_needs_an_active_certification(world, officers):
    entry = draft_entry(world)
    catalogue_entry_apply(entry=entry, applied_by=world.operator_a)
    catalogue_entry_check(entry=entry, checked_by=officers.supervisor, passed=True)
    Certification.objects.filter(producer=world.producer_a).update(status="revoked")
    with pytest.raises(ValidationError) as error:
        catalogue_entry_decide(entry=entry, decided_by=officers.office, approved=True)
    assert "认定" in str(error.value)


def test_notice_ends_by_date_and_closing_is_idempotent(world, officers):
    entry = entry_in_notice(world, officers)
    today = timezone.localdate()
    assert catalogue_entry_status(entry=entry) == CatalogueStatus.NOTICE
    assert not catalogue_public_list().filter(pk=entry.pk).exists()
    ends = entry.notice_ends_on
    # Listed from the day after the last day of 公示, before any task ran.
    assert catalogue_public_list(on=ends + datetime.timedelta(days=1)).filter(
        pk=entry.pk
    )
    assert not catalogue_public_list(on=ends).filter(pk=entry.pk)
    assert catalogue_notices_close(on=today) == 0
    end_notice(entry)
    assert catalogue_notices_close() == 1
    assert catalogue_notices_close() == 0  # a second run changes nothing
    call_command("catalogue_notices_close", stdout=open("/dev/null", "w"))  # noqa: SIM115
    entry.refresh_from_db()
    assert entry.status == CatalogueStatus.LISTED
    assert entry.listed_on == today
    listing = CatalogueEntryStep.objects.get(entry=entry, kind=CatalogueStepKind.LIST)
    assert listing.actor is None and "公示期满" in listing.reason


def test_upheld_objection_stops_the_entry(world, officers):
    entry = entry_in_notice(world, officers)
    objection = catalogue_objection_lodge(
        entry=entry, text="该合作社并未带动贫困户务工"
    )
    end_notice(entry)
    # A pending objection keeps the entry out until it is reviewed.
    assert catalogue_notices_close() == 0
    assert not catalogue_public_list().filter(pk=entry.pk).exists()
    catalogue_objection_review(
        objection=objection, reviewed_by=officers.office, upheld=True, note="经核实属实"
    )
    entry.refresh_from_db()
    assert entry.status == CatalogueStatus.REJECTED
    assert entry.steps.last().kind == CatalogueStepKind.OBJECTION_UPHELD
    assert catalogue_notices_close() == 0
    assert not catalogue_public_list().filter(pk=entry.pk).exists()


def test_dismissed_objection_lets_the_entry_in(world, officers):
    entry = entry_in_notice(world, officers)
    objection = catalogue_objection_lodge(
        entry=entry, text="价格偏高", name="张三", contact="13800000000"
    )
    catalogue_objection_review(
        objection=objection, reviewed_by=officers.office, upheld=False, note="价格合理"
    )
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.DISMISSED
    with pytest.raises(ValidationError):  # reviewed once only
        catalogue_objection_review(
            objection=objection, reviewed_by=officers.office, upheld=True, note="再议"
        )
    end_notice(entry)
    assert catalogue_notices_close() == 1


def test_objections_only_during_notice(world, officers):
    entry = draft_entry(world)
    with pytest.raises(ValidationError):
        catalogue_objection_lodge(entry=entry, text="异议")
    entry = listed_entry(world, officers, name="古楼红茶")
    with pytest.raises(ValidationError):
        catalogue_objection_lodge(entry=entry, text="异议")


def test_revoked_certification_takes_the_product_off_the_public_catalogue(
    world, officers
):
    entry = listed_entry(world, officers)
    assert catalogue_entry_for_batch(batch=world.batch_a) == entry
    certification = Certification.objects.get(producer=world.producer_a)
    certification_revoke(
        certification=certification, reason="带贫不实", changed_by=world.admin
    )
    assert not catalogue_public_list().filter(pk=entry.pk).exists()
    assert catalogue_entry_for_batch(batch=world.batch_a) is None
    entry.refresh_from_db()
    assert entry.status == CatalogueStatus.LISTED  # the office may still withdraw it


def test_listed_product_stays_listed_without_stock(world, officers):
    entry = listed_entry(world, officers)
    world.batch_a.sales.all().delete()
    world.batch_a.status = "recalled"
    world.batch_a.save()
    assert catalogue_public_list().filter(pk=entry.pk).exists()
    catalogue_entry_withdraw(entry=entry, withdrawn_by=world.operator_a, reason="停产")
    assert not catalogue_public_list().filter(pk=entry.pk).exists()


def test_household_producer_is_never_named_or_called_publicly(world, officers):
    household = HouseholdFactory(village=world.gulou_village, head_name="赵大妈")
    producer = ProducerFactory(
        name="赵大妈",
        kind=ProducerKind.HOUSEHOLD,
        region=world.gulou_village,
        contact_person="赵大妈",
        contact_phone="13912345678",
        uscc=None,
    )
    BenefitLinkFactory(producer=producer, household=household)
    with pytest.raises(ValidationError) as error:
        catalogue_entry_create(
            producer=producer,
            created_by=officers.informant,
            name="土鸡蛋",
            unit="个",
            price=Decimal("1.5"),
            delivery_method="pickup",
            planned_quantity=Decimal("200"),
        )
    assert "contact_kind" in error.value.message_dict
    entry = catalogue_entry_create(
        producer=producer,
        created_by=officers.informant,
        name="土鸡蛋",
        unit="个",
        price=Decimal("1.5"),
        delivery_method="pickup",
        planned_quantity=Decimal("200"),
        contact_kind=CatalogueContactKind.INFORMANT,
        informant=officers.informant,
        households=[household],
    )
    [facts] = catalogue_public_facts(entries=[entry])
    text = repr(facts)
    assert "赵大妈" not in text and "13912345678" not in text
    assert facts["producer"] == "古楼村农户"
    assert (facts["contact_name"], facts["contact_phone"]) == ("杨信息", "13907390001")


def test_informant_of_another_village_cannot_be_the_contact(world, officers):
    with pytest.raises(ValidationError) as error:
        draft_entry(
            world,
            region=world.shaodong_village,
            contact_kind=CatalogueContactKind.INFORMANT,
            informant=officers.informant,
        )
    assert "informant" in error.value.message_dict


def test_households_must_be_linked_to_the_producer(world):
    with pytest.raises(ValidationError) as error:
        draft_entry(world, households=[world.household_b])
    assert "households" in error.value.message_dict


def test_checked_entry_keeps_what_it_is_but_prices_move(world, officers):
    entry = entry_in_notice(world, officers)
    with pytest.raises(ValidationError):
        catalogue_entry_update(entry=entry, changed_by=world.operator_a, name="别的茶")
    catalogue_entry_update(
        entry=entry, changed_by=world.operator_a, price=Decimal("79.00")
    )
    entry.refresh_from_db()
    assert entry.price == Decimal("79.00") and entry.name == "古楼云雾茶"


def test_availability_is_kept_per_month_for_listed_products(world, officers):
    entry = draft_entry(world)
    with pytest.raises(ValidationError):
        catalogue_availability_set(
            entry=entry,
            month=datetime.date(2026, 5, 1),
            available=True,
            quantity=Decimal("10"),
            recorded_by=officers.informant,
        )
    entry = listed_entry(world, officers, name="古楼红茶")
    first = catalogue_availability_set(
        entry=entry,
        month=datetime.date(2026, 5, 17),
        available=True,
        quantity=Decimal("10"),
        recorded_by=officers.informant,
    )
    again = catalogue_availability_set(
        entry=entry,
        month=datetime.date(2026, 5, 3),
        available=False,
        quantity=Decimal("10"),
        recorded_by=officers.informant,
    )
    assert first.pk == again.pk and again.month == datetime.date(2026, 5, 1)
    assert again.quantity == 0


def test_a_household_head_as_the_producers_contact_is_refused(world, officers):
    world.producer_a.contact_person = world.household_a.head_name
    world.producer_a.save()
    with pytest.raises(ValidationError) as error:
        draft_entry(world)
    assert "contact_kind" in error.value.message_dict
    entry = draft_entry(
        world,
        contact_kind=CatalogueContactKind.INFORMANT,
        informant=officers.informant,
    )
    assert entry.informant == officers.informant


def test_the_periodic_task_lists_ended_notices(world, officers, settings):
    from trace.tasks import catalogue_notices_close_task

    assert "catalogue-notices-close" in settings.CELERY_BEAT_SCHEDULE
    entry = entry_in_notice(world, officers)
    end_notice(entry)
    assert catalogue_notices_close_task() == 1
    assert catalogue_notices_close_task() == 0
    entry.refresh_from_db()
    assert entry.status == CatalogueStatus.LISTED


def test_refused_evidence_leaves_no_file_behind(world, officers, media_root):
    entry = draft_entry(world)
    pdf = make_pdf()
    with pytest.raises(ValidationError) as refused:
        # Refused by the row's own check, after the file was stored.
        catalogue_evidence_add(
            entry=entry,
            uploaded_by=world.operator_a,
            file=io.BytesIO(pdf),
            caption="长" * 256,
        )
    assert "caption" in refused.value.message_dict
    assert not [path for path in media_root.rglob("*") if path.is_file()]
    evidence = catalogue_evidence_add(
        entry=entry, uploaded_by=world.operator_a, file=io.BytesIO(pdf)
    )
    assert evidence.file.name.startswith(f"catalogue-evidence/{entry.pk}/")
    assert (
        evidence.file.name.endswith(".pdf")
        and "evidence" not in evidence.file.name.rsplit("/", 1)[1]
    )
    catalogue_entry_apply(entry=entry, applied_by=world.operator_a)
    catalogue_entry_withdraw(entry=entry, withdrawn_by=world.operator_a, reason="停产")
    with pytest.raises(ValidationError, match="审定前"):
        catalogue_evidence_add(
            entry=entry, uploaded_by=world.operator_a, file=io.BytesIO(pdf)
        )
    assert entry.evidence.count() == 1
