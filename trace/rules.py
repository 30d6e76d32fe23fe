"""When a trace event may be recorded: the order of a batch's story.

Pure functions over plain values, so the one rule is easy to test at its
boundaries; `trace.services.events.trace_event_record`, through which every
path records an event (API, workbench, admin, purchase and guidance, seed
data), gathers the batch's facts and asks `trace_event_refusal`.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from trace.choices import BatchStatus, TraceEventKind

# Phones' clocks drift; a time a little ahead of the server is fine (the
# same allowance as an inspection's sampling time).
CLOCK_SKEW = datetime.timedelta(minutes=10)

# What happens to the produce before it leaves the producer. Once the lot is
# shipped these cannot follow: a 收购 or a 技术指导 dated after 发货 would be
# listed after it on the consumer's page, as if goods were bought into, or
# grown for, a lot already on its way (GS1 CBV: commissioning and packing
# precede shipping). Receiving, selling and processing follow shipping.
PRODUCTION_KINDS = frozenset(
    {
        TraceEventKind.HARVEST,
        TraceEventKind.PURCHASE,
        TraceEventKind.GUIDANCE,
        TraceEventKind.PACK,
    }
)


@dataclass(frozen=True)
class BatchTimeline:
    """What a batch's story already says, as far as the order rule needs it.

    `last_production` is the kind and time of the latest production-phase
    event (only needed to place a 发货).
    """

    status: str
    harvest_date: datetime.date
    created_at: datetime.datetime
    first_shipped_at: datetime.datetime | None = None
    last_production: tuple[str, datetime.datetime] | None = None


def batch_story_starts_at(
    *, harvest_date: datetime.date, created_at: datetime.datetime
) -> datetime.datetime:
    """Return the earliest moment an event of the batch may carry.

    The batch's registration declares its 采收/生产日期 (harvest_date) and
    has its 登记时间 (created_at). A lot is usually registered after its
    harvest, and its harvest, purchases and guidance are back-filled on
    the days they happened, so the start of the harvest date (local time)
    must be allowed; a lot registered before its harvest (a planned lot)
    exists from its registration. Anything before the earlier of the two
    happened before the lot existed, and is refused.
    """
    harvest_start = datetime.datetime.combine(
        harvest_date, datetime.time.min, tzinfo=timezone.get_current_timezone()
    )
    return min(harvest_start, created_at)


def _moment(value: datetime.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def trace_event_refusal(
    *,
    kind: str,
    occurred_at: datetime.datetime,
    timeline: BatchTimeline,
    now: datetime.datetime,
) -> str | None:
    """Return why an event of `kind` at `occurred_at` cannot join the batch.

    Return None if it may. Refuse, in order:
    - a 收购 into a recalled batch, whatever its date: a purchase adds
      goods and household money to the lot, and a recalled lot takes
      nothing more (other kinds record what became of goods already in it,
      which a recall trace needs);
    - a time later than `now` plus CLOCK_SKEW: an event not yet happened;
    - a time before the batch's story starts (`batch_story_starts_at`);
    - a production-phase kind (采收, 收购, 技术指导, 包装) at or after the
      batch's first 发货;
    - a 发货 at or before the latest production-phase event, which would
      then follow the first shipment.
    """
    label = TraceEventKind(kind).label
    if kind == TraceEventKind.PURCHASE and timeline.status == BatchStatus.RECALLED:
        return _("该批次已召回，不能再登记收购。")
    if occurred_at > now + CLOCK_SKEW:
        return _("时间晚于当前时间，不能登记尚未发生的环节（%(kind)s）。") % {
            "kind": label
        }
    starts_at = batch_story_starts_at(
        harvest_date=timeline.harvest_date, created_at=timeline.created_at
    )
    if occurred_at < starts_at:
        if starts_at == timeline.created_at:  # registered before its harvest date
            message = _("该批次于 %(date)s 登记，不能登记此前的环节（%(kind)s）。")
            date = _moment(timeline.created_at)
        else:
            message = _(
                "该批次的采收/生产日期为 %(date)s，不能登记此前的环节（%(kind)s）。"
            )
            date = timeline.harvest_date.isoformat()
        return message % {"date": date, "kind": label}
    shipped_at = timeline.first_shipped_at
    if (
        kind in PRODUCTION_KINDS
        and shipped_at is not None
        and occurred_at >= shipped_at
    ):
        return _("该批次已于 %(date)s 发货，不能再登记发货前的环节（%(kind)s）。") % {
            "date": _moment(shipped_at),
            "kind": label,
        }
    if kind == TraceEventKind.SHIP and timeline.last_production is not None:
        last_kind, last_at = timeline.last_production
        if occurred_at <= last_at:
            return _("该批次已有 %(date)s 的%(kind)s记录，发货时间须晚于它。") % {
                "date": _moment(last_at),
                "kind": TraceEventKind(last_kind).label,
            }
    return None
