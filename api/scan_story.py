"""The one selector behind the public scan page and its JSON twin.

It combines what trace, inspections and labels may show the public: no
internal ids, no household names except consented masked ones, no ID
numbers, no inspector names, no client addresses.
"""

from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from inspections.selectors import batch_public_inspections
from labels.choices import LabelStatus
from labels.models import Label
from trace.choices import BatchStatus, CertificationStatus
from trace.models import Batch
from trace.selectors import batch_public_story


@dataclass
class Warning:
    code: str
    message: str


@dataclass
class ScanStory:
    """What a consumer sees: the verdict first, then the story."""

    verdict: str  # "genuine", "warning" or "void"
    warnings: list[Warning] = field(default_factory=list)
    label: dict | None = None
    product: dict = field(default_factory=dict)
    batch: dict = field(default_factory=dict)
    producer: dict = field(default_factory=dict)
    inspections: list[dict] = field(default_factory=list)
    benefit: dict = field(default_factory=dict)
    events: list[dict] = field(default_factory=list)


def batch_warnings(*, batch: Batch, producer: dict) -> list[Warning]:
    warnings = []
    if batch.status == BatchStatus.RECALLED:
        warnings.append(
            Warning("batch_recalled", _("该批次已召回，请勿食用，并联系销售者退货。"))
        )
    elif batch.status == BatchStatus.ON_HOLD:
        warnings.append(
            Warning("batch_on_hold", _("该批次已暂停销售，正在复检，请暂勿食用。"))
        )
    if producer["certification_status"] == CertificationStatus.REVOKED:
        warnings.append(
            Warning("certification_revoked", _("生产主体的扶贫产品认定已被撤销。"))
        )
    elif producer["certification_status"] == CertificationStatus.SUSPENDED:
        warnings.append(
            Warning("certification_suspended", _("生产主体的扶贫产品认定已暂停。"))
        )
    elif not producer["certified"]:
        warnings.append(
            Warning("certification_expired", _("生产主体目前没有有效的扶贫产品认定。"))
        )
    return warnings


def batch_story(*, batch: Batch) -> ScanStory:
    """Return the public story of a batch (the lot page, no label facts)."""
    facts = batch_public_story(batch=batch)
    inspections = batch_public_inspections(batch=batch)
    warnings = batch_warnings(batch=batch, producer=facts["producer"])
    return ScanStory(
        verdict="warning" if warnings else "genuine",
        warnings=warnings,
        product=facts["product"],
        batch=facts["batch"],
        producer=facts["producer"],
        inspections=inspections,
        benefit=facts["benefit"],
        events=facts["events"],
    )


def scan_story(*, label: Label) -> ScanStory:
    """Return the public story of one scanned label."""
    story = batch_story(batch=label.batch)
    if label.status == LabelStatus.VOID:
        story.warnings.insert(
            0, Warning("label_void", _("此标签已作废，不能证明商品来源。"))
        )
        story.verdict = "void"
    if label.suspicious_since is not None:
        story.warnings.append(
            Warning(
                "label_suspicious",
                _("此标签扫码情况异常（%(reason)s），可能被复制，请谨慎购买。")
                % {"reason": label.suspicious_reason},
            )
        )
    if story.warnings and story.verdict == "genuine":
        story.verdict = "warning"
    story.label = {
        "serial": label.serial,
        "status": label.status,
        "scan_count": label.scan_count,
        "first_scanned_at": label.first_scanned_at,
        "first_scanned_city": label.first_scanned_city,
        "suspicious": label.suspicious_since is not None,
        "checked_at": timezone.now(),
    }
    return story
