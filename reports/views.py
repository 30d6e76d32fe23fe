"""The administrators' dashboard: sales per month and per region, households covered."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from reports.charts import VERDICT_COLOURS, bar_chart_svg
from reports.filters import ReportFilterForm
from reports.formatting import format_amount
from reports.forms import OUTLET_REWARDS, SEED_FORMS
from reports.selectors.common import ReportFilters
from reports.selectors.dashboard import dashboard_data
from reports.selectors.submissions import submission_overview
from reports.tables import report_title
from trace import access
from trace.selectors.registry import region_list


@login_required
def dashboard(request):
    """Show the figures of the filtered region and period (administrators only)."""
    if not access.is_administrator(request.user):
        raise Http404
    form = ReportFilterForm(request.GET or None)
    filters = form.filters() if form.is_bound and form.is_valid() else ReportFilters()
    data = dashboard_data(user=request.user, filters=filters)
    query = request.GET.urlencode() if form.is_bound and form.is_valid() else ""
    context = {
        "form": form,
        "data": data,
        # Money one way on the whole page, figures and charts: 21,600.00 元.
        "sales_total": format_amount(data["sales_total"]),
        "benefit_paid": format_amount(data["benefit_paid"]),
        "regions": region_list().exclude(level="village"),
        "month_chart": bar_chart_svg(
            data["sales_per_month"], unit="元", label="每月销售额"
        ),
        "region_chart": bar_chart_svg(
            data["sales_per_region"], unit="元", label="各地区销售额"
        ),
        "panels": [
            {
                "panel": panel,
                "chart": bar_chart_svg(
                    panel.items,
                    label=panel.title,
                    colours=[VERDICT_COLOURS[key] for key in panel.keys] or None,
                )
                if not panel.pending
                else None,
            }
            for panel in data["panels"]
        ],
        "exports": [
            (spec.key, report_title(spec, filters, user=request.user))
            for spec in SEED_FORMS
        ],
        "outlet_rewards": report_title(OUTLET_REWARDS, filters),
        "submissions": submission_overview(user=request.user),
        "query": query,
    }
    return render(request, "reports/dashboard.html", context)
