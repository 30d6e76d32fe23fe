"""How every printed form writes dates, amounts and who filled it in.

One date format (GB/T 7408's YYYY-MM-DD, a time as HH:MM after it) and one
amount format (two decimals; printed forms group thousands: 12,345.60) for
every form, XLSX and PDF alike. CSV keeps the two decimals without grouping,
so spreadsheets read the column as numbers. The exception is seed 004's
附件2 and 附件3 (FormSpec.date_columns, money_unit), printed as the seed
prints them, 2019.9.1 and 90元, from date and number cells that stay data.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils import timezone

from trace import access

DATE_FORMAT = "%Y-%m-%d"
DATETIME_FORMAT = "%Y-%m-%d %H:%M"
XLSX_AMOUNT_FORMAT = "#,##0.00"
# The slots every printed form carries, in the order of FormSpec.header_fields.
FILLER_LABELS = ("填报单位", "填报人", "联系方式", "填报日期")
SUMMARY_LABEL = "工作小结"


def format_date(value: datetime.date) -> str:
    """Return a date as the forms print it (2026-09-30)."""
    return value.strftime(DATE_FORMAT)


def format_datetime(value: datetime.datetime) -> str:
    """Return a moment in local time as the forms print it (2026-09-30 10:30)."""
    return timezone.localtime(value).strftime(DATETIME_FORMAT)


# Seed 004's 附件2 and 附件3 print a sale as "2019.9.1" and "90元".
SEED_DATE_XLSX_FORMAT = "yyyy.m.d"
SEED_AMOUNT_XLSX_FORMAT = 'General"{unit}"'


def as_date(value) -> datetime.date | None:
    """Return a form's date (a date or "2026-09-30") as a date, else None."""
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def format_seed_date(value) -> str:
    """Return a date as seed 004 prints it: 2019.9.1 (text left as it is)."""
    day = as_date(value)
    return str(value) if day is None else f"{day.year}.{day.month}.{day.day}"


def format_seed_amount(value, *, unit: str) -> str:
    """Return money as seed 004 prints it: 90元, 10.5元 (text left as it is)."""
    amount = as_amount(value)
    if amount is None:
        return str(value)
    return f"{format(amount.normalize(), 'f')}{unit}"


def as_amount(value) -> Decimal | None:
    """Return a money value (Decimal, number or "12.50") as a Decimal, else None."""
    if isinstance(value, bool) or value is None or value == "":
        return None
    try:
        return Decimal(str(value).replace(",", ""))
    except InvalidOperation:
        return None


def format_amount(value) -> str:
    """Return money as printed forms show it: 12,345.60 (text left as it is)."""
    amount = as_amount(value)
    return str(value) if amount is None else f"{amount:,.2f}"


@dataclass(frozen=True)
class Filler:
    """Who filled a form in: 填报单位, 填报人, 联系方式 and the date."""

    unit: str
    person: str
    phone: str
    date: str

    def values(self) -> tuple[str, str, str, str]:
        return (self.unit, self.person, self.phone, self.date)


def person_of(user) -> tuple[str, str]:
    """Return the real name and phone of the user's profile (never the login)."""
    binding = access.role_of(user)
    if binding is None:
        return "", ""
    return binding.real_name, binding.phone


def unit_of(user) -> str:
    """Return the unit a user fills forms for: the organisation on the
    profile, else the regions the user answers for (empty for neither)."""
    binding = access.role_of(user)
    if binding is not None and binding.organisation:
        return binding.organisation
    return "、".join(region.name for region in access.assigned_regions(user))


def filler_for(*, user, unit: str, on: datetime.date | None = None) -> Filler:
    """Return the filler block of a form filled by `user` for `unit`.

    Without a unit (a form asked for no region) the user's own unit fills
    填报单位, so that no export leaves it blank.
    """
    person, phone = person_of(user)
    return Filler(
        unit=unit or unit_of(user),
        person=person,
        phone=phone,
        date=format_date(on or timezone.localdate()),
    )
