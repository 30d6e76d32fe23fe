"""GS1's resolver test suite, check by check, against the live test server.

Each test is named after the check's id in gs1/GS1DL-resolver-testsuite
(`GS1DigitalLinkResolverTestSuite.js`) and decides as that check does: the
suite asks with curl without following redirects (tester.php), so do these,
with `requests` and allow_redirects=False. Not here: the TLS checks (isHttps,
tlsOK), a deployment matter (README, "TLS"). The schemas and the ratified
link types are GS1's own files, kept in tests/api/gs1/ (its README says
where each comes from). Case (issue 32) is asked through Django's test
client, with and without the Redis scan gate.
"""

import json
import pathlib
import re

import jsonschema
import pytest
import requests
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from labels import codes, scans
from labels import services as label_services
from labels.digital_link import ItemKey, compress, parse_path
from labels.models import Label, ScanEvent
from reports.services import certificate_issue
from tests.factories import BatchFactory, make_gtin13
from trace.choices import BatchStatus
from trace.models import ProductLine

pytestmark = pytest.mark.django_db(transaction=True)

GS1 = pathlib.Path(__file__).parent / "gs1"
LINKSET_SCHEMA = json.loads((GS1 / "gs1-linkset-schema.json").read_text())
DESCRIPTION_SCHEMA = json.loads(
    (GS1 / "gs1-resolver-description-file-schema.json").read_text()
)
RATIFIED = json.loads((GS1 / "gs1-web-vocabulary-linktypes.json").read_text())
# The suite's 'RE2' (GS1 Digital Link 1.2), with its case-insensitive flag.
PLAUSIBLE_DL = re.compile(
    r"^https?:(\/\/((([^\/?#]*)@)?([^\/?#:]*)(:([^\/?#]*))?))?([^?#]*)"
    r"(((\/(01|8006|8013|8010|414|417|8017|8018|255|00|253|401|402|8003|8004)\/)"
    r"(\d{4}[^\/]+)(\/[^/]+\/[^/]+)?[/]?(\?([^?\n]*))?(#([^\n]*))?))",
    re.IGNORECASE,
)
ORIGIN = {"Origin": "https://ref.gs1.org/test-suites/resolver/"}
GS1_NAMESPACE = re.compile(r"https://((ref\.)|(www\.))?gs1\.org/voc/", re.IGNORECASE)


@pytest.fixture(autouse=True)
def local_cache(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "resolver-tests",
        }
    }
    cache.clear()


@pytest.fixture
def label(world):
    """A printed label of batch A, whose product line has a GTIN."""
    product_line = ProductLine.objects.get(pk=world.batch_a.product_line_id)
    product_line.gtin = "0" + make_gtin13()
    product_line.save()
    job = label_services.print_job_create(
        batch=world.batch_a,
        template="a4-3x8",
        count=2,
        requested_by=world.operator_a,
        enqueue=False,
    )
    return (
        Label.objects.filter(print_job=job)
        .select_related("batch__product_line")
        .order_by("sequence")
        .first()
    )


@pytest.fixture
def server(live_server):
    # The suite takes only a host with a dot for a URL (its isURL check).
    return live_server.url.replace("localhost", "127.0.0.1")


@pytest.fixture
def dl(server, label):
    """The label's GS1 Digital Link URI on the live server."""
    batch = label.batch
    key = ItemKey(batch.product_line.gtin, batch.lot_code, label.serial)
    return server + key.path()


def get(url, **headers):
    return requests.get(url, headers=ORIGIN | headers, allow_redirects=False)


def linkset_of(dl):
    response = get(dl, Accept="application/linkset+json")
    assert response.status_code == 200
    return response, response.json()


def working_linkset(linkset):
    """Return the linkset with GS1's namespaces reduced to gs1: (as the suite)."""
    return json.loads(GS1_NAMESPACE.sub("gs1:", json.dumps(linkset)))


def link_types_by_level(dl, linkset):
    """Walk up from the URI as linksetTests does: the most granular link wins."""
    found = {}
    current = dl.split("?")[0]
    segments = re.match(r"https?://[^/]+(/[^?#]*)", dl).group(1).split("/")
    while len(segments) > 2:
        for entry in working_linkset(linkset)["linkset"]:
            if entry["anchor"] != current:
                continue
            for name, links in entry.items():
                if name not in ("anchor", "itemDescription", "description"):
                    found.setdefault(name, links)
        current = current.rsplit("/", 2)[0]
        segments = segments[:-2]
    return found


# Inspecting the URI (no request).


def test_validDL_and_plausibleDL_label_url_is_a_gs1_digital_link(dl):
    assert PLAUSIBLE_DL.match(dl)
    key = parse_path(re.sub(r"^https?://[^/]+", "", dl))
    assert f"/01/{key.gtin}" in dl  # 14 digits (validDL's warn otherwise)


# Checks that ask the resolver.


def test_httpVersion_server_speaks_http_1_1(server, dl):
    response = requests.head(dl, allow_redirects=False)
    assert response.raw.version >= 11


def test_rdFile_description_file_validates_against_gs1_schema(server):
    response = get(server + "/.well-known/gs1resolver", Accept="application/json")
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"  # fetch in cors mode
    document = response.json()
    jsonschema.validate(document, DESCRIPTION_SCHEMA, format_checker=None)
    assert document["supportedPrimaryKeys"] == ["01"]
    assert document["resolverRoot"] == server


def test_corsCheck_methodsCheck_linkOnRedirect_legacyLinkHeaders(dl):
    response = requests.options(
        dl,
        headers=ORIGIN | {"Access-Control-Request-Method": "GET,HEAD,OPTIONS"},
        allow_redirects=False,
    )
    assert response.headers["Access-Control-Allow-Origin"]  # corsCheck
    methods = response.headers["Access-Control-Allow-Methods"]
    assert all(method in methods for method in ("GET", "HEAD", "OPTIONS"))
    links = response.headers["Link"].split('",')
    assert any('rel="linkset"' in link for link in links)  # linkOnRedirect
    assert not any('rel="gs1:' in link for link in links)  # legacyLinkHeaders


def test_reportWith400_noErrorWith200_unknown_trailing_segment(dl):
    response = get(dl + "/foo")
    assert response.status_code == 400
    assert "GS1" in response.text  # says what is wrong


def test_trailingSlash_same_answer_with_and_without(dl):
    without, with_slash = get(dl), get(dl + "/")
    assert without.status_code == with_slash.status_code == 307
    assert without.headers["Location"] == with_slash.headers["Location"]


def test_basicWalkUp_unknown_lot_under_known_gtin_is_not_404(dl, server):
    gtin = parse_path(re.sub(r"^https?://[^/]+", "", dl)).gtin
    for url in (f"{server}/01/{gtin}/10/KL8G", f"{server}/01/{gtin}"):
        response = get(url)
        assert response.status_code == 307
        assert response.headers["Location"] == f"{server}/p/{gtin}"
    assert "古楼云雾茶" in requests.get(f"{server}/01/{gtin}/10/KL8G").text


def test_qsPassedOn_query_string_goes_with_the_redirect(dl):
    response = get(dl + "?foo=bar")
    assert response.status_code == 307
    assert "foo=bar" in response.headers["Location"]


def test_ltLinksetNoRedirect_linkType_linkset_is_200(dl):
    assert get(dl + "?linkType=linkset").status_code == 200
    assert get(dl + "?linkType=all").status_code == 200  # the deprecated form


def test_ltAcceptHeader_accept_linkset_json_is_200(dl):
    response = get(dl + "?linkType=all", Accept="application/linkset+json")
    assert response.status_code == 200


def test_validLinkset_linksetJsonldCheck_declaredContentType(dl):
    response, linkset = linkset_of(dl)
    jsonschema.validate(linkset, LINKSET_SCHEMA)  # validLinkset
    context = [
        link
        for link in response.headers["Link"].split(",")
        if 'rel="http://www.w3.org/ns/json-ld#context"' in link
        and 'type="application/ld+json"' in link
    ]
    assert context  # linksetJsonldCheck
    assert response.headers["Content-Type"].startswith("application/linkset+json")


def test_defaultLinkExists_singleDefaulLink_defaultTarget(dl):
    _response, linkset = linkset_of(dl)
    defaults = link_types_by_level(dl, linkset)["gs1:defaultLink"]
    assert len(defaults) == 1
    assert set(defaults[0]) == {"href", "title"}  # no optional attributes
    assert get(dl).headers["Location"] == defaults[0]["href"]


def test_loFor_each_link_type_redirects_to_its_link(dl, world):
    certificate_issue(
        batch=world.batch_a, issued_by=world.operator_a, basis=["internal_control"]
    )
    _response, linkset = linkset_of(dl)
    found = link_types_by_level(dl, linkset)
    assert {"gs1:pip", "gs1:traceability", "gs1:certificationInfo"} <= set(found)
    for link_type, links in found.items():
        if link_type == "gs1:defaultLink":
            continue
        assert len(links) == 1  # no 300 Multiple Choices to test
        response = get(f"{dl}?linkType={link_type}")
        assert response.status_code == 307, link_type
        assert response.headers["Location"] == links[0]["href"]
        full = get(f"{dl}?linkType=https://gs1.org/voc/{link_type[4:]}")
        assert full.headers["Location"] == links[0]["href"]


def test_linkTypesDefined_only_ratified_gs1_link_types(dl, world):
    certificate_issue(
        batch=world.batch_a, issued_by=world.operator_a, basis=["internal_control"]
    )
    _response, linkset = linkset_of(dl)
    for entry in working_linkset(linkset)["linkset"]:
        for name in entry:
            if name not in ("anchor", "itemDescription"):
                assert name.startswith("gs1:")
                assert name[4:] in RATIFIED, name


def test_specificLinkTypeNotFound_unknown_link_type_is_404(dl):
    assert get(dl + "?linkType=gs1:nosuchlt").status_code == 404
    assert get(dl + "?linkType=gs1:recallStatus").status_code == 404  # none here


# What the suite does not check but the resolver standard and the issue ask.


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/01/{bad_gtin}/10/{lot}/21/{serial}", "校验位"),
        ("/01/{gtin}/21/{serial}/10/{lot}", "GS1"),
        ("/01/{gtin}/10/{lot}/99/X", "GS1"),
        ("/01/{gtin}/10/%E8%8C%B6", "GS1"),
        ("/01/123/10/{lot}", "GS1"),
    ],
)
def test_malformed_digital_link_is_400_with_a_message(server, label, path, message):
    gtin = label.batch.product_line.gtin
    bad_gtin = gtin[:-1] + str((int(gtin[-1]) + 1) % 10)
    url = server + path.format(
        gtin=gtin, bad_gtin=bad_gtin, lot=label.batch.lot_code, serial=label.serial
    )
    response = get(url)
    assert response.status_code == 400
    assert message in response.text
    as_json = get(url, Accept="application/json")
    assert as_json.status_code == 400 and message in as_json.json()["detail"]


def test_compressed_uri_resolves_like_the_uncompressed_one(server, dl, label):
    key = parse_path(re.sub(r"^https?://[^/]+", "", dl))
    compressed = f"{server}/{compress(key)}"
    plain, packed = get(dl), get(compressed)
    assert packed.status_code == plain.status_code == 307
    assert packed.headers["Location"] == plain.headers["Location"]
    assert f'<{dl}>; rel="owl:sameAs"' in packed.headers["Link"]
    page = requests.get(compressed)
    assert page.status_code == 200 and label.serial in page.text
    _response, linkset = linkset_of(compressed)
    assert linkset["linkset"][0]["anchor"] == dl  # the subject is uncompressed


def test_a_scan_counts_once_whatever_the_hops(server, dl, label, settings):
    # Two phones (one behind a proxy that names it), so the repeat rule
    # (a phone's rescans count once) does not hide a double count.
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    key = parse_path(re.sub(r"^https?://[^/]+", "", dl))
    for phone, url in (
        ("203.0.113.7", dl),
        ("203.0.113.8", f"{server}/{compress(key)}"),
    ):
        response = requests.get(url, headers={"X-Forwarded-For": phone})
        assert response.status_code == 200  # two hops each
    assert ScanEvent.objects.filter(label=label).count() == 2
    linkset_of(dl)
    get(dl + "?linkType=gs1:pip")
    assert ScanEvent.objects.filter(label=label).count() == 2


def test_void_label_is_410_and_its_linkset_says_void(dl, label, world):
    label_services.labels_void(voided_by=world.operator_a, reason="破损", label=label)
    response = get(dl)
    assert response.status_code == 410
    assert "标签已作废" in response.text
    _response, linkset = linkset_of(dl)
    jsonschema.validate(linkset, LINKSET_SCHEMA)
    assert "已作废" in linkset["linkset"][0]["itemDescription"]


def test_unknown_gtin_is_404_and_unknown_or_forged_serials_walk_up_alike(server, label):
    gtin, lot = label.batch.product_line.gtin, label.batch.lot_code
    assert get(f"{server}/01/{'0' + make_gtin13()}").status_code == 404
    forged = label.serial[:-1] + ("0" if label.serial[-1] != "0" else "1")
    assert codes.serial_normalize(forged) is None
    walked = f"/p/{gtin}/{lot}?unknown_serial=1"
    for serial in (forged, codes.serial_new()):
        # The same answer for both: no oracle for the check characters, and
        # the lot's page says the code is not on record (issue 23).
        response = get(f"{server}/01/{gtin}/10/{lot}/21/{serial}")
        assert response.status_code == 303
        assert response.headers["Location"] == walked
    assert "此码不在记录中" in requests.get(f"{server}{walked}").text
    assert get(f"{server}/01/{gtin}/10/NOSUCHLOT/21/{forged}").status_code == 404


# Case (issue 32): a serial is what was printed. GS1 keys are case-sensitive
# (GS1 General Specifications, AI 21), so on a GS1 path another case is a
# serial never issued, or a lot not known; only a typed serial folds case.


@pytest.fixture(params=["sync", "redis gate"])
def gate(request):
    """Ask both ways a scan passes the gate: embedded, and the Redis gate."""
    if request.param == "redis gate":
        request.getfixturevalue("redis_gate")
    return request.param


def mixed_case(serial: str) -> str:
    """Return the serial with only its last letter in lower case."""
    last = max(index for index, character in enumerate(serial) if character.isalpha())
    return serial[:last] + serial[last].lower() + serial[last + 1 :]


def answer(client, path: str) -> tuple[int, str | None]:
    response = client.get(path)
    return response.status_code, response.get("Location")


def recorded_scans(label) -> int:
    """Return the label's recorded scans (the Redis gate's buffer flushed)."""
    if scans.write_mode() == scans.BUFFERED:
        scans.scan_buffer_flush()
    label.refresh_from_db()
    assert ScanEvent.objects.filter(label=label).count() == label.scan_count
    return label.scan_count


def test_a_lowercase_serial_on_the_gs1_path_is_not_the_uppercase_label(
    client, label, gate
):
    gtin, lot, serial = (
        label.batch.product_line.gtin,
        label.batch.lot_code,
        label.serial,
    )
    never = codes.serial_new()
    walked = f"/p/{gtin}/{lot}?unknown_serial=1"
    for wrong in (serial.lower(), mixed_case(serial)):
        assert wrong != serial
        key, unissued = ItemKey(gtin, lot, wrong), ItemKey(gtin, lot, never)
        for path, twin in (
            (key.path(), unissued.path()),
            ("/" + compress(key), "/" + compress(unissued)),
        ):
            with CaptureQueriesContext(connection) as queries:
                assert answer(client, path) == (303, walked), path
            # Refused by arithmetic: no label is looked up for it.
            assert not [q for q in queries if Label._meta.db_table in q["sql"]]
            assert answer(client, twin) == (303, walked)  # as a never-issued one
        page = client.get(walked).content.decode()
        assert "此码不在记录中" in page and "正品" not in page
        for path, twin in (
            (f"{key.path()}?linkType=linkset", f"{unissued.path()}?linkType=linkset"),
            (f"/01/{gtin}/21/{wrong}", f"/01/{gtin}/21/{never}"),
        ):
            assert answer(client, path) == answer(client, twin) == (404, None)
    assert recorded_scans(label) == 0
    # The label as printed still resolves, and its page counts the scan.
    status, location = answer(client, f"/01/{gtin}/10/{lot}/21/{serial}")
    assert status == 307 and location.endswith(f"/t/{serial}")
    assert serial in client.get(location).content.decode()
    assert recorded_scans(label) == 1


def test_a_typed_serial_still_folds_case(client, label, gate):
    serial = label.serial
    grouped = "-".join(serial[i : i + 4] for i in range(0, 20, 4)).lower()
    for phone, typed in enumerate((serial.lower(), mixed_case(serial), grouped)):
        response = client.get(f"/t/{typed}", REMOTE_ADDR=f"198.51.100.{phone}")
        assert response.status_code == 200, typed
        assert serial in response.content.decode()
    assert recorded_scans(label) == 3


def test_a_lot_in_another_case_is_an_unknown_lot(client, label, gate, world):
    certificate_issue(
        batch=world.batch_a, issued_by=world.operator_a, basis=["internal_control"]
    )
    gtin, lot, serial = (
        label.batch.product_line.gtin,
        label.batch.lot_code,
        label.serial,
    )
    other = lot.lower()
    assert other != lot
    never = codes.serial_new()
    assert client.get(f"/p/{gtin}/{lot}/certificate").status_code == 200
    for path, unknown in (
        (f"/01/{gtin}/10/{other}", f"/01/{gtin}/10/NOSUCHLOT"),
        (f"/01/{gtin}/10/{other}/21/{serial}", f"/01/{gtin}/10/NOSUCHLOT/21/{serial}"),
        (f"/01/{gtin}/10/{other}/21/{never}", f"/01/{gtin}/10/NOSUCHLOT/21/{never}"),
        (
            "/" + compress(ItemKey(gtin, other, serial)),
            "/" + compress(ItemKey(gtin, "NOSUCHLOT", serial)),
        ),
        (f"/p/{gtin}/{other}", f"/p/{gtin}/NOSUCHLOT"),
        (f"/p/{gtin}/{other}/certificate", f"/p/{gtin}/NOSUCHLOT/certificate"),
    ):
        assert answer(client, path) == answer(client, unknown), path
    # An unknown lot walks up to the product; with a serial it is a 404.
    assert answer(client, f"/01/{gtin}/10/{other}") == (
        307,
        f"http://testserver/p/{gtin}",
    )
    assert answer(client, f"/01/{gtin}/10/{other}/21/{serial}")[0] == 404
    assert recorded_scans(label) == 0


TOOLKIT_VECTORS = json.loads(
    (
        pathlib.Path(__file__).parents[1]
        / "labels"
        / "gs1"
        / "toolkit-compression-vectors.json"
    ).read_text()
)


def toolkit_path(sequence, index=0):
    """Return the path of a URI GS1's toolkit wrote (tests/labels/gs1/)."""
    vectors = [vector for vector in TOOLKIT_VECTORS if vector["sequence"] == sequence]
    return vectors[index]["compressed"].removeprefix("https://id.gs1.org")


def test_gs1_toolkits_1a_links_resolve_like_their_uncompressed_twin(client, world):
    # The toolkit's 1A vector names GTIN 09506000134352, lot GL2026A (batch
    # A's), a serial never issued and an expiry date (AI 17).
    ProductLine.objects.filter(pk=world.batch_a.product_line_id).update(
        gtin="09506000134352"
    )
    assert world.batch_a.lot_code == "GL2026A"
    twin = client.get("/01/09506000134352/10/GL2026A/21/6WVZKMNPQRSTABCDEF12")
    assert twin.status_code == 303  # an unknown serial walks up to its lot
    for path in (toolkit_path("1A"), toolkit_path("", index=0)):
        response = client.get(path)
        assert response.status_code == 303, path
        assert response["Location"] == twin["Location"]


def test_a_compressed_link_of_another_primary_key_is_404_saying_why(client):
    response = client.get(toolkit_path("9D"), HTTP_ACCEPT="application/json")
    assert response.status_code == 404
    assert "GTIN" in response.content.decode()


def test_a_post_to_a_digital_link_is_405_with_allow_not_a_csrf_403(dl, label):
    client = Client(enforce_csrf_checks=True)
    key = ItemKey(label.batch.product_line.gtin, label.batch.lot_code, label.serial)
    for path in (key.path(), "/" + compress(key), "/.well-known/gs1resolver"):
        response = client.post(path, {"x": "1"})
        assert response.status_code == 405, path
        assert set(response["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}


def test_error_bodies_name_no_household(server, label, world):
    gtin = label.batch.product_line.gtin
    for url in (
        f"{server}/01/{gtin}/10/X/foo",
        f"{server}/01/{gtin}?linkType=gs1:nosuchlt",
    ):
        body = get(url, Accept="application/json").text
        assert world.household_a.head_name not in body


def test_linksets_asked_for_at_the_scan_page_are_gs1_linksets(server, dl, label, world):
    page = f"{server}/t/{label.serial}?linkType=linkset"
    with_gtin = get(page).json()
    jsonschema.validate(with_gtin, LINKSET_SCHEMA)
    assert with_gtin == linkset_of(dl)[1]  # the same as the Digital Link's
    ProductLine.objects.filter(pk=label.batch.product_line_id).update(gtin=None)
    response = get(page)
    assert response.headers["Content-Type"] == "application/linkset+json"
    without = response.json()
    jsonschema.validate(without, LINKSET_SCHEMA)
    [entry] = without["linkset"]
    assert entry["anchor"] == f"{server}/t/{label.serial}"
    assert ScanEvent.objects.filter(label=label).count() == 0  # not a scan


def test_product_page_lists_public_lots_and_walks_up_from_a_draft(server, label, world):
    line = label.batch.product_line
    draft = BatchFactory(
        producer=world.producer_a,
        product_line=line,
        lot_code="DRAFT01",
        status=BatchStatus.DRAFT,
    )
    page = requests.get(f"{server}/p/{line.gtin}")
    assert page.status_code == 200
    assert label.batch.lot_code in page.text and draft.lot_code not in page.text
    assert "不能证明某一件商品的真伪" in page.text  # a product page proves no item
    response = get(f"{server}/01/{line.gtin}/10/{draft.lot_code}")
    assert response.headers["Location"] == f"{server}/p/{line.gtin}"  # no lot page
    assert requests.get(f"{server}/p/{'0' + make_gtin13()}").status_code == 404
