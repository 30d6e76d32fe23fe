import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumError

from tests.factories import make_id_number
from trace.validators import (
    normalize_gtin,
    normalize_id_number,
    normalize_uscc,
    suggest_gs1_lot,
    validate_calendar_date,
    validate_gs1_lot,
    validate_past_date,
)

VALID_ID = "11010519491231002X"  # GB 11643 example number, check character X
VALID_USCC = "91110000600037341L"
VALID_GTIN13 = "6901234567892"


def test_valid_id_number_is_normalized():
    assert normalize_id_number(" 11010519491231002x ") == VALID_ID


@pytest.mark.parametrize(
    "value",
    [
        "110105194912310021",  # wrong check digit
        "11010519491331002X",  # month 13
        "99010519491231002X",  # no such area code
        "11010519491231002",  # 17 characters
        "ABCDEFGHIJKLMNOPQR",
    ],
)
def test_invalid_id_number_is_rejected_without_echoing_it(value):
    with pytest.raises(ValidationError) as raised:
        normalize_id_number(value)
    assert value not in str(raised.value)


# Genuine-shaped numbers of the demo counties' households: ric.validate refused
# each, the area code not being in force in the birth year (python-stdnum #442).
@pytest.mark.parametrize(
    ("area", "born"),
    [
        ("430525", datetime.date(1960, 5, 4)),  # 洞口县, code from 1986
        ("430521", datetime.date(1982, 2, 1)),  # 邵东县, code 1983-2019
        ("500235", datetime.date(1960, 9, 9)),  # 云阳县, code from 1997
        ("430981", datetime.date(1993, 3, 3)),  # 沅江市, code from 1994
        ("430582", datetime.date(1950, 1, 1)),  # 邵东市, code from 2019
    ],
)
def test_id_number_of_an_area_code_not_yet_or_no_longer_in_force_is_valid(area, born):
    number = make_id_number(area, born, serial=7)
    with pytest.raises(StdnumError):
        ric.validate(number)  # the library's own check, the reason for ours
    assert normalize_id_number(number) == number


def test_area_code_outside_gb2260_is_valid_only_when_vouched_for():
    number = make_id_number("430971", datetime.date(1975, 6, 1), serial=3)  # 大通湖区
    with pytest.raises(ValidationError) as raised:
        normalize_id_number(number)
    assert raised.value.code == "invalid_area_code"
    assert normalize_id_number(number, area_code_exists={"430971"}.__contains__)


def test_wrong_check_character_is_refused():
    number = make_id_number("430525", datetime.date(1960, 5, 4), serial=7)
    wrong = number[:-1] + ("1" if number[-1] == "0" else "0")
    with pytest.raises(ValidationError) as raised:
        normalize_id_number(wrong)
    assert raised.value.code == "invalid"


def test_birth_date_after_today_is_refused():
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    number = make_id_number("430525", tomorrow, serial=7)
    with pytest.raises(ValidationError) as raised:
        normalize_id_number(number)
    assert raised.value.code == "invalid_birth_date"
    assert normalize_id_number(make_id_number("430525", timezone.localdate(), 7))


def test_nonexistent_area_code_is_refused():
    for area in ("430599", "439999", "000000"):
        number = make_id_number(area, datetime.date(1980, 1, 1), serial=7)
        with pytest.raises(ValidationError) as raised:
            normalize_id_number(number)
        assert raised.value.code == "invalid_area_code"
        assert number not in str(raised.value)


def test_valid_credit_code():
    assert normalize_uscc("91110000600037341l") == VALID_USCC


@pytest.mark.parametrize(
    "value", ["91110000600037341M", "9111000060003734", "I1110000600037341L"]
)
def test_invalid_credit_code(value):
    with pytest.raises(ValidationError):
        normalize_uscc(value)


def test_gtin13_is_padded_to_gtin14():
    assert normalize_gtin(VALID_GTIN13) == "06901234567892"
    assert normalize_gtin("06901234567892") == "06901234567892"


@pytest.mark.parametrize("value", ["6901234567893", "690123456789", "12345670"])
def test_invalid_gtin(value):
    with pytest.raises(ValidationError):
        normalize_gtin(value)


@pytest.mark.parametrize("value", ["GL2026A", "2026-11/03", "A" * 20])
def test_gs1_lot_accepts_character_set_82(value):
    validate_gs1_lot(value)


@pytest.mark.parametrize("value", ["古楼2026", "LOT 1", "A" * 21, "", "LOT#1"])
def test_gs1_lot_rejects_other_characters(value):
    with pytest.raises(ValidationError):
        validate_gs1_lot(value)


DAY = datetime.date(2026, 12, 3)


def test_lot_suggestion_keeps_a_code_with_stray_characters():
    assert suggest_gs1_lot("lot 1", on=DAY) == "LOT1"
    assert suggest_gs1_lot("A" * 25, on=DAY) == "A" * 20
    assert suggest_gs1_lot("古楼 2026 a批", on=DAY) == "2026A"


@pytest.mark.parametrize(
    ("typed", "taken", "suggestion"),
    [
        ("橘子 批次1", set(), "20261203-01"),
        ("橘子 批次1", {"20261203-01"}, "20261203-02"),
        ("橘子 批次3", set(), "20261203-03"),
        ("雪峰蜜橘", set(), "20261203-01"),
        ("批次 2026", set(), "20261203-01"),  # a year is not a sequence
    ],
)
def test_lot_suggestion_for_words_is_date_and_sequence(typed, taken, suggestion):
    assert suggest_gs1_lot(typed, on=DAY, taken=taken) == suggestion
    validate_gs1_lot(suggestion)


def test_past_dates_run_from_2000_to_tomorrow(settings):
    today = timezone.localdate()
    for good in (datetime.date(2000, 1, 1), today, today + datetime.timedelta(1)):
        validate_past_date(good)
    for bad in (
        datetime.date(1999, 12, 31),
        today + datetime.timedelta(2),
        datetime.date(1, 1, 1),
        datetime.datetime(9999, 12, 31, 23, 59),
    ):
        with pytest.raises(ValidationError, match="2000-01-01"):
            validate_past_date(bad)
    settings.SUYUAN_DATE_MARGIN_DAYS = 3
    validate_past_date(today + datetime.timedelta(3))


def test_calendar_dates_allow_the_future_until_2099():
    validate_calendar_date(datetime.date(2099, 12, 31))
    validate_calendar_date(datetime.datetime(2030, 6, 1, 12, 0))
    for bad in (datetime.date(2100, 1, 1), datetime.date(1990, 5, 5)):
        with pytest.raises(ValidationError, match="2099-12-31"):
            validate_calendar_date(bad)
