import re

import pytest

from labels import codes


def test_new_serial_is_20_crockford_characters_with_valid_check():
    serial = codes.serial_new()
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{20}", serial)
    assert codes.serial_is_valid(serial)


def test_serials_are_random():
    assert len(set(codes.serials_new(2000))) == 2000


def test_check_depends_on_the_key(settings):
    serial = codes.serial_new()
    settings.SUYUAN_SERIAL_KEY = "another-key"
    # 10 check bits: a different key accepts a given serial 1 time in 1024.
    others = [codes.serial_new(key="k1") for _ in range(50)]
    assert sum(codes.serial_is_valid(other) for other in others) < 5
    assert codes.serial_check(serial[:18], key="k1") == codes.serial_check(
        serial[:18], key="k1"
    )


@pytest.mark.parametrize(
    "transform",
    [
        str.lower,
        lambda s: codes.serial_display(s),
        lambda s: "-".join(s[i : i + 5] for i in range(0, 20, 5)),
    ],
)
def test_normalize_accepts_how_people_type_serials(transform):
    serial = codes.serial_new()
    assert codes.serial_normalize(transform(serial)) == serial


def test_normalize_reads_crockford_look_alikes():
    body = "0" * 17 + "1"
    serial = body + codes.serial_check(body)
    assert codes.serial_normalize("O" * 17 + "L" + serial[18:]) == serial


def test_single_character_typos_are_almost_all_rejected():
    serial = codes.serial_new()
    typos = [
        serial[:index] + character + serial[index + 1 :]
        for index in range(codes.SERIAL_LENGTH)
        for character in codes.ALPHABET
        if character != serial[index]
    ]
    accepted = sum(codes.serial_is_valid(typo) for typo in typos)
    assert accepted <= len(typos) // 100  # about 1 in 1024 by design


# A body with letters, so that its case can change.
LETTERED_BODY = "6WVZKMNPQRSTABCDEF"


@pytest.mark.parametrize(
    "transform",
    [
        str.lower,
        lambda s: s[:4].lower() + s[4:],  # "6wvz..." for "6WVZ..."
        lambda s: codes.serial_display(s),
        lambda s: "-".join(s[i : i + 5] for i in range(0, 20, 5)),
    ],
)
def test_a_gs1_key_is_the_serial_exactly_as_printed(transform):
    serial = LETTERED_BODY + codes.serial_check(LETTERED_BODY)
    assert codes.serial_normalize(serial, gs1_key=True) == serial
    assert codes.serial_normalize(transform(serial)) == serial  # typed: folded
    assert codes.serial_normalize(transform(serial), gs1_key=True) is None


def test_a_gs1_key_reads_no_crockford_look_alikes():
    body = "0" * 17 + "1"
    serial = body + codes.serial_check(body)
    look_alike = "O" * 17 + "L" + serial[18:]
    assert codes.serial_normalize(look_alike) == serial
    assert codes.serial_normalize(look_alike, gs1_key=True) is None


@pytest.mark.parametrize(
    "garbage", ["", "ABC", "Z" * 20, "中文" * 10, "0" * 200, None, "U" * 20]
)
def test_garbage_is_not_a_serial(garbage):
    assert codes.serial_normalize(garbage) is None


def test_label_url_is_gs1_digital_link_with_gtin(settings):
    settings.SUYUAN_PUBLIC_BASE_URL = "https://suyuan.example.cn"
    url = codes.label_url(
        serial="ABCDEFGHJKMNPQRSTV12", gtin="06901234567892", lot="GL2026A"
    )
    assert (
        url
        == "https://suyuan.example.cn/01/06901234567892/10/GL2026A/21/ABCDEFGHJKMNPQRSTV12"
    )


def test_label_url_percent_encodes_the_lot():
    url = codes.label_url(
        serial="S" * 20, gtin="06901234567892", lot="A/B 1%&+", base_url="https://x.cn"
    )
    assert "/10/A%2FB%201%25%26%2B/21/" in url


def test_label_url_pads_gtin13_to_14_digits():
    url = codes.label_url(
        serial="S" * 20, gtin="6901234567892", lot="L1", base_url="https://x.cn"
    )
    assert "/01/06901234567892/" in url


def test_label_url_without_gtin_is_short(settings):
    settings.SUYUAN_PUBLIC_BASE_URL = "https://suyuan.example.cn/"
    assert (
        codes.label_url(serial="S" * 20, gtin=None, lot="L")
        == "https://suyuan.example.cn/t/" + "S" * 20
    )


def test_url_can_be_parsed_back_by_a_gs1_parser_shape():
    url = codes.label_url(
        serial=codes.serial_new(),
        gtin="06901234567892",
        lot="GL2026A",
        base_url="https://x.cn",
    )
    assert re.fullmatch(r"https://x\.cn/01/\d{14}/10/[^/]+/21/[0-9A-Z]{20}", url)


def test_the_check_follows_the_configured_key(settings):
    """The keyed HMAC kept for checks is made again when the key changes."""
    body = codes.serial_new()[:18]
    settings.SUYUAN_SERIAL_KEY = "key-a"
    assert codes.serial_check(body) == codes.serial_check(body, key="key-a")
    settings.SUYUAN_SERIAL_KEY = "key-b"
    assert codes.serial_check(body) == codes.serial_check(body, key="key-b")
    assert all(codes.serial_is_valid(serial) for serial in codes.serials_new(200))
