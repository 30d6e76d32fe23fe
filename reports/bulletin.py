"""The 县商务委's quarterly 通报 (云阳, seed 004, line 33): "在每季度初月10日前通报
上季度消费扶贫总体情况".

Totals by township, channel (in the county's words) and 牵头单位, progress
against the county's targets, who reported late ("每季度末月30日前") or not at
all, and the three parties' open differences (reports.reconciliation). Issued
once a quarter and frozen: the PDF (A4) and XLSX are drawn from the stored
data, never recomputed.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from reports.models import LeadUnit, QuarterlyBulletin, SalesTarget, UnitPurchase
from reports.reconciliation import _require_county, quarter_of, reconciliation_for
from trace.channels import YUNYANG_WAY_ECOMMERCE, YUNYANG_WAY_FAIR, YUNYANG_WAY_WUJIN
from trace.choices import RegionLevel
from trace.models import Region, Sale
from trace.selectors.channels import region_channels

COLUMNS = ["类别", "项目", "金额（元）", "年度目标（元）", "说明"]
MONEY_COLUMNS = ["金额（元）", "年度目标（元）"]

# 云阳's targets as its programme writes them (seed 004): line 19 "力争年度直接
# 销售贫困户农特产品6000万元，其中深度贫困镇村1000万元"; line 35 "力争通过“五进”对接
# 直销贫困户农特产品2000万元"; line 50 (节会推介展销) "力争年直接销售贫困户农特产品
# 500万元以上"; line 52 "力争通过电商渠道年直接销售贫困户农特产品1500万元".
YUNYANG_TARGETS = (
    (
        "年度直接销售贫困户农特产品",
        Decimal("60000000"),
        None,
        "云阳县消费扶贫实施方案 一、总体思路",
    ),
    (
        "其中深度贫困镇村",
        Decimal("10000000"),
        "deep",
        "云阳县消费扶贫实施方案 一、总体思路",
    ),
    (
        "“五进”对接直销",
        Decimal("20000000"),
        YUNYANG_WAY_WUJIN,
        "云阳县消费扶贫实施方案 四、（一）",
    ),
    (
        "节会推介展销",
        Decimal("5000000"),
        YUNYANG_WAY_FAIR,
        "云阳县消费扶贫实施方案 四、（四）",
    ),
    (
        "电子商务营销",
        Decimal("15000000"),
        YUNYANG_WAY_ECOMMERCE,
        "云阳县消费扶贫实施方案 四、（五）",
    ),
)


def yunyang_targets_set(*, county: Region, year: int, changed_by) -> list[SalesTarget]:
    """Record 云阳's five yearly targets for the county, channels by its 六销 way.

    The 深度贫困镇村 target is kept without channels and shows no progress:
    which towns are 深度贫困 is not recorded here (none is invented).
    """
    _require_county(changed_by, county)
    specs = region_channels(region=county)
    targets = []
    for name, amount, way, source in YUNYANG_TARGETS:
        if way == "deep":
            channels = ["__none__"]
        elif way is None:
            channels = []
        else:
            channels = [spec.code for spec in specs if spec.way == way]
        targets.append(
            SalesTarget.objects.update_or_create(
                region=county,
                year=year,
                name=name,
                defaults={"amount": amount, "channels": channels, "source": source},
            )[0]
        )
    return targets


def report_deadline(quarter_start: datetime.date) -> datetime.date:
    """Return the quarter's 末月30日, the three parties' deadline."""
    return datetime.date(quarter_start.year, quarter_start.month + 2, 30)


def bulletin_data(*, county: Region, quarter_start: datetime.date, user) -> dict:
    """Return the 通报 of the quarter as a form's data (title, columns, rows)."""
    _require_county(user, county)
    start, end = quarter_of(quarter_start)
    sales = Sale.objects.filter(
        batch__origin__lineage__startswith=county.lineage,
        sold_at__date__gte=start,
        sold_at__date__lt=end,
    )
    total = sales.aggregate(total=Sum("amount"))["total"] or Decimal("0")
    quarter = (start.month - 1) // 3 + 1
    rows: list[list] = [[_("合计"), _("本季度销售额"), total, "", ""]]
    for township in Region.objects.filter(
        parent=county, level=RegionLevel.TOWN
    ).order_by("name"):
        amount = sales.filter(
            batch__origin__lineage__startswith=township.lineage
        ).aggregate(total=Sum("amount"))["total"] or Decimal("0")
        rows.append([_("乡镇（街道）"), township.name, amount, "", ""])
    by_channel = dict(
        sales.values("channel")
        .annotate(total=Sum("amount"))
        .values_list("channel", "total")
    )
    for spec in region_channels(region=county):
        if spec.code in by_channel:
            rows.append([_("渠道"), spec.name, by_channel.pop(spec.code), "", spec.way])
    for code, amount in sorted(by_channel.items()):
        rows.append([_("渠道"), code, amount, "", ""])
    deadline = report_deadline(start)
    for unit in LeadUnit.objects.filter(county=county).order_by("name"):
        purchases = UnitPurchase.objects.filter(unit=unit, quarter_start=start)
        reported = purchases.aggregate(total=Sum("amount"))["total"]
        rows.append(
            [_("牵头单位（附件3）"), unit.name, reported or Decimal("0"), "", ""]
        )
        if reported is None:
            rows.append([_("未报送"), unit.name, "", "", _("未报送附件3")])
        elif purchases.filter(reported_at__date__gt=deadline).exists():
            rows.append(
                [_("逾期报送"), unit.name, "", "", _("晚于%(day)s") % {"day": deadline}]
            )
    year_sales = Sale.objects.filter(
        batch__origin__lineage__startswith=county.lineage,
        sold_at__date__gte=datetime.date(start.year, 1, 1),
        sold_at__date__lt=end,
    )
    for target in SalesTarget.objects.filter(region=county, year=start.year):
        counted = (
            year_sales.filter(channel__in=target.channels)
            if target.channels
            else year_sales
        )
        progress = counted.aggregate(total=Sum("amount"))["total"] or Decimal("0")
        share = (
            (progress * 100 / target.amount).quantize(Decimal("0.01"))
            if target.amount
            else ""
        )
        rows.append(
            [
                _("年度目标进度"),
                target.name,
                progress,
                target.amount,
                _("完成 %(share)s%%（截至本季度末）") % {"share": share},
            ]
        )
    for row in reconciliation_for(county=county, quarter_start=start, user=user):
        for difference in row.differences:
            rows.append(
                [
                    _("三方数据差异"),
                    f"{row.township.name} {difference.kind}",
                    "",
                    "",
                    _("%(left)s 对 %(right)s，相差 %(percent)s%%")
                    % {
                        "left": difference.left,
                        "right": difference.right,
                        "percent": difference.percent,
                    },
                ]
            )
    return {
        "key": "quarterly_bulletin",
        "title": _("%(county)s%(year)s年第%(quarter)s季度消费扶贫情况通报")
        % {"county": county.name, "year": start.year, "quarter": quarter},
        "columns": COLUMNS,
        "money_columns": MONEY_COLUMNS,
        "rows": [
            [str(value) if isinstance(value, Decimal) else value for value in row]
            for row in rows
        ],
        "header_fields": [
            {
                "label": _("通报单位"),
                "value": _("%(county)s商务委") % {"county": county.name},
            },
            {
                "label": _("统计期"),
                "value": f"{start} — {end - datetime.timedelta(days=1)}",
            },
        ],
        "total": str(total),
    }


def bulletin_issue(
    *, county: Region, quarter_start: datetime.date, issued_by, public: bool = False
) -> QuarterlyBulletin:
    """Freeze and issue the quarter's 通报, once, after the 末月30日 deadline.

    Raise ValidationError if the user is not the county's office, the
    deadline has not passed or the quarter's 通报 was issued already.
    """
    start, _end = quarter_of(quarter_start)
    data = bulletin_data(county=county, quarter_start=start, user=issued_by)
    if timezone.localdate() <= report_deadline(start):
        raise ValidationError(
            {"quarter_start": _("三方数据报送截止（季度末月30日）后才能签发通报。")}
        )
    try:
        with transaction.atomic():
            return QuarterlyBulletin.objects.create(
                county=county,
                quarter_start=start,
                data=data,
                issued_by=issued_by,
                public=public,
            )
    except IntegrityError as error:
        raise ValidationError({"quarter_start": _("本季度的通报已签发。")}) from error
