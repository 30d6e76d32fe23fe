"""A recorded check's consequences for its batch: hold, recall, lift.

A failed or suspect inspection (not a producer's self check) puts its batch on
hold for the analytes or classes it found; a lab result lifts the hold only
when it covers every cause, else an inspector's signed release does. The
batch's status moves only through trace.services.batches.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from inspections import rules
from inspections.choices import (
    BatchAction,
    HoldReleaseBasis,
    InspectionKind,
    Verdict,
)
from inspections.models import (
    Analyte,
    AnalyteClass,
    HoldCause,
    HoldRelease,
    Inspection,
    InspectionResult,
)
from inspections.selectors import (
    analyte_limit_for,
    batch_current_hold,
    batch_hold_state,
)
from trace import access
from trace.choices import BatchStatus
from trace.models import Batch, BatchStatusChange
from trace.services.batches import batch_transition_as_consequence


def _apply_consequence(
    *,
    inspection: Inspection,
    results: list[InspectionResult],
    batch: Batch,
    changed_by,
) -> BatchStatusChange | None:
    hold = batch_current_hold(batch=batch)
    hold_covered = False
    if hold is not None and inspection.kind == InspectionKind.LAB_TEST:
        _hold_causes_cover(hold=hold, results=results, batch=batch)
        hold_covered = batch_hold_state(batch=batch).lab_results_lift_it
    action = rules.batch_action(
        kind=inspection.kind,
        verdict=inspection.verdict,
        batch_status=batch.status,
        confirms_suspect=inspection.confirms_id is not None,
        hold_covered=hold_covered,
    )
    if action is None:
        if hold is not None and inspection.kind != InspectionKind.SELF_CHECK:
            # A new failure on a held batch is one more thing the hold is for.
            _hold_causes_add(hold=hold, batch=batch, results=results)
        return None
    facts = {
        "id": inspection.pk,
        "kind": inspection.get_kind_display(),
        "verdict": inspection.get_verdict_display(),
    }
    if action == BatchAction.HOLD:
        causes = _hold_cause_targets(results)
        reason = (
            _("检测记录 #%(id)s（%(kind)s）结论为“%(verdict)s”，批次暂停销售。") % facts
        )
        reason += _("暂停原因：%(causes)s。") % {
            "causes": "、".join(_cause_labels(causes))
        }
        batch_transition_as_consequence(
            batch=batch,
            to_status=BatchStatus.ON_HOLD,
            changed_by=changed_by,
            reason=reason,
        )
        hold = batch_current_hold(batch=batch)
        _hold_causes_add(hold=hold, batch=batch, results=results)
        return hold
    if action == BatchAction.RECALL:
        reason = _("实验室检测 #%(id)s 确认不合格，批次召回。") % facts
        batch_transition_as_consequence(
            batch=batch,
            to_status=BatchStatus.RECALLED,
            changed_by=changed_by,
            reason=reason,
        )
        return BatchStatusChange.objects.filter(batch=batch).order_by("-id").first()
    state = batch_hold_state(batch=batch)
    reason = _(
        "实验室检测 #%(id)s 合格，已覆盖全部暂停原因：%(evidence)s；解除暂停。"
    ) % {"id": inspection.pk, "evidence": "；".join(cause_evidence_text(state.causes))}
    try:
        with transaction.atomic():
            return _hold_lift(
                batch=batch,
                hold=hold,
                released_by=changed_by,
                reason=reason,
                basis=HoldReleaseBasis.LAB_RESULTS,
                inspection=inspection,
            ).status_change
    except ValidationError:
        # E.g. the certification lapsed meanwhile: the lab result is still
        # recorded, and the batch stays on hold for the office to decide.
        return None


def _hold_cause_targets(
    results: list[InspectionResult],
) -> list[tuple[InspectionResult, Analyte | None, AnalyteClass | None]]:
    """Return, for each failed or suspect item, the analyte or class it is about."""
    targets = []
    for result in results:
        if result.verdict == Verdict.PASS:
            continue
        analyte = result.analyte or _screening_analyte_for(result)
        analyte_id, class_id = rules.hold_cause_target(
            analyte_id=analyte.pk if analyte else None,
            screens_class_id=analyte.screens_id if analyte else None,
        )
        targets.append(
            (
                result,
                analyte if analyte_id is not None else None,
                analyte.screens if class_id is not None else None,
            )
        )
    return targets


def _screening_analyte_for(result: InspectionResult) -> Analyte | None:
    """Return the catalogue's screening test for an item typed without it.

    An enzyme-inhibition item typed by hand (GB/T 5009.199) is about the
    same class as the catalogued screening test of that method.
    """
    if not rules.is_enzyme_inhibition_method(result.method):
        return None
    for analyte in Analyte.objects.filter(screens__isnull=False).select_related(
        "screens"
    ):
        if rules.is_enzyme_inhibition_method(analyte.method):
            return analyte
    return None


def _cause_labels(targets) -> list[str]:
    labels = []
    for result, analyte, analyte_class in targets:
        label = (
            analyte_class.name
            if analyte_class
            else (analyte.name if analyte else result.item)
        )
        if label not in labels:
            labels.append(label)
    return labels


def _hold_causes_add(
    *, hold: BatchStatusChange, batch: Batch, results: list[InspectionResult]
) -> None:
    for result, analyte, analyte_class in _hold_cause_targets(results):
        HoldCause.objects.get_or_create(
            hold=hold,
            result=result,
            defaults={
                "batch": batch,
                "analyte": analyte,
                "analyte_class": analyte_class,
            },
        )


def _hold_causes_cover(
    *, hold: BatchStatusChange, results: list[InspectionResult], batch: Batch
) -> None:
    """Record which open causes of the hold these lab results answer."""
    open_causes = HoldCause.objects.filter(hold=hold, covered_by__isnull=True)
    category = batch.product_line.category
    # The standard's limit of each result, read once, not once per cause.
    standard_limits = [
        analyte_limit_for(analyte=result.analyte, category=category)
        if result.analyte is not None
        else None
        for result in results
    ]
    for cause in open_causes:
        for result, standard_limit in zip(results, standard_limits, strict=True):
            analyte = result.analyte
            if rules.result_covers_cause(
                cause_analyte_id=cause.analyte_id,
                cause_class_id=cause.analyte_class_id,
                result_analyte_id=result.analyte_id,
                result_class_id=analyte.analyte_class_id if analyte else None,
                result_verdict=result.verdict,
                result_kind=result.kind,
                result_limit=result.limit,
                standard_limit=standard_limit,
            ):
                cause.covered_by = result
                cause.save(update_fields=["covered_by"])
                break


def cause_evidence_text(causes) -> list[str]:
    """Return each covered cause with the result that covered it, for people."""
    texts = []
    for cause in causes:
        result = cause.covered_by
        if result is None:
            continue
        texts.append(
            _("%(cause)s（实验室检测 #%(inspection)s：%(item)s %(value)s）")
            % {
                "cause": cause.label,
                "inspection": result.inspection_id,
                "item": result.item,
                "value": result_text(result),
            }
        )
    return texts


def result_text(result: InspectionResult) -> str:
    """Return a result as inspectors write it: 0.01 mg/kg ≤ 0.2 mg/kg (GB …)."""
    if result.measured_value is None:
        return result.get_outcome_display()
    text = f"{_plain(result.measured_value)} {result.unit}".strip()
    if result.limit is not None:
        text += f" ≤ {_plain(result.limit)} {result.unit}".rstrip()
    if result.method:
        text += f"，{result.method}"
    return text


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _hold_lift(
    *,
    batch: Batch,
    hold: BatchStatusChange,
    released_by,
    reason: str,
    basis: str,
    inspection: Inspection | None = None,
) -> HoldRelease:
    batch_transition_as_consequence(
        batch=batch,
        to_status=BatchStatus.RELEASED,
        changed_by=released_by,
        reason=reason,
        lifting_hold=True,
    )
    change = BatchStatusChange.objects.filter(batch=batch).order_by("-id").first()
    release = HoldRelease(
        batch=batch,
        hold=hold,
        status_change=change,
        basis=basis,
        inspection=inspection,
        reason=reason,
        released_by=released_by,
    )
    release.full_clean()
    release.save()
    return release


def may_sign_hold_release(user, batch: Batch) -> bool:
    """Return True if the user may sign a release of the batch's hold."""
    return (
        access.is_inspector(user) or access.is_administrator(user)
    ) and access.may_change_batch_status(user, batch, BatchStatus.RELEASED)


@transaction.atomic
def batch_hold_release_sign(*, batch: Batch, released_by, reason: str) -> HoldRelease:
    """Lift a hold by an inspector's signed decision with a reason.

    The only way to lift a hold of unknown cause (set by hand, or from items
    not in the catalogue); a hold whose known causes are not all covered by
    passing lab results stays, so a signature cannot override a pesticide
    suspicion that was never tested. Raise ValidationError if the user is
    not an inspector of the batch's region (or an administrator), the batch
    is not on hold, the reason is blank, or known causes are outstanding.
    """
    access.require(
        may_sign_hold_release(released_by, batch),
        field="batch",
        message=_("只有负责该地区的检测员可以签字解除暂停。"),
        visible=lambda: access.batch_visible(released_by, batch),
    )
    batch = Batch.objects.select_for_update().get(pk=batch.pk)
    state = batch_hold_state(batch=batch)
    if state.hold is None:
        raise ValidationError({"status": _("该批次未处于暂停销售状态。")})
    if not reason.strip():
        raise ValidationError({"reason": _("签字解除暂停必须说明理由。")})
    if state.outstanding:
        raise ValidationError(
            {
                "status": _(
                    "暂停原因尚未由合格的实验室检测结果排除：%(causes)s。"
                    "请先送检，签字不能代替检测。"
                )
                % {"causes": "、".join(cause.label for cause in state.outstanding)}
            }
        )
    text = _("检测员签字解除暂停：%(reason)s") % {"reason": reason.strip()}
    evidence = cause_evidence_text(state.causes)
    if evidence:
        text += _("（已由实验室检测覆盖：%(evidence)s）") % {
            "evidence": "；".join(evidence)
        }
    return _hold_lift(
        batch=batch,
        hold=state.hold,
        released_by=released_by,
        reason=text,
        basis=HoldReleaseBasis.SIGNED,
    )
