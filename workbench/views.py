"""Workbench pages: thin views over the same services and selectors as the API.

Scope comes from trace.access through the selectors, so an object outside the
user's scope is a 404 here as in the API. A failed submit re-renders the
bound form with the errors next to their fields: nothing typed is lost.
"""

import datetime
import json
from urllib.parse import urlencode

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from inspections.selectors import (
    batch_hold_state,
    hold_causes_without_standard_limit,
    inspection_list_visible_to,
)
from inspections.services.holds import batch_hold_release_sign, may_sign_hold_release
from labels.models import OFFSET_LIMIT
from labels.selectors import (
    print_job_list_printable_by,
    print_job_list_visible_to,
    print_job_sheet_printable,
)
from labels.services import print_job_create
from labels.templates import TEMPLATES, template_get
from reports.certificates import status_allows_certificate
from reports.selectors.certificates import certificate_latest
from reports.selectors.common import ReportFilters
from reports.selectors.ledger import benefit_ledger
from reports.selectors.submissions import forms_owed_by
from reports.services import certificate_issue
from trace import access
from trace.choices import (
    BatchStatus,
    CertificationReviewStatus,
    PaymentConfirmation,
    RegionLevel,
    Role,
    TraceEventKind,
)
from trace.demo.users import accounts_by_role
from trace.files import private_file_response
from trace.models import Certification
from trace.selectors.batches import batch_list_visible_to, slow_selling_mark_list
from trace.selectors.catalogue import township_notice_list
from trace.selectors.certification import (
    certification_list_visible_to,
    certification_review_list_visible_to,
)
from trace.selectors.channels import sale_channel_name
from trace.selectors.events import sale_list_visible_to, trace_event_list_visible_to
from trace.selectors.households import household_payment_list_visible_to
from trace.services.batches import batch_create, batch_release, slow_selling_mark
from trace.services.catalogue import township_notice_publish
from trace.services.certification import (
    certification_review_dismiss,
    certification_review_revoke,
    certification_review_suspend,
)
from trace.services.events import guidance_visit_record, purchase_record, sale_record
from trace.validators import is_ascii_number
from workbench import printing
from workbench.decorators import office_required, operator_required, role_required
from workbench.forms import (
    BatchForm,
    CalibrationForm,
    ContributionFormSet,
    GuidanceForm,
    PrintForm,
    PurchaseForm,
    SaleForm,
    SlowSellingReportForm,
    TownshipNoticeForm,
    apply_service_errors,
    region_batch_choices,
)

# Warn this long before a certification lapses: time to apply for renewal.
CERTIFICATION_WARNING = datetime.timedelta(days=30)


@login_required
def home(request):
    """Show each role its own start page."""
    user = request.user
    if access.is_inspector(user):
        return redirect("workbench:inspect")
    if access.has_role(user, Role.INFORMANT):
        return redirect("workbench:village")
    if access.has_role(user, *access.SUBMITTING_ROLES):
        return redirect("workbench:submissions")
    if access.has_role(user, Role.TECHNICIAN):
        return redirect("workbench:guidance")
    if access.has_role(user, Role.PURCHASE_POINT):
        return redirect("workbench:purchases")
    if not access.is_operator(user):
        return render(request, "workbench/home_office.html")
    return render(request, "workbench/home.html", _operator_home(user))


def _operator_home(user) -> dict:
    today = timezone.localdate()
    certification = (
        certification_list_visible_to(user=user).order_by("-valid_until", "-id").first()
    )
    batches = list(batch_list_visible_to(user=user).order_by("-created_at", "-id"))
    by_status = [
        {
            "status": status,
            "label": status.label,
            "batches": [batch for batch in batches if batch.status == status],
        }
        for status in (
            BatchStatus.ON_HOLD,
            BatchStatus.DRAFT,
            BatchStatus.RELEASED,
            BatchStatus.RECALLED,
        )
    ]
    print_jobs = printing.recent_jobs(user=user)
    return {
        "producer": access.operator_producer(user),
        "certification": certification,
        "certification_warning": _certification_warning(certification, today),
        "by_status": by_status,
        "print_jobs": print_jobs,
        "print_jobs_running": any(job.status in printing.RUNNING for job in print_jobs),
    }


def _certification_warning(certification: Certification | None, today) -> str:
    if certification is None:
        return _("尚无扶贫产品认定，不能登记批次和打印标签。请联系县扶贫办。")
    if certification.status != "active":
        return _("认定状态为“%(status)s”，不能登记批次和打印标签。") % {
            "status": certification.get_status_display()
        }
    if certification.valid_until < today:
        return _("认定已于 %(date)s 过期，请尽快申请复核。") % {
            "date": certification.valid_until.isoformat()
        }
    if certification.valid_until - today <= CERTIFICATION_WARNING:
        return _("认定将于 %(date)s 到期（还有 %(days)d 天），请及时申请复核。") % {
            "date": certification.valid_until.isoformat(),
            "days": (certification.valid_until - today).days,
        }
    return ""


@operator_required
def batch_new(request):
    """Register a batch and its households' contributions as a draft."""
    producer = access.operator_producer(request.user)
    form = BatchForm(request.POST or None, producer=producer)
    formset = ContributionFormSet(
        request.POST or None, prefix="contrib", form_kwargs={"user": request.user}
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            batch = batch_create(
                producer=producer,
                created_by=request.user,
                contributions=formset.contributions(),
                **form.cleaned_data,
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            return redirect("workbench:batch", pk=batch.pk)
    return render(
        request, "workbench/batch_form.html", {"form": form, "formset": formset}
    )


@login_required
def batch_detail(request, pk: int):
    """Show a batch in the user's scope: status, households, checks; release it."""
    batch = get_object_or_404(batch_list_visible_to(user=request.user), pk=pk)
    return render(
        request, "workbench/batch_detail.html", _batch_context(request, batch)
    )


def _batch_context(request, batch, release_errors=(), release_reason="") -> dict:
    user = request.user
    hold = batch_hold_state(batch=batch)
    return {
        "hold": hold,
        "unlimited_causes": hold_causes_without_standard_limit(
            causes=hold.outstanding, category=batch.product_line.category
        ),
        "may_sign_release": hold.signature_lifts_it
        and may_sign_hold_release(user, batch),
        "release_reason": release_reason,
        "batch": batch,
        "contributions": batch.contributions.select_related("household__village"),
        "inspections": inspection_list_visible_to(user=user).filter(batch=batch),
        "changes": batch.status_changes.all(),
        "may_release": batch.status == BatchStatus.DRAFT
        and access.may_change_batch_status(user, batch, BatchStatus.RELEASED),
        "may_inspect": access.is_inspector(user) or access.is_administrator(user),
        "may_print": access.may_edit_batch(user, batch)
        and batch.status == BatchStatus.RELEASED,
        "release_errors": release_errors,
        **_certificate_context(user, batch),
    }


def _certificate_context(user, batch) -> dict:
    """Return the batch's latest 承诺达标合格证 and whether the user may issue one."""
    return {
        "certificate": certificate_latest(batch=batch),
        "certificate_url": reverse("batch-certificate", kwargs={"pk": batch.pk}),
        "may_issue_certificate": access.may_edit_batch(user, batch)
        and status_allows_certificate(batch.status),
    }


@require_POST
@login_required
def batch_certificate_issue(request, pk: int):
    """Issue a 承诺达标合格证 and open it (the API's GET downloads the latest).

    From a print job's page (`print_job`), open one certificate per label
    sheet, each naming the serials on its sheet.
    """
    batch = get_object_or_404(batch_list_visible_to(user=request.user), pk=pk)
    try:
        certificate_issue(batch=batch, issued_by=request.user)
    except ValidationError as error:
        context = _batch_context(request, batch, release_errors=error.messages)
        return render(request, "workbench/batch_detail.html", context, status=400)
    url = reverse("batch-certificate", kwargs={"pk": batch.pk})
    print_job = request.POST.get("print_job", "")
    return redirect(
        f"{url}?print_job={print_job}" if is_ascii_number(print_job) else url
    )


@require_POST
@login_required
def batch_release_view(request, pk: int):
    """Release a draft, or lift a hold by the inspector's signed reason."""
    batch = get_object_or_404(batch_list_visible_to(user=request.user), pk=pk)
    reason = request.POST.get("reason", "")[:1000]
    try:
        if batch.status == BatchStatus.ON_HOLD:
            batch_hold_release_sign(
                batch=batch, released_by=request.user, reason=reason
            )
        else:
            batch_release(batch=batch, changed_by=request.user)
    except access.Refused:
        # The service refused the user: no button was offered, no page is.
        raise Http404 from None
    except ValidationError as error:
        context = _batch_context(
            request, batch, release_errors=error.messages, release_reason=reason
        )
        return render(request, "workbench/batch_detail.html", context, status=400)
    return redirect("workbench:batch", pk=batch.pk)


def just_saved(request) -> bool:
    """Return True on the page a save redirected to (?saved=1), never on a
    failed submit from it: the form posts back to that URL, and a green
    「已保存。」 above red errors says the opposite of what happened."""
    return request.method == "GET" and request.GET.get("saved") == "1"


@operator_required
def sales(request):
    """Record a 消费扶贫 sale; list the latest ones.

    After a save the next form keeps the channel just used: a bookkeeper
    enters a day's receipts of one channel one after another.
    """
    form = SaleForm(request.POST or None, user=request.user)
    if request.GET.get("channel") in dict(form.fields["channel"].choices):
        form.initial["channel"] = request.GET["channel"]
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        batch = fields.pop("batch")
        try:
            sale_record(batch=batch, recorded_by=request.user, **fields)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            query = urlencode({"saved": 1, "channel": fields["channel"]})
            return redirect(f"{reverse('workbench:sales')}?{query}")
    recent = list(sale_list_visible_to(user=request.user)[:30])
    for sale in recent:
        sale.channel_name = sale_channel_name(sale)
    return render(
        request,
        "workbench/sales.html",
        {"form": form, "sales": recent, "saved": just_saved(request)},
        # A refused sale is a 400, as in the API; the form keeps what was typed.
        status=400 if request.method == "POST" else 200,
    )


REVIEW_ACTIONS = {
    "dismiss": certification_review_dismiss,
    "suspend": certification_review_suspend,
    "revoke": certification_review_revoke,
}


@office_required
def reviews(request):
    """List the certifications that may no longer hold; keep, suspend or revoke.

    The county office decides those of its county; a city or province
    office reads its counties' queue (trace.access.may_manage_register).
    """
    queue = certification_review_list_visible_to(user=request.user)
    errors, status = [], 200
    if request.method == "POST":
        review = get_object_or_404(queue, pk=_digits(request.POST.get("review", "")))
        service = REVIEW_ACTIONS.get(request.POST.get("action", ""))
        if service is None:
            raise Http404
        try:
            service(
                review=review,
                note=request.POST.get("reason", "")[:1000],
                resolved_by=request.user,
            )
        except access.Refused:
            raise Http404 from None
        except ValidationError as error:
            errors, status = error.messages, 400
        else:
            return redirect("workbench:reviews")
    return render(
        request,
        "workbench/reviews.html",
        {
            "open": [
                (
                    review,
                    access.may_manage_register(request.user, review.producer.region),
                )
                for review in queue.filter(status=CertificationReviewStatus.OPEN)
            ],
            "closed": queue.exclude(status=CertificationReviewStatus.OPEN)[:20],
            "errors": errors,
        },
        status=status,
    )


@operator_required
def benefits(request):
    """Show what each linked household received: paid and declared income."""
    ledger = benefit_ledger(user=request.user, filters=ReportFilters())
    return render(
        request,
        "workbench/benefits.html",
        {
            "ledger": ledger,
            "paid_total": sum((entry.paid for entry in ledger), 0),
        },
    )


def _posted_in_scope(request, form, *names) -> None:
    """Raise Http404 for a posted id the user may not see, as the detail pages do.

    The select offers only what is in scope, so such an id was forged or
    is stale; a blank or malformed value stays a field error.
    """
    for name in names:
        value = request.POST.get(name, "")
        if (
            is_ascii_number(value)
            and not form.fields[name].queryset.filter(pk=value).exists()
        ):
            raise Http404


def _record_event(request, form_class, service, template, events):
    """Run a recording page: validate, call the service, re-render or redirect.

    A refused record is a 400 with the form bound, as on the sales page.
    After a save the next form keeps the batch just used (?batch=): a
    purchase point weighs one batch's produce household after household.
    """
    form = form_class(request.POST or None, user=request.user)
    if request.method == "POST":
        _posted_in_scope(
            request,
            form,
            *(name for name in ("batch", "household") if name in form.fields),
        )
        if form.is_valid():
            try:
                service(recorded_by=request.user, **form.cleaned_data)
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                query = urlencode({"saved": 1, "batch": form.cleaned_data["batch"].pk})
                return redirect(f"{request.path}?{query}")
    elif request.GET.get("batch"):
        batch = get_object_or_404(
            form.fields["batch"].queryset, pk=_digits(request.GET["batch"])
        )
        form = form_class(user=request.user, initial={"batch": batch})
    return render(
        request,
        template,
        {
            "form": form,
            "events": events.order_by("-occurred_at", "-id")[:50],
            "saved": just_saved(request),
        },
        status=400 if request.method == "POST" else 200,
    )


def _digits(value: str) -> int:
    if not is_ascii_number(value):
        raise Http404
    return int(value)


@role_required(Role.TECHNICIAN)
def guidance(request):
    """Record a 技术指导 visit on a batch of the township; list the visits recorded."""
    events = trace_event_list_visible_to(user=request.user).filter(
        kind=TraceEventKind.GUIDANCE
    )
    return _record_event(
        request, GuidanceForm, guidance_visit_record, "workbench/guidance.html", events
    )


@role_required(Role.PURCHASE_POINT)
def purchases(request):
    """Record a purchase from a household of the village; list the purchases recorded."""
    events = trace_event_list_visible_to(user=request.user).filter(
        kind=TraceEventKind.PURCHASE, recorded_by=request.user
    )
    return _record_event(
        request, PurchaseForm, purchase_record, "workbench/purchases.html", events
    )


@role_required(Role.INFORMANT)
def village(request):
    """The 信息员's own tasks: report 滞销, the forms its village owes, its products.

    Seed 001, lines 202-205: the 信息员 "负责本村扶贫产品摸底、上报、促销".
    """
    user = request.user
    form = SlowSellingReportForm(request.POST or None, user=user)
    if request.method == "POST":
        _posted_in_scope(request, form, "batch")
        if form.is_valid():
            data = form.cleaned_data
            try:
                slow_selling_mark(
                    region=data["batch"].origin,
                    batch=data["batch"],
                    valid_from=data["valid_from"],
                    valid_until=data["valid_until"],
                    reason=data["reason"],
                    marked_by=user,
                )
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("已上报滞销：%(batch)s。扶贫办和授权店可据此帮助销售。")
                    % {"batch": data["batch"]},
                )
                return redirect("workbench:village")
    marks = (
        slow_selling_mark_list()
        .filter(access.region_scope(user, "region"))
        .order_by("-valid_from", "-id")[:20]
    )
    return render(
        request,
        "workbench/village.html",
        {
            "form": form,
            "marks": marks,
            "owed": forms_owed_by(user=user, limit=6),
            "today": timezone.localdate(),
            "batches": region_batch_choices(user)[:10],
            "unconfirmed_payments": household_payment_list_visible_to(user=user)
            .filter(confirmation=PaymentConfirmation.UNCONFIRMED)
            .count(),
        },
        status=400 if request.method == "POST" else 200,
    )


@role_required(Role.SUPERVISOR)
def township_notices(request):
    """The 监督员's 信息发布: publish a notice on its township's public catalogue."""
    user = request.user
    townships = [
        region
        for region in access.assigned_regions(user)
        if region.level == RegionLevel.TOWN
    ]
    if not townships:
        raise Http404
    township = townships[0]
    form = TownshipNoticeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            township_notice_publish(
                township=township, published_by=user, **form.cleaned_data
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("已发布，本乡镇的公开产品目录页上可以看到。"))
            return redirect("workbench:township_notices")
    return render(
        request,
        "workbench/township_notices.html",
        {
            "form": form,
            "township": township,
            "notices": township_notice_list(township=township)[:20],
        },
        status=400 if request.method == "POST" else 200,
    )


def demo_scan(request, *, label_page):
    """Show a visitor the public page of the first active label, as a phone sees it.

    Rendered here rather than redirected to /t/: opening the demo is not a
    consumer's scan, so it counts nothing, and the demo label stays green
    however often it is opened. Before any label was printed, say how to
    print one instead. `label_page(request, label)` renders the public page
    of a label without counting a scan: config/urls.py passes the scan
    wing's, so the workbench, which sits beside api, does not import it.
    """
    label = printing.demo_label()
    if label is None:
        return render(request, "workbench/demo_scan_missing.html")
    return label_page(request, label)


# Printing labels.


@operator_required
def print_new(request):
    """Ask for a label sheet; the offsets used are remembered for next time."""
    user = request.user
    remembered = printing.printer_settings_for(user)
    initial = {
        "offset_x_mm": remembered.offset_x_mm,
        "offset_y_mm": remembered.offset_y_mm,
    }
    if "batch" in request.GET:
        initial["batch"] = request.GET["batch"]
    form = PrintForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        fields = form.cleaned_data
        try:
            job = print_job_create(requested_by=user, **fields)
        except PermissionDenied as error:
            raise Http404 from error
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            printing.printer_settings_remember(
                user=user,
                offset_x_mm=fields["offset_x_mm"],
                offset_y_mm=fields["offset_y_mm"],
            )
            return redirect("workbench:print_job", pk=job.pk)
    start = form.start_value()
    chosen = form.template_key()
    sheets = [
        {
            "key": key,
            "name": template.name,
            "per_page": template.per_page,
            "svg": printing.sheet_svg(template, start_position=start),
            "chosen": key == chosen,
        }
        for key, template in TEMPLATES.items()
    ]
    without_gtin = printing.batches_without_gtin(batches=form.fields["batch"].queryset)
    return render(
        request,
        "workbench/print_form.html",
        {
            "form": form,
            "sheets": sheets,
            "jobs": printing.recent_jobs(user=user, limit=5),
            "without_gtin": without_gtin,
            "without_gtin_json": json.dumps(without_gtin, ensure_ascii=False),
            "chosen_without_gtin": without_gtin.get(str(form["batch"].value() or "")),
        },
    )


@login_required
def print_job_detail(request, pk: int):
    job = get_object_or_404(print_job_list_visible_to(user=request.user), pk=pk)
    return render(
        request,
        "workbench/print_job.html",
        {
            "job": job,
            "progress": printing.job_progress(job),
            **_certificate_context(request.user, job.batch),
        },
    )


@login_required
def print_job_progress(request, pk: int):
    """Answer the page's polling with the job's status and progress."""
    job = get_object_or_404(print_job_list_visible_to(user=request.user), pk=pk)
    data = printing.job_progress(job)
    if (
        job.status == "done"
        and job.pdf
        and print_job_sheet_printable(user=request.user, print_job=job)
    ):
        data["pdf_url"] = reverse("workbench:print_job_pdf", kwargs={"pk": job.pk})
    return JsonResponse(data)


@login_required
def print_job_pdf(request, pk: int):
    """Download a finished job's PDF (scoped: no guessable media URL needed).

    Only the producer's operators and administrators get the sheets of
    genuine codes; for anyone else the file does not exist.
    """
    job = get_object_or_404(print_job_list_printable_by(user=request.user), pk=pk)
    if job.status != "done" or not job.pdf:
        raise Http404
    # A large job is a zip of PDFs (SUYUAN_LABEL_PART_SIZE labels each).
    zipped = job.pdf.name.endswith(".zip")
    return private_file_response(
        job.pdf,
        filename=f"labels-{job.batch.lot_code}-{job.pk}.{'zip' if zipped else 'pdf'}",
        content_type="application/zip" if zipped else "application/pdf",
    )


@operator_required
def print_calibration(request):
    """Return the one-page calibration test sheet of a template as a PDF."""
    form = CalibrationForm(request.GET or None)
    if not form.is_valid():
        return HttpResponse(
            _("请选择标签纸模板，偏移须在 -%(limit)s 到 %(limit)s 毫米之间。")
            % {"limit": OFFSET_LIMIT},
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    data = form.cleaned_data
    pdf = printing.calibration_pdf(
        template_get(data["template"]),
        offset_x_mm=float(data["offset_x_mm"] or 0),
        offset_y_mm=float(data["offset_y_mm"] or 0),
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        False, f"calibration-{data['template']}.pdf"
    )
    return response


def landing(request):
    """Explain Suyuan in two sentences and point to its doors."""
    return render(
        request,
        "workbench/landing.html",
        {
            "demo_scan": apps.is_installed("labels"),
            "demo_accounts": accounts_by_role(),
        },
    )
