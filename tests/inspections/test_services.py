import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from inspections.choices import InspectionKind, QualitativeOutcome, Verdict
from inspections.models import Inspection
from inspections.services import (
    IdempotencyKeyReused,
    analyte_delete,
    analyte_seed_examples,
    inspection_create,
    inspection_sign,
    inspection_supersede,
)
from tests.factories import BatchFactory
from tests.inspections.factories import (
    AnalyteFactory,
    enzyme,
    qualitative,
    quantitative,
    record_inspection,
)
from trace.choices import BatchStatus, CertificationStatus
from trace.models import BatchStatusChange


def status_of(batch) -> str:
    batch.refresh_from_db()
    return batch.status


def test_failed_spot_check_puts_batch_on_hold_with_who_and_why(world):
    inspection = record_inspection(
        batch=world.batch_a,
        user=world.inspector,
        items=[quantitative("1.5", limit="1.0")],
    )
    assert inspection.verdict == Verdict.FAIL
    assert status_of(world.batch_a) == BatchStatus.ON_HOLD
    change = BatchStatusChange.objects.get(batch=world.batch_a)
    assert change.changed_by == world.inspector
    assert f"#{inspection.pk}" in change.reason
    assert inspection.status_change == change


def test_value_equal_to_limit_passes_and_changes_nothing(world):
    inspection = record_inspection(
        batch=world.batch_a,
        user=world.inspector,
        items=[quantitative("1.0", limit="1.0")],
    )
    assert inspection.verdict == Verdict.PASS
    assert status_of(world.batch_a) == BatchStatus.RELEASED


def test_suspect_rapid_test_puts_batch_on_hold(world):
    inspection = record_inspection(
        batch=world.batch_a,
        user=world.inspector,
        kind=InspectionKind.RAPID_TEST,
        items=[enzyme("50.0")],
    )
    assert inspection.verdict == Verdict.SUSPECT
    assert status_of(world.batch_a) == BatchStatus.ON_HOLD


def test_rapid_test_below_50_percent_passes(world):
    inspection = record_inspection(
        batch=world.batch_a,
        user=world.inspector,
        kind=InspectionKind.RAPID_TEST,
        items=[enzyme("49.9")],
    )
    assert inspection.verdict == Verdict.PASS
    assert status_of(world.batch_a) == BatchStatus.RELEASED


def test_failed_inspection_of_batch_already_on_hold_leaves_it(world):
    record_inspection(
        batch=world.batch_a, user=world.inspector, items=[quantitative("2")]
    )
    second = record_inspection(
        batch=world.batch_a, user=world.inspector, items=[quantitative("3")]
    )
    assert status_of(world.batch_a) == BatchStatus.ON_HOLD
    assert second.status_change is None
    assert BatchStatusChange.objects.filter(batch=world.batch_a).count() == 1


def test_confirming_lab_test_recalls(world):
    suspect = record_inspection(
        batch=world.batch_a,
        user=world.inspector,
        kind=InspectionKind.RAPID_TEST,
        items=[enzyme("70")],
    )
    lab = record_inspection(
        batch=world.batch_a,
        user=world.inspector,
        kind=InspectionKind.LAB_TEST,
        confirms=suspect,
        items=[quantitative("0.8", limit="0.5")],
    )
    assert lab.verdict == Verdict.FAIL
    assert status_of(world.batch_a) == BatchStatus.RECALLED
    assert lab.status_change.to_status == BatchStatus.RECALLED


def test_failing_lab_test_on_held_batch_recalls_without_link(world):
    record_inspection(
        batch=world.batch_a, user=world.inspector, items=[quantitative("2")]
    )
    record_inspection(
        batch=world.batch_a,
        user=world.inspector,
        kind=InspectionKind.LAB_TEST,
        items=[quantitative("2")],
    )
    assert status_of(world.batch_a) == BatchStatus.RECALLED


def test_clearing_lab_test_releases_batch_held_for_suspect(world):
    suspect = record_inspection(
        batch=world.batch_a,
        user=world.inspector,
        kind=InspectionKind.RAPID_TEST,
        items=[enzyme("55")],
    )
    lab = record_inspection(
        batch=world.batch_a,
        user=world.inspector,
        kind=InspectionKind.LAB_TEST,
        confirms=suspect,
        items=[quantitative("0.01", limit="0.5")],
    )
    assert status_of(world.batch_a) == BatchStatus.RELEASED
    assert lab.status_change.to_status == BatchStatus.RELEASED
    assert lab.status_change.changed_by == world.inspector


def test_passing_lab_test_does_not_release_batch_held_for_a_failure(world):
    record_inspection(
        batch=world.batch_a, user=world.inspector, items=[quantitative("2")]
    )
    record_inspection(
        batch=world.batch_a,
        user=world.inspector,
        kind=InspectionKind.LAB_TEST,
        items=[quantitative("0.1")],
    )
    assert status_of(world.batch_a) == BatchStatus.ON_HOLD


def test_passing_lab_test_does_not_release_if_a_spot_check_failed_after_the_suspect(
    world,
):
    record_inspection(
        batch=world.batch_a,
        user=world.inspector,
        kind=InspectionKind.RAPID_TEST,
        items=[enzyme("60")],
    )
    record_inspection(
        batch=world.batch_a, user=world.inspector, items=[quantitative("2")]
    )
    record_inspection(
        batch=world.batch_a,
        user=world.inspector,
        kind=InspectionKind.LAB_TEST,
        items=[quantitative("0.1")],
    )
    assert status_of(world.batch_a) == BatchStatus.ON_HOLD


def test_clearing_lab_test_is_recorded_even_if_release_is_refused(world):
    record_inspection(
        batch=world.batch_a,
        user=world.inspector,
        kind=InspectionKind.RAPID_TEST,
        items=[enzyme("60")],
    )
    world.producer_a.certifications.update(status=CertificationStatus.SUSPENDED)
    lab = record_inspection(
        batch=world.batch_a,
        user=world.inspector,
        kind=InspectionKind.LAB_TEST,
        items=[quantitative("0.1")],
    )
    assert lab.pk and lab.verdict == Verdict.PASS and lab.status_change is None
    assert status_of(world.batch_a) == BatchStatus.ON_HOLD


@pytest.mark.parametrize(
    "items", [[quantitative("9")], [enzyme("90")], [qualitative("fail")]]
)
def test_self_check_never_changes_batch_status(world, items):
    inspection = record_inspection(
        batch=world.batch_a,
        user=world.operator_a,
        kind=InspectionKind.SELF_CHECK,
        items=items,
    )
    assert inspection.verdict in (Verdict.FAIL, Verdict.SUSPECT)
    assert status_of(world.batch_a) == BatchStatus.RELEASED
    assert not BatchStatusChange.objects.exists()


def test_qualitative_item_fails_as_entered(world):
    inspection = record_inspection(
        batch=world.batch_a,
        user=world.inspector,
        items=[
            quantitative("0.1"),
            qualitative(QualitativeOutcome.FAIL, item="感官（外观）"),
        ],
    )
    assert inspection.verdict == Verdict.FAIL
    assert [r.verdict for r in inspection.results.all()] == [Verdict.PASS, Verdict.FAIL]


def test_catalogue_limit_per_product_category_is_used(world):
    analyte = AnalyteFactory(limit=Decimal("1.0"))
    analyte.limits.create(
        category=world.batch_a.product_line.category, limit=Decimal("0.1")
    )
    inspection = record_inspection(
        batch=world.batch_a,
        user=world.inspector,
        items=[{"analyte": analyte, "measured_value": Decimal("0.2")}],
    )
    result = inspection.results.get()
    assert (result.item, result.limit, result.unit) == (
        analyte.name,
        Decimal("0.1"),
        "mg/kg",
    )
    assert inspection.verdict == Verdict.FAIL


def test_incomplete_items_are_refused_with_their_number(world):
    with pytest.raises(ValidationError) as error:
        record_inspection(
            batch=world.batch_a,
            user=world.inspector,
            items=[quantitative("0.1"), {"item": "铅", "measured_value": Decimal("1")}],
        )
    assert "第 2 项" in error.value.message_dict["items"][0]
    assert not Inspection.objects.exists()


def test_sampled_in_the_future_is_refused(world):
    with pytest.raises(ValidationError) as error:
        record_inspection(
            batch=world.batch_a,
            user=world.inspector,
            sampled_at=timezone.now() + datetime.timedelta(days=1),
        )
    assert "sampled_at" in error.value.message_dict


def test_inspector_cannot_record_outside_regions(world):
    with pytest.raises(ValidationError) as error:
        record_inspection(
            batch=world.batch_b, user=world.inspector, items=[quantitative("9")]
        )
    assert "batch" in error.value.message_dict
    assert not Inspection.objects.exists()
    assert status_of(world.batch_b) == BatchStatus.RELEASED


def test_operator_records_self_checks_on_own_batch_only(world):
    with pytest.raises(ValidationError) as error:
        record_inspection(
            batch=world.batch_a, user=world.operator_a, kind=InspectionKind.SPOT_CHECK
        )
    assert "kind" in error.value.message_dict
    with pytest.raises(ValidationError):
        record_inspection(
            batch=world.batch_b, user=world.operator_a, kind=InspectionKind.SELF_CHECK
        )
    inspection = record_inspection(
        batch=world.batch_a, user=world.operator_a, kind=InspectionKind.SELF_CHECK
    )
    assert inspection.organisation == world.producer_a.name


def test_confirms_must_be_a_suspect_of_the_same_batch_and_a_lab_test(world):
    passed = record_inspection(batch=world.batch_a, user=world.inspector)
    with pytest.raises(ValidationError):
        record_inspection(
            batch=world.batch_a,
            user=world.inspector,
            kind=InspectionKind.LAB_TEST,
            confirms=passed,
        )
    suspect = record_inspection(
        batch=world.batch_a,
        user=world.inspector,
        kind=InspectionKind.RAPID_TEST,
        items=[enzyme("80")],
    )
    with pytest.raises(ValidationError):
        record_inspection(
            batch=world.batch_a,
            user=world.inspector,
            kind=InspectionKind.SPOT_CHECK,
            confirms=suspect,
        )


def test_place_defaults_to_the_batch_origin(world):
    inspection = record_inspection(batch=world.batch_a, user=world.inspector)
    assert inspection.region == world.gulou_village and inspection.outlet is None


def test_supersede_keeps_both_with_who_and_when(world):
    original = record_inspection(
        batch=world.batch_a, user=world.inspector, notes="单位填错"
    )
    inspection_sign(inspection=original, signed_by=world.inspector)
    correction, created = inspection_supersede(
        original=original,
        created_by=world.admin,
        sampled_at=original.sampled_at,
        items=[quantitative("0.2")],
        notes="更正",
    )
    assert created and correction.supersedes == original
    assert (correction.batch, correction.kind) == (original.batch, original.kind)
    original.refresh_from_db()
    assert (
        original.superseded_by == correction and original.signed_by == world.inspector
    )
    assert correction.created_by == world.admin
    with pytest.raises(ValidationError):
        inspection_supersede(
            original=original,
            created_by=world.admin,
            sampled_at=original.sampled_at,
            items=[quantitative("0.2")],
        )


def test_sign_once_by_the_inspector(world):
    inspection = record_inspection(batch=world.batch_a, user=world.inspector)
    with pytest.raises(ValidationError):
        inspection_sign(inspection=inspection, signed_by=world.operator_a)
    signed = inspection_sign(inspection=inspection, signed_by=world.inspector)
    assert signed.signed_at is not None and signed.signed_by == world.inspector
    with pytest.raises(ValidationError):
        inspection_sign(inspection=signed, signed_by=world.inspector)


def test_idempotency_key_replays_and_refuses_a_different_request(world):
    fields = {
        "created_by": world.inspector,
        "batch": world.batch_a,
        "kind": InspectionKind.SPOT_CHECK,
        "sampled_at": timezone.now(),
        "items": [quantitative("0.1")],
        "idempotency_key": "phone-1-0001",
    }
    first, created = inspection_create(request_fingerprint="abc", **fields)
    again, created_again = inspection_create(request_fingerprint="abc", **fields)
    assert created and not created_again and again == first
    assert Inspection.objects.count() == 1
    with pytest.raises(IdempotencyKeyReused):
        inspection_create(request_fingerprint="other", **fields)
    # The key belongs to its user: another user's same key is a new record.
    other, created_other = inspection_create(
        request_fingerprint="abc", **{**fields, "created_by": world.admin}
    )
    assert created_other and other != first


def test_draft_batch_failing_is_recorded_but_not_moved(world):
    draft = BatchFactory(
        producer=world.producer_a, origin=world.gulou_village, status=BatchStatus.DRAFT
    )
    inspection = record_inspection(
        batch=draft, user=world.inspector, items=[quantitative("9")]
    )
    assert inspection.verdict == Verdict.FAIL and status_of(draft) == BatchStatus.DRAFT


def test_analyte_examples_are_marked_and_seeding_is_idempotent(db):
    first = analyte_seed_examples()
    second = analyte_seed_examples()
    assert [a.pk for a in first] == [a.pk for a in second]
    assert all(a.is_example and "示例数据" in a.description for a in first)


def test_analyte_in_use_cannot_be_deleted(world):
    analyte = AnalyteFactory()
    record_inspection(
        batch=world.batch_a,
        user=world.inspector,
        items=[{"analyte": analyte, "measured_value": Decimal("0.1")}],
    )
    with pytest.raises(ValidationError):
        analyte_delete(analyte=analyte)


@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs concurrent connections"
)
def test_concurrent_retries_with_one_key_record_one_inspection(world, transactional_db):
    barrier = threading.Barrier(2)
    outcomes = []

    def submit():
        try:
            barrier.wait()
            inspection, created = inspection_create(
                created_by=world.inspector,
                batch=world.batch_a,
                kind=InspectionKind.SPOT_CHECK,
                sampled_at=timezone.now(),
                items=[quantitative("0.1")],
                idempotency_key="weak-signal-1",
                request_fingerprint="same",
            )
            outcomes.append((inspection.pk, created))
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(created for _pk, created in outcomes) == [False, True]
    assert len({pk for pk, _created in outcomes}) == 1
    assert Inspection.objects.count() == 1
