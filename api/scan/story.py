"""The story a scan shows: the batch part (cached per worker) and the label part.

It combines what trace, inspections, labels and reports may show the
public: no internal ids, no household names except consented masked ones,
no ID numbers, no inspector names, no client addresses.

Verdicts: "genuine" only for an active label of a released batch without
warnings; "warning" (hold, recall, certification, clone signal); "void" (a
voided label: its page shows the void and nothing that reads as genuine);
"lot" for a lot page, which vouches for no single item, and "not_on_record"
for a lot page reached from a serial that was never issued.
"""

import time
from dataclasses import dataclass, field, replace
from datetime import date

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from inspections.selectors import batch_public_inspections
from labels.choices import LabelStatus
from labels.models import Label, LabelSale
from reports.selectors.certificates import certificate_public
from trace.choices import BatchStatus, CertificationStatus
from trace.models import Batch
from trace.public_cache import batch_story_generation
from trace.selectors.batches import batch_vouches
from trace.selectors.events import batch_public_story
from trace.selectors.registry import REGION_PATH

# Per worker process: (batch id, language, local date) -> (generation, expires, entry).
# Verdicts of a story (see the module docstring).
GENUINE, WARNING, VOID, LOT, NOT_ON_RECORD = (
    "genuine",
    "warning",
    "void",
    "lot",
    "not_on_record",
)
_STORIES: dict[tuple[int, str, date], tuple[int, float, "StoryEntry"]] = {}
_STORIES_MAX = 10_000


@dataclass
class Warning:
    code: str
    message: str


@dataclass
class ScanStory:
    """What a consumer sees: the verdict first, then the story."""

    verdict: str  # GENUINE, WARNING, VOID, LOT or NOT_ON_RECORD
    warnings: list[Warning] = field(default_factory=list)
    label: dict | None = None
    product: dict = field(default_factory=dict)
    batch: dict = field(default_factory=dict)
    producer: dict = field(default_factory=dict)
    inspections: list[dict] = field(default_factory=list)
    benefit: dict = field(default_factory=dict)
    events: list[dict] = field(default_factory=list)
    has_certificate: bool = False  # a 承诺达标合格证 the public may be shown
    # Why the batch offers no certificate and no buy link (on hold, recalled).
    withheld: Warning | None = None
    catalogue_url: str | None = None  # the buy link: the product in the 目录
    certificate_url: str | None = None  # set per label by the views


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
    elif producer.get("certification_under_review"):
        warnings.append(
            Warning(
                "certification_under_review",
                _("认定复核中：生产主体的扶贫产品认定正在复核，请留意复核结果。"),
            )
        )
    return warnings


def batch_withheld(*, status: str) -> Warning | None:
    """Return why a batch in `status` offers no certificate or buy link, or None.

    A batch on hold or recalled vouches for nothing (trace.selectors.
    batch_vouches); the code is that of the batch's warning.
    """
    if batch_vouches(status=status):
        return None
    if status == BatchStatus.RECALLED:
        return Warning(
            "batch_recalled", _("该批次已召回，不再提供承诺达标合格证和购买渠道。")
        )
    if status == BatchStatus.ON_HOLD:
        return Warning(
            "batch_on_hold",
            _("该批次暂停销售期间，不提供承诺达标合格证和购买渠道。"),
        )
    return Warning(
        "batch_not_released", _("该批次未放行销售，不提供承诺达标合格证和购买渠道。")
    )


def batch_story(*, batch: Batch) -> ScanStory:
    """Return the public story of a batch (the lot page: no label, no genuine verdict).

    The certificate and the buy link come with the story, so a hold or a
    recall, which renews the story (trace.public_cache), removes both from
    the next scan.
    """
    facts = batch_public_story(batch=batch)
    inspections = batch_public_inspections(batch=batch)
    warnings = batch_warnings(batch=batch, producer=facts["producer"])
    entry = facts["product"]["catalogue_entry"]  # None unless the batch vouches
    return ScanStory(
        verdict=WARNING if warnings else LOT,
        has_certificate=certificate_public(batch=batch) is not None,
        withheld=batch_withheld(status=batch.status),
        catalogue_url=reverse("catalogue-entry", args=[entry]) if entry else None,
        warnings=warnings,
        product=facts["product"],
        batch=facts["batch"],
        producer=facts["producer"],
        inspections=inspections,
        benefit=facts["benefit"],
        events=facts["events"],
    )


@dataclass
class StoryEntry:
    """A batch's story and what the views derived from it (rendered page, JSON)."""

    story: ScanStory
    derived: dict = field(default_factory=dict)


def batch_story_entry(
    *, batch_id: int, generation: int | None = None, language: str | None = None
) -> StoryEntry:
    """Return the worker's current entry for a batch.

    A story is rebuilt when anything it shows changed (the batch's
    generation, trace.public_cache), the local date changed (a
    certification expiring at midnight), and at the latest after
    SUYUAN_SCAN_STORY_CACHE_SECONDS (0 turns the cache off). The batch part
    costs six queries and a dozen joins to plan; cached, a scan needs none.
    `generation` and `language` are passed when the caller already has them
    (the gate's reply, LocaleMiddleware).
    """
    seconds = settings.SUYUAN_SCAN_STORY_CACHE_SECONDS
    if seconds <= 0:
        return _story_entry(batch_id)
    if generation is None:
        generation = batch_story_generation(batch_id)
    # The date is part of the key: a certification or brand licence that
    # expires at midnight changes the story without any write.
    # Dates are those of TIME_ZONE: no view activates another time zone.
    today = timezone.localdate(timezone=timezone.get_default_timezone())
    key = (batch_id, language or get_language() or "", today)
    now = time.monotonic()
    cached = _STORIES.get(key)
    if cached is not None and cached[0] == generation and cached[1] > now:
        return cached[2]
    entry = _story_entry(batch_id)
    if len(_STORIES) >= _STORIES_MAX:
        _STORIES.clear()
    _STORIES[key] = (generation, now + seconds, entry)
    return entry


def _story_entry(batch_id: int) -> StoryEntry:
    batch = _story_batch(batch_id)
    # Whether a 专柜 sold any of its labels (issue 37), read in the batch's
    # own query: a scan of a batch without one asks nothing more.
    return StoryEntry(batch_story(batch=batch), {"cabinet_sold": batch.cabinet_sold})


def _story_batch(batch_id: int) -> Batch:
    return (
        Batch.objects.select_related(
            "producer__region", "product_line__brand", f"origin__{REGION_PATH}"
        )
        .annotate(
            cabinet_sold=Exists(LabelSale.objects.filter(label__batch=OuterRef("pk")))
        )
        .get(pk=batch_id)
    )


def label_adds_warnings(label: Label) -> bool:
    """Return whether the label itself changes the verdict (void or suspicious)."""
    return label.status == LabelStatus.VOID or label.suspicious_since is not None


def label_facts(label: Label) -> dict:
    """Return the label part of the story."""
    return {
        "serial": label.serial,
        "status": label.status,
        "scan_count": label.scan_count,
        "first_scanned_at": label.first_scanned_at,
        "first_scanned_city": label.first_scanned_city,
        "suspicious": label.suspicious_since is not None,
        "checked_at": timezone.now(),
    }


def label_story(*, label: Label, entry: StoryEntry) -> ScanStory:
    """Return the public story of one scanned label on its batch's story."""
    # Warnings are added below: the cached story keeps its own list.
    story = replace(entry.story, warnings=list(entry.story.warnings))
    if story.verdict == LOT:
        story.verdict = GENUINE
    if label.status == LabelStatus.VOID:
        story.warnings.insert(
            0, Warning("label_void", _("此标签已作废，不能证明商品来源。"))
        )
        story.verdict = VOID
    if label.suspicious_since is not None:
        story.warnings.append(
            Warning(
                "label_suspicious",
                _("此标签扫码情况异常（%(reason)s），可能被复制，请谨慎购买。")
                % {"reason": label.suspicious_reason},
            )
        )
    if story.warnings and story.verdict == GENUINE:
        story.verdict = WARNING
    story.label = label_facts(label)
    return story
