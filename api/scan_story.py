"""The one selector behind the public scan page and its JSON twin.

It combines what trace, inspections and labels may show the public: no
internal ids, no household names except consented masked ones, no ID
numbers, no inspector names, no client addresses.
"""

import time
from dataclasses import dataclass, field, replace
from datetime import date

from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from inspections.selectors import batch_public_inspections
from labels.choices import LabelStatus
from labels.models import Label
from trace.choices import BatchStatus, CertificationStatus
from trace.models import Batch
from trace.public_cache import public_story_generation
from trace.selectors import REGION_PATH, batch_public_story

# Per worker process: (batch id, language, local date) -> (generation, expires, entry).
_STORIES: dict[tuple[int, str, date], tuple[int, float, "StoryEntry"]] = {}
_STORIES_MAX = 10_000


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


@dataclass
class StoryEntry:
    """A batch's story and what the views derived from it (rendered page, JSON)."""

    story: ScanStory
    derived: dict = field(default_factory=dict)


def batch_story_entry(
    *, batch_id: int, generation: int | None = None, language: str | None = None
) -> StoryEntry:
    """Return the worker's current entry for a batch (see batch_story_cached).

    `generation` is the token and `language` the request's language if the
    caller already has them (api/throttling.py, LocaleMiddleware).
    """
    seconds = settings.SUYUAN_SCAN_STORY_CACHE_SECONDS
    if seconds <= 0:
        return StoryEntry(batch_story(batch=_story_batch(batch_id)))
    if generation is None:
        generation = public_story_generation()
    # The date is part of the key: a certification or brand licence that
    # expires at midnight changes the story without any write.
    # Dates are those of TIME_ZONE: no view activates another time zone.
    today = timezone.localdate(timezone=timezone.get_default_timezone())
    key = (batch_id, language or get_language() or "", today)
    now = time.monotonic()
    cached = _STORIES.get(key)
    if cached is not None and cached[0] == generation and cached[1] > now:
        return cached[2]
    entry = StoryEntry(batch_story(batch=_story_batch(batch_id)))
    if len(_STORIES) >= _STORIES_MAX:
        _STORIES.clear()
    _STORIES[key] = (generation, now + seconds, entry)
    return entry


def batch_story_cached(*, batch_id: int) -> ScanStory:
    """Return the batch's story from this worker's memory while it is current.

    A story is rebuilt when anything it shows changed (the generation token
    in the shared cache, trace.public_cache) or the local date changed (a
    certification expiring at midnight), and at the latest after
    SUYUAN_SCAN_STORY_CACHE_SECONDS. The batch part costs six queries and a
    dozen joins to plan (about 16 ms); cached, a scan needs one indexed label
    lookup (bench/scan.py). 0 seconds turns the cache off.
    """
    story = batch_story_entry(batch_id=batch_id).story
    # The caller adds label warnings: give it its own list.
    return replace(story, warnings=list(story.warnings))


def _story_batch(batch_id: int) -> Batch:
    return Batch.objects.select_related(
        "producer__region", "product_line__brand", f"origin__{REGION_PATH}"
    ).get(pk=batch_id)


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


def label_adds_warnings(label: Label) -> bool:
    """Return whether the label itself changes the verdict (void or suspicious)."""
    return label.status == LabelStatus.VOID or label.suspicious_since is not None


def scan_story(*, label: Label) -> ScanStory:
    """Return the public story of one scanned label."""
    story = batch_story_cached(batch_id=label.batch_id)
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
    story.label = label_facts(label)
    return story
