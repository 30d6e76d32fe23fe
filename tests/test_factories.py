"""The test and bench factories make identifiers that never collide."""

from tests.factories import make_id_number, make_uscc
from trace.validators import normalize_id_number, normalize_uscc


def test_id_numbers_from_distinct_serials_are_distinct_and_valid():
    # 30,000 households: random numbers (9,000 days x 1,000) collided here.
    numbers = [make_id_number(serial=serial) for serial in range(30_000)]
    assert len(set(numbers)) == len(numbers)
    assert all(normalize_id_number(number) == number for number in numbers[::997])


def test_usccs_from_distinct_serials_are_distinct_and_valid():
    codes = [make_uscc(serial=serial) for serial in range(30_000)]
    assert len(set(codes)) == len(codes)
    assert all(normalize_uscc(code) == code for code in codes[::997])
