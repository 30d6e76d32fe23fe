from decimal import Decimal

import pytest

from inspections import rules
from inspections.choices import (
    AnalyteKind,
    BatchAction,
    InspectionKind,
    QualitativeOutcome,
    Verdict,
)
from inspections.rules import (
    batch_action,
    inspection_verdict,
    is_enzyme_inhibition_method,
    result_verdict,
    verdict_rule_text,
)
from trace.choices import BatchStatus

Q = AnalyteKind.QUANTITATIVE


@pytest.mark.parametrize(
    ("value", "verdict"),
    [
        ("0.99", Verdict.PASS),
        ("1.00", Verdict.PASS),
        ("1.000001", Verdict.FAIL),
        ("2", Verdict.FAIL),
    ],
)
def test_value_equal_to_limit_passes_and_above_fails(value, verdict):
    assert (
        result_verdict(kind=Q, limit=Decimal("1.0"), measured_value=Decimal(value))
        == verdict
    )


@pytest.mark.parametrize(
    ("inhibition", "verdict"),
    [
        ("0", Verdict.PASS),
        ("49.9", Verdict.PASS),
        ("50.0", Verdict.SUSPECT),
        ("87.5", Verdict.SUSPECT),
    ],
)
def test_enzyme_inhibition_of_50_percent_is_suspect(inhibition, verdict):
    got = result_verdict(
        kind=Q, method="GB/T 5009.199-2003", measured_value=Decimal(inhibition)
    )
    assert got == verdict


def test_enzyme_method_is_recognised_whatever_the_spacing():
    assert is_enzyme_inhibition_method("GB/T5009.199")
    assert is_enzyme_inhibition_method("gb/t 5009.199-2003 酶抑制法")
    assert not is_enzyme_inhibition_method("GB 5009.12")


def test_qualitative_items_pass_or_fail_as_entered():
    kind = AnalyteKind.QUALITATIVE
    assert result_verdict(kind=kind, outcome=QualitativeOutcome.PASS) == Verdict.PASS
    assert result_verdict(kind=kind, outcome=QualitativeOutcome.FAIL) == Verdict.FAIL


def test_missing_facts_raise():
    with pytest.raises(ValueError):
        result_verdict(kind=Q, measured_value=Decimal("1"))  # no limit
    with pytest.raises(ValueError):
        result_verdict(kind=Q, limit=Decimal("1"))
    with pytest.raises(ValueError):
        result_verdict(kind=AnalyteKind.QUALITATIVE)


def test_any_fail_fails_the_inspection_then_any_suspect():
    assert (
        inspection_verdict([Verdict.PASS, Verdict.SUSPECT, Verdict.FAIL])
        == Verdict.FAIL
    )
    assert inspection_verdict([Verdict.PASS, Verdict.SUSPECT]) == Verdict.SUSPECT
    assert inspection_verdict([Verdict.PASS]) == Verdict.PASS
    with pytest.raises(ValueError):
        inspection_verdict([])


@pytest.mark.parametrize(
    ("kind", "verdict", "status", "facts", "expected"),
    [
        (InspectionKind.SELF_CHECK, Verdict.FAIL, BatchStatus.RELEASED, {}, None),
        (
            InspectionKind.SPOT_CHECK,
            Verdict.FAIL,
            BatchStatus.RELEASED,
            {},
            BatchAction.HOLD,
        ),
        (
            InspectionKind.RAPID_TEST,
            Verdict.SUSPECT,
            BatchStatus.RELEASED,
            {},
            BatchAction.HOLD,
        ),
        (InspectionKind.SPOT_CHECK, Verdict.FAIL, BatchStatus.ON_HOLD, {}, None),
        (InspectionKind.SPOT_CHECK, Verdict.FAIL, BatchStatus.DRAFT, {}, None),
        (
            InspectionKind.LAB_TEST,
            Verdict.FAIL,
            BatchStatus.ON_HOLD,
            {},
            BatchAction.RECALL,
        ),
        (
            InspectionKind.LAB_TEST,
            Verdict.FAIL,
            BatchStatus.RELEASED,
            {"confirms_suspect": True},
            BatchAction.RECALL,
        ),
        (
            InspectionKind.LAB_TEST,
            Verdict.FAIL,
            BatchStatus.RELEASED,
            {},
            BatchAction.HOLD,
        ),
        (InspectionKind.LAB_TEST, Verdict.FAIL, BatchStatus.RECALLED, {}, None),
        (
            InspectionKind.LAB_TEST,
            Verdict.PASS,
            BatchStatus.ON_HOLD,
            {"hold_covered": True},
            BatchAction.RELEASE,
        ),
        (InspectionKind.LAB_TEST, Verdict.PASS, BatchStatus.ON_HOLD, {}, None),
        (
            InspectionKind.SPOT_CHECK,
            Verdict.PASS,
            BatchStatus.ON_HOLD,
            {"hold_covered": True},
            None,
        ),
    ],
)
def test_batch_action(kind, verdict, status, facts, expected):
    assert (
        batch_action(kind=kind, verdict=verdict, batch_status=status, **facts)
        == expected
    )


@pytest.mark.parametrize(
    ("facts", "text"),
    [
        (
            {"kind": AnalyteKind.QUANTITATIVE, "method": "GB/T 5009.199-2003"},
            "抑制率 ≥ 50% 为阳性（可疑，需实验室复检）",
        ),
        (
            # The catalogue's limit does not change the enzyme rule.
            {
                "kind": AnalyteKind.QUANTITATIVE,
                "method": "GB/T 5009.199",
                "limit": Decimal("40"),
            },
            "抑制率 ≥ 50% 为阳性（可疑，需实验室复检）",
        ),
        (
            {
                "kind": AnalyteKind.QUANTITATIVE,
                "method": "GB 5009.12",
                "limit": Decimal("0.10"),
                "unit": "mg/kg",
            },
            "限量 ≤ 0.1 mg/kg",
        ),
        ({"kind": AnalyteKind.QUALITATIVE}, "定性：符合 / 不符合"),
    ],
)
def test_verdict_rule_text_says_what_result_verdict_does(facts, text):
    assert verdict_rule_text(**facts) == text


def test_the_enzyme_threshold_in_the_text_is_the_one_applied():
    threshold = rules.ENZYME_INHIBITION_POSITIVE
    assert f"≥ {threshold}%" in verdict_rule_text(
        kind=AnalyteKind.QUANTITATIVE, method=rules.ENZYME_INHIBITION_STANDARD
    )
    method = rules.ENZYME_INHIBITION_STANDARD
    at = result_verdict(kind="quantitative", method=method, measured_value=threshold)
    below = result_verdict(
        kind="quantitative", method=method, measured_value=threshold - Decimal("0.1")
    )
    assert (at, below) == (Verdict.SUSPECT, Verdict.PASS)


def test_a_screening_test_holds_for_its_class_other_items_for_themselves():
    assert rules.hold_cause_target(analyte_id=7, screens_class_id=3) == (None, 3)
    assert rules.hold_cause_target(analyte_id=7, screens_class_id=None) == (7, None)
    assert rules.hold_cause_target(analyte_id=None, screens_class_id=None) == (
        None,
        None,
    )


def covers(**overrides) -> bool:
    facts = {
        "cause_analyte_id": None,
        "cause_class_id": 3,
        "result_analyte_id": 11,
        "result_class_id": 3,
        "result_verdict": Verdict.PASS,
        "result_kind": AnalyteKind.QUANTITATIVE,
        "result_limit": Decimal("0.2"),
        "standard_limit": Decimal("0.2"),
    }
    facts.update(overrides)
    return rules.result_covers_cause(**facts)


@pytest.mark.parametrize(
    "overrides, expected",
    [
        # "a listed analyte of that class, with its limit from the national
        # standard the inspection cites" (issue 32).
        ({}, True),
        ({"result_limit": Decimal("0.19")}, True),  # stricter than the standard
        ({"result_limit": Decimal("0.21")}, False),  # looser: proves nothing
        ({"result_limit": None}, False),
        ({"standard_limit": None}, False),  # no standard limit to compare with
        ({"result_class_id": 4}, False),  # another class
        ({"result_class_id": None}, False),
        ({"result_verdict": Verdict.FAIL}, False),
        ({"result_verdict": Verdict.SUSPECT}, False),
        ({"result_analyte_id": None}, False),  # a free-text item
        # "the same analyte"
        ({"cause_analyte_id": 11, "cause_class_id": None}, True),
        ({"cause_analyte_id": 12, "cause_class_id": None}, False),
        # a cause of unknown analyte is lifted only by a signed release
        ({"cause_class_id": None}, False),
        (
            {
                "cause_analyte_id": 11,
                "cause_class_id": None,
                "result_kind": AnalyteKind.QUALITATIVE,
                "result_limit": None,
                "standard_limit": None,
            },
            True,
        ),
    ],
)
def test_which_lab_results_cover_a_hold_cause(overrides, expected):
    assert covers(**overrides) is expected
