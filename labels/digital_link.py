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
one number); a variable-length numeric value is its digit count then the
number. A hex pair outside 00-99 stands for a sequence of AIs (table Opt).
Every sequence of table Opt decompresses, and GS1's toolkit's partly
compressed form (`/01/{gtin}/{rest compressed}`) is read too; an AI outside
TABLE_F does not decompress (ValueError).
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
# Compression table P: the length of an AI by its first two digits (the
# prefixes of the AIs in TABLE_F).
TABLE_P = {"01": 2, "10": 2, "11": 2, "13": 2, "15": 2, "16": 2, "17": 2}
TABLE_P |= {"21": 2, "22": 2, "23": 3, "25": 3, "30": 2, "31": 4, "32": 4}
TABLE_P |= {"39": 4, "41": 3, "70": 4, "80": 4, "91": 2}
# Compression table F: the components of each AI's value in GS1 General
# Specifications notation, "N14" fixed-length numeric, "N..8" variable-length
# numeric, "X..20" variable-length alphanumeric. The AIs of the resolver's
# path, and every AI of the optimisation table below, so that any compressed
# URI GS1's toolkit writes with them decompresses (the attributes beyond the
# path are read and then left aside, as the query string of an uncompressed
# URI is).
TABLE_F = {
    "01": ("N14",),
    "10": ("X..20",),
    "11": ("N6",),
    "13": ("N6",),
    "15": ("N6",),
    "16": ("N6",),
    "17": ("N6",),
    "21": ("X..20",),
    "22": ("X..20",),
    "235": ("X..28",),
    "254": ("X..20",),
    "255": ("N13", "N..12"),
    "30": ("N..8",),
    "414": ("N13",),
    "7003": ("N10",),
    "8010": ("X..30",),
    "8011": ("N..12",),
    "8017": ("N18",),
    "8018": ("N18",),
    "8019": ("N..10",),
    "91": ("X..90",),
}
TABLE_F |= {f"31{digit}": ("N6",) for digit in "00 01 02 03 04 05".split()}
TABLE_F |= {f"32{digit}": ("N6",) for digit in "00 01 02 03 04 05".split()}
TABLE_F |= {f"390{digit}": ("N..15",) for digit in range(10)}
TABLE_F |= {f"392{digit}": ("N..15",) for digit in range(10)}
TABLE_F |= {f"394{digit}": ("N4",) for digit in range(4)}
# Compression table Opt (GS1 Digital Link 1.2, as GS1's toolkit has it): one
# hex pair standing for a sequence of AIs, whose values follow in this order.
TABLE_OPT = {
    "0A": ("01", "22"),
    "0B": ("01", "10"),
    "0C": ("01", "21"),
    "0D": ("01", "17"),
    "0E": ("01", "7003"),
    "0F": ("01", "30"),
    "1A": ("01", "10", "21", "17"),
    "1B": ("01", "15"),
    "1C": ("01", "11"),
    "1D": ("01", "16"),
    "1E": ("01", "91"),
    "1F": ("01", "10", "15"),
    "9A": ("8010", "8011"),
    "9B": ("8017", "8019"),
    "9C": ("8018", "8019"),
    "9D": ("414", "254"),
}
TABLE_OPT |= {
    f"2{hex_digit}": ("01", f"310{n}") for n, hex_digit in enumerate("ABCDEF")
}
TABLE_OPT |= {
    f"3{hex_digit}": ("01", f"320{n}") for n, hex_digit in enumerate("ABCDEF")
}
TABLE_OPT |= {f"A{n}": ("01", f"392{n}") for n in range(10)}
TABLE_OPT |= {f"C{n}": ("255", f"390{n}") for n in range(10)}
TABLE_OPT |= {f"C{hex_digit}": ("255", f"394{n}") for n, hex_digit in enumerate("ABCD")}
BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
HEX = "0123456789ABCDEF"
COMPRESSED_RE = re.compile(r"^[A-Za-z0-9_-]+$")
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
    if len(segments) == 3 and segments[0] == PRIMARY_KEY:
        path = _partly_compressed(segments) or path
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


def _partly_compressed(segments: list[str]) -> str | None:
    """Return the uncompressed path of `/01/{gtin}/{compressed rest}`, or None.

    GS1's toolkit writes this form when asked to keep the primary key
    uncompressed (gs1ElementStringsToCompressedGS1DigitalLink with
    uncompressedPrimary): the qualifiers and attributes follow compressed.
    """
    try:
        values = decompress(segments[2])
    except ValueError:
        return None
    if PRIMARY_KEY in values:
        return None
    return _path_of({PRIMARY_KEY: segments[1]} | values)


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


def _component(notation: str) -> tuple[str, bool, int]:
    """Return (kind, fixed, size) of "N14", "N..8" or "X..20"."""
    kind, size = notation[0], notation.lstrip("NX.")
    return kind, ".." not in notation, int(size)


def _encode_value(ai: str, value: str) -> str:
    """Return the bits of an AI's value (one variable component at most last)."""
    bits = ""
    for notation in TABLE_F[ai]:
        kind, fixed, size = _component(notation)
        part, value = (value[:size], value[size:]) if fixed else (value, "")
        if kind == "N" and fixed:
            if len(part) != size or not is_ascii_number(part):
                raise ValueError(f"AI ({ai}) takes {size} digits")
            bits += format(int(part), f"0{_value_bits(size)}b")
        elif kind == "N":
            if not (part == "" or is_ascii_number(part)) or len(part) > size:
                raise ValueError(f"AI ({ai}) takes up to {size} digits")
            bits += format(len(part), f"0{_length_bits(size)}b")
            bits += format(int(part or 0), f"0{_value_bits(len(part))}b")
        else:
            bits += _encode_text(ai, part, size)
    if value:
        raise ValueError(f"AI ({ai}) value too long")
    return bits


def _encode_text(ai: str, value: str, size: int) -> str:
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
    """Return the AI values of a compressed path segment, in their order.

    Each AI is its digits (table P gives how many) or one hex pair of
    table Opt standing for a sequence of AIs. Raise ValueError for a
    segment that is not a compressed GS1 Digital Link of the AIs this module
    knows.
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
            sequence: tuple[str, ...] = (ai,)
        elif h1h2 in TABLE_OPT:
            sequence = TABLE_OPT[h1h2]
        else:
            raise ValueError(f"unsupported sequence {h1h2}")
        for ai in sequence:
            if ai in values:
                raise ValueError(f"AI ({ai}) twice")
            values[ai] = _decode_value(ai, reader)
    if not values:
        raise ValueError("no AI")
    return values


def decompress_key(segment: str) -> ItemKey:
    """Return the key of a compressed segment, checked like an uncompressed path.

    Raise ValueError if it does not decompress, UnsupportedKey if it holds
    another primary key than the GTIN, DigitalLinkError if what it holds is
    not a well-formed GS1 Digital Link of a GTIN.
    """
    values = decompress(segment)
    if PRIMARY_KEY not in values:
        raise UnsupportedKey(next(iter(values)))
    return parse_path(_path_of(values))


def _path_of(values: dict[str, str]) -> str:
    """Return the uncompressed path of a GTIN and its qualifiers, in path order."""
    path = "/01/" + values[PRIMARY_KEY]
    for ai in QUALIFIERS:
        if ai in values:
            path += f"/{ai}/{quote(values[ai], safe='')}"
    return path


def _decode_value(ai: str, reader: "_Bits") -> str:
    value = ""
    for notation in TABLE_F[ai]:
        kind, fixed, size = _component(notation)
        if kind == "N" and fixed:
            value += str(reader.number(_value_bits(size))).zfill(size)
        elif kind == "N":
            count = reader.number(_length_bits(size))
            # An empty component still has its one value bit (ceil(0.01)), as
            # GS1's toolkit writes it; the length is encoded, so leading
            # zeros survive (the toolkit drops them).
            number = reader.number(_value_bits(count))
            value += str(number).zfill(count) if count else ""
        else:
            value += _decode_text(reader, size)
    return value


def _decode_text(reader: "_Bits", size: int) -> str:
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
