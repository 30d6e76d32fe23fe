"""Inspection planning: the pure rules and the due-batch selector."""

import pytest

from inspections import planning
from inspections.choices import ControlRule, InspectionKind
from inspections.models import ControlPoint
from inspections.selectors import (
    batches_due_for_inspection,
    control_point_selected_batch_ids,
)
from tests.factories import BatchFactory, ProductLineFactory
from tests.inspections.factories import quantitative, record_inspection
from trace.choices import BatchStatus

FAILED, PASSED = planning.FAILED, planning.PASSED


def test_every_nth_selects_exactly_the_multiples_of_n():
    due = [n for n in range(1, 31) if planning.every_nth_due(ordinal=n, every_n=3)]
    assert due == [3, 6, 9, 12, 15, 18, 21, 24, 27, 30]


def test_every_first_batch_when_n_is_one():
    assert all(planning.every_nth_due(ordinal=n, every_n=1) for n in range(1, 10))


def test_random_share_is_reproducible_with_the_same_seed():
    def picked(seed):
        return {
            batch_id
            for batch_id in range(1, 1001)
            if planning.random_share_due(
                control_point_id=7, batch_id=batch_id, seed=seed, share_percent=20
            )
        }

    assert picked("seed-a") == picked("seed-a")
    assert picked("seed-a") != picked("seed-b")


@pytest.mark.parametrize("share", [5, 20, 50, 90])
def test_random_share_is_within_tolerance_over_1000_batches(share):
    picked = sum(
        planning.random_share_due(
            control_point_id=3, batch_id=batch_id, seed="s", share_percent=share
        )
        for batch_id in range(1, 1001)
    )
    # Binomial(1000, p): 4 standard deviations is at most 4 * 15.8 = 63.
    assert abs(picked - share * 10) <= 63


def test_random_share_of_100_percent_picks_every_batch():
    assert all(
        planning.random_share_due(
            control_point_id=1, batch_id=batch_id, seed="s", share_percent=100
        )
        for batch_id in range(1, 200)
    )


@pytest.mark.parametrize(
    ("history", "due"),
    [
        ([], False),
        ([PASSED, PASSED], False),
        ([FAILED], True),
        ([FAILED, PASSED], True),
        ([FAILED, PASSED, PASSED], False),
        ([FAILED, PASSED, None, PASSED], False),  # uninspected batches do not count
        ([FAILED, PASSED, None], True),
        ([FAILED, PASSED, FAILED, PASSED], True),  # a new failure restarts the count
        ([FAILED, PASSED, PASSED, PASSED], False),
    ],
)
def test_after_failure_every_batch_is_due_until_k_pass(history, due):
    assert planning.after_failure_due(earlier_outcomes=history, pass_streak=2) is due


def test_batch_outcome_failure_wins():
    assert planning.batch_outcome(["pass", "fail"]) == FAILED
    assert planning.batch_outcome(["pass", "suspect"]) == PASSED
    assert planning.batch_outcome(["suspect"]) is None
    assert planning.batch_outcome([]) is None


def test_decision_names_its_reason():
    decision = planning.control_point_decide(
        rule=ControlRule.EVERY_NTH,
        control_point_id=1,
        batch_id=9,
        seed="s",
        ordinal=4,
        every_n=2,
    )
    assert decision.due
    assert "第 4 批" in decision.reason


# The selector, on the database.


def control_point(**fields) -> ControlPoint:
    fields.setdefault("name", "控制点")
    fields.setdefault("inspection_kind", InspectionKind.SPOT_CHECK)
    return ControlPoint.objects.create(**fields)


@pytest.fixture
def tea_batches(world):
    """Ten more batches of producer A's tea line, in registration order."""
    line = world.batch_a.product_line
    return [world.batch_a] + [
        BatchFactory(
            producer=world.producer_a,
            product_line=line,
            origin=world.gulou_village,
            lot_code=f"GL2026{n:02d}",
        )
        for n in range(1, 10)
    ]


def test_every_nth_control_point_selects_every_third_batch(world, tea_batches):
    point = control_point(
        product_line=world.batch_a.product_line,
        rule=ControlRule.EVERY_NTH,
        every_n=3,
    )
    selected = control_point_selected_batch_ids(control_point=point)
    assert selected == {tea_batches[2].pk, tea_batches[5].pk, tea_batches[8].pk}


def test_inspected_batch_is_no_longer_due(world, tea_batches):
    point = control_point(
        product_line=world.batch_a.product_line,
        rule=ControlRule.EVERY_NTH,
        every_n=3,
    )
    record_inspection(batch=tea_batches[2], user=world.inspector)
    selected = control_point_selected_batch_ids(control_point=point)
    assert selected == {tea_batches[5].pk, tea_batches[8].pk}


def test_random_control_point_selection_is_reproducible(world, tea_batches, settings):
    point = control_point(
        producer=world.producer_a, rule=ControlRule.RANDOM_SHARE, share_percent=50
    )
    settings.SUYUAN_PLANNING_SEED = "county-2026"
    first = control_point_selected_batch_ids(control_point=point)
    assert control_point_selected_batch_ids(control_point=point) == first
    expected = {
        batch.pk
        for batch in tea_batches
        if planning.random_share_due(
            control_point_id=point.pk,
            batch_id=batch.pk,
            seed="county-2026",
            share_percent=50,
        )
    }
    assert first == expected


def test_after_a_failure_the_producers_next_batches_are_due_until_k_pass(
    world, tea_batches
):
    point = control_point(
        producer=world.producer_a, rule=ControlRule.AFTER_FAILURE, pass_streak=2
    )
    assert control_point_selected_batch_ids(control_point=point) == set()
    record_inspection(
        batch=tea_batches[0],
        user=world.inspector,
        items=[quantitative("2.0", limit="1.0")],
    )
    assert control_point_selected_batch_ids(control_point=point) == {
        batch.pk for batch in tea_batches[1:]
    }
    record_inspection(batch=tea_batches[1], user=world.inspector)
    record_inspection(batch=tea_batches[2], user=world.inspector)
    # Two passes after the failure: batches from the fourth on are normal again.
    assert control_point_selected_batch_ids(control_point=point) == set()


def test_self_checks_do_not_lift_the_tightened_regime(world, tea_batches):
    point = control_point(
        producer=world.producer_a, rule=ControlRule.AFTER_FAILURE, pass_streak=1
    )
    record_inspection(
        batch=tea_batches[0],
        user=world.inspector,
        items=[quantitative("2.0", limit="1.0")],
    )
    record_inspection(
        batch=tea_batches[1], user=world.operator_a, kind=InspectionKind.SELF_CHECK
    )
    assert tea_batches[2].pk in control_point_selected_batch_ids(control_point=point)


def test_due_list_is_scoped_to_the_inspectors_regions(world):
    control_point(
        name="全县每批",
        product_line=world.batch_a.product_line,
        rule=ControlRule.EVERY_NTH,
        every_n=1,
    )
    control_point(
        name="玉竹每批",
        product_line=world.batch_b.product_line,
        rule=ControlRule.EVERY_NTH,
        every_n=1,
    )
    inspector_due = batches_due_for_inspection(user=world.inspector)
    assert [due.batch for due in inspector_due] == [world.batch_a]
    assert inspector_due[0].control_point.name == "全县每批"
    assert "第 1 批" in inspector_due[0].reason
    admin_due = batches_due_for_inspection(user=world.admin)
    assert {due.batch for due in admin_due} == {world.batch_a, world.batch_b}
    assert batches_due_for_inspection(user=world.operator_a) == []


def test_inactive_control_points_and_recalled_batches_are_not_planned(world):
    control_point(
        product_line=world.batch_a.product_line,
        rule=ControlRule.EVERY_NTH,
        every_n=1,
        active=False,
    )
    control_point(
        product_line=world.batch_b.product_line,
        rule=ControlRule.EVERY_NTH,
        every_n=1,
    )
    world.batch_b.status = BatchStatus.RECALLED
    world.batch_b.save()
    assert batches_due_for_inspection(user=world.admin) == []


def test_line_control_point_counts_batches_of_all_producers(world):
    line = ProductLineFactory()
    first = BatchFactory(producer=world.producer_a, product_line=line)
    second = BatchFactory(producer=world.producer_b, product_line=line)
    point = control_point(product_line=line, rule=ControlRule.EVERY_NTH, every_n=2)
    assert control_point_selected_batch_ids(control_point=point) == {second.pk}
    assert first.pk not in control_point_selected_batch_ids(control_point=point)
