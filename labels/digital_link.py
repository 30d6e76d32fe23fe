"""GS1 Digital Link URIs of a GTIN and its qualifiers: parse, build, compress.

Pure functions, no database. Parsing is biip's: GS1 Digital Link URI syntax
1.x (the primary key first, the qualifiers of AI 01 only in their order
22, 10, 21 or 235, each value matched against its GS1 format, percent-decoding
after the split on "/"); the GTIN check digit is stdnum's. This resolver
answers for AI 01 only (/.well-known/gs1resolver says so).

Compression follows GS1 Digital Link: Compression (GS1 Digital Link standard
1.1, section 7 and the tables of its annex): the AIs and values become one bit
string, written in GS1's URI-safe base64 alphabet as the one path segment
after the resolver root. Each AI key is its digits in 4-bit nibbles; a
fixed-length numeric value is the number in ceil(n * log2(10)) bits; a
variable-length value is a 3-bit encoding indicator (0 digits, 1 lower-case
hex, 2 upper-case hex, 3 URI-safe base64, 4 seven-bit ASCII), its length in
ceil(log2(max)) bits and the characters at 4, 4, 6 or 7 bits each (digits as
one number). Only the AIs this resolver knows are supported (TABLE_F); a
compressed URI with others does not decompress (ValueError).
"""

import math
import re
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

from biip import ParseError
from biip.gs1_digital_link_uris import GS1DigitalLinkURI
from django.utils.translation import gettext as _
from stdnum import ean

from trace.validators import is_ascii_number

PRIMARY_KEY = "01"
# GS1 Digital Link URI syntax 1.4: the qualifiers of a GTIN, in path order.
QUALIFIERS = ("22", "10", "21", "235")
# Compression table P: the length of an AI by its first two digits.
TABLE_P = {"01": 2, "10": 2, "11": 2, "13": 2, "15": 2, "16": 2, "17": 2}
TABLE_P |= {"21": 2, "22": 2, "23": 3}
# Compression table F, for the AIs above: ("N", n) fixed-length numeric,
# ("X", max) variable-length alphanumeric (GS1 General Specifications formats).
TABLE_F = {
    "01": ("N", 14),
    "10": ("X", 20),
    "11": ("N", 6),
    "13": ("N", 6),
    "15": ("N", 6),
    "16": ("N", 6),
    "17": ("N", 6),
    "21": ("X", 20),
    "22": ("X", 20),
    "235": ("X", 28),
}
# Compression table Opt: one hex pair standing for a sequence of AIs (only
# the entries made of AIs in TABLE_F; a compressor may use them).
TABLE_OPT = {
    "0A": ("01", "22"),
    "0B": ("01", "10"),
    "0C": ("01", "21"),
    "0D": ("01", "17"),
    "1A": ("01", "10", "21", "17"),
    "1B": ("01", "15"),
    "1C": ("01", "11"),
    "1D": ("01", "16"),
    "1F": ("01", "10", "15"),
}
BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
HEX = "0123456789ABCDEF"
COMPRESSED_RE = re.compile(r"^[A-Za-z0-9_-]{10,}$")
_ENCODINGS = (
    (re.compile(r"^[0-9]+$"), 0),
    (re.compile(r"^[0-9A-F]+$"), 2),
    (re.compile(r"^[0-9a-f]+$"), 1),
    (re.compile(r"^[A-Za-z0-9_-]+$"), 3),
)


class DigitalLinkError(ValueError):
    """A URI that is not a well-formed GS1 Digital Link (a 400 at the resolver)."""


class UnsupportedKey(LookupError):
    """A well-formed GS1 Digital Link of a primary key this resolver does not serve."""


@dataclass(frozen=True)
class ItemKey:
    """A GTIN with the qualifiers the resolver uses (lot, serial)."""

    gtin: str
    lot: str = ""
    serial: str = ""

    def levels(self) -> list["ItemKey"]:
        """Return this key and each one above it, most granular first."""
        keys = [self]
        if self.serial:
            keys.append(
                ItemKey(self.gtin, self.lot) if self.lot else ItemKey(self.gtin)
            )
        if keys[-1].lot:
            keys.append(ItemKey(self.gtin))
        return keys

    def path(self) -> str:
        """Return the uncompressed path, values percent-encoded (DL 1.4, 4.x)."""
        path = f"/01/{self.gtin}"
        if self.lot:
            path += f"/10/{quote(self.lot, safe='')}"
        if self.serial:
            path += f"/21/{quote(self.serial, safe='')}"
        return path


def parse_path(path: str) -> ItemKey:
    """Return the key of a GS1 Digital Link path (percent-encoded, as sent).

    Raise DigitalLinkError with a message for a malformed one and
    UnsupportedKey for a primary key other than the GTIN. One trailing slash
    is tolerated (GS1-Conformant Resolver 1.2: SHOULD tolerate it).
    """
    if path.endswith("/") and len(path) > 1:
        path = path[:-1]
    segments = path.lstrip("/").split("/")
    if segments[0] != PRIMARY_KEY:
        try:
            GS1DigitalLinkURI.parse("https://resolver.invalid" + path)
        except ParseError as error:
            raise DigitalLinkError(_message(str(error))) from error
        raise UnsupportedKey(segments[0])
    gtin = segments[1] if len(segments) > 1 else ""
    if not (is_ascii_number(gtin) and len(gtin) in (8, 12, 13, 14)):
        raise DigitalLinkError(
            _("GTIN 应为 14 位数字（GS1 数字链接 1.4），收到“%(gtin)s”。")
            % {"gtin": gtin[:20]}
        )
    # GS1 General Specifications 7.9.1: weights 3, 1 from the right.
    if not ean.is_valid(gtin.zfill(14)):
        raise DigitalLinkError(_("GTIN %(gtin)s 的校验位不正确。") % {"gtin": gtin})
    try:
        parsed = GS1DigitalLinkURI.parse("https://resolver.invalid" + path)
    except ParseError as error:
        raise DigitalLinkError(_message(str(error))) from error
    values = {
        element.ai.ai: element.value
        for element in parsed.element_strings
        if element.ai.ai in TABLE_F
    }
    return ItemKey(
        gtin=values[PRIMARY_KEY], lot=values.get("10", ""), serial=values.get("21", "")
    )


def _message(detail: str) -> str:
    return _("不是有效的 GS1 数字链接（%(detail)s）") % {"detail": detail}


def request_path(*, raw_uri: str | None, path: str) -> str:
    """Return the request's path as the client sent it (percent-encoding kept).

    gunicorn passes the raw request line (RAW_URI), where a lot "A/1" is still
    "A%2F1"; other servers (runserver, the test server) decode the path
    first, and then it is quoted back as it is (see lot_slash_path).
    """
    if raw_uri:
        raw = urlsplit(raw_uri).path
        if raw.startswith("/"):
            return raw
    return quote(path, safe="/!$&'()*+,;=:@-._~")


def lot_slash_path(path: str) -> str | None:
    """Return the path with a lot holding "/" quoted again, or None.

    For a server that decoded %2F before Django saw the path: the lot is taken
    greedily between /10/ and /21/ (a serial never holds "/", labels.codes).
    Only a lot that exists may be read so (the resolver checks), or a
    malformed path would pass for a lot.
    """
    match = re.fullmatch(r"/01/([^/]*)/10/(.+?)(/21/[^/]+)?(/?)", unquote(path))
    if not match or "/" not in match.group(2):
        return None
    gtin, lot, serial, slash = match.groups()
    return f"/01/{gtin}/10/{quote(lot, safe='')}{quote(serial or '')}{slash}"


# Compression.


def _value_bits(digits: int) -> int:
    return math.ceil(digits * math.log2(10) + 0.01)


def _length_bits(maximum: int) -> int:
    return math.ceil(math.log2(maximum) + 0.01)


def _encode_value(ai: str, value: str) -> str:
    kind, size = TABLE_F[ai]
    if kind == "N":
        if len(value) != size or not is_ascii_number(value):
            raise ValueError(f"AI ({ai}) takes {size} digits")
        return format(int(value), f"0{_value_bits(size)}b")
    if not 0 < len(value) <= size:
        raise ValueError(f"AI ({ai}) takes 1 to {size} characters")
    encoding = next((code for pattern, code in _ENCODINGS if pattern.match(value)), 4)
    bits = format(encoding, "03b") + format(len(value), f"0{_length_bits(size)}b")
    if encoding == 0:
        return bits + format(int(value), f"0{_value_bits(len(value))}b")
    if encoding in (1, 2):
        return bits + "".join(format(HEX.index(c), "04b") for c in value.upper())
    if encoding == 3:
        return bits + "".join(format(BASE64.index(c), "06b") for c in value)
    if any(ord(c) > 127 for c in value):
        raise ValueError(f"AI ({ai}) takes 7-bit ASCII only")
    return bits + "".join(format(ord(c), "07b") for c in value)


def compress(key: ItemKey) -> str:
    """Return the compressed path segment of a key (no optimisation table used).

    AIs go in ascending order, as GS1's reference toolkit writes them, so
    the same key always gives the same segment.
    """
    values = {"01": key.gtin, "10": key.lot, "21": key.serial}
    bits = "".join(
        "".join(format(int(digit), "04b") for digit in ai) + _encode_value(ai, value)
        for ai, value in sorted(values.items())
        if value
    )
    bits += "0" * (-len(bits) % 6)
    return "".join(BASE64[int(bits[i : i + 6], 2)] for i in range(0, len(bits), 6))


def decompress(segment: str) -> dict[str, str]:
    """Return the AI values of a compressed path segment.

    Raise ValueError for a segment that is not a compressed GS1 Digital Link
    of the AIs this module knows.
    """
    if not COMPRESSED_RE.match(segment):
        raise ValueError("not a compressed GS1 Digital Link")
    bits = "".join(format(BASE64.index(c), "06b") for c in segment)
    reader = _Bits(bits)
    values: dict[str, str] = {}
    # Fewer than 8 bits left are the padding to a whole base64 character.
    while reader.left() > 8:
        h1h2 = reader.hex(2)
        if is_ascii_number(h1h2):
            length = TABLE_P.get(h1h2)
            if length is None:
                raise ValueError(f"unsupported AI {h1h2}..")
            ai = h1h2 + reader.hex(length - 2)
            if ai not in TABLE_F:
                raise ValueError(f"unsupported AI ({ai})")
            values[ai] = _decode_value(ai, reader)
        elif h1h2 in TABLE_OPT:
            for ai in TABLE_OPT[h1h2]:
                values[ai] = _decode_value(ai, reader)
        else:
            raise ValueError(f"unsupported sequence {h1h2}")
    if PRIMARY_KEY not in values:
        raise ValueError("no GTIN")
    return values


def decompress_key(segment: str) -> ItemKey:
    """Return the key of a compressed segment, checked like an uncompressed path.

    Raise ValueError if it does not decompress, DigitalLinkError if what it
    holds is not a well-formed GS1 Digital Link of a GTIN.
    """
    values = decompress(segment)
    key = ItemKey(values["01"], values.get("10", ""), values.get("21", ""))
    path = "/01/" + values["01"]
    for ai in QUALIFIERS:
        if ai in values:
            path += f"/{ai}/{quote(values[ai], safe='')}"
    parse_path(path)  # the same syntax and check-digit rules
    return key


def _decode_value(ai: str, reader: "_Bits") -> str:
    kind, size = TABLE_F[ai]
    if kind == "N":
        return str(reader.number(_value_bits(size))).zfill(size)
    encoding = reader.number(3)
    count = reader.number(_length_bits(size))
    if encoding == 0:
        # The length is encoded, so leading zeros survive.
        return str(reader.number(_value_bits(count))).zfill(count)
    if encoding in (1, 2):
        text = "".join(HEX[reader.number(4)] for _ in range(count))
        return text.lower() if encoding == 1 else text
    if encoding == 3:
        return "".join(BASE64[reader.number(6)] for _ in range(count))
    if encoding == 4:
        return "".join(chr(reader.number(7)) for _ in range(count))
    raise ValueError(f"unknown encoding {encoding}")


class _Bits:
    def __init__(self, bits: str):
        self.bits, self.cursor = bits, 0

    def left(self) -> int:
        return len(self.bits) - self.cursor

    def number(self, width: int) -> int:
        if width > self.left():
            raise ValueError("truncated")
        chunk = self.bits[self.cursor : self.cursor + width]
        self.cursor += width
        return int(chunk, 2) if chunk else 0

    def hex(self, count: int) -> str:
        return "".join(HEX[self.number(4)] for _ in range(count))
