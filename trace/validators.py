"""Identifier checks from maintained libraries, wrapped as Django validators.

Each `normalize_*` returns the compact form or raises ValidationError with a
Chinese message; the messages never repeat the submitted value, because a
rejected ID number is still personal data.
"""

import datetime
import itertools
import re
import unicodedata
from collections.abc import Callable, Container

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum import ean
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.util import isdigits

# GS1 General Specifications, figure 7.11-1: character set 82, used by AI 10
# (lot) and AI 21 (serial), at most 20 characters.
GS1_CSET82 = re.compile(r"^[!\"%&'()*+,\-./0-9:;<=>?A-Z_a-z]{1,20}$")


def area_code_in_gb2260(code: str) -> bool:
    """Return True if python-stdnum's GB/T 2260 table lists the county code in any year.

    The table (stdnum/cn/loc.dat) records each code with the years it was
    in force ("[1983-2019]邵东县"). A code retired or renamed is still the
    true origin of everyone registered under it, so the years are ignored:
    python-stdnum's own `ric.validate` ties them to the birth year and so
    refuses a 洞口县 (430525, from 1986) head born 1960 (python-stdnum issue
    442).
    """
    from stdnum import numdb  # the library's lookup of its own data file

    if len(code) != 6 or not isdigits(code):
        return False
    parts = numdb.get("cn/loc").info(code)
    # [(province prefix, {province}), (county suffix, {county})]; a code the
    # table lacks yields a county part with no properties.
    return len(parts) == 2 and bool(parts[1][1].get("county"))


def normalize_id_number(
    value: str, *, area_code_exists: Callable[[str], bool] = area_code_in_gb2260
) -> str:
    """Return an 18-character national ID (GB 11643) or raise ValidationError.

    Valid: 17 digits and the GB 11643 check character, a birth date that is
    a real date not after today, and an area code that exists or existed
    (`area_code_exists`: python-stdnum's GB/T 2260 table, any year; the
    households service also accepts the code of a region in the register,
    e.g. 大通湖区 430971, which the table lacks).
    """
    number = ric.compact(value or "")
    invalid = ValidationError(
        _("身份证号码无效（GB 11643 校验位不符或格式错误）。"), code="invalid"
    )
    if len(number) != 18:
        raise ValidationError(_("身份证号码必须为 18 位。"), code="invalid")
    if not isdigits(number[:17]) or number[17] != ric.calc_check_digit(number):
        raise invalid
    try:
        born = ric.get_birth_date(number)
    except StdnumError as error:
        raise ValidationError(
            _("身份证号码中的出生日期不是有效日期。"), code="invalid_birth_date"
        ) from error
    if born > timezone.localdate():
        raise ValidationError(
            _("身份证号码中的出生日期晚于今天。"), code="invalid_birth_date"
        )
    if not area_code_exists(number[:6]):
        raise ValidationError(
            _("身份证号码的前 6 位不是已有或曾有的行政区划代码。"),
            code="invalid_area_code",
        )
    return number


def normalize_uscc(value: str) -> str:
    """Return an 18-character unified social credit code (GB 32100) or raise."""
    try:
        return uscc.validate(value)
    except StdnumError as error:
        raise ValidationError(
            _("统一社会信用代码无效（GB 32100 校验码不符或格式错误）。"), code="invalid"
        ) from error


def normalize_gtin(value: str) -> str:
    """Return a GTIN-14 (zero-padded) from a GTIN-13 or GTIN-14, or raise."""
    try:
        number = ean.validate(value)
    except StdnumError as error:
        raise ValidationError(
            _("GTIN 无效（校验位不符或格式错误）。"), code="invalid"
        ) from error
    if len(number) not in (13, 14):
        raise ValidationError(_("GTIN 必须为 13 位或 14 位。"), code="invalid")
    return number.zfill(14)


def validate_gs1_lot(value: str) -> None:
    """Raise ValidationError unless the value may be a GS1 AI 10 lot number."""
    if not GS1_CSET82.match(value):
        raise ValidationError(
            _(
                "批次号须为 1–20 个 GS1 允许的字符（英文字母、数字和少数符号，不能含中文或空格）。"
            ),
            code="invalid",
        )


def suggest_gs1_lot(
    value: str, *, on: datetime.date, taken: Container[str] = ()
) -> str:
    """Return a GS1-safe lot code for what someone typed in the lot field.

    A code typed with a stray space, symbol or Chinese word keeps its allowed
    characters ("lot 1" becomes LOT1, 「秋茶 gl-2026」 GL-2026). Chinese words
    with no code among them (「橘子 批次1」) belong in the batch's name: the
    suggestion is the date (YYYYMMDD) and the first sequence number not
    `taken`, starting from the number typed: 20261203-01. Either way at most
    20 characters of GS1 character set 82 (GS1 General Specifications 7.11).
    """
    kept = "".join(
        character for character in value.upper() if GS1_CSET82.match(character)
    )
    has_words = any(unicodedata.category(character) == "Lo" for character in value)
    looks_like_code = len(kept) >= 3 and any(c.isalpha() for c in kept)
    if kept and (looks_like_code or not has_words) and kept[:20] not in taken:
        return kept[:20]
    numbers = [int(number) for number in re.findall(r"[0-9]+", value)]
    start = numbers[-1] if numbers and 0 < numbers[-1] < 1000 else 1
    for sequence in itertools.count(start):
        candidate = f"{on:%Y%m%d}-{sequence:02d}"
        if candidate not in taken:
            return candidate
    raise AssertionError("unreachable")  # itertools.count never ends


def validate_uscc(value: str) -> None:
    normalize_uscc(value)


def validate_gtin(value: str) -> None:
    normalize_gtin(value)


# Plausible dates. Suyuan records the consumption-aid programmes of 2019 on
# (seeds/); nothing it keeps happened before 2000, and a date far in the
# future is a typo (a trace event in 9999 shown on the public page).
EARLIEST_DATE = datetime.date(2000, 1, 1)
LATEST_PLANNED_DATE = datetime.date(2099, 12, 31)


def _day(value: datetime.date | datetime.datetime) -> datetime.date:
    # The date as written, without a time-zone conversion: converting a
    # datetime such as 0001-01-01T00:00 to UTC overflows.
    return value.date() if isinstance(value, datetime.datetime) else value


def latest_past_date() -> datetime.date:
    """Return the last date a harvest, event, sale or sample may carry.

    Today plus SUYUAN_DATE_MARGIN_DAYS (1 by default): a phone's clock a few
    hours ahead, or another time zone, must not be refused.
    """
    margin = getattr(settings, "SUYUAN_DATE_MARGIN_DAYS", 1)
    return timezone.localdate() + datetime.timedelta(days=margin)


def validate_past_date(value: datetime.date | datetime.datetime) -> None:
    """Raise ValidationError unless the date lies in 2000-01-01 .. today + margin.

    For what has happened: harvest or production, trace events, sales,
    samples.
    """
    day, latest = _day(value), latest_past_date()
    if not EARLIEST_DATE <= day <= latest:
        raise ValidationError(
            _("日期必须在 %(earliest)s 至 %(latest)s 之间。")
            % {"earliest": EARLIEST_DATE.isoformat(), "latest": latest.isoformat()},
            code="date_out_of_range",
        )


def validate_calendar_date(value: datetime.date | datetime.datetime) -> None:
    """Raise ValidationError unless the date lies in 2000-01-01 .. 2099-12-31.

    For periods and deadlines, which may lie in the future: certificate and
    license validity, benefit links, deadlines, events planned.
    """
    if not EARLIEST_DATE <= _day(value) <= LATEST_PLANNED_DATE:
        raise ValidationError(
            _("日期必须在 %(earliest)s 至 %(latest)s 之间。")
            % {
                "earliest": EARLIEST_DATE.isoformat(),
                "latest": LATEST_PLANNED_DATE.isoformat(),
            },
            code="date_out_of_range",
        )


# The input policy: one rule for every text and number that comes in, through
# the API's parsers (api/parsers.py), the API's number fields (api/fields.py)
# and every form (trace/forms.py InputPolicyMixin).
#
# Control characters (Unicode category Cc) other than tab, line feed and
# carriage return have no place in anything a person types, and openpyxl
# refuses them in a cell (a stored 仓\x1c库 broke the recall-trace XLSX with a
# 500). Bidirectional overrides and isolates reorder what a reader sees
# without changing what is stored (Trojan Source, CVE-2021-42574), so a buyer
# or a note could show one thing and export another.
# Unicode category Cc is exactly U+0000-001F and U+007F-009F; tab (U+0009),
# line feed (U+000A) and carriage return (U+000D) are text. Then the
# embeddings and overrides LRE RLE PDF LRO RLO (U+202A-202E) and the
# isolates LRI RLI FSI PDI (U+2066-2069). One regular expression: a body of
# a few megabytes is checked in milliseconds.
UNSAFE_CHARACTER = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]"
)
# Full-width digits and signs (a Chinese input method's 全角 mode) are the same
# number as their ASCII forms; every other non-ASCII digit (Arabic-Indic,
# Devanagari, superscripts) is refused rather than read as a number.
FULL_WIDTH_NUMBER = str.maketrans("０１２３４５６７８９．－＋", "0123456789.-+")


def text_is_unsafe(text: str) -> bool:
    """Return whether a text holds a control or bidirectional control character."""
    return UNSAFE_CHARACTER.search(text) is not None


def unsafe_text_message() -> str:
    """Return the policy's words for a refused text (never the text itself)."""
    return _("不能包含控制字符或双向文本控制符，请删除后重新填写。")


def validate_safe_text(value: str) -> None:
    """Raise ValidationError if the text holds a character the policy refuses."""
    if text_is_unsafe(value):
        raise ValidationError(unsafe_text_message(), code="unsafe_character")


def normalize_number_text(value: str) -> str:
    """Return a number as typed with full-width digits made ASCII, or raise.

    Raise ValidationError if it still holds a digit outside 0-9: int() and
    Decimal() read Arabic-Indic ٣ or Devanagari ३ as 3, which a person in a
    Chinese county did not mean to type, and str.isdigit() accepts ² as well,
    which int() then refuses.
    """
    text = value.translate(FULL_WIDTH_NUMBER)
    if any(character.isdigit() and not character.isascii() for character in text):
        raise ValidationError(_("数字请使用 0–9 填写。"), code="non_ascii_digit")
    return text


def is_ascii_number(value: str) -> bool:
    """Return whether a text is one or more of the digits 0-9 and nothing else.

    str.isdigit() is True for full-width, Arabic-Indic and superscript
    digits, which then reach int() or a lookup by id.
    """
    return value.isascii() and value.isdigit()
