"""Writes of the inspections domain: record, sign, correct, attach; apply consequences.

A failed or suspect inspection (not a producer's self check) puts its batch on
hold at once; a lab test confirms (recall) or clears (release) a suspect one.
The batch's status moves only through trace.services, which records who and
why in BatchStatusChange.
"""

import datetime
from decimal import Decimal
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inspections import rules
from inspections.choices import (
    AlertStatus,
    AnalyteKind,
    BatchAction,
    ControlRule,
    HoldReleaseBasis,
    InspectionKind,
    Verdict,
)
from inspections.models import (
    Analyte,
    AnalyteClass,
    AnalyteLimit,
    ControlPoint,
    HoldCause,
    HoldRelease,
    Inspection,
    InspectionAttachment,
    InspectionResult,
    QualityAlert,
)
from inspections.selectors import (
    analyte_limit_for,
    batch_current_hold,
    batch_hold_state,
)
from inspections.uploads import max_upload_bytes, upload_clean, upload_too_large
from trace import access
from trace.audit import history_record
from trace.choices import BatchStatus
from trace.models import Batch, BatchStatusChange, Outlet, Region
from trace.public_cache import batch_story_changed
from trace.services.batches import batch_transition_as_consequence
from trace.services.common import validated_save

# Phones' clocks drift; a sampling time a little ahead of the server is fine.
CLOCK_SKEW = datetime.timedelta(minutes=10)


class IdempotencyKeyReused(Exception):
    """The Idempotency-Key was already used by this user for a different request."""


# The analyte catalogue (administrators).


@transaction.atomic
def analyte_create(
    *, limits: list[dict[str, Any]] | None = None, **fields: Any
) -> Analyte:
    analyte = validated_save(Analyte(), **fields)
    if limits is not None:
        analyte_set_limits(analyte=analyte, limits=limits)
    return analyte


@transaction.atomic
def analyte_update(
    *, analyte: Analyte, limits: list[dict[str, Any]] | None = None, **fields: Any
) -> Analyte:
    validated_save(analyte, **fields)
    if limits is not None:
        analyte_set_limits(analyte=analyte, limits=limits)
    return analyte


def analyte_set_limits(*, analyte: Analyte, limits: list[dict[str, Any]]) -> None:
    """Replace the analyte's per-category limits."""
    categories = [limit["category"] for limit in limits]
    if len(set(categories)) != len(categories):
        raise ValidationError({"limits": _("同一产品类别只能设置一个限量。")})
    analyte.limits.all().delete()
    for limit in limits:
        validated_save(
            AnalyteLimit(analyte=analyte),
            category=limit["category"],
            limit=limit["limit"],
        )


def analyte_delete(*, analyte: Analyte) -> None:
    """Delete a catalogue entry that no result refers to."""
    if analyte.results.exists():
        raise ValidationError({"analyte": _("该检测项目已被检测结果引用，不能删除。")})
    analyte.delete()


# Marked 示例数据: demo values to show the catalogue, not a legal reference.
ORGANOPHOSPHATE_CARBAMATE = "有机磷和氨基甲酸酯类农药"
EXAMPLE_ANALYTE_CLASSES: dict[str, str] = {
    ORGANOPHOSPHATE_CARBAMATE: (
        "示例数据。GB/T 5009.199 酶抑制法快检一次筛查这一类农药；"
        "可疑结果须以该类别的实验室检测项目确认或排除。"
    ),
}
EXAMPLE_ANALYTES: list[dict[str, Any]] = [
    {
        "name": "有机磷和氨基甲酸酯类农药（酶抑制率）",
        "method": "GB/T 5009.199-2003",
        "unit": "%",
        "kind": AnalyteKind.QUANTITATIVE,
        "limit": Decimal("50"),
        "description": "示例数据。快检：抑制率 ≥ 50% 为阳性，需实验室检测确认。",
        "screens": ORGANOPHOSPHATE_CARBAMATE,
        "limits": [],
    },
    {
        "name": "敌敌畏",
        "method": "GB 23200.113-2018",
        "unit": "mg/kg",
        "kind": AnalyteKind.QUANTITATIVE,
        "limit": None,
        "description": "示例数据。有机磷类农药，限量参照 GB 2763，请以现行标准为准。",
        "analyte_class": ORGANOPHOSPHATE_CARBAMATE,
        "limits": [{"category": "水果", "limit": Decimal("0.2")}],
    },
    {
        "name": "克百威",
        "method": "GB 23200.112-2018",
        "unit": "mg/kg",
        "kind": AnalyteKind.QUANTITATIVE,
        "limit": None,
        "description": "示例数据。氨基甲酸酯类农药，限量参照 GB 2763，请以现行标准为准。",
        "analyte_class": ORGANOPHOSPHATE_CARBAMATE,
        "limits": [{"category": "水果", "limit": Decimal("0.02")}],
    },
    {
        "name": "铅（以 Pb 计）",
        "method": "GB 5009.12",
        "unit": "mg/kg",
        "kind": AnalyteKind.QUANTITATIVE,
        "limit": None,
        "description": "示例数据。限量参照 GB 2762，请以现行标准为准。",
        "limits": [
            {"category": "水果", "limit": Decimal("0.1")},
            {"category": "茶叶", "limit": Decimal("5.0")},
        ],
    },
    {
        "name": "感官（外观）",
        "method": "",
        "unit": "",
        "kind": AnalyteKind.QUALITATIVE,
        "limit": None,
        "description": "示例数据。色泽、气味、无霉变腐烂。",
        "limits": [],
    },
    {
        "name": "标签标识",
        "method": "GB 7718",
        "unit": "",
        "kind": AnalyteKind.QUALITATIVE,
        "limit": None,
        "description": "示例数据。品名、产地、生产者、日期、追溯码齐全。",
        "limits": [],
    },
]


@transaction.atomic
def analyte_seed_examples() -> list[Analyte]:
    """Create the example analytes (示例数据) once; running it again changes nothing.

    Examples made before analyte classes existed get their class links.
    """
    classes = {
        name: AnalyteClass.objects.get_or_create(
            name=name, defaults={"description": description}
        )[0]
        for name, description in EXAMPLE_ANALYTE_CLASSES.items()
    }
    analytes = []
    for example in EXAMPLE_ANALYTES:
        fields = dict(example)
        limits = fields.pop("limits")
        for link in ("screens", "analyte_class"):
            if link in fields:
                fields[link] = classes[fields[link]]
        analyte = Analyte.objects.filter(
            name=fields["name"], method=fields["method"]
        ).first()
        if analyte is None:
            analyte = analyte_create(is_example=True, limits=limits, **fields)
        elif analyte.is_example:
            links = {k: fields[k] for k in ("screens", "analyte_class") if k in fields}
            if any(getattr(analyte, k) != v for k, v in links.items()):
                analyte = validated_save(analyte, **links)
        analytes.append(analyte)
    return analytes


# Inspections.


def may_attest(user, inspection: Inspection) -> bool:
    """Return True if the user may sign the inspection or add evidence to it."""
    return access.is_administrator(user) or user.pk in (
        inspection.inspector_id,
        inspection.created_by_id,
    )


def _check_may_record(*, user, batch: Batch, kind: str) -> None:
    # Out of scope reads as "does not exist", like the 404 of a lookup.
    if not Batch.objects.filter(access.batch_scope(user), pk=batch.pk).exists():
        raise ValidationError({"batch": _("批次不存在。")})
    if access.is_administrator(user) or access.is_inspector(user):
        return
    if access.is_operator(user):
        if kind != InspectionKind.SELF_CHECK:
            raise ValidationError({"kind": _("生产经营主体只能登记自检记录。")})
        return
    raise ValidationError({"batch": _("批次不存在。")})


def _organisation_of(user) -> str:
    binding = access.role_of(user)
    if binding is None:
        return ""
    if binding.organisation:
        return binding.organisation
    return binding.producer.name if binding.producer_id else ""


def max_result_items() -> int:
    """Return how many result items one inspection may carry (setting, 200)."""
    return settings.SUYUAN_MAX_INSPECTION_RESULTS


def _result_rows(
    *, items: list[dict[str, Any]], category: str
) -> list[InspectionResult]:
    if not items:
        raise ValidationError({"items": _("至少需要一项检测结果。")})
    most = max_result_items()
    if len(items) > most:
        raise ValidationError(
            {"items": _("一次检测最多 %(max)s 项结果。") % {"max": most}}
        )
    rows, errors = [], []
    for number, item in enumerate(items, start=1):
        analyte: Analyte | None = item.get("analyte")
        name = item.get("item") or (analyte.name if analyte else "")
        method = item.get("method") or (analyte.method if analyte else "")
        unit = item.get("unit") or (analyte.unit if analyte else "")
        measured_value = item.get("measured_value")
        outcome = item.get("outcome") or ""
        kind = item.get("kind") or (
            analyte.kind
            if analyte
            else (
                AnalyteKind.QUALITATIVE
                if measured_value is None and outcome
                else AnalyteKind.QUANTITATIVE
            )
        )
        limit = item.get("limit")
        if limit is None and analyte is not None:
            limit = analyte_limit_for(analyte=analyte, category=category)
        problem = None
        if not name:
            problem = _("请填写检测项目或从目录中选择。")
        elif kind == AnalyteKind.QUALITATIVE and not outcome:
            problem = _("定性项目需填写结果（符合/不符合）。")
        elif kind == AnalyteKind.QUANTITATIVE and measured_value is None:
            problem = _("定量项目需填写检测值。")
        elif (
            kind == AnalyteKind.QUANTITATIVE
            and limit is None
            and not rules.is_enzyme_inhibition_method(method)
        ):
            problem = _("定量项目需填写限量值（或在检测项目目录中设置）。")
        if problem:
            errors.append(
                _("第 %(number)d 项：%(problem)s")
                % {"number": number, "problem": problem}
            )
            continue
        if kind == AnalyteKind.QUALITATIVE:
            measured_value, limit = None, None
        else:
            outcome = ""
        verdict = rules.result_verdict(
            kind=kind,
            method=method,
            limit=limit,
            measured_value=measured_value,
            outcome=outcome,
        )
        rows.append(
            InspectionResult(
                analyte=analyte,
                item=name,
                kind=kind,
                method=method,
                limit=limit,
                measured_value=measured_value,
                unit=unit,
                outcome=outcome,
                verdict=verdict,
                position=number,
            )
        )
    if errors:
        raise ValidationError({"items": errors})
    return rows


def inspection_create(
    *,
    created_by,
    batch: Batch,
    kind: str,
    sampled_at: datetime.datetime,
    items: list[dict[str, Any]],
    region: Region | None = None,
    outlet: Outlet | None = None,
    sample_size: Decimal | None = None,
    sample_unit: str = "",
    notes: str = "",
    organisation: str = "",
    confirms: Inspection | None = None,
    supersedes: Inspection | None = None,
    idempotency_key: str = "",
    request_fingerprint: str = "",
) -> tuple[Inspection, bool]:
    """Record an inspection with its result items and apply its consequences.

    Return (inspection, created). With an idempotency key already used by the
    same user for the same request, return the earlier inspection and False;
    raise IdempotencyKeyReused if the request differs. Raise ValidationError
    if the user may not record this kind on this batch or the items are
    incomplete.
    """
    fields = {
        "batch": batch,
        "kind": kind,
        "sampled_at": sampled_at,
        "items": items,
        "region": region,
        "outlet": outlet,
        "sample_size": sample_size,
        "sample_unit": sample_unit,
        "notes": notes,
        "organisation": organisation,
        "confirms": confirms,
        "supersedes": supersedes,
    }
    if not idempotency_key:
        return _inspection_create(created_by=created_by, **fields), True
    earlier = Inspection.objects.filter(
        created_by=created_by, idempotency_key=idempotency_key
    ).first()
    if earlier is not None:
        return _replay(earlier, request_fingerprint), False
    try:
        with transaction.atomic():
            inspection = _inspection_create(
                created_by=created_by,
                idempotency_key=idempotency_key,
                request_fingerprint=request_fingerprint,
                **fields,
            )
        return inspection, True
    except (IntegrityError, ValidationError):
        # A concurrent retry with the same key committed first (full_clean
        # or the database's unique constraint noticed); otherwise re-raise.
        earlier = Inspection.objects.filter(
            created_by=created_by, idempotency_key=idempotency_key
        ).first()
        if earlier is None:
            raise
        return _replay(earlier, request_fingerprint), False


def _replay(earlier: Inspection, request_fingerprint: str) -> Inspection:
    if earlier.request_fingerprint != request_fingerprint:
        raise IdempotencyKeyReused()
    return earlier


@transaction.atomic
def _inspection_create(
    *,
    created_by,
    batch: Batch,
    kind: str,
    items: list[dict[str, Any]],
    confirms: Inspection | None,
    supersedes: Inspection | None,
    region: Region | None,
    outlet: Outlet | None,
    organisation: str,
    sampled_at: datetime.datetime,
    **fields: Any,
) -> Inspection:
    # Lock the batch: concurrent inspections of one batch decide its status in turn.
    batch = (
        Batch.objects.select_for_update()
        .select_related("product_line")
        .get(pk=batch.pk)
    )
    _check_may_record(user=created_by, batch=batch, kind=kind)
    if sampled_at > timezone.now() + CLOCK_SKEW:
        raise ValidationError({"sampled_at": _("抽样时间不能晚于当前时间。")})
    if region is not None and outlet is not None:
        raise ValidationError({"outlet": _("抽样地点只能是一个区域或一个销售网点。")})
    if region is None and outlet is None:
        region = batch.origin
    if confirms is not None:
        if kind != InspectionKind.LAB_TEST:
            raise ValidationError(
                {"confirms": _("只有实验室检测可以确认或排除可疑结果。")}
            )
        if confirms.batch_id != batch.pk or confirms.verdict != Verdict.SUSPECT:
            raise ValidationError({"confirms": _("只能复检同一批次的可疑记录。")})
    if supersedes is not None:
        if supersedes.batch_id != batch.pk:
            raise ValidationError({"supersedes": _("更正记录必须属于同一批次。")})
        if Inspection.objects.filter(supersedes=supersedes).exists():
            raise ValidationError(
                {"supersedes": _("该记录已被更正过，请更正最新的记录。")}
            )
    results = _result_rows(items=items, category=batch.product_line.category)
    inspection = validated_save(
        Inspection(),
        batch=batch,
        kind=kind,
        inspector=created_by,
        created_by=created_by,
        organisation=organisation or _organisation_of(created_by),
        sampled_at=sampled_at,
        region=region,
        outlet=outlet,
        confirms=confirms,
        supersedes=supersedes,
        verdict=rules.inspection_verdict(result.verdict for result in results),
        **fields,
    )
    for result in results:
        result.inspection = inspection
        result.full_clean()
        result.save()
    if inspection.verdict == Verdict.FAIL:
        quality_alert_open(inspection=inspection)
    change = _apply_consequence(
        inspection=inspection, results=results, batch=batch, changed_by=created_by
    )
    if change is not None:
        inspection.status_change = change
        inspection.save(update_fields=["status_change"])
    batch_story_changed(batch.pk)
    return inspection


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
    for cause in open_causes:
        for result in results:
            analyte = result.analyte
            standard_limit = (
                analyte_limit_for(analyte=analyte, category=category)
                if analyte is not None
                else None
            )
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


def inspection_supersede(
    *, original: Inspection, created_by, **fields: Any
) -> tuple[Inspection, bool]:
    """Record a correction of an inspection; both stay, the new one names the old.

    The correction keeps the batch and kind of the original.
    """
    fields.pop("batch", None)
    fields.pop("kind", None)
    return inspection_create(
        created_by=created_by,
        batch=original.batch,
        kind=original.kind,
        supersedes=original,
        **fields,
    )


def inspection_sign(*, inspection: Inspection, signed_by) -> Inspection:
    """Sign an inspection; from then on it is evidence and cannot change.

    Raise ValidationError if it is signed already or the user did not record it.
    """
    if not may_attest(signed_by, inspection):
        raise ValidationError({"signed_by": _("只有检测人或管理员可以签字确认。")})
    with transaction.atomic():
        updated = Inspection.objects.filter(
            pk=inspection.pk, signed_at__isnull=True
        ).update(signed_at=timezone.now(), signed_by=signed_by)
        if not updated:
            raise ValidationError({"signed_at": _("该检测记录已签字确认。")})
        batch_story_changed(inspection.batch_id)  # the story lists signed checks
        inspection.refresh_from_db()
        # The signing UPDATE sends no signal: record it in the audit trail.
        history_record(instances=[inspection], user=signed_by, reason="signed")
    return inspection


def inspection_attachment_add(
    *,
    inspection: Inspection,
    uploaded_by,
    file: IO[bytes],
    name: str = "",
    caption: str = "",
) -> InspectionAttachment:
    """Attach a photo or PDF lab report to an unsigned inspection.

    Raise ValidationError if the inspection is signed, the user did not
    record it, or the file is not a real image or PDF within the size limit.
    """
    if not may_attest(uploaded_by, inspection):
        raise ValidationError({"file": _("只有检测人或管理员可以上传附件。")})
    if Inspection.objects.filter(pk=inspection.pk, signed_at__isnull=False).exists():
        raise ValidationError({"file": _("检测记录已签字确认，不能再添加附件。")})
    size = getattr(file, "size", None)
    if size is not None and size > max_upload_bytes():
        raise upload_too_large()
    # Never read more than the limit plus one byte, enough to notice the excess.
    upload = upload_clean(data=file.read(max_upload_bytes() + 1), name=name)
    attachment = InspectionAttachment(
        inspection=inspection,
        kind=upload.kind,
        content_type=upload.content_type,
        size=len(upload.content),
        caption=caption,
        uploaded_by=uploaded_by,
    )
    attachment.file.save(
        f"upload{upload.suffix}", ContentFile(upload.content), save=False
    )
    if upload.thumbnail is not None:
        attachment.thumbnail.save(
            "thumbnail.jpg", ContentFile(upload.thumbnail), save=False
        )
    try:
        with transaction.atomic():
            attachment.full_clean()
            attachment.save()
    except Exception:
        attachment.file.delete(save=False)
        if attachment.thumbnail:
            attachment.thumbnail.delete(save=False)
        raise
    return attachment


# Inspection planning (administrators).

# The parameter each rule needs, and the message when it is missing.
RULE_PARAMETERS = {
    ControlRule.EVERY_NTH: "every_n",
    ControlRule.RANDOM_SHARE: "share_percent",
    ControlRule.AFTER_FAILURE: "pass_streak",
}


def _check_may_plan(user) -> None:
    if not access.is_administrator(user):
        raise ValidationError(_("只有管理员可以设置抽检控制点。"))


def _control_point_save(control_point: ControlPoint, **fields: Any) -> ControlPoint:
    for name, value in fields.items():
        setattr(control_point, name, value)
    errors = {}
    if control_point.product_line_id is None and control_point.producer_id is None:
        errors["product_line"] = _("请选择产品线或生产经营主体（至少一项）。")
    needed = RULE_PARAMETERS.get(control_point.rule)
    if needed and getattr(control_point, needed) is None:
        errors[needed] = _("该抽检规则需要填写此项。")
    # Parameters of other rules would be silently ignored: clear them.
    for rule, name in RULE_PARAMETERS.items():
        if rule != control_point.rule:
            setattr(control_point, name, None)
    if errors:
        raise ValidationError(errors)
    return validated_save(control_point)


@transaction.atomic
def control_point_create(*, created_by, **fields: Any) -> ControlPoint:
    """Create a control point; raise ValidationError if its rule lacks a parameter."""
    _check_may_plan(created_by)
    return _control_point_save(ControlPoint(created_by=created_by), **fields)


@transaction.atomic
def control_point_update(
    *, control_point: ControlPoint, updated_by, **fields: Any
) -> ControlPoint:
    _check_may_plan(updated_by)
    return _control_point_save(control_point, **fields)


def control_point_delete(*, control_point: ControlPoint, deleted_by) -> None:
    """Delete a control point; it is a plan, not evidence, so nothing refers to it."""
    _check_may_plan(deleted_by)
    control_point.delete()


# Quality alerts (CAPA: root cause, corrective and preventive actions).

ALERT_DEFAULT_DAYS = 30
ALERT_CLOSING_FIELDS = (
    "root_cause",
    "corrective_action",
    "preventive_action",
    "owner",
    "due_date",
)
ALERT_EDITABLE_FIELDS = ALERT_CLOSING_FIELDS


def quality_alert_open(*, inspection: Inspection) -> QualityAlert:
    """Open the quality alert of a failed inspection (once per inspection)."""
    alert, _created = QualityAlert.objects.get_or_create(
        inspection=inspection,
        defaults={
            "batch_id": inspection.batch_id,
            "due_date": timezone.localdate()
            + datetime.timedelta(days=ALERT_DEFAULT_DAYS),
        },
    )
    return alert


def _check_alert_scope(*, alert: QualityAlert, user) -> None:
    if not Batch.objects.filter(access.batch_scope(user), pk=alert.batch_id).exists():
        raise ValidationError({"alert": _("质量预警不存在。")})


@transaction.atomic
def quality_alert_update(
    *, alert: QualityAlert, updated_by, **fields: Any
) -> QualityAlert:
    """Fill in an open alert's cause, actions, owner and due date.

    Operators of the producer, inspectors of the region and administrators
    may; a closed alert is a record and does not change.
    """
    _check_alert_scope(alert=alert, user=updated_by)
    alert = QualityAlert.objects.select_for_update().get(pk=alert.pk)
    if alert.status == AlertStatus.CLOSED:
        raise ValidationError({"status": _("质量预警已关闭，不能修改。")})
    unknown = set(fields) - set(ALERT_EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: _("该字段不能修改。") for name in unknown})
    owner = fields.get("owner")
    if owner is not None and not (
        Batch.objects.filter(access.batch_scope(owner), pk=alert.batch_id).exists()
    ):
        # The owner must be someone who can see the batch and act on it.
        raise ValidationError({"owner": _("责任人须为能查看该批次的用户。")})
    return validated_save(alert, **fields)


def _alert_field_blank(alert: QualityAlert, name: str) -> bool:
    if name == "owner":
        return alert.owner_id is None
    value = getattr(alert, name)
    return value is None or (isinstance(value, str) and not value.strip())


@transaction.atomic
def quality_alert_close(*, alert: QualityAlert, closed_by) -> QualityAlert:
    """Close an alert once cause, actions, owner and due date are all filled.

    Only inspectors and administrators close, so a producer cannot sign off
    its own corrective actions. Raise ValidationError naming each missing field.
    """
    _check_alert_scope(alert=alert, user=closed_by)
    if not (access.is_administrator(closed_by) or access.is_inspector(closed_by)):
        raise ValidationError({"status": _("只有监督员或管理员可以关闭质量预警。")})
    alert = QualityAlert.objects.select_for_update().get(pk=alert.pk)
    if alert.status == AlertStatus.CLOSED:
        raise ValidationError({"status": _("质量预警已关闭。")})
    missing = {
        name: _("关闭前请填写此项。")
        for name in ALERT_CLOSING_FIELDS
        if _alert_field_blank(alert, name)
    }
    if missing:
        raise ValidationError(missing)
    return validated_save(
        alert,
        status=AlertStatus.CLOSED,
        closed_at=timezone.now(),
        closed_by=closed_by,
    )
