"""Verdict rules: pure functions, the one place that decides pass, fail or suspect.

Nothing here touches the database; services gather the facts and apply the
consequences these functions decide.
"""

from collections.abc import Iterable
from decimal import Decimal

from django.utils.translation import gettext as _

from inspections.choices import (
    AnalyteKind,
    BatchAction,
    InspectionKind,
    QualitativeOutcome,
    Verdict,
)
from trace.choices import BatchStatus

# GB/T 5009.199 (rapid test for organophosphate and carbamate residues in
# vegetables by enzyme inhibition): an inhibition rate >= 50 % is positive.
ENZYME_INHIBITION_STANDARD = "GB/T 5009.199"
ENZYME_INHIBITION_POSITIVE = Decimal("50")


def is_enzyme_inhibition_method(method: str) -> bool:
    """Return True if the method names the GB/T 5009.199 enzyme-inhibition test."""
    normalized = "".join(method.split()).upper()
    return "5009.199" in normalized


def result_verdict(
    *,
    kind: str,
    method: str = "",
    limit: Decimal | None = None,
    measured_value: Decimal | None = None,
    outcome: str = "",
) -> str:
    """Return the verdict of one result item.

    Qualitative items pass or fail as entered. A GB/T 5009.199 enzyme
    inhibition rate of 50 % or more is positive, hence suspect until a lab
    test confirms or clears it. Any other quantitative value passes when it
    is at most its limit (equal to the limit passes) and fails above it.

    Raise ValueError if the facts needed for the verdict are missing.
    """
    if kind == AnalyteKind.QUALITATIVE:
        if outcome not in QualitativeOutcome.values:
            raise ValueError("a qualitative item needs an outcome")
        return Verdict.PASS if outcome == QualitativeOutcome.PASS else Verdict.FAIL
    if measured_value is None:
        raise ValueError("a quantitative item needs a measured value")
    if is_enzyme_inhibition_method(method):
        return (
            Verdict.SUSPECT
            if measured_value >= ENZYME_INHIBITION_POSITIVE
            else Verdict.PASS
        )
    if limit is None:
        raise ValueError("a quantitative item needs a limit")
    return Verdict.FAIL if measured_value > limit else Verdict.PASS


def verdict_rule_text(
    *, kind: str, method: str = "", limit: Decimal | None = None, unit: str = ""
) -> str:
    """Return the rule result_verdict applies to an item, as inspectors read it.

    The catalogue's options, the form's hint and the result tables all say
    this, so what people read is what decides.
    """
    if kind == AnalyteKind.QUALITATIVE:
        return _("定性：符合 / 不符合")
    if is_enzyme_inhibition_method(method):
        return _("抑制率 ≥ %(threshold)s%% 为阳性（可疑，需实验室复检）") % {
            "threshold": _number(ENZYME_INHIBITION_POSITIVE)
        }
    if limit is None:
        return ""
    return _("限量 ≤ %(limit)s %(unit)s") % {"limit": _number(limit), "unit": unit}


def _number(value: Decimal) -> str:
    return format(value.normalize(), "f")


def inspection_verdict(item_verdicts: Iterable[str]) -> str:
    """Return the inspection's verdict: any fail fails, else any suspect is suspect."""
    verdicts = set(item_verdicts)
    if not verdicts:
        raise ValueError("an inspection needs at least one result item")
    if Verdict.FAIL in verdicts:
        return Verdict.FAIL
    if Verdict.SUSPECT in verdicts:
        return Verdict.SUSPECT
    return Verdict.PASS


def hold_cause_target(
    *, analyte_id: int | None, screens_class_id: int | None
) -> tuple[int | None, int | None]:
    """Return (analyte, analyte class) that a failed or suspect item holds for.

    A screening test (GB/T 5009.199 enzyme inhibition) answers for a whole
    class, so its suspicion is about the class; any other catalogued item is
    about its own analyte. (None, None) is a cause no lab result can name.
    """
    if screens_class_id is not None:
        return None, screens_class_id
    return analyte_id, None


def result_covers_cause(
    *,
    cause_analyte_id: int | None,
    cause_class_id: int | None,
    result_analyte_id: int | None,
    result_class_id: int | None,
    result_verdict: str,
    result_kind: str,
    result_limit: Decimal | None,
    standard_limit: Decimal | None,
) -> bool:
    """Return True if a passing lab result answers a hold's cause.

    Issue 32: "A lab result releases the batch only when every one of those
    causes has a passing lab result that covers it (the same analyte, or a
    listed analyte of that class, with its limit from the national standard
    the inspection cites)". So the item must be the cause's analyte, or a
    catalogued member of the cause's class; it must pass; and a quantitative
    item must have been judged against a limit no looser than the catalogue's
    (the standard's) limit for the product's category: a pass against a
    limit the inspector typed more generously proves nothing.
    """
    if result_verdict != Verdict.PASS or result_analyte_id is None:
        return False
    if cause_analyte_id is not None:
        same = result_analyte_id == cause_analyte_id
    elif cause_class_id is not None:
        same = result_class_id == cause_class_id
    else:
        return False  # an unknown cause is lifted only by a signed release
    if not same:
        return False
    if result_kind == AnalyteKind.QUALITATIVE:
        return True
    return (
        result_limit is not None
        and standard_limit is not None
        and result_limit <= standard_limit
    )


def batch_action(
    *,
    kind: str,
    verdict: str,
    batch_status: str,
    confirms_suspect: bool = False,
    hold_covered: bool = False,
) -> str | None:
    """Return what an inspection does to its batch's status, or None.

    - A producer's self check never changes the status.
    - A failing lab test that confirms a suspect inspection, or that fails on
      a batch already on hold, recalls the batch.
    - Any other failed or suspect inspection puts a released batch on hold
      (a batch already on hold stays so; drafts and recalled batches are
      not in sale, so nothing moves).
    - A passing lab test releases a batch on hold only when, with it, every
      cause of the hold is known and covered by a passing lab result
      (`hold_covered`, see result_covers_cause).
    """
    if kind == InspectionKind.SELF_CHECK:
        return None
    movable = batch_status in (BatchStatus.RELEASED, BatchStatus.ON_HOLD)
    if verdict == Verdict.FAIL and kind == InspectionKind.LAB_TEST:
        if movable and (confirms_suspect or batch_status == BatchStatus.ON_HOLD):
            return BatchAction.RECALL
    if verdict in (Verdict.FAIL, Verdict.SUSPECT):
        return BatchAction.HOLD if batch_status == BatchStatus.RELEASED else None
    if (
        verdict == Verdict.PASS
        and kind == InspectionKind.LAB_TEST
        and batch_status == BatchStatus.ON_HOLD
        and hold_covered
    ):
        return BatchAction.RELEASE
    return None
