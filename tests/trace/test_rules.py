"""The order of a batch's story (trace/rules.py), at its boundaries."""

import datetime

import pytest
from django.utils import timezone

from trace.choices import BatchStatus, TraceEventKind
from trace.rules import (
    CLOCK_SKEW,
    PRODUCTION_KINDS,
    BatchTimeline,
    batch_story_starts_at,
    trace_event_refusal,
)

SECOND = datetime.timedelta(seconds=1)


def local(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=timezone.get_current_timezone())


HARVEST_DATE = datetime.date(2026, 1, 3)
REGISTERED = local(2026, 1, 4, 16, 30)  # registered the day after the harvest
SHIPPED = local(2026, 1, 5, 12, 0)
NOW = local(2026, 6, 1, 9, 0)


def refusal(kind, occurred_at, **timeline):
    fields = {
        "status": BatchStatus.RELEASED,
        "harvest_date": HARVEST_DATE,
        "created_at": REGISTERED,
        "first_shipped_at": SHIPPED,
    } | timeline
    return trace_event_refusal(
        kind=kind, occurred_at=occurred_at, timeline=BatchTimeline(**fields), now=NOW
    )


@pytest.mark.parametrize("kind", sorted(PRODUCTION_KINDS))
def test_a_production_step_at_the_first_shipment_is_refused(kind):
    message = refusal(kind, SHIPPED)
    label = TraceEventKind(kind).label
    assert message == (
        f"该批次已于 2026-01-05 12:00 发货，不能再登记发货前的环节（{label}）。"
    )
    assert refusal(kind, SHIPPED + datetime.timedelta(days=30)) == message


@pytest.mark.parametrize("kind", sorted(PRODUCTION_KINDS))
def test_a_production_step_one_second_before_the_shipment_is_allowed(kind):
    assert refusal(kind, SHIPPED - SECOND) is None


@pytest.mark.parametrize(
    "kind",
    [
        TraceEventKind.SHIP,
        TraceEventKind.RECEIVE,
        TraceEventKind.SELL,
        TraceEventKind.TRANSFORM,
    ],
)
def test_distribution_steps_follow_the_shipment(kind):
    assert refusal(kind, SHIPPED) is None
    assert refusal(kind, SHIPPED + datetime.timedelta(days=30)) is None


def test_without_a_shipment_a_production_step_may_come_any_time():
    later = SHIPPED + datetime.timedelta(days=20)
    assert refusal(TraceEventKind.PURCHASE, later, first_shipped_at=None) is None


def test_an_event_at_the_start_of_the_harvest_date_is_allowed():
    start = local(2026, 1, 3, 0, 0)
    assert batch_story_starts_at(harvest_date=HARVEST_DATE, created_at=REGISTERED) == (
        start
    )
    assert refusal(TraceEventKind.HARVEST, start) is None
    assert refusal(TraceEventKind.HARVEST, start - SECOND) == (
        "该批次的采收/生产日期为 2026-01-03，不能登记此前的环节（采收）。"
    )


def test_a_batch_registered_before_its_harvest_date_starts_at_its_registration():
    registered = local(2026, 1, 1, 10, 0)
    assert refusal(TraceEventKind.GUIDANCE, registered, created_at=registered) is None
    assert refusal(
        TraceEventKind.GUIDANCE, registered - SECOND, created_at=registered
    ) == ("该批次于 2026-01-01 10:00 登记，不能登记此前的环节（技术指导）。")


def test_an_event_within_the_clock_skew_is_allowed_and_beyond_it_refused():
    unshipped = {"first_shipped_at": None}
    assert refusal(TraceEventKind.PACK, NOW + CLOCK_SKEW, **unshipped) is None
    assert refusal(TraceEventKind.PACK, NOW + CLOCK_SKEW + SECOND, **unshipped) == (
        "时间晚于当前时间，不能登记尚未发生的环节（包装）。"
    )
    assert refusal(TraceEventKind.SELL, NOW + datetime.timedelta(days=1)) is not None


def test_a_purchase_into_a_recalled_batch_is_refused_whatever_its_date():
    recalled = {"status": BatchStatus.RECALLED, "first_shipped_at": None}
    message = "该批次已召回，不能再登记收购。"
    assert refusal(TraceEventKind.PURCHASE, local(2026, 1, 3, 9), **recalled) == (
        message
    )
    # A recall trace needs what became of the goods already in the lot.
    assert refusal(TraceEventKind.RECEIVE, local(2026, 1, 20), **recalled) is None
    assert refusal(TraceEventKind.HARVEST, local(2026, 1, 3, 9), **recalled) is None


def test_a_shipment_must_follow_the_last_production_step():
    packed = (TraceEventKind.PACK, local(2026, 1, 4, 10, 0))
    unshipped = {"first_shipped_at": None, "last_production": packed}
    assert refusal(TraceEventKind.SHIP, packed[1], **unshipped) == (
        "该批次已有 2026-01-04 10:00 的包装记录，发货时间须晚于它。"
    )
    assert refusal(TraceEventKind.SHIP, packed[1] + SECOND, **unshipped) is None
