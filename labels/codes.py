"""Label serials and the URL each QR code carries: pure functions, no database.

A serial is 20 Crockford base32 characters, the GS1 AI 21 maximum: 18 random
characters from `secrets` (90 bits: a guess among 10^8 live labels succeeds
with probability below 10^-19) and 2 check characters, the first 10 bits of
an HMAC-SHA256 of the 18 under `SUYUAN_SERIAL_KEY`. A forged or mistyped
serial is therefore rejected by arithmetic before any database query; a
random one passes the check with probability 1/1024, and then still has to
exist in the database.

QR symbol: error correction level M and a 4-module quiet zone (ISO/IEC 18004
section 9.1 asks for 4). M restores about 15 % of the codewords, enough for a
scuffed or slightly creased box label, and keeps the symbol small: with the
upper-case serial, zxing-cpp's mixed-mode segmentation fits a ~80-character
GS1 Digital Link URL in version 4 (33 x 33 modules) and the short `/t/` URL
in version 3 (29 x 29). Level Q would need version 6 (41 x 41) for the same
Digital Link URL, i.e. modules 20 % smaller on the same 20-25 mm square, which
hurts phone cameras on the small 4 x 10 sheet more than it helps. The encoder
picks the smallest version that fits, so a longer base URL or lot code only
grows the symbol as much as needed.
"""

import base64
import functools
import hashlib
import hmac
import re
import secrets
from urllib.parse import quote

from django.conf import settings

from labels import digital_link

# Crockford base32: no I, L, O, U, so a read-aloud or hand-typed code has no
# look-alike characters (I/L read as 1, O as 0 on input).
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RANDOM_LENGTH = 18
CHECK_LENGTH = 2
SERIAL_LENGTH = RANDOM_LENGTH + CHECK_LENGTH
SERIAL_RE = re.compile(f"^[{ALPHABET}]{{{SERIAL_LENGTH}}}$")
# Crockford decoding of a typed serial: case-insensitive, I/L -> 1, O -> 0,
# hyphens and spaces (as printed in groups of four) ignored. Never for a GS1
# key (serial_normalize).
_INPUT_TRANSLATION = str.maketrans({"I": "1", "L": "1", "O": "0", "-": None, " ": None})


def _encode(number: int, length: int) -> str:
    characters = []
    for _ in range(length):
        number, digit = divmod(number, 32)
        characters.append(ALPHABET[digit])
    return "".join(reversed(characters))


@functools.lru_cache(maxsize=2)
def _serial_mac(key: str) -> hmac.HMAC:
    """Return the HMAC keyed with `key`, to be copied for each check.

    Every scan checks a serial: copying a keyed HMAC costs about half of
    keying a new one, and in a real request a third (bench/scan.py). Cached
    by the key itself, so a changed setting is a new entry.
    """
    return hmac.new(key.encode(), digestmod=hashlib.sha256)


def serial_check(body: str, *, key: str | None = None) -> str:
    """Return the 2 check characters of an 18-character serial body."""
    if key is None:
        mac = _serial_mac(settings.SUYUAN_SERIAL_KEY).copy()
    else:
        mac = hmac.new(key.encode(), digestmod=hashlib.sha256)
    mac.update(body.encode("ascii"))
    return _check_characters(mac.digest())


def _check_characters(digest: bytes) -> str:
    high = int.from_bytes(digest[:2], "big") >> 6  # the first 10 bits
    return ALPHABET[high >> 5] + ALPHABET[high & 31]


def serial_new(*, key: str | None = None) -> str:
    """Return a new random serial with its keyed check characters."""
    body = _encode(secrets.randbits(5 * RANDOM_LENGTH), RANDOM_LENGTH)
    return body + serial_check(body, key=key)


# RFC 4648 base32 digits -> Crockford digits of the same value.
_BASE32_TO_CROCKFORD = bytes.maketrans(
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", ALPHABET.encode()
)


def serials_new(count: int) -> list[str]:
    """Return `count` new serials (each copies the one keyed HMAC, as serial_check).

    The same serials as serial_new, made in bulk for allocation: 15 random
    bytes base32-encode to 24 digits in C, of which the first 18 (90 bits)
    are the body; about 3x faster than one randbits and divmod per serial.
    """
    keyed = _serial_mac(settings.SUYUAN_SERIAL_KEY)
    serials = []
    for _ in range(count):
        body = base64.b32encode(secrets.token_bytes(15))[:RANDOM_LENGTH].translate(
            _BASE32_TO_CROCKFORD
        )
        mac = keyed.copy()
        mac.update(body)
        serials.append(body.decode() + _check_characters(mac.digest()))
    return serials


def serial_normalize(text: str, *, gs1_key: bool = False) -> str | None:
    """Return the canonical serial of the text, or None if it is not one.

    Typed (the default: /t/, the JSON scan, the workbench, where a person
    may have typed or read it aloud): accept lower case, spaces and hyphens,
    and Crockford's I/L/O look-alikes. As a GS1 key (`gs1_key`: the AI (21)
    value of a GS1 Digital Link): accept only the serial exactly as printed.
    Either way reject anything whose check characters do not match, without
    a query.
    """
    if not isinstance(text, str) or len(text) > 4 * SERIAL_LENGTH:
        return None
    # GS1 General Specifications, AI (21): a serial is any string of
    # character set 82 (figure 7.11-1), where "a" and "A" are different
    # characters, so a GS1 key is compared exactly: "6wvz..." or "6WVZ-..."
    # is another serial than the printed "6WVZ...", one we never issued.
    candidate = text if gs1_key else text.upper().translate(_INPUT_TRANSLATION)
    if not SERIAL_RE.match(candidate):
        return None
    body, check = candidate[:RANDOM_LENGTH], candidate[RANDOM_LENGTH:]
    if not hmac.compare_digest(serial_check(body), check):
        return None
    return candidate


def serial_is_valid(text: str) -> bool:
    """Return True if the text is a well-formed serial with a valid check."""
    return serial_normalize(text) is not None


def serial_display(serial: str) -> str:
    """Return the serial in groups of four for people to read and type."""
    return " ".join(serial[index : index + 4] for index in range(0, len(serial), 4))


def label_url(
    *,
    serial: str,
    gtin: str | None = None,
    lot: str = "",
    base_url: str | None = None,
    compressed: bool = False,
) -> str:
    """Return the URL a label's QR code carries.

    With a GTIN, a GS1 Digital Link URI `/01/{gtin}/10/{lot}/21/{serial}`
    (GS1 Digital Link 1.2 section 4: AI values percent-encoded outside the
    URI unreserved set, e.g. "/" in a lot becomes %2F), or its compressed
    form `/{base64}` (labels.digital_link); else `/t/{serial}`.
    """
    base = (
        base_url if base_url is not None else settings.SUYUAN_PUBLIC_BASE_URL
    ).rstrip("/")
    if gtin and compressed:
        key = digital_link.ItemKey(gtin.zfill(14), lot, serial)
        return f"{base}/{digital_link.compress(key)}"
    if gtin:
        path = f"/01/{gtin.zfill(14)}"
        if lot:
            path += f"/10/{quote(lot, safe='')}"
        return f"{base}{path}/21/{quote(serial, safe='')}"
    return f"{base}/t/{serial}"


def lot_url(*, gtin: str, lot: str, base_url: str | None = None) -> str:
    """Return the GS1 Digital Link URI of a lot, `/01/{gtin}/10/{lot}`."""
    base = (
        base_url if base_url is not None else settings.SUYUAN_PUBLIC_BASE_URL
    ).rstrip("/")
    return f"{base}/01/{gtin.zfill(14)}/10/{quote(lot, safe='')}"
