"""Writes of inspections: record, sign, correct, attach evidence."""

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
    AnalyteKind,
    InspectionKind,
    Verdict,
)
from inspections.models import (
    Analyte,
    Inspection,
    InspectionAttachment,
    InspectionResult,
)
from inspections.selectors import (
    analyte_limit_for,
)
from inspections.services.alerts import quality_alert_open
from inspections.services.holds import _apply_consequence
from inspections.uploads import max_upload_bytes, upload_clean, upload_too_large
from trace import access
from trace.audit import history_record
from trace.models import Batch, Outlet, Region
from trace.public_cache import batch_story_changed
from trace.services.common import validated_save

# Phones' clocks drift; a sampling time a little ahead of the server is fine.
CLOCK_SKEW = datetime.timedelta(minutes=10)


class IdempotencyKeyReused(Exception):
    """The Idempotency-Key was already used by this user for a different request."""


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
