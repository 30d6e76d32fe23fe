"""Inspection planning rules: pure functions that say whether a batch is due.

Nothing here touches the database; `inspections.selectors` gathers the facts
(each batch's position among the control point's batches, the outcomes of
the producer's earlier batches) and these functions decide. Random selection
is seeded by the control point, the batch and `SUYUAN_PLANNING_SEED`, so the
same plan always picks the same batches and can be re-checked afterwards,
while nobody can predict it without the seed.
"""

import random
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from inspections.choices import ControlRule

# What an earlier batch's official inspections came to.
PASSED = "pass"
FAILED = "fail"


@dataclass(frozen=True)
class Decision:
    """Whether a batch is due under one control point, and why."""

    due: bool
    reason: str = ""


def every_nth_due(*, ordinal: int, every_n: int) -> bool:
    """Return True for the Nth, 2Nth, 3Nth ... batch (ordinal counts from 1)."""
    return every_n >= 1 and ordinal >= 1 and ordinal % every_n == 0


def random_draw(*, control_point_id: int, batch_id: int, seed: str) -> float:
    """Return the batch's reproducible draw in [0, 1) under a control point."""
    return random.Random(f"{control_point_id}:{batch_id}:{seed}").random()


def random_share_due(
    *, control_point_id: int, batch_id: int, seed: str, share_percent: int
) -> bool:
    """Return True if the batch falls in the control point's random share."""
    draw = random_draw(control_point_id=control_point_id, batch_id=batch_id, seed=seed)
    return draw * 100 < share_percent


def after_failure_due(
    *, earlier_outcomes: Sequence[str | None], pass_streak: int
) -> bool:
    """Return True if a failure is not yet followed by `pass_streak` passed batches.

    `earlier_outcomes` are the outcomes of the producer's earlier batches,
    oldest first: FAILED, PASSED, or None for a batch not (yet) inspected,
    which neither clears nor extends the tightened regime.
    """
    tightened, passes = False, 0
    for outcome in earlier_outcomes:
        if outcome == FAILED:
            tightened, passes = True, 0
        elif outcome == PASSED and tightened:
            passes += 1
            if passes >= pass_streak:
                tightened = False
    return tightened


def batch_outcome(verdicts: Sequence[str]) -> str | None:
    """Return FAILED if any verdict failed, PASSED if any passed, else None."""
    if FAILED in verdicts:
        return FAILED
    if PASSED in verdicts:
        return PASSED
    return None


def control_point_decide(
    *,
    rule: str,
    control_point_id: int,
    batch_id: int,
    seed: str,
    ordinal: int = 0,
    every_n: int | None = None,
    share_percent: int | None = None,
    pass_streak: int | None = None,
    earlier_outcomes: Sequence[str | None] = (),
) -> Decision:
    """Return whether a batch is due under a control point's rule, with the reason."""
    if rule == ControlRule.EVERY_NTH and every_n:
        if every_nth_due(ordinal=ordinal, every_n=every_n):
            return Decision(
                True,
                _("每 %(n)d 批抽检 1 批：本批为第 %(ordinal)d 批。")
                % {"n": every_n, "ordinal": ordinal},
            )
    elif rule == ControlRule.RANDOM_SHARE and share_percent:
        if random_share_due(
            control_point_id=control_point_id,
            batch_id=batch_id,
            seed=seed,
            share_percent=share_percent,
        ):
            return Decision(
                True,
                _("随机抽取 %(share)d%% 的批次：本批被抽中。")
                % {"share": share_percent},
            )
    elif rule == ControlRule.AFTER_FAILURE and pass_streak:
        if after_failure_due(
            earlier_outcomes=earlier_outcomes, pass_streak=pass_streak
        ):
            return Decision(
                True,
                _("该主体此前有批次检测不合格：连续 %(k)d 批合格前每批必检。")
                % {"k": pass_streak},
            )
    return Decision(False)
