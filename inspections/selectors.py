"""Reads of the inspections domain, scoped with trace.access."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import PurePosixPath

from django.conf import settings
from django.db.models import QuerySet
from django.db.models.fields.files import FieldFile

from inspections import planning
from inspections.choices import AnalyteKind, InspectionKind
from inspections.models import (
    Analyte,
    AnalyteLimit,
    ControlPoint,
    HoldCause,
    HoldRelease,
    Inspection,
    InspectionAttachment,
    QualityAlert,
)
from trace import access
from trace.choices import BatchStatus
from trace.models import Batch, BatchStatusChange


def analyte_list() -> QuerySet[Analyte]:
    """The analyte catalogue is reference data every signed-in user may read."""
    return Analyte.objects.prefetch_related("limits")


def analyte_limit_for(*, analyte: Analyte, category: str) -> Decimal | None:
    """Return the analyte's limit for a product category, else its default limit."""
    if category:
        limit = (
            AnalyteLimit.objects.filter(analyte=analyte, category=category)
            .values_list("limit", flat=True)
            .first()
        )
        if limit is not None:
            return limit
    return analyte.limit


def inspection_list_visible_to(*, user) -> QuerySet[Inspection]:
    """Return the inspections of the batches the user may see."""
    return (
        Inspection.objects.filter(access.batch_scope(user, "batch"))
        .select_related(
            "batch__product_line",
            "inspector",
            "signed_by",
            "region",
            "outlet",
            "superseded_by",
        )
        .prefetch_related("results", "attachments")
    )


def inspection_attachment_visible_to(
    *, user, inspection_id: int, attachment_id: int
) -> InspectionAttachment | None:
    """Return the attachment if the user may see its inspection, else None."""
    return (
        InspectionAttachment.objects.filter(
            access.batch_scope(user, "inspection__batch"),
            inspection_id=inspection_id,
            pk=attachment_id,
        )
        .only("id", "inspection_id", "kind", "file", "thumbnail", "content_type")
        .first()
    )


ATTACHMENT_VARIANTS = ("file", "thumbnail")


def inspection_attachment_file(
    *, attachment: InspectionAttachment, variant: str
) -> tuple[FieldFile, str, str] | None:
    """Return (stored file, download name, content type), or None if absent.

    `variant` is "file" (the photo without EXIF, or the PDF) or "thumbnail".
    """
    file = attachment.thumbnail if variant == "thumbnail" else attachment.file
    if variant not in ATTACHMENT_VARIANTS or not file:
        return None
    suffix = PurePosixPath(file.name).suffix.lower()
    name = f"inspection-{attachment.inspection_id}-{attachment.pk}-{variant}{suffix}"
    content_type = "image/jpeg" if variant == "thumbnail" else attachment.content_type
    return file, name, content_type


def batch_visible_to(*, user, batch_id) -> Batch | None:
    return Batch.objects.filter(access.batch_scope(user), pk=batch_id).first()


@dataclass(frozen=True)
class HoldState:
    """A batch's current hold: what it is for and what still stands.

    `hold` is None when the batch is not on hold. `causes` are the recorded
    causes (HoldCause); a hold with none (set by hand, or from items not in
    the catalogue) is of unknown cause and needs a signed release.
    """

    hold: BatchStatusChange | None
    causes: tuple[HoldCause, ...] = ()

    @property
    def outstanding(self) -> list[HoldCause]:
        """Return the known causes no passing lab result has covered yet."""
        return [c for c in self.causes if c.is_known and c.covered_by_id is None]

    @property
    def covered(self) -> list[HoldCause]:
        return [c for c in self.causes if c.covered_by_id is not None]

    @property
    def unknown(self) -> bool:
        """Return True if part of the hold can only be lifted by a signature."""
        return self.hold is not None and (
            not self.causes or any(not c.is_known for c in self.causes)
        )

    @property
    def lab_results_lift_it(self) -> bool:
        """Return True if lab results have answered every cause of the hold."""
        return self.hold is not None and not self.unknown and not self.outstanding

    @property
    def signature_lifts_it(self) -> bool:
        """Return True if an inspector's signed release may lift it now."""
        return self.hold is not None and not self.outstanding


def batch_current_hold(*, batch: Batch) -> BatchStatusChange | None:
    """Return the status change that put the batch on hold, if it is on hold.

    Read from the latest recorded change, not the caller's instance, which
    may predate the hold.
    """
    last = BatchStatusChange.objects.filter(batch=batch).order_by("-id").first()
    return last if last is not None and last.to_status == BatchStatus.ON_HOLD else None


def batch_hold_state(*, batch: Batch) -> HoldState:
    """Return what the batch's current hold is for and what is outstanding."""
    hold = batch_current_hold(batch=batch)
    if hold is None:
        return HoldState(hold=None)
    causes = HoldCause.objects.filter(hold=hold).select_related(
        "analyte",
        "analyte_class",
        "result__inspection",
        "covered_by__inspection",
    )
    return HoldState(hold=hold, causes=tuple(causes))


def hold_causes_without_standard_limit(
    *, causes: list[HoldCause], category: str
) -> list[HoldCause]:
    """Return the causes no catalogued lab item could cover for this category.

    A quantitative item covers a cause only against the catalogue's limit for
    the product's category (rules.result_covers_cause); where the catalogue
    has none, the inspector must be told why no lab result will lift the hold.
    """
    missing = []
    for cause in causes:
        if cause.analyte_id is not None:
            candidates = [cause.analyte]
        elif cause.analyte_class_id is not None:
            candidates = list(cause.analyte_class.members.all())
        else:
            continue
        if not any(
            analyte.kind == AnalyteKind.QUALITATIVE
            or analyte_limit_for(analyte=analyte, category=category) is not None
            for analyte in candidates
        ):
            missing.append(cause)
    return missing


def batch_last_hold_release(*, batch: Batch) -> HoldRelease | None:
    """Return how the batch's latest hold was lifted, if it was."""
    return (
        HoldRelease.objects.filter(batch=batch)
        .select_related("released_by", "inspection", "hold", "status_change")
        .order_by("-id")
        .first()
    )


def batch_public_inspections(*, batch: Batch) -> list[dict]:
    """Return the latest signed, current inspection of each kind, for the public.

    One query whatever the number of inspections. Only the organisation is
    named, never the inspector.
    """
    latest: dict[str, Inspection] = {}
    signed = (
        Inspection.objects.filter(
            batch=batch, signed_at__isnull=False, superseded_by__isnull=True
        )
        .only("kind", "verdict", "sampled_at", "organisation", "signed_at")
        .order_by("-sampled_at", "-id")
    )
    for inspection in signed:
        latest.setdefault(inspection.kind, inspection)
    order = list(InspectionKind.values)
    return [
        {
            "kind": inspection.kind,
            "kind_display": inspection.get_kind_display(),
            "sampled_at": inspection.sampled_at,
            "verdict": inspection.verdict,
            "verdict_display": inspection.get_verdict_display(),
            "organisation": inspection.organisation,
        }
        for inspection in sorted(
            latest.values(), key=lambda item: order.index(item.kind)
        )
    ]


# Inspection planning.

# Batches that may still need sampling: not yet or currently in sale.
PLANNABLE_STATUSES = (BatchStatus.DRAFT, BatchStatus.RELEASED)


@dataclass(frozen=True)
class DueBatch:
    """A batch that a control point selects and that still lacks its inspection."""

    batch: Batch
    control_point: ControlPoint
    reason: str


def control_point_list_visible_to(*, user) -> QuerySet[ControlPoint]:
    """Control points are the office's plan: only administrators see them.

    Producers must not learn when they will be sampled.
    """
    if not access.is_administrator(user):
        return ControlPoint.objects.none()
    return ControlPoint.objects.select_related("product_line", "producer")


def planning_seed() -> str:
    return str(getattr(settings, "SUYUAN_PLANNING_SEED", ""))


def _control_point_decisions(
    *, control_point: ControlPoint, seed: str
) -> dict[int, planning.Decision]:
    """Return the decision for every plannable batch the control point covers."""
    covered = Batch.objects.all()
    if control_point.product_line_id:
        covered = covered.filter(product_line_id=control_point.product_line_id)
    if control_point.producer_id:
        covered = covered.filter(producer_id=control_point.producer_id)
    batches = list(
        covered.order_by("created_at", "id").values_list("id", "producer_id", "status")
    )
    verdicts: dict[int, list[str]] = defaultdict(list)
    done: set[int] = set()
    official = (
        Inspection.objects.filter(batch__in=covered, superseded_by__isnull=True)
        .exclude(kind=InspectionKind.SELF_CHECK)
        .values_list("batch_id", "kind", "verdict")
    )
    for batch_id, kind, verdict in official:
        verdicts[batch_id].append(verdict)
        if kind == control_point.inspection_kind:
            done.add(batch_id)
    history: dict[int, list[str | None]] = defaultdict(list)
    decisions = {}
    for ordinal, (batch_id, producer_id, status) in enumerate(batches, start=1):
        earlier = history[producer_id]
        if status in PLANNABLE_STATUSES and batch_id not in done:
            decisions[batch_id] = planning.control_point_decide(
                rule=control_point.rule,
                control_point_id=control_point.pk,
                batch_id=batch_id,
                seed=seed,
                ordinal=ordinal,
                every_n=control_point.every_n,
                share_percent=control_point.share_percent,
                pass_streak=control_point.pass_streak,
                earlier_outcomes=tuple(earlier),
            )
        earlier.append(planning.batch_outcome(verdicts.get(batch_id, ())))
    return decisions


def control_point_selected_batch_ids(*, control_point: ControlPoint) -> set[int]:
    """Return the ids of the batches the control point selects and has not seen inspected."""
    decisions = _control_point_decisions(
        control_point=control_point, seed=planning_seed()
    )
    return {batch_id for batch_id, decision in decisions.items() if decision.due}


def batches_due_for_inspection(*, user) -> list[DueBatch]:
    """Return the batches due for inspection within the user's scope, with reasons.

    Inspectors see the batches of their regions, administrators all;
    operators nothing, since a plan known in advance is no check.
    """
    if not (access.is_administrator(user) or access.is_inspector(user)):
        return []
    seed = planning_seed()
    due: dict[int, list[tuple[ControlPoint, str]]] = defaultdict(list)
    for control_point in ControlPoint.objects.filter(active=True).order_by("id"):
        decisions = _control_point_decisions(control_point=control_point, seed=seed)
        for batch_id, decision in decisions.items():
            if decision.due:
                due[batch_id].append((control_point, decision.reason))
    if not due:
        return []
    batches = Batch.objects.filter(access.batch_scope(user), pk__in=due).select_related(
        "producer", "product_line", "origin"
    )
    return [
        DueBatch(batch=batch, control_point=control_point, reason=reason)
        for batch in batches.order_by("harvest_date", "id")
        for control_point, reason in due[batch.pk]
    ]


# Quality alerts.


def quality_alert_list_visible_to(*, user) -> QuerySet[QualityAlert]:
    """Return the alerts of the batches the user may see."""
    return QualityAlert.objects.filter(
        access.batch_scope(user, "batch")
    ).select_related("batch__product_line", "batch__producer", "inspection", "owner")
