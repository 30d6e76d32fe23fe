"""The inspector's pages: what to inspect, log a check on a phone, see what it did.

The idempotency key is made in the page, so a phone that resends after the
network came back gets the record it already saved, never a second.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Count, IntegerField, Max, Value, When
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from inspections.choices import Verdict
from inspections.selectors import (
    batch_hold_state,
    hold_causes_without_standard_limit,
    inspection_attachment_file,
    inspection_attachment_visible_to,
    inspection_list_visible_to,
)
from inspections.services.inspections import (
    IdempotencyKeyReused,
    inspection_attachment_add,
    inspection_create,
    inspection_sign,
)
from trace.choices import (
    BatchStatus,
)
from trace.files import private_file_response
from trace.selectors.batches import batch_list_visible_to
from workbench import printing
from workbench.decorators import recorder_required
from workbench.forms import (
    InspectionForm,
    ResultItemFormSet,
    apply_service_errors,
    enzyme_inhibition_hint,
    request_fingerprint,
)

# Sent by workbench.js when it submits the inspection form itself.
FETCH_HEADER = "X-Workbench-Fetch"


@recorder_required
def inspect(request):
    """List the batches to check: on hold first, then never checked, then oldest."""
    batches = (
        batch_list_visible_to(user=request.user)
        .exclude(status=BatchStatus.DRAFT)
        .annotate(
            checks=Count("inspections"),
            last_checked=Max("inspections__sampled_at"),
            urgency=Case(
                When(status=BatchStatus.ON_HOLD, then=Value(0)),
                When(inspections__isnull=True, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            ),
        )
        .order_by("urgency", "last_checked", "-harvest_date", "id")
    )
    return render(request, "workbench/inspect.html", {"batches": batches})


@recorder_required
def inspection_new(request):
    """Log a check: scan or choose the batch, fill the items, photos, sign.

    The idempotency key is made in the page, so a phone that resends after
    the network came back gets the record it already saved, never a second.
    """
    user = request.user
    resolver = printing.serial_resolver(user=user)
    initial = {}
    if "batch" in request.GET:
        initial["batch"] = request.GET["batch"]
    data = request.POST if request.method == "POST" else None
    form = InspectionForm(
        data,
        request.FILES or None,
        user=user,
        serial_resolver=resolver,
        initial=initial,
    )
    if "serial" in form.fields:
        lookup = reverse("workbench:serial_lookup")
        form.fields["serial"].widget.attrs["data-serial-lookup"] = lookup
    items = ResultItemFormSet(data, prefix="items")
    wants_json = request.headers.get(FETCH_HEADER) == "1"
    if request.method == "POST" and form.is_valid() and items.is_valid():
        try:
            inspection, created = _record_inspection(request, form, items)
        except IdempotencyKeyReused:
            form.add_error(
                None, _("该记录标识已用于另一条不同的记录，请刷新页面后重新填写。")
            )
        except ValidationError as error:
            apply_service_errors(form, error)
            if hasattr(error, "error_dict") and "items" in error.error_dict:
                form.add_error(None, error.error_dict["items"])
        else:
            url = (
                reverse("workbench:inspection", kwargs={"pk": inspection.pk})
                + "?saved=1"
            )
            if wants_json:
                inspection.batch.refresh_from_db()
                return JsonResponse(
                    {
                        "saved": True,
                        "created": created,
                        "url": url,
                        "verdict": inspection.get_verdict_display(),
                        "batch_status": inspection.batch.get_status_display(),
                    },
                    status=201 if created else 200,
                )
            return redirect(url)
    if request.method == "POST" and wants_json:
        errors = dict(form.errors.get_json_data())
        for index, item_errors in enumerate(items.errors or []):
            for field, messages in item_errors.get_json_data().items():
                errors[f"items-{index}-{field}"] = messages
        errors["items"] = [
            {"message": str(message)} for message in items.non_form_errors()
        ]
        return JsonResponse({"saved": False, "errors": errors}, status=400)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "workbench/inspection_form.html",
        {
            "form": form,
            "items": items,
            "scanning": resolver is not None,
            "enzyme_hint": enzyme_inhibition_hint(),
        },
        status=status,
    )


def _record_inspection(request, form, items):
    fields = form.cleaned_data
    with transaction.atomic():
        inspection, created = inspection_create(
            created_by=request.user,
            batch=fields["batch"],
            kind=fields["kind"],
            sampled_at=fields["sampled_at"],
            sample_size=fields["sample_size"],
            sample_unit=fields["sample_unit"],
            notes=fields["notes"],
            items=items.items(),
            idempotency_key=fields["idempotency_key"],
            request_fingerprint=request_fingerprint(request.POST),
        )
        if created:  # a replay already has its photos and signature
            for photo in fields["photos"]:
                try:
                    inspection_attachment_add(
                        inspection=inspection,
                        uploaded_by=request.user,
                        file=photo,
                        name=photo.name or "",
                    )
                except ValidationError as error:
                    raise ValidationError({"photos": error.messages}) from error
            if fields["sign"]:
                inspection = inspection_sign(
                    inspection=inspection, signed_by=request.user
                )
    return inspection, created


@recorder_required
def serial_lookup(request):
    """Answer the inspection form's serial field with the label's batch (JSON).

    Scoped like the form: a serial of a batch outside the user's regions is
    the same 404 as an unknown one.
    """
    batch = printing.serial_batch(
        user=request.user, serial=request.GET.get("serial", "")[:200]
    )
    if batch is None:
        return JsonResponse(
            {"error": _("未找到该标签，或该批次不在您的负责区域。")}, status=404
        )
    return JsonResponse(
        {"batch": batch.pk, "label": f"{batch.product_line.title} {batch.lot_code}"}
    )


@login_required
def inspection_detail(request, pk: int):
    """Show a recorded check and its consequences for the batch."""
    inspection = get_object_or_404(inspection_list_visible_to(user=request.user), pk=pk)
    batch = inspection.batch
    batch.refresh_from_db(fields=["status"])
    hold = batch_hold_state(batch=batch)
    return render(
        request,
        "workbench/inspection_detail.html",
        {
            "inspection": inspection,
            "batch": batch,
            "hold": hold,
            "unlimited_causes": hold_causes_without_standard_limit(
                causes=hold.outstanding, category=batch.product_line.category
            ),
            "lift": inspection.hold_releases.select_related("released_by").first(),
            "on_hold": batch.status == BatchStatus.ON_HOLD,
            # Until a lab result covers what this check found suspect.
            "lab_test_needed": inspection.verdict == Verdict.SUSPECT
            and any(
                cause.result.inspection_id == inspection.pk
                for cause in hold.outstanding
            ),
            "scan_url": printing.public_scan_url(batch=batch),
            "saved": request.GET.get("saved") == "1",
        },
    )


@login_required
def inspection_attachment(request, pk: int, attachment_pk: int, variant: str):
    """Send an inspection's photo, thumbnail or lab report to a user who may see it."""
    attachment = inspection_attachment_visible_to(
        user=request.user, inspection_id=pk, attachment_id=attachment_pk
    )
    found = attachment and inspection_attachment_file(
        attachment=attachment, variant=variant
    )
    if not found:
        raise Http404
    file, name, content_type = found
    return private_file_response(
        file, filename=name, content_type=content_type, as_attachment=False
    )
