"""The offices' reports and the recall trace, as JSON, CSV, XLSX and PDF.

`?format=csv|xlsx|pdf` is DRF's own format override: it picks one of the renderers
below, so the parameter keeps its documented name and content negotiation
stays DRF's. Errors are always JSON, whatever format was asked for.
"""

from decimal import Decimal

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import renderers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder
from rest_framework.views import APIView

from reports.exports import recall_trace_xlsx, report_csv, report_xlsx
from reports.filters import ReportFilterForm
from reports.form_pdf import form_pdf
from reports.forms import FORMS
from reports.selectors.recall import recall_trace
from reports.tables import report_build
from trace.replica import reads_from_replica
from trace.selectors.batches import batch_list_visible_to

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class MoneyJSONEncoder(JSONEncoder):
    """Write money as "12.50", not as a float."""

    def default(self, obj):
        if isinstance(obj, Decimal):
            return f"{obj:.2f}"
        return super().default(obj)


class ReportJSONRenderer(renderers.JSONRenderer):
    encoder_class = MoneyJSONEncoder


def _attach(renderer_context: dict | None, filename: str, extension: str) -> None:
    """Name the download after the form's Chinese title (RFC 6266 filename*)."""
    response = (renderer_context or {}).get("response")
    if response is not None and response.status_code < 400:
        response["Content-Disposition"] = content_disposition_header(
            True, f"{filename}.{extension}"
        )


class ReportCSVRenderer(renderers.BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        _attach(renderer_context, data["title"], "csv")
        return report_csv(data)


class ReportXLSXRenderer(renderers.BaseRenderer):
    media_type = XLSX_MEDIA_TYPE
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        _attach(renderer_context, data["title"], "xlsx")
        return report_xlsx(data)


class ReportPDFRenderer(renderers.BaseRenderer):
    """The printable form: 填报单位, 填报人, 联系方式, date and a stamp area."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        _attach(renderer_context, data["title"], "pdf")
        return form_pdf(data)


REPORT_RENDERERS = [
    ReportJSONRenderer,
    ReportCSVRenderer,
    ReportXLSXRenderer,
    ReportPDFRenderer,
]


class RecallTraceXLSXRenderer(ReportXLSXRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        name = f"recall-trace-{data['batch']['lot_code']}"
        _attach(renderer_context, name, "xlsx")
        return recall_trace_xlsx(data)


class JSONErrorsMixin:
    """Render errors as JSON even when CSV or XLSX was asked for."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code >= 400 and not isinstance(
            response.accepted_renderer, renderers.JSONRenderer
        ):
            response.accepted_renderer = renderers.JSONRenderer()
            response.accepted_media_type = "application/json"
            response.content_type = None
        return response


FILTER_PARAMETERS = [
    OpenApiParameter(
        "format",
        str,
        enum=["json", "csv", "xlsx", "pdf"],
        description="输出格式，默认 JSON；pdf 为可打印的报表（含填报单位、填报人、联系方式和盖章处）。",
    ),
    OpenApiParameter("region", int, description="地区 id，包含其全部下级地区。"),
    OpenApiParameter(
        "from", OpenApiTypes.DATE, description="起始日期 YYYY-MM-DD（含）。"
    ),
    OpenApiParameter(
        "to", OpenApiTypes.DATE, description="截止日期 YYYY-MM-DD（含）。"
    ),
    OpenApiParameter(
        "year",
        int,
        description="年度（outlet-rewards 用；默认取起始日期的年份或今年）。",
    ),
]


class ReportView(JSONErrorsMixin, APIView):
    """One of the offices' forms, filled from Suyuan's data within the user's scope."""

    renderer_classes = REPORT_RENDERERS

    @extend_schema(
        operation_id="reports_retrieve",
        summary="导出报表",
        description=(
            "key 为报表的键（扶贫办的统计表格）："
            "beneficiary_roster（带贫人员名册，管理员和扶贫办；完整身份证号只给本县扶贫办）、"
            "sales_evidence、products_for_sale、township_sales、"
            "sector_purchases、campaign_statistics；"
            "以及 outlet_rewards（也可写作 outlet-rewards："
            "授权店年度销售、取消授权标记和奖补，管理员和监督员）。"
            "JSON 形如 {title, header_fields, columns, rows}。"
        ),
        parameters=[
            OpenApiParameter("key", str, OpenApiParameter.PATH, enum=sorted(FORMS)),
            *FILTER_PARAMETERS,
        ],
        responses={
            (200, "application/json"): OpenApiTypes.OBJECT,
            (200, "text/csv"): OpenApiTypes.BINARY,
            (200, XLSX_MEDIA_TYPE): OpenApiTypes.BINARY,
            (200, "application/pdf"): OpenApiTypes.BINARY,
        },
    )
    @reads_from_replica
    def get(self, request, key: str):
        form = ReportFilterForm(request.query_params)
        if not form.is_valid():
            raise ValidationError(
                {field: list(messages) for field, messages in form.errors.items()}
            )
        report = report_build(key=key, user=request.user, filters=form.filters())
        if report is None:
            raise Http404
        return Response(report.as_data())


class RecallTraceView(JSONErrorsMixin, APIView):
    """Everything about one batch for a recall: status changes, trace events, sales."""

    renderer_classes = [renderers.JSONRenderer, RecallTraceXLSXRenderer]

    @extend_schema(
        operation_id="batches_recall_trace",
        summary="批次召回追溯",
        parameters=[OpenApiParameter("format", str, enum=["json", "xlsx"])],
        responses={
            (200, "application/json"): OpenApiTypes.OBJECT,
            (200, XLSX_MEDIA_TYPE): OpenApiTypes.BINARY,
        },
    )
    @reads_from_replica
    def get(self, request, pk: int):
        batch = get_object_or_404(batch_list_visible_to(user=request.user), pk=pk)
        return Response(recall_trace(batch=batch))
