from decimal import Decimal

from inspections.choices import InspectionKind
from inspections.selectors import (
    analyte_limit_for,
    batch_held_for_suspect,
    inspection_list_visible_to,
)
from tests.inspections.factories import (
    AnalyteFactory,
    enzyme,
    quantitative,
    record_inspection,
)
from trace import services as trace_services


def test_inspections_are_scoped_like_their_batches(world):
    mine = record_inspection(batch=world.batch_a, user=world.admin)
    theirs = record_inspection(batch=world.batch_b, user=world.admin)
    assert list(inspection_list_visible_to(user=world.inspector)) == [mine]
    assert list(inspection_list_visible_to(user=world.operator_b)) == [theirs]
    assert set(inspection_list_visible_to(user=world.admin)) == {mine, theirs}


def test_limit_per_category_falls_back_to_default(db):
    analyte = AnalyteFactory(limit=Decimal("0.5"))
    analyte.limits.create(category="茶叶", limit=Decimal("5"))
    assert analyte_limit_for(analyte=analyte, category="茶叶") == Decimal("5")
    assert analyte_limit_for(analyte=analyte, category="水果") == Decimal("0.5")
    assert analyte_limit_for(analyte=analyte, category="") == Decimal("0.5")


def test_held_for_suspect_only_when_the_last_hold_came_from_a_suspect(world):
    batch = world.batch_a
    assert not batch_held_for_suspect(batch=batch)
    record_inspection(
        batch=batch,
        user=world.inspector,
        kind=InspectionKind.RAPID_TEST,
        items=[enzyme("60")],
    )
    batch.refresh_from_db()
    assert batch_held_for_suspect(batch=batch)


def test_manual_hold_is_not_held_for_suspect(world):
    batch = trace_services.batch_hold(
        batch=world.batch_a, changed_by=world.admin, reason="举报"
    )
    assert not batch_held_for_suspect(batch=batch)


def test_failure_after_the_suspect_keeps_the_hold(world):
    batch = world.batch_a
    record_inspection(
        batch=batch,
        user=world.inspector,
        kind=InspectionKind.RAPID_TEST,
        items=[enzyme("60")],
    )
    record_inspection(batch=batch, user=world.inspector, items=[quantitative("5")])
    batch.refresh_from_db()
    assert not batch_held_for_suspect(batch=batch)
