from decimal import Decimal

from inspections.choices import InspectionKind
from inspections.selectors import (
    analyte_limit_for,
    batch_hold_state,
    inspection_list_visible_to,
)
from tests.inspections.factories import (
    AnalyteFactory,
    catalogued,
    quantitative,
    record_inspection,
)
from trace.services.batches import batch_hold


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


def test_hold_state_of_a_suspect_rapid_test_names_the_class(world, examples):
    batch = world.batch_a
    assert batch_hold_state(batch=batch).hold is None
    record_inspection(
        batch=batch,
        user=world.inspector,
        kind=InspectionKind.RAPID_TEST,
        items=[catalogued(examples["enzyme"], "62")],
    )
    batch.refresh_from_db()
    state = batch_hold_state(batch=batch)
    assert [cause.label for cause in state.outstanding] == ["有机磷和氨基甲酸酯类农药"]
    assert not state.unknown and not state.lab_results_lift_it


def test_manual_hold_is_of_unknown_cause(world):
    batch = batch_hold(batch=world.batch_a, changed_by=world.admin, reason="举报")
    state = batch_hold_state(batch=batch)
    assert state.hold is not None and state.unknown
    assert state.signature_lifts_it and not state.lab_results_lift_it


def test_free_text_failure_after_the_suspect_makes_the_hold_partly_unknown(
    world, examples
):
    batch = world.batch_a
    record_inspection(
        batch=batch,
        user=world.inspector,
        kind=InspectionKind.RAPID_TEST,
        items=[catalogued(examples["enzyme"], "60")],
    )
    record_inspection(batch=batch, user=world.inspector, items=[quantitative("5")])
    batch.refresh_from_db()
    state = batch_hold_state(batch=batch)
    assert len(state.causes) == 2
    assert state.unknown and len(state.outstanding) == 1
