"""The offices' dashboard: sales per month and per region, households covered.

Each office (county, 市州, province) sees its own region and below; the
administrators see everything. Every figure comes from selectors scoped to
the user, so a region outside the office's is empty, never leaked.
"""

import dataclasses

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from reports.charts import VERDICT_COLOURS, bar_chart_svg
from reports.filters import ReportFilterForm
from reports.formatting import format_amount
from reports.forms import OUTLET_REWARDS, SEED_FORMS
from reports.models import TargetMeasure
from reports.selectors.common import ReportFilters
from reports.selectors.dashboard import dashboard_data
from reports.selectors.submissions import submission_overview
from reports.tables import report_title, report_visible_to
from trace import access
from trace.choices import RegionLevel, Role
from trace.replica import reads_from_replica
from trace.selectors.registry import region_list_in_scope


@login_required
@reads_from_replica
def dashboard(request):
    """Show the figures of the filtered region and period (offices and administrators)."""
    user = request.user
    administrator = access.is_administrator(user)
    own = access.assigned_regions(user) if access.has_role(user, Role.OFFICE) else []
    if not (administrator or own):
        raise Http404
    regions = region_list_in_scope(user=user)
    form = ReportFilterForm(request.GET or None, regions=regions)
    filters = form.filters() if form.is_bound and form.is_valid() else ReportFilters()
    if filters.region is None and not administrator:
        # An office's figures are its own region's unless it narrows them.
        filters = dataclasses.replace(filters, region=own[0])
    data = dashboard_data(user=user, filters=filters)
    query = request.GET.urlencode() if form.is_bound and form.is_valid() else ""
    context = {
        "form": form,
        "data": data,
        # Money one way on the whole page, figures and charts: 21,600.00 元.
        "sales_total": format_amount(data["sales_total"]),
        "benefit_paid": format_amount(data["benefit_paid"]),
        "regions": regions.exclude(level=RegionLevel.VILLAGE),
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
        # Only the forms this user may download (an office's are its region's).
        "exports": [
            (spec.key, report_title(spec, filters, user=user))
            for spec in SEED_FORMS
            if report_visible_to(spec=spec, user=user)
        ],
        "outlet_rewards": report_title(OUTLET_REWARDS, filters)
        if report_visible_to(spec=OUTLET_REWARDS, user=user)
        else "",
        "own_region": None if administrator else own[0],
        "submissions": submission_overview(user=user),
        "targets": [target_row(progress) for progress in data["targets"]],
        "query": query,
    }
    return render(request, "reports/dashboard.html", context)


def target_row(progress) -> dict:
    """Return a target's figures as the page writes them (money as 12,345.60 元)."""
    target = progress.target
    return {
        "region": target.region.name,
        "name": target.name,
        "target": _in_measure(target.measure, target.amount),
        "measured": _in_measure(target.measure, progress.measured),
        "percent": _percent(progress),
        # The bar stops at full: a target passed is shown full, its figure says by how much.
        "bar": min(progress.percent or 0, 100),
        "source": target.source,
    }


def _percent(progress) -> str:
    if progress.percent is None:
        return "—"
    if progress.percent == 0 and progress.measured > 0:
        # Some progress on a large target (40 亿元) is not "0.00%".
        return "<0.01%"
    return f"{progress.percent}%"


def _in_measure(measure: str, value) -> str:
    if measure == TargetMeasure.SALES:
        return f"{format_amount(value)} 元"
    unit = "台" if measure == TargetMeasure.SMART_CABINETS else "个"
    return f"{int(value):,} {unit}"
