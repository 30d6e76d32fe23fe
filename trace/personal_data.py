"""Protection of household personal data (PIPL art. 28: sensitive information).

ID numbers are encrypted with Fernet (MultiFernet, newest key first, so keys
rotate without loss) and found through a blind index: an HMAC under its own
key, which detects duplicates without decrypting anything.
"""

import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def id_number_cipher() -> MultiFernet:
    return _fernet(tuple(settings.SUYUAN_ID_NUMBER_KEYS))


def encrypt_id_number(id_number: str) -> str:
    return id_number_cipher().encrypt(id_number.encode()).decode()


def decrypt_id_number(token: str) -> str:
    return id_number_cipher().decrypt(token.encode()).decode()


def reencrypt_id_number(token: str) -> str:
    """Return the token re-encrypted under the newest key."""
    return id_number_cipher().rotate(token.encode()).decode()


def id_number_is_current(token: str) -> bool:
    """Return True if the token is encrypted under the newest key already."""
    try:
        Fernet(settings.SUYUAN_ID_NUMBER_KEYS[0].encode()).decrypt(token.encode())
    except InvalidToken:
        return False
    return True


def id_number_blind_index(id_number: str) -> str:
    key = settings.SUYUAN_ID_NUMBER_INDEX_KEY.encode()
    return hmac.new(key, id_number.upper().encode(), hashlib.sha256).hexdigest()


def mask_name(name: str) -> str:
    """Mask a Chinese name as 王*明: keep the first and last character.

    Two-character names keep only the surname (王*); one character becomes *.
    """
    name = name.strip()
    if len(name) <= 1:
        return "*"
    if len(name) == 2:
        return f"{name[0]}*"
    return f"{name[0]}{'*' * (len(name) - 2)}{name[-1]}"


def mask_id_number(id_number: str) -> str:
    """Show only the last four characters, as the office's screens do."""
    return f"{'*' * 14}{id_number[-4:]}"
