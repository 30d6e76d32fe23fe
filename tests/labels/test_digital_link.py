"""GS1 Digital Link parsing and compression (labels/digital_link.py)."""

import json
import pathlib

import pytest
import zxingcpp
from django.test import Client

from labels import codes, digital_link
from labels import services as label_services
from labels.choices import PrintJobStatus
from labels.digital_link import DigitalLinkError, ItemKey, UnsupportedKey
from labels.templates import TEMPLATES
from tests.factories import BrandFactory, BrandLicenseFactory, make_gtin13
from tests.labels.qr_decode import decode_cells
from trace.validators import normalize_gtin

# What GS1's reference toolkit (GS1DigitalLinkToolkit.js in
# gs1/GS1DL-resolver-testsuite, compressGS1DigitalLink without optimisations)
# writes for these URIs; the first is also GS1's published example.
GS1_TOOLKIT = [
    ("/01/09780345418913", "ARHKVAdpQg"),
    (
        "/01/06901234567892/10/GL2026A/21/ABCDEFGHJKMNPQRSTV12",
        "AQyNo0UVqCDOMXtpt0AQugAIQYgow5JRhp6CKSauuw",
    ),
    ("/01/06901234567892/10/A%2F1/21/0123456789", "AQyNo0UVqCEHBXsSEKAdbzRU"),
    ("/01/06901234567892/10/abc123", "AQyNo0UVqCBNV4JG"),
    ("/01/06901234567892/21/ABC123", "AQyNo0UVqEKNV4JG"),
    ("/01/06901234567892/10/lot-1_x/21/0042", "AQyNo0UVqCDPLRb9r_iQggBU"),
]


@pytest.mark.parametrize(("path", "compressed"), GS1_TOOLKIT)
def test_compression_matches_gs1s_toolkit(path, compressed):
    key = digital_link.parse_path(path)
    assert digital_link.compress(key) == compressed
    assert digital_link.decompress_key(compressed) == key


def test_numeric_values_keep_their_leading_zeros():
    # GS1's toolkit drops them on decompression ("0042" -> "42"); the length
    # is in the bits, so the value is kept whole here.
    values = digital_link.decompress("AQyNo0UVqCDPLRb9r_iQggBU")
    assert values == {"01": "06901234567892", "10": "lot-1_x", "21": "0042"}


@pytest.mark.parametrize(
    "serial",
    [
        "6WVZKMNPQRSTABCDEF12",
        "6wvzkmnpqrstabcdef12",
        "6wVZKMNPQRSTABCDEF12",
        "ABCDEF0123456789ABCD",  # upper-case hex: encoding 2
        "abcdef0123456789abcd",  # lower-case hex: encoding 1
    ],
)
def test_compression_keeps_the_case_of_lot_and_serial(serial):
    # GS1 keys are case-sensitive: what decompresses is what was printed.
    for lot in ("GL2026A", "gl2026a"):
        key = ItemKey("06901234567892", lot, serial)
        assert digital_link.decompress_key(digital_link.compress(key)) == key


def test_optimised_sequence_decompresses():
    # Table Opt "0B" stands for AIs 01 and 10 (bits built by hand).
    gtin_bits = format(6901234567892, "047b")
    lot_bits = "000" + format(2, "05b") + format(42, "07b")  # "42", digits
    bits = "00001011" + gtin_bits + lot_bits
    bits += "0" * (-len(bits) % 6)
    segment = "".join(
        digital_link.BASE64[int(bits[i : i + 6], 2)] for i in range(0, len(bits), 6)
    )
    assert digital_link.decompress(segment) == {"01": "06901234567892", "10": "42"}


# One URI per sequence of GS1's table Opt, written by GS1's toolkit
# (tests/labels/gs1/README.md says how).
TOOLKIT_VECTORS = json.loads(
    (
        pathlib.Path(__file__).parent / "gs1" / "toolkit-compression-vectors.json"
    ).read_text()
)
OPTIMISED = [vector for vector in TOOLKIT_VECTORS if vector["sequence"]]
PARTLY_COMPRESSED = [vector for vector in TOOLKIT_VECTORS if not vector["sequence"]]


def test_the_vectors_cover_every_sequence_of_table_opt():
    assert sorted(vector["sequence"] for vector in OPTIMISED) == sorted(
        digital_link.TABLE_OPT
    )


@pytest.mark.parametrize(
    "vector", OPTIMISED, ids=[vector["sequence"] for vector in OPTIMISED]
)
def test_every_optimised_sequence_decompresses_as_gs1s_toolkit_wrote_it(vector):
    segment = vector["compressed"].rsplit("/", 1)[1]
    values = digital_link.decompress(segment)
    assert values == vector["values"]
    if "01" in values:
        key = digital_link.decompress_key(segment)
        assert key == ItemKey(values["01"], values.get("10", ""), values.get("21", ""))
    else:  # another primary key: well formed, not served here
        with pytest.raises(UnsupportedKey):
            digital_link.decompress_key(segment)


def test_sequence_1a_reads_lot_serial_then_expiry():
    # GS1's toolkit writes 1A's values as 01, 10, 21, 17 (its table Opt).
    (vector,) = [vector for vector in OPTIMISED if vector["sequence"] == "1A"]
    segment = vector["compressed"].rsplit("/", 1)[1]
    assert list(digital_link.decompress(segment).items()) == [
        ("01", "09506000134352"),
        ("10", "GL2026A"),
        ("21", "6WVZKMNPQRSTABCDEF12"),
        ("17", "270531"),
    ]


@pytest.mark.parametrize("vector", PARTLY_COMPRESSED)
def test_a_link_with_the_gtin_uncompressed_and_the_rest_compressed_parses(vector):
    path = vector["compressed"].removeprefix("https://id.gs1.org")
    values = vector["values"]
    assert digital_link.parse_path(path) == ItemKey(
        values["01"], values["10"], values["21"]
    )


def test_a_partly_compressed_link_holding_a_second_gtin_is_malformed():
    rest = digital_link.compress(ItemKey("06901234567892", "A1"))
    with pytest.raises(DigitalLinkError):
        digital_link.parse_path(f"/01/06901234567892/{rest}")


@pytest.mark.parametrize("segment", ["catalogue0", "ZZZZZZZZZZZZ", "AQyNo0"])
def test_what_is_not_a_compressed_link_does_not_decompress(segment):
    with pytest.raises(ValueError):
        digital_link.decompress(segment)


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/01/06901234567893", "校验位"),
        ("/01/123", "14 位"),
        ("/01/06901234567892/21/S/10/L", "qualifier"),
        ("/01/06901234567892/10/L/foo", "even number"),
        ("/01/06901234567892/10/%E8%8C%B6", r"GS1 AI \(10\)"),
        ("/01/06901234567892/10/ABCDEFGHIJKLMNOPQRSTU", r"GS1 AI \(10\)"),
    ],
)
def test_malformed_paths_raise_with_a_message(path, message):
    with pytest.raises(DigitalLinkError, match=message):
        digital_link.parse_path(path)


def test_other_primary_keys_are_unsupported_not_malformed():
    with pytest.raises(UnsupportedKey):
        digital_link.parse_path("/414/9506000134376")
    with pytest.raises(DigitalLinkError):
        digital_link.parse_path("/414/95060001343")


def test_trailing_slash_and_short_gtin_are_tolerated():
    key = digital_link.parse_path("/01/6901234567892/10/A/")
    assert key == ItemKey("06901234567892", "A")
    assert key.levels() == [key, ItemKey("06901234567892")]


def test_a_decoded_slash_in_a_lot_is_found_again():
    path = digital_link.request_path(
        raw_uri=None, path="/01/06901234567892/10/A/1/21/XYZ"
    )
    assert digital_link.lot_slash_path(path) == "/01/06901234567892/10/A%2F1/21/XYZ"
    raw = digital_link.request_path(
        raw_uri="/01/06901234567892/10/A%2F1?x=1", path="/01/06901234567892/10/A/1"
    )
    assert raw == "/01/06901234567892/10/A%2F1"


def test_compressed_label_url_is_decodable_and_shorter(settings):
    settings.SUYUAN_PUBLIC_BASE_URL = "https://suyuan.example.cn"
    serial = codes.serial_new()
    plain = codes.label_url(serial=serial, gtin="06901234567892", lot="GL2026A")
    packed = codes.label_url(
        serial=serial, gtin="06901234567892", lot="GL2026A", compressed=True
    )
    assert len(packed) < len(plain)
    assert digital_link.decompress_key(packed.rsplit("/", 1)[1]) == ItemKey(
        "06901234567892", "GL2026A", serial
    )
    for url in (plain, packed):
        symbol = zxingcpp.create_barcode(
            url, zxingcpp.BarcodeFormat.QRCode, ec_level="M"
        )
        decoded = zxingcpp.read_barcode(symbol.to_image(scale=4))
        assert decoded.text == url
    # No GTIN: the short URL, whatever the option.
    assert codes.label_url(serial=serial, compressed=True).endswith(f"/t/{serial}")


@pytest.mark.django_db
def test_compressed_print_job_decodes_and_resolves_to_the_label(world, tmp_path):
    line = world.batch_a.product_line
    line.gtin = normalize_gtin(make_gtin13())
    line.brand = BrandFactory(name="洞乡源味")
    line.save()
    BrandLicenseFactory(
        brand=line.brand, producer=world.producer_a, product_lines=[line]
    )
    job = label_services.print_job_create(
        batch=world.batch_a,
        template="a4-3x8",
        count=4,
        requested_by=world.operator_a,
        link_form="compressed",
        enqueue=False,
    )
    job = label_services.print_job_render(print_job_id=job.pk)
    assert job.status == PrintJobStatus.DONE
    decoded = decode_cells(job.pdf.path, tmp_path, TEMPLATES["a4-3x8"], count=4)
    labels = list(job.labels.order_by("sequence"))
    client = Client()
    for label, (url,) in zip(labels, decoded, strict=True):
        path = url.removeprefix("http://127.0.0.1:8000")
        assert "/01/" not in path
        hop = client.get(path)
        assert hop.status_code == 307
        assert hop["Location"] == f"http://testserver/t/{label.serial}"
        assert (
            client.get(label.url().removeprefix("http://127.0.0.1:8000"))["Location"]
            == (hop["Location"])
        )
