import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from inspections.choices import (
    HoldReleaseBasis,
    InspectionKind,
    QualitativeOutcome,
    Verdict,
)
from inspections.models import HoldCause, HoldRelease, Inspection
from inspections.selectors import batch_hold_state
from inspections.services.analytes import analyte_delete, analyte_seed_examples
from inspections.services.holds import batch_hold_release_sign
from inspections.services.inspections import (
    IdempotencyKeyReused,
    inspection_create,
    inspection_sign,
    inspection_supersede,
)
from tests.factories import BatchFactory
from tests.inspections.factories import (
    AnalyteFactory,
    catalogued,
    enzyme,
    qualitative,
    quantitative,
    record_inspection,
)
from trace.choices import BatchStatus, CertificationStatus
from trace.models import BatchStatusChange
from trace.services.batches import batch_hold, batch_release


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
    assert change.actor == world.inspector
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


def test_clearing_lab_test_is_recorded_even_if_release_is_refused(world, examples):
    record_inspection(
        batch=world.batch_a,
        user=world.inspector,
        kind=InspectionKind.RAPID_TEST,
        items=[catalogued(examples["enzyme"], "60")],
    )
    world.producer_a.certifications.update(status=CertificationStatus.SUSPENDED)
    lab = record_inspection(
        batch=world.batch_a,
        user=world.inspector,
        kind=InspectionKind.LAB_TEST,
        items=[catalogued(examples["dichlorvos"], "0.01")],
    )
    assert lab.pk and lab.verdict == Verdict.PASS and lab.status_change is None
    assert status_of(world.batch_a) == BatchStatus.ON_HOLD
    # The evidence stands: once the office settles the certification, an
    # inspector's signature lifts the hold without another test.
    state = batch_hold_state(batch=world.batch_a)
    assert state.lab_results_lift_it and not state.outstanding


# A hold is lifted only by evidence about its own cause (issue 32).


def rapid_test_suspect(world, examples, inhibition="62"):
    return record_inspection(
        batch=world.batch_a,
        user=world.inspector,
        kind=InspectionKind.RAPID_TEST,
        items=[catalogued(examples["enzyme"], inhibition)],
    )


def lab_test(world, *items):
    return record_inspection(
        batch=world.batch_a,
        user=world.inspector,
        kind=InspectionKind.LAB_TEST,
        items=list(items),
    )


def test_lead_lab_test_does_not_lift_a_pesticide_hold(world, examples):
    rapid_test_suspect(world, examples)
    lead = lab_test(world, catalogued(examples["lead"], "0.02"))
    assert lead.verdict == Verdict.PASS and lead.status_change is None
    assert status_of(world.batch_a) == BatchStatus.ON_HOLD
    state = batch_hold_state(batch=world.batch_a)
    assert [cause.label for cause in state.outstanding] == ["有机磷和氨基甲酸酯类农药"]
    assert not HoldRelease.objects.exists()


def test_lab_result_of_a_listed_analyte_of_the_class_lifts_the_hold(world, examples):
    suspect = rapid_test_suspect(world, examples)
    assert "有机磷和氨基甲酸酯类农药" in suspect.status_change.reason
    lab = lab_test(world, catalogued(examples["dichlorvos"], "0.01"))
    assert status_of(world.batch_a) == BatchStatus.RELEASED
    assert lab.status_change.to_status == BatchStatus.RELEASED
    assert lab.status_change.actor == world.inspector
    assert "敌敌畏 0.01 mg/kg ≤ 0.2 mg/kg" in lab.status_change.reason
    release = HoldRelease.objects.get()
    assert release.basis == HoldReleaseBasis.LAB_RESULTS
    assert release.inspection == lab and release.hold == suspect.status_change
    assert release.released_by == world.inspector
    cause = HoldCause.objects.get()
    assert cause.covered_by == lab.results.get()


def test_a_pass_against_a_limit_looser_than_the_standard_covers_nothing(
    world, examples
):
    rapid_test_suspect(world, examples)
    # The catalogue's (GB 2763 example) limit for 水果 is 0.2 mg/kg.
    lab_test(world, catalogued(examples["dichlorvos"], "0.3", limit="0.5"))
    assert status_of(world.batch_a) == BatchStatus.ON_HOLD
    lab_test(world, catalogued(examples["dichlorvos"], "0.05", limit="0.2"))
    assert status_of(world.batch_a) == BatchStatus.RELEASED


def test_every_cause_needs_its_own_passing_result(world, examples):
    record_inspection(
        batch=world.batch_a,
        user=world.inspector,
        kind=InspectionKind.RAPID_TEST,
        items=[
            catalogued(examples["enzyme"], "70"),
            catalogued(examples["appearance"], outcome="fail"),
        ],
    )
    lab_test(world, catalogued(examples["carbofuran"], "0.01"))
    assert status_of(world.batch_a) == BatchStatus.ON_HOLD
    state = batch_hold_state(batch=world.batch_a)
    assert [cause.label for cause in state.outstanding] == ["感官（外观）"]
    lab_test(world, catalogued(examples["appearance"], outcome="pass"))
    assert status_of(world.batch_a) == BatchStatus.RELEASED


def test_a_new_suspect_on_a_held_batch_is_one_more_cause(world, examples):
    record_inspection(
        batch=world.batch_a,
        user=world.inspector,
        items=[catalogued(examples["appearance"], outcome="fail")],
    )
    rapid_test_suspect(world, examples)
    lab_test(world, catalogued(examples["appearance"], outcome="pass"))
    assert status_of(world.batch_a) == BatchStatus.ON_HOLD
    lab_test(world, catalogued(examples["dichlorvos"], "0.01"))
    assert status_of(world.batch_a) == BatchStatus.RELEASED


def test_hand_typed_enzyme_item_is_about_the_catalogued_class(world, examples):
    record_inspection(
        batch=world.batch_a,
        user=world.inspector,
        kind=InspectionKind.RAPID_TEST,
        items=[enzyme("62")],
    )
    state = batch_hold_state(batch=world.batch_a)
    assert [cause.label for cause in state.outstanding] == ["有机磷和氨基甲酸酯类农药"]


def test_hold_of_unknown_cause_is_lifted_only_by_a_signed_release(world):
    record_inspection(
        batch=world.batch_a, user=world.inspector, items=[quantitative("2")]
    )
    # Free-text items name no catalogued analyte: no lab result can answer them.
    lab_test(world, quantitative("0.1"))
    assert status_of(world.batch_a) == BatchStatus.ON_HOLD
    with pytest.raises(ValidationError) as refused:
        batch_hold_release_sign(
            batch=world.batch_a, released_by=world.inspector, reason="  "
        )
    assert "reason" in refused.value.message_dict
    release = batch_hold_release_sign(
        batch=world.batch_a,
        released_by=world.inspector,
        reason="复检报告 HN-2026-118 合格，经核实为标签错误",
    )
    assert status_of(world.batch_a) == BatchStatus.RELEASED
    assert release.basis == HoldReleaseBasis.SIGNED
    assert release.released_by == world.inspector
    assert "HN-2026-118" in release.status_change.reason


def test_a_signature_cannot_override_an_untested_cause(world, examples):
    rapid_test_suspect(world, examples)
    with pytest.raises(ValidationError) as refused:
        batch_hold_release_sign(
            batch=world.batch_a, released_by=world.inspector, reason="看着没问题"
        )
    assert "有机磷和氨基甲酸酯类农药" in str(refused.value)
    assert status_of(world.batch_a) == BatchStatus.ON_HOLD


def test_only_an_inspector_of_the_region_signs_a_release(world):
    batch_hold(
        batch=world.batch_a, changed_by=world.operator_a, reason="自查发现包装破损"
    )
    for user in (world.operator_a, world.operator_b):
        with pytest.raises(ValidationError):
            batch_hold_release_sign(
                batch=world.batch_a, released_by=user, reason="已更换包装"
            )
    assert status_of(world.batch_a) == BatchStatus.ON_HOLD
    assert not HoldRelease.objects.exists()


def test_no_face_releases_a_held_batch_around_the_evidence(world):
    batch_hold(batch=world.batch_a, changed_by=world.inspector, reason="举报")
    with pytest.raises(ValidationError):
        batch_release(batch=world.batch_a, changed_by=world.admin)
    assert status_of(world.batch_a) == BatchStatus.ON_HOLD


def test_a_lab_result_before_the_hold_covers_nothing(world, examples):
    lab_test(world, catalogued(examples["dichlorvos"], "0.01"))
    rapid_test_suspect(world, examples)
    assert status_of(world.batch_a) == BatchStatus.ON_HOLD
    assert batch_hold_state(batch=world.batch_a).outstanding


def test_a_release_record_cannot_be_changed(world):
    batch_hold(batch=world.batch_a, changed_by=world.inspector, reason="举报")
    release = batch_hold_release_sign(
        batch=world.batch_a, released_by=world.inspector, reason="核实无误"
    )
    release.reason = "改写"
    with pytest.raises(ValidationError):
        release.save()
    with pytest.raises(ValidationError):
        HoldRelease.objects.update(reason="改写")
    with pytest.raises(ValidationError):
        release.delete()


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
