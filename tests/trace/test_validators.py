import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

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
        "430971201002140150",  # 大通湖区: python-stdnum's table has no county (KeyError)
        "11010519491231002",  # 17 characters
        "ABCDEFGHIJKLMNOPQR",
    ],
)
def test_invalid_id_number_is_rejected_without_echoing_it(value):
    with pytest.raises(ValidationError) as raised:
        normalize_id_number(value)
    assert value not in str(raised.value)


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
