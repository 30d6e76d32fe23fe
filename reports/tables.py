"""Fill each reporting form from the selectors: title, header fields, rows.

Names of poor households (贫困户姓名) are masked (王*明) on every form, by
one rule whoever asks: a township's submitted form, frozen when its
监督员 submits it, and the office's own export of the same rows print the
same names (the seed's own example row writes "王某某"). Names and ID numbers
appear whole only in the 带贫人员名册, which only administrators may request.
"""

import dataclasses
import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from reports.formatting import (
    FILLER_LABELS,
    Filler,
    filler_for,
    format_date,
    format_datetime,
)
from reports.forms import (
    BENEFICIARY_ROSTER,
    CAMPAIGN_STATISTICS,
    OUTLET_REWARDS,
    PRODUCTS_FOR_SALE,
    SALES_EVIDENCE,
    SECTOR_PURCHASES,
    TOWNSHIP_SALES,
    FormSpec,
    form_for,
    form_title,
)
from reports.rules import (
    authorised_store_verdict,
    local_share,
    local_share_is_short,
    to_wan_yuan,
)
from reports.selectors import campaign, common, ledger
from reports.selectors.common import ReportFilters, in_region
from trace import access
from trace.choices import ProducerKind, Role, SaleChannel
from trace.models import Household, Region, Sale, SaleEvidence
from trace.personal_data import mask_id_number
from trace.selectors.catalogue import (
    catalogue_availability_for,
    catalogue_entry_contact,
    catalogue_listed_visible_to,
    catalogue_price_display,
    region_short_name,
    region_township,
)

# The "系统（行业）" purchases: institutional buyers of the 五进 campaign, and
# 云阳's 进家庭, the 工会 purchases its 县总工会 collects (seed 004, line 40).
SECTOR_CHANNELS = (
    SaleChannel.GOVERNMENT,
    SaleChannel.SCHOOL,
    SaleChannel.HOSPITAL,
    SaleChannel.ENTERPRISE,
    "household",
)


@dataclass
class Report:
    """A filled form, ready to be rendered as JSON, CSV or XLSX."""

    spec: FormSpec
    title: str
    header_fields: list[tuple[str, str]]
    rows: list[list]
    filler: Filler | None = None

    def as_data(self) -> dict:
        filler = self.filler.values() if self.filler else ("",) * 4
        return {
            "key": self.spec.key,
            "title": self.title,
            "header_fields": [
                {"label": label, "value": value} for label, value in self.header_fields
            ],
            "columns": list(self.spec.columns),
            "money_columns": list(self.spec.money_columns),
            "rows": self.rows,
            # 填报单位, 填报人, 联系方式, date: printed on every PDF form.
            "filler": [
                {"label": label, "value": value}
                for label, value in zip(FILLER_LABELS, filler, strict=True)
            ],
        }


def report_visible_to(*, spec: FormSpec, user) -> bool:
    """Return True if the user may request the form at all (otherwise 404)."""
    if spec.offices_only:
        # Each office prints its region's; IDs whole only for its own county
        # (build_beneficiary_roster).
        return access.is_administrator(user) or access.has_role(user, Role.OFFICE)
    if spec.key == OUTLET_REWARDS.key:
        return access.is_administrator(user) or access.is_inspector(user)
    return access.is_administrator(user) or access.role_of(user) is not None


def household_name(household: Household, *, user) -> str:
    """Return a household's name as every form prints it: masked (王*明)."""
    return household.masked_name


def _quantity(value: Decimal, unit: str) -> str:
    return f"{format(value.normalize(), 'f')}{unit}"


def _money(value: Decimal) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"))


def _local_date(moment: datetime.datetime) -> str:
    return format_date(timezone.localtime(moment).date())


def _contributors(batch) -> list[Household]:
    return [contribution.household for contribution in batch.contributions.all()]


def _names(batch, *, user) -> str:
    return "、".join(
        household_name(household, user=user) for household in _contributors(batch)
    )


def _involved_note(batch, *, user) -> str:
    """For a cooperative's product the forms ask how many households it involves."""
    if batch.producer.kind == ProducerKind.HOUSEHOLD:
        return ""
    count = len(_contributors(batch))
    return f"{batch.producer.get_kind_display()}，涉及贫困户{count}户"


def _filler(*, user, filters: ReportFilters) -> Filler:
    """Return who fills the form: the unit, the person's real name and phone."""
    producer = access.operator_producer(user)
    if producer is not None:
        return Filler(
            unit=producer.name,
            person=producer.contact_person,
            phone=producer.contact_phone,
            date=format_date(timezone.localdate()),
        )
    # 填报人 and 联系方式 come from the person's profile, never the login name.
    return filler_for(
        user=user, unit=filters.region.full_name if filters.region else ""
    )


def header_fields_for(
    spec: FormSpec, *, filler: Filler, region: Region | None
) -> list[tuple[str, str]]:
    """Fill the form's header: the unit, the contact and the date.

    附件2 and 附件3 ask for 供货联系人姓名 and 联系方式: the township's supply
    contact (seed 004, line 28: "村集体经济组织负责人为供货联系人"), not
    whoever fills the form in; the other forms for the person filling in.
    """
    if not spec.header_fields:
        return []
    values = list(filler.values())
    if "供货联系人姓名" in spec.header_fields:
        town = region_township(region=region) if region is not None else None
        values[1:3] = (
            (town.supply_contact_name, town.supply_contact_phone) if town else ("", "")
        )
    return list(zip(spec.header_fields, values, strict=True))


def _form_region(*, user, filters: ReportFilters) -> Region | None:
    """Return the region a form is for: the one asked, else the user's own."""
    if filters.region is not None:
        return filters.region
    regions = access.assigned_regions(user)
    return regions[0] if len(regions) == 1 else None


def _join(parts) -> str:
    return "；".join(part for part in parts if part)


# How a form marks money the household has not confirmed (trace.services.payments).
UNCONFIRMED_MARK = "待本户确认"


def build_beneficiary_roster(*, user, filters: ReportFilters) -> list[list]:
    """Print the 带贫人员名册 of the user's region.

    It prints names and ID numbers whole, but only to the office of each
    household's county (and administrators: trace.access.may_see_id_number);
    a 市州 or province office summing its counties gets them masked. One row
    per household's confirmed money, and apart its unconfirmed money: money
    the household has not confirmed is on a row of its own, marked 待本户确认,
    so the form's 受益金额 total stays what was paid while nobody mistakes it
    for vouched money.
    """
    rows = []
    for entry in ledger.benefit_ledger(user=user, filters=filters):
        household = entry.household
        whole = access.may_see_id_number(user, household)
        name = household.head_name if whole else household.masked_name
        id_number = household.id_number()
        shown_id = id_number if whole else mask_id_number(id_number)
        phone = household.phone if whole else ""
        confirmed = entry.paid - entry.unconfirmed
        parts = [(name, confirmed)] if confirmed > 0 else []
        if entry.unconfirmed > 0:
            parts.append((f"{name}（{UNCONFIRMED_MARK}）", entry.unconfirmed))
        for shown_name, amount in parts or [(name, entry.paid)]:
            rows.append([shown_name, shown_id, phone, _money(amount)])
    return rows


def _evidence_notes(sales) -> dict[int, str]:
    """Name each sale's invoices and receipts (大通湖, seed 003 line 74)."""
    notes: dict[int, list[str]] = {}
    for sale_id, caption in SaleEvidence.objects.filter(sale__in=sales).values_list(
        "sale_id", "caption"
    ):
        notes.setdefault(sale_id, []).append(caption or "销售凭证")
    return {
        sale_id: f"凭证{len(names)}份：{'、'.join(names)}"
        for sale_id, names in notes.items()
    }


def build_sales_evidence(*, user, filters: ReportFilters) -> list[list]:
    rows = []
    sales = list(common.sale_list_for_report(user=user, filters=filters))
    evidence = _evidence_notes(sales)
    for number, sale in enumerate(sales, start=1):
        rows.append(
            [
                number,
                str(sale.batch.product_line),
                sale.seller.name,
                sale.buyer,
                _quantity(sale.quantity, sale.unit),
                _money(sale.amount),
                format_datetime(sale.sold_at),
                _join([sale.note, evidence.get(sale.pk, "")]),
            ]
        )
    return rows


def build_products_for_sale(*, user, filters: ReportFilters) -> list[list]:
    """One row per product in the 扶贫产品目录: what is for sale, at what price.

    The 待销目录 is compiled from the catalogue (seed 004, lines 24-26 and
    附件1), so a listed product stays on it until withdrawn, whether or not
    a batch of it is in stock. 计划销量 is the month's quantity the 信息员
    recorded (the month of `date_from`, else this month), or the entry's
    plan; a month marked unavailable says so in 备注. 贫困户姓名 are the
    households the entry involves (备注 2: a cooperative's households).
    """
    month = (filters.date_from or timezone.localdate()).replace(day=1)
    entries = list(
        catalogue_listed_visible_to(user=user).filter(in_region(filters, "region"))
    )
    availability = catalogue_availability_for(entries=entries, month=month)
    rows = []
    for number, entry in enumerate(entries, start=1):
        record = availability.get(entry.pk)
        quantity = record.quantity if record else entry.planned_quantity
        unavailable = record is not None and not record.available
        contact = " ".join(catalogue_entry_contact(entry=entry)).strip()
        rows.append(
            [
                number,
                region_short_name(region=entry.region),
                "、".join(
                    household_name(household, user=user)
                    for household in entry.households.all()
                ),
                entry.name,
                _quantity(quantity, entry.unit),
                catalogue_price_display(entry=entry),
                entry.get_delivery_method_display(),
                entry.shop_url,
                contact,
                _join(
                    [
                        entry.note,
                        _("%(month)s暂无供货")
                        % {"month": f"{month.year}年{month.month}月"}
                        if unavailable
                        else "",
                    ]
                ),
            ]
        )
    return rows


def _sale_rows(sales, *, user, note: Callable[[Sale], str]) -> list[list]:
    rows = []
    for number, sale in enumerate(sales, start=1):
        batch = sale.batch
        rows.append(
            [
                number,
                sale.buyer,
                _local_date(sale.sold_at),
                # As the seed prints 地区: 云阳县xx乡镇xx村 (004, 附件2 and 附件3).
                region_short_name(region=batch.origin),
                _names(batch, user=user),
                batch.product_line.name,
                _quantity(sale.quantity, sale.unit),
                _money(sale.amount),
                note(sale),
            ]
        )
    return rows


def build_township_sales(*, user, filters: ReportFilters) -> list[list]:
    """Every sale of the period, by the region its product comes from."""
    sales = common.sale_list_for_report(user=user, filters=filters)
    return _sale_rows(
        sales,
        user=user,
        note=lambda sale: _join([_involved_note(sale.batch, user=user), sale.note]),
    )


def build_sector_purchases(*, user, filters: ReportFilters) -> list[list]:
    """Purchases by institutions (机关、学校、医院、企业): the 系统（行业） buyers."""
    sales = common.sale_list_for_report(user=user, filters=filters).filter(
        channel__in=SECTOR_CHANNELS
    )
    return _sale_rows(
        sales,
        user=user,
        # The channel is not repeated: the seed's 备注 says what the purchase
        # was for ("用于机关食堂", 004 附件3), which is the sale's own note.
        note=lambda sale: _join([_involved_note(sale.batch, user=user), sale.note]),
    )


def _campaign_row(number: str, name: str, figures: campaign.CampaignFigures) -> list:
    return [
        number,
        name,
        figures.online_zones,
        figures.offline_zones,
        figures.pavilions,
        figures.smart_cabinets,
        figures.livestream_bases,
        figures.events,
        to_wan_yuan(figures.sales),
        figures.persons_covered,
        "",
    ]


def build_campaign_statistics(*, user, filters: ReportFilters) -> list[list]:
    """合计 first, then each 市州 followed by its 市县区.

    As printed in seeds/002_9163a51b4e7803d4.txt, lines 83-87: the columns
    "序号 市县 … 销售扶贫产品(万元) 覆盖贫困人口(人) 备注" and the rows "合计",
    "××市州", "××市县区". A county directly under a province or municipality (云阳县 under 重庆市)
    is a row of its own at the 市州 level. 合计 is the sum of the 市州-level
    rows; what lies in the filter and scope but under no 市州-level region
    (an event held by the province itself) gets the row "省本级", so that
    nothing counted is left out of the sum.
    """
    if filters.date_from is None and filters.date_to is None:
        # The month of the campaign year (this one unless given) the title
        # names: "（二）组织实施阶段（9月）" (seeds/002, line 61).
        year = report_year(filters)
        filters = dataclasses.replace(
            filters,
            year=None,
            date_from=datetime.date(year, 9, 1),
            date_to=datetime.date(year, 9, 30),
        )
    tree = campaign.campaign_regions(filters=filters, user=user)
    regions = [region for unit, counties in tree for region in (unit, *counties)]
    figures = campaign.campaign_figures(user=user, filters=filters, regions=regions)
    units = [figures[unit] for unit, _counties in tree]
    rest = campaign.campaign_figures_difference(
        figures[None], campaign.campaign_figures_sum(units)
    )
    if any(
        getattr(rest, name) for name in campaign.CampaignFigures.__dataclass_fields__
    ):
        units.append(rest)
    rows = [_campaign_row("", "合计", campaign.campaign_figures_sum(units))]
    for number, (unit, counties) in enumerate(tree, start=1):
        rows.append(_campaign_row(str(number), unit.name, figures[unit]))
        for county_number, county in enumerate(counties, start=1):
            rows.append(
                _campaign_row(f"{number}.{county_number}", county.name, figures[county])
            )
    if len(units) > len(tree):
        rows.append(_campaign_row(str(len(tree) + 1), _("省本级"), units[-1]))
    return rows


def report_year(filters: ReportFilters) -> int:
    if filters.year is not None:
        return filters.year
    moment = filters.date_from or filters.date_to or timezone.localdate()
    return moment.year


def _percent_down(share: Decimal | None) -> str:
    """Print a share as a percentage rounded down: 69.99 % must not read 70.0 %."""
    if share is None:
        return "—"
    return f"{(share * 100).quantize(Decimal('0.1'), rounding=ROUND_DOWN)}%"


def build_outlet_rewards(*, user, filters: ReportFilters) -> list[list]:
    """One row per authorised store: the year's sales, 滞销 and local parts, verdict."""
    year = report_year(filters)
    rows = []
    for number, figures in enumerate(
        campaign.authorised_store_figures(user=user, filters=filters, year=year),
        start=1,
    ):
        store = figures.store
        verdict = authorised_store_verdict(
            annual_sales=figures.annual_sales,
            slow_selling_sales=figures.slow_selling_sales,
        )
        share = local_share(
            local_sales=figures.local_sales, annual_sales=figures.annual_sales
        )
        rows.append(
            [
                number,
                store.name,
                store.region.full_name,
                store.operator_name,
                year,
                _money(verdict.annual_sales),
                _money(verdict.slow_selling_sales),
                _percent_down(share),
                "是" if local_share_is_short(share) else "否",
                "是" if verdict.revoke else "否",
                _money(verdict.reward),
                _("已取消（%(date)s）") % {"date": store.authorisation_revoked_on}
                if not store.is_authorised
                else _("授权中"),
            ]
        )
    return rows


BUILDERS: dict[str, Callable[..., list[list]]] = {
    BENEFICIARY_ROSTER.key: build_beneficiary_roster,
    SALES_EVIDENCE.key: build_sales_evidence,
    PRODUCTS_FOR_SALE.key: build_products_for_sale,
    TOWNSHIP_SALES.key: build_township_sales,
    SECTOR_PURCHASES.key: build_sector_purchases,
    CAMPAIGN_STATISTICS.key: build_campaign_statistics,
    OUTLET_REWARDS.key: build_outlet_rewards,
}


def report_title(spec: FormSpec, filters: ReportFilters, *, user=None) -> str:
    """Return the form's title as its file prints it (campaign and year named)."""
    province = ""
    if spec.key == CAMPAIGN_STATISTICS.key:
        # As printed (seeds/002, line 81): "湖南省 2020 年消费扶贫月活动开展情况统计表",
        # the province of the region asked for (else the user's) and the year.
        provinces = campaign.campaign_provinces(filters=filters, user=user)
        province = "、".join(province.name for province in provinces)
    return form_title(spec.key, year=report_year(filters), province=province)


def report_build(*, key: str, user, filters: ReportFilters) -> Report | None:
    """Return the filled form, or None for an unknown key or one not the user's."""
    spec = form_for(key)
    if spec is None or not report_visible_to(spec=spec, user=user):
        return None
    rows = BUILDERS[spec.key](user=user, filters=filters)
    filler = _filler(user=user, filters=filters)
    return Report(
        spec=spec,
        title=report_title(spec, filters, user=user),
        header_fields=header_fields_for(
            spec, filler=filler, region=_form_region(user=user, filters=filters)
        ),
        rows=rows,
        filler=filler,
    )
