"""云阳's three parties reconciled per township and quarter, for the 县商务委.

Seed 004, line 33: "各乡镇（街道）销售数据（附件2）、各牵头单位汇总系统（行业）采购
数据（附件3）、邮政等快递公司物流数据于每季度末月30日前汇总报送给县商务委。县商务委收集
汇总三方数据". Two comparisons, each per township and quarter:

- 附件2 against 附件3: the township's recorded sales in the channels the
  牵头单位 answer for, against what the units report they bought there (元);
- 附件2 against 物流: the township's recorded sales against the couriers'
  waybills from it (one order, one parcel: counts compared, pieces and
  weight shown beside them).

A difference larger than the county's ReconciliationTolerance (its own
figure: the seed names none) is listed with the rows behind it.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from reports.models import (
    LeadUnit,
    ReconciliationTolerance,
    UnitPurchase,
    Waybill,
)
from trace import access
from trace.choices import RegionLevel, Role
from trace.models import Region, Sale
from trace.services.imports import import_dataset

ZERO = Decimal("0")
WAYBILL_FIELDS = {
    "number": "运单号",
    "shipped_on": "寄件日期",
    "township": "始发乡镇",
    "pieces": "件数",
    "weight_kg": "重量（千克）",
}


def quarter_of(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """Return the first day of the day's quarter and of the next one."""
    start = datetime.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    month = start.month + 3
    end = datetime.date(start.year + (month > 12), (month - 1) % 12 + 1, 1)
    return start, end


def may_keep_county_data(user, county: Region) -> bool:
    """Return True for the administrator or an office over the county (县商务委)."""
    return access.is_administrator(user) or (
        access.has_role(user, Role.OFFICE) and access.region_in_scope(user, county)
    )


def _require_county(user, county: Region) -> None:
    access.require(
        may_keep_county_data(user, county),
        field="county",
        message=_("只有本县的扶贫办（商务委）可以报送或汇总三方数据。"),
        visible=lambda: (
            access.is_administrator(user) or access.region_in_scope(user, county)
        ),
    )


def unit_purchase_report(
    *,
    unit: LeadUnit,
    township: Region,
    quarter_start: datetime.date,
    amount: Decimal,
    reported_by,
) -> UnitPurchase:
    """Record a line of a 牵头单位's 附件3 (what its system bought in a township)."""
    _require_county(reported_by, unit.county)
    if not township.lineage.startswith(unit.county.lineage):
        raise ValidationError({"township": _("乡镇不在该牵头单位所在县。")})
    purchase = UnitPurchase(
        unit=unit,
        township=township,
        quarter_start=quarter_of(quarter_start)[0],
        amount=amount,
    )
    purchase.full_clean()
    purchase.save()
    return purchase


@transaction.atomic
def waybills_import(
    *,
    county: Region,
    courier: str,
    file: IO[bytes],
    name: str,
    columns: dict[str, str],
    imported_by,
) -> dict:
    """Import a courier's waybill export (CSV or XLSX), once per waybill number.

    Return how many waybills were added, how many were there already, and
    each refused row with its reason in Chinese. A waybill whose township is
    not one of the county's is kept with its township as written, so the
    县商务委 sees it.
    """
    _require_county(imported_by, county)
    courier = courier.strip()
    if not courier:
        raise ValidationError({"courier": _("请填写快递公司。")})
    dataset = import_dataset(content=file.read(), name=name)
    headers = list(dataset.headers)
    missing = [
        WAYBILL_FIELDS[key] for key in WAYBILL_FIELDS if columns.get(key) not in headers
    ]
    if missing:
        raise ValidationError(
            {"columns": _("请指定这些列：%(fields)s") % {"fields": "、".join(missing)}}
        )
    townships = {
        region.name: region
        for region in Region.objects.filter(
            lineage__startswith=county.lineage, level=RegionLevel.TOWN
        )
    }
    taken = set(
        Waybill.objects.filter(courier=courier).values_list("number", flat=True)
    )
    added, duplicates, errors = [], 0, []
    for number, values in enumerate(dataset, start=2):
        raw = dict(zip(headers, values, strict=False))
        row = {key: raw.get(columns[key]) for key in WAYBILL_FIELDS}
        waybill_number = str(row["number"] or "").strip()
        if not waybill_number:
            errors.append({"row": number, "message": _("运单号为空。")})
            continue
        if waybill_number in taken:
            duplicates += 1
            continue
        try:
            shipped_on = (
                row["shipped_on"]
                if isinstance(row["shipped_on"], datetime.date)
                else datetime.date.fromisoformat(str(row["shipped_on"]).strip()[:10])
            )
            if isinstance(shipped_on, datetime.datetime):
                shipped_on = shipped_on.date()
            pieces = int(str(row["pieces"]).strip())
            weight = Decimal(str(row["weight_kg"]).strip())
        except (ValueError, ArithmeticError):
            errors.append({"row": number, "message": _("日期、件数或重量无法识别。")})
            continue
        name_written = str(row["township"] or "").strip()
        taken.add(waybill_number)
        added.append(
            Waybill(
                county=county,
                courier=courier,
                number=waybill_number,
                shipped_on=shipped_on,
                township=townships.get(name_written),
                township_name=name_written[:64],
                pieces=pieces,
                weight_kg=weight,
            )
        )
    Waybill.objects.bulk_create(added)
    return {"added": len(added), "duplicates": duplicates, "errors": errors}


@dataclass
class Difference:
    """One comparison of two sources above the county's tolerance."""

    kind: str  # "附件2-附件3" or "附件2-物流"
    left: Decimal
    right: Decimal
    percent: Decimal
    sale_ids: list[int] = field(default_factory=list)
    purchase_ids: list[int] = field(default_factory=list)
    waybill_ids: list[int] = field(default_factory=list)


@dataclass
class TownshipReconciliation:
    township: Region
    sector_sales: Decimal  # 附件2, in the units' channels (元)
    unit_purchases: Decimal  # 附件3 (元)
    sales_count: int  # 附件2, every channel
    waybills: int
    pieces: int
    weight_kg: Decimal
    differences: list[Difference]


def _money(value) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


def _percent(left: Decimal, right: Decimal) -> Decimal:
    larger = max(abs(left), abs(right))
    if not larger:
        return ZERO
    return (abs(left - right) * 100 / larger).quantize(Decimal("0.01"))


def reconciliation_for(
    *, county: Region, quarter_start: datetime.date, user
) -> list[TownshipReconciliation]:
    """Return every township's three figures for the quarter and what differs."""
    _require_county(user, county)
    start, end = quarter_of(quarter_start)
    tolerance = (
        ReconciliationTolerance.objects.filter(county=county)
        .values_list("percent", flat=True)
        .first()
        or ZERO
    )
    unit_channels = sorted(
        {
            code
            for channels in LeadUnit.objects.filter(county=county).values_list(
                "channels", flat=True
            )
            for code in channels
        }
    )
    result = []
    for township in Region.objects.filter(
        parent=county, level=RegionLevel.TOWN
    ).order_by("name"):
        sales = Sale.objects.filter(
            batch__origin__lineage__startswith=township.lineage,
            sold_at__date__gte=start,
            sold_at__date__lt=end,
        )
        sector = sales.filter(channel__in=unit_channels)
        purchases = UnitPurchase.objects.filter(
            unit__county=county, township=township, quarter_start=start
        )
        waybills = Waybill.objects.filter(
            county=county, township=township, shipped_on__gte=start, shipped_on__lt=end
        )
        sector_sales = _money(sector.aggregate(total=Sum("amount"))["total"])
        unit_purchases = _money(purchases.aggregate(total=Sum("amount"))["total"])
        shipped = waybills.aggregate(
            count=Count("id"), pieces=Sum("pieces"), weight=Sum("weight_kg")
        )
        sales_count = sales.count()
        differences = []
        percent = _percent(sector_sales, unit_purchases)
        if percent > tolerance:
            differences.append(
                Difference(
                    "附件2-附件3",
                    sector_sales,
                    unit_purchases,
                    percent,
                    sale_ids=list(sector.values_list("pk", flat=True)),
                    purchase_ids=list(purchases.values_list("pk", flat=True)),
                )
            )
        percent = _percent(Decimal(sales_count), Decimal(shipped["count"]))
        if percent > tolerance:
            differences.append(
                Difference(
                    "附件2-物流",
                    Decimal(sales_count),
                    Decimal(shipped["count"]),
                    percent,
                    sale_ids=list(sales.values_list("pk", flat=True)),
                    waybill_ids=list(waybills.values_list("pk", flat=True)),
                )
            )
        result.append(
            TownshipReconciliation(
                township=township,
                sector_sales=sector_sales,
                unit_purchases=unit_purchases,
                sales_count=sales_count,
                waybills=shipped["count"],
                pieces=shipped["pieces"] or 0,
                weight_kg=shipped["weight"] or ZERO,
                differences=differences,
            )
        )
    return result
