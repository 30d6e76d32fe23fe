import pytest
from cryptography.fernet import Fernet

from trace.personal_data import (
    decrypt_id_number,
    encrypt_id_number,
    id_number_blind_index,
    mask_id_number,
    mask_name,
    reencrypt_id_number,
)


@pytest.mark.parametrize(
    ("name", "masked"),
    [("王小明", "王*明"), ("欧阳春花", "欧**花"), ("李四", "李*"), ("王", "*")],
)
def test_mask_name(name, masked):
    assert mask_name(name) == masked


def test_id_number_round_trips_and_is_not_stored_in_clear():
    token = encrypt_id_number("11010519491231002X")
    assert "11010519491231002X" not in token
    assert decrypt_id_number(token) == "11010519491231002X"


def test_blind_index_is_keyed_and_stable(settings):
    first = id_number_blind_index("11010519491231002X")
    assert first == id_number_blind_index("11010519491231002x")
    settings.SUYUAN_ID_NUMBER_INDEX_KEY = "another-key"
    assert id_number_blind_index("11010519491231002X") != first


def test_rotated_key_still_decrypts_old_tokens(settings):
    old_token = encrypt_id_number("11010519491231002X")
    settings.SUYUAN_ID_NUMBER_KEYS = [
        Fernet.generate_key().decode(),
        *settings.SUYUAN_ID_NUMBER_KEYS,
    ]
    assert decrypt_id_number(old_token) == "11010519491231002X"
    new_token = reencrypt_id_number(old_token)
    settings.SUYUAN_ID_NUMBER_KEYS = settings.SUYUAN_ID_NUMBER_KEYS[:1]
    assert decrypt_id_number(new_token) == "11010519491231002X"


def test_mask_id_number_shows_last_four_only():
    assert mask_id_number("11010519491231002X") == "**************002X"
