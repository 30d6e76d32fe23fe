"""The public scan page and its JSON twin (issue 5) and GS1 resolver answers."""

import datetime
import io
import threading
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import close_old_connections, connection
from django.test import Client
from django.utils import timezone

from inspections.choices import InspectionKind
from inspections.services.holds import batch_hold_release_sign
from inspections.services.inspections import inspection_sign
from labels import codes, scans
from labels import services as label_services
from labels.models import Label, ScanEvent
from tests.conftest import leaks_in
from tests.factories import (
    BatchFactory,
    BenefitLinkFactory,
    HouseholdFactory,
    make_gtin13,
)
from tests.inspections.factories import enzyme, record_inspection
from trace.choices import BatchStatus
from trace.models import ProductLine
from trace.services.batches import batch_hold, batch_recall, batch_set_contributions
from trace.services.certification import certification_revoke, certification_suspend
from trace.services.events import trace_event_record
from trace.services.households import household_record_public_name_consent
from trace.services.registry import product_line_update

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_throttles(settings):
    """Each test gets its own throttle counters."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "scan-tests",
        }
    }
    from django.core.cache import cache

    cache.clear()


def print_labels(batch, user, count=3):
    job = label_services.print_job_create(
        batch=batch, template="a4-3x8", count=count, requested_by=user, enqueue=False
    )
    return list(Label.objects.filter(print_job=job).order_by("sequence"))


def harvest_morning(batch) -> datetime.datetime:
    """Return 08:00 on the batch's harvest date: events may not precede it."""
    return datetime.datetime.combine(
        batch.harvest_date,
        datetime.time(8),
        tzinfo=timezone.get_current_timezone(),
    )


@pytest.fixture
def scanned(world):
    """Batch A with contributions, events, a signed passing spot check and labels."""
    batch = world.batch_a
    batch_set_contributions(
        batch=batch,
        contributions=[
            {
                "household": world.household_a,
                "quantity": Decimal("40"),
                "amount_paid": Decimal("1280"),
            }
        ],
    )
    trace_event_record(
        batch=batch,
        recorded_by=world.operator_a,
        kind="harvest",
        occurred_at=harvest_morning(batch),
        place="古楼村茶园",
        actor="洞口县古楼茶业专业合作社",
    )
    inspection = record_inspection(
        batch=batch, user=world.inspector, organisation="洞口县市场监督管理局"
    )
    inspection_sign(inspection=inspection, signed_by=world.inspector)
    labels = print_labels(batch, world.operator_a)
    return labels


_addresses = iter(range(1, 10**6))


def page(client, label, **extra):
    """Scan a label's page, by default as a new client (each counts once)."""
    extra.setdefault("REMOTE_ADDR", f"10.{next(_addresses) % 250}.0.{len(extra)}")
    return client.get(f"/t/{label.serial}", **extra)


def phone():
    """Return the address of a new phone (`phone.last` is the latest)."""
    number = next(_addresses)
    phone.last = f"198.18.{number // 250 % 250}.{number % 250}"
    return phone.last


def test_genuine_page_shows_the_story(world, scanned, client):
    response = page(client, scanned[0])
    assert response.status_code == 200
    html = response.content.decode()
    assert "正品" in html
    for text in [
        "古楼云雾茶",
        "洞口县古楼茶业专业合作社",
        "湖南省 邵阳市 洞口县 古楼乡 古楼村",
        "合格",
        "洞口县市场监督管理局",
        "GL2026A",
        "1280.00",
        "采收",
    ]:
        assert text in html, text
    assert len(response.content) < 20_000


def test_json_twin_answers_json_whatever_the_accept_header(world, scanned, client):
    response = client.get(f"/api/v1/scan/{scanned[0].serial}", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json()["label"]["serial"] == scanned[0].serial


def test_json_twin_carries_the_same_facts(world, scanned, client):
    body = client.get(f"/api/v1/scan/{scanned[0].serial}").json()
    assert body["verdict"] == "genuine"
    assert body["product"]["name"] == "古楼云雾茶"
    assert body["batch"]["origin"] == "湖南省 邵阳市 洞口县 古楼乡 古楼村"
    assert body["inspections"][0]["verdict"] == "pass"
    assert body["benefit"]["batch_households"] == 1
    assert body["benefit"]["amount_paid"] == "1280.00"
    assert body["label"]["scan_count"] == 1


def test_every_scan_is_recorded_without_a_raw_address(world, scanned, client):
    label = scanned[0]
    page(
        client,
        label,
        REMOTE_ADDR="203.0.113.9",
        HTTP_USER_AGENT="MicroMessenger/8.0",
        HTTP_X_SUYUAN_CITY="邵阳市",
    )
    client.get(f"/api/v1/scan/{label.serial}", REMOTE_ADDR="203.0.113.10")
    label.refresh_from_db()
    assert label.scan_count == 2
    assert label.first_scanned_city == "邵阳市"
    events = list(
        ScanEvent.objects.filter(label=label).values(
            "client_hash", "user_agent", "city"
        )
    )
    assert len(events) == 2
    assert all("203.0.113." not in str(event) for event in events)
    assert events[0]["client_hash"] != events[1]["client_hash"]


@pytest.mark.parametrize(
    ("change", "code", "words"),
    [
        ("hold", "batch_on_hold", "暂停销售"),
        ("recall", "batch_recalled", "已召回"),
        ("suspend", "certification_suspended", "认定已暂停"),
        ("revoke", "certification_revoked", "认定已被撤销"),
        ("void", "label_void", "标签已作废"),
    ],
)
def test_every_warning_state_is_impossible_to_miss(
    world, scanned, client, change, code, words
):
    label = scanned[0]
    certification = world.producer_a.certifications.get()
    if change == "hold":
        batch_hold(batch=world.batch_a, changed_by=world.inspector, reason="快检疑似")
    elif change == "recall":
        batch_recall(
            batch=world.batch_a, changed_by=world.admin, reason="实验室确认超标"
        )
    elif change == "suspend":
        certification_suspend(
            certification=certification, reason="整改", changed_by=world.admin
        )
    elif change == "revoke":
        certification_revoke(
            certification=certification, reason="造假", changed_by=world.admin
        )
    else:
        label_services.labels_void(
            voided_by=world.operator_a, reason="印错", label=label
        )
    response = page(client, label)
    html = response.content.decode()
    assert response.status_code == (410 if change == "void" else 200)
    assert 'class="band bad" role="alert"' in html
    assert words in html
    assert "正品 · 已认证" not in html
    body = client.get(f"/api/v1/scan/{label.serial}").json()
    assert body["verdict"] in ("warning", "void")
    assert code in [warning["code"] for warning in body["warnings"]]


def test_failed_rapid_test_turns_the_page_into_a_warning(world, scanned, client):
    record_inspection(
        batch=world.batch_a,
        user=world.inspector,
        kind=InspectionKind.RAPID_TEST,
        items=[enzyme("62")],
    )
    world.batch_a.refresh_from_db()
    assert world.batch_a.status == BatchStatus.ON_HOLD
    assert "暂停销售" in page(client, scanned[0]).content.decode()


@pytest.mark.parametrize(
    "serial", ["NOT-A-SERIAL", "0" * 20, "ABCDEFGHJKMNPQRSTVWX", "x" * 300]
)
def test_forged_code_is_a_404_without_touching_the_database(
    client, django_assert_num_queries, serial, db
):
    with django_assert_num_queries(0):
        response = client.get(f"/t/{serial}")
    assert response.status_code == 404
    assert "查无此码" in response.content.decode()
    with django_assert_num_queries(0):
        assert client.get(f"/api/v1/scan/{serial}").status_code == 404


def test_well_formed_unknown_serial_is_the_same_404(client, db):
    response = client.get(f"/t/{codes.serial_new()}")
    assert response.status_code == 404
    assert "查无此码" in response.content.decode()


def test_mistyped_serial_is_rejected(world, scanned, client):
    serial = scanned[0].serial
    typo = serial[:5] + ("A" if serial[5] != "A" else "B") + serial[6:]
    assert client.get(f"/t/{typo}").status_code == 404
    assert client.get(f"/t/{serial.lower()}").status_code == 200  # case does not matter


def test_query_count_is_constant_as_households_and_inspections_grow(
    world, scanned, client, django_assert_max_num_queries
):
    def count_queries():
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert page(client, scanned[0]).status_code == 200
        return len(captured)

    before = count_queries()
    households = [HouseholdFactory(village=world.gulou_village) for _ in range(12)]
    for household in households:
        BenefitLinkFactory(producer=world.producer_a, household=household)
    batch_set_contributions(
        batch=world.batch_a,
        contributions=[
            {"household": h, "quantity": Decimal("1"), "amount_paid": Decimal("10")}
            for h in households
        ],
    )
    for _ in range(6):
        inspection = record_inspection(batch=world.batch_a, user=world.inspector)
        inspection_sign(inspection=inspection, signed_by=world.inspector)
    for hour in range(8):  # after the harvest, in the past
        trace_event_record(
            batch=world.batch_a,
            recorded_by=world.operator_a,
            kind="ship",
            occurred_at=harvest_morning(world.batch_a)
            + datetime.timedelta(hours=1 + hour),
        )
    assert count_queries() == before
    # The count is raised, then read back (labels.scans._label_counts_add).
    assert before <= 18


def test_throttle_answers_429_per_serial_but_not_for_other_serials(
    world, scanned, client, settings
):
    settings.SUYUAN_SCAN_RATE_PER_SERIAL = "3/min"
    label, other = scanned[0], scanned[1]
    statuses = [page(client, label).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert page(client, other).status_code == 200
    assert client.get(f"/api/v1/scan/{label.serial}").status_code == 429


def test_forged_forwarded_for_does_not_reset_the_client_limit(
    world, scanned, client, settings
):
    settings.SUYUAN_SCAN_RATE_PER_CLIENT = "3/min"
    settings.REST_FRAMEWORK = settings.REST_FRAMEWORK | {"NUM_PROXIES": 1}
    statuses = [
        page(
            client,
            scanned[index % 3],
            HTTP_X_FORWARDED_FOR=f"10.0.0.{index}, 198.51.100.7",
        ).status_code
        for index in range(4)
    ]
    assert statuses[-1] == 429


# GS1 Digital Link and resolver behaviour.


@pytest.fixture
def gtin_labels(world, scanned):
    product_line = ProductLine.objects.get(pk=world.batch_a.product_line_id)
    product_line.gtin = "0" + make_gtin13()
    product_line.save()
    return Label.objects.filter(batch=world.batch_a).select_related(
        "batch__product_line"
    )


def test_digital_link_resolves_to_the_same_page(world, gtin_labels, client):
    label = gtin_labels[0]
    url = label.url().removeprefix("http://127.0.0.1:8000")
    assert url.startswith("/01/")
    response = client.get(url, follow=True)  # the resolver's 307 to /t/
    assert response.status_code == 200
    assert "古楼云雾茶" in response.content.decode()


def test_digital_link_with_wrong_lot_or_gtin_is_404(world, gtin_labels, client):
    label = gtin_labels[0]
    gtin = label.batch.product_line.gtin
    assert client.get(f"/01/{gtin}/10/OTHERLOT/21/{label.serial}").status_code == 404
    other_gtin = "0" + make_gtin13()
    assert (
        client.get(
            f"/01/{other_gtin}/10/{label.batch.lot_code}/21/{label.serial}"
        ).status_code
        == 404
    )


GENUINE_WORDING = ["正品", "已认证", "已放行", "有效", "合格", "统一品牌", "带贫成效"]


def test_void_label_page_shows_the_void_and_nothing_genuine(world, gtin_labels, client):
    label = gtin_labels[0]
    page(client, label)
    label_services.labels_void(voided_by=world.operator_a, reason="破损", label=label)
    label.refresh_from_db()
    for url in [
        label.url().removeprefix("http://127.0.0.1:8000"),
        f"/t/{label.serial}",
    ]:
        response = client.get(url, REMOTE_ADDR=phone())
        assert response.status_code == 410
        html = response.content.decode()
        assert "标签已作废" in html and "破损" in html
        moment = timezone.localtime(label.voided_at).strftime("%Y-%m-%d %H:%M")
        assert moment in html
        for words in GENUINE_WORDING:
            assert words not in html, words
    body = client.get(f"/api/v1/scan/{label.serial}", REMOTE_ADDR=phone()).json()
    assert body["verdict"] == "void" and body["label"]["void_reason"] == "破损"
    assert set(body) == {"verdict", "warnings", "label", "product", "batch"}
    label.refresh_from_db()
    assert label.scan_count == 1  # its count stopped at the void
    assert ScanEvent.objects.filter(label=label).count() == 1


def test_draft_batch_has_no_public_page(world, client):
    draft = BatchFactory(
        producer=world.producer_a,
        product_line=ProductLine.objects.get(pk=world.batch_a.product_line_id),
        status=BatchStatus.DRAFT,
    )
    ProductLine.objects.filter(pk=draft.product_line_id).update(
        gtin="0" + make_gtin13()
    )
    draft.refresh_from_db()
    gtin = draft.product_line.gtin
    # A draft lot is an unknown lot: the resolver walks up to the product.
    lot_link = client.get(f"/01/{gtin}/10/{draft.lot_code}")
    assert lot_link.status_code == 307
    assert lot_link["Location"] == f"http://testserver/p/{gtin}"
    lot_page = client.get(f"/p/{gtin}/{draft.lot_code}")
    assert lot_page.status_code == 404
    assert "正品" not in lot_page.content.decode()
    assert client.get(f"/p/{gtin}/{draft.lot_code}/certificate").status_code == 404
    walk_up = client.get(f"/01/{gtin}/10/{draft.lot_code}/21/{codes.serial_new()}")
    assert walk_up.status_code == 404


@pytest.mark.parametrize("lot", ["%00", "A%00B", "%E4%B8%AD", "x" * 21])
def test_a_nul_byte_or_non_gs1_lot_in_the_path_is_refused(
    world, gtin_labels, client, lot
):
    gtin = gtin_labels[0].batch.product_line.gtin
    # A malformed Digital Link is a 400 (GS1 resolver); our lot pages 404.
    assert client.get(f"/01/{gtin}/10/{lot}").status_code == 400
    serial = gtin_labels[0].serial
    assert client.get(f"/01/{gtin}/10/{lot}/21/{serial}").status_code == 400
    assert client.get(f"/p/{gtin}/{lot}").status_code == 404
    assert client.get(f"/p/{gtin}/{lot}/certificate").status_code == 404


def test_scan_page_links_the_certificate_once_issued(world, scanned, client):
    from reports.services import certificate_issue

    label = scanned[0]
    assert "承诺达标合格证" not in page(client, label).content.decode()
    certificate_issue(
        batch=world.batch_a, issued_by=world.operator_a, basis=["internal_control"]
    )
    html = page(client, label).content.decode()  # the cached story moved on
    link = f'href="/t/{label.serial}/certificate"'
    assert link in html and "承诺达标合格证" in html
    response = client.get(f"/t/{label.serial}/certificate")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    ScanEvent.objects.all().delete()
    client.get(f"/t/{label.serial}/certificate")
    assert not ScanEvent.objects.exists()  # a download is not a scan


def test_unknown_serial_walks_up_to_a_lot_page_that_vouches_for_nothing(
    world, gtin_labels, client
):
    gtin = gtin_labels[0].batch.product_line.gtin
    response = client.get(f"/01/{gtin}/10/GL2026A/21/{codes.serial_new()}")
    assert response.status_code == 303
    assert response["Location"] == f"/p/{gtin}/GL2026A?unknown_serial=1"
    lot_page = client.get(response["Location"])
    assert lot_page.status_code == 200
    html = lot_page.content.decode()
    assert "古楼云雾茶" in html  # the lot is shown
    assert "此码不在记录中" in html  # but the code is not vouched for
    assert "正品" not in html and "已认证" not in html and "统一品牌" not in html
    plain = client.get(f"/01/{gtin}/10/GL2026A", follow=True).content.decode()
    assert "批次信息" in plain and "正品" not in plain  # a lot vouches for no item


def test_linkset_lists_our_pages_with_gs1_link_types(world, gtin_labels, client):
    label = gtin_labels[0]
    url = label.url().removeprefix("http://127.0.0.1:8000")
    for response in (
        client.get(url, {"linkType": "all"}),
        client.get(url, HTTP_ACCEPT="application/linkset+json"),
    ):
        assert response.status_code == 200
        assert response["Content-Type"] == "application/linkset+json"
        entry, _lot, product = response.json()["linkset"]
        assert entry["anchor"].endswith(url)
        assert "https://gs1.org/voc/pip" in product
        assert entry["https://gs1.org/voc/traceability"][0]["href"].endswith(
            f"/t/{label.serial}"
        )
        assert entry["https://gs1.org/voc/verificationService"][0]["href"].endswith(
            f"/api/v1/scan/{label.serial}"
        )
    assert not ScanEvent.objects.filter(
        label=label
    ).exists()  # a linkset lookup is not a scan


# A batch on hold or recalled vouches for nothing (issue 32).

CERTIFICATE_LINK = "查看承诺达标合格证（PDF）"
BUY_LINK = "在扶贫产品目录中查看价格和供货方式"


@pytest.fixture
def vouching(world, gtin_labels):
    """Batch A released, listed in the 目录, with a certificate issued."""
    from reports.services import certificate_issue
    from tests.catalogue import listed_entry, make_officers

    entry = listed_entry(world, make_officers(world))
    certificate_issue(
        batch=world.batch_a, issued_by=world.operator_a, basis=["internal_control"]
    )
    label = gtin_labels[0]
    gtin, lot = label.batch.product_line.gtin, label.batch.lot_code
    return {
        "label": label,
        "entry": entry,
        "gtin": gtin,
        "lot": lot,
        "page": f"/t/{label.serial}",
        "digital_link": f"/01/{gtin}/10/{lot}/21/{label.serial}",
        "certificates": [
            f"/t/{label.serial}/certificate",
            f"/p/{gtin}/{lot}/certificate",
        ],
    }


def offers(client, vouching) -> dict:
    """Return what a consumer is offered on every path of the label and its lot."""
    label, entry = vouching["label"], vouching["entry"]
    pages = [
        page(client, label).content.decode(),
        client.get(
            vouching["digital_link"], follow=True, REMOTE_ADDR=phone()
        ).content.decode(),
        client.get(
            f"/01/{vouching['gtin']}/10/{vouching['lot']}", follow=True
        ).content.decode(),
    ]
    body = client.get(f"/api/v1/scan/{label.serial}", REMOTE_ADDR=phone()).json()
    linkset = client.get(vouching["digital_link"], {"linkType": "all"}).json()
    return {
        "certificate_links": [
            CERTIFICATE_LINK in html and "/certificate" in html for html in pages
        ],
        "buy_links": [
            BUY_LINK in html and f'href="/catalogue/{entry.pk}/"' in html
            for html in pages
        ],
        "pages": pages,
        "json": body,
        "linkset_certificate": any(
            "https://gs1.org/voc/certificationInfo" in level
            for level in linkset["linkset"]
        ),
        "certificates": [client.get(url) for url in vouching["certificates"]],
    }


def is_pdf(response) -> bool:
    content = getattr(response, "streaming_content", None)
    content = b"".join(content) if content is not None else response.content
    return response["Content-Type"] == "application/pdf" and content.startswith(b"%PDF")


@pytest.mark.parametrize("buffered", [False, True], ids=["sync", "redis"])
@pytest.mark.parametrize(
    ("change", "status", "title", "code"),
    [
        ("hold", 409, "该批次已暂停销售", "batch_on_hold"),
        ("recall", 410, "该批次已召回", "batch_recalled"),
    ],
)
def test_held_or_recalled_batch_offers_no_certificate_or_buy_link(
    world,
    vouching,
    client,
    request,
    django_capture_on_commit_callbacks,
    buffered,
    change,
    status,
    title,
    code,
):
    if buffered:
        request.getfixturevalue("redis_gate")
    before = offers(client, vouching)  # also fills the cached story and facts
    assert before["certificate_links"] == [True, True, True]
    assert before["buy_links"] == [True, True, True]
    assert before["json"]["certificate_url"] == vouching["certificates"][0]
    assert before["json"]["catalogue_url"] == f"/catalogue/{vouching['entry'].pk}/"
    assert before["json"]["withheld"] is None
    assert before["linkset_certificate"]
    assert [response.status_code for response in before["certificates"]] == [200, 200]
    assert all(is_pdf(response) for response in before["certificates"])

    with django_capture_on_commit_callbacks(execute=True):
        if change == "hold":
            batch_hold(
                batch=world.batch_a, changed_by=world.inspector, reason="快检疑似"
            )
        else:
            batch_recall(
                batch=world.batch_a, changed_by=world.admin, reason="实验室确认超标"
            )

    after = offers(client, vouching)
    assert after["certificate_links"] == [False, False, False]
    assert after["buy_links"] == [False, False, False]
    for html in after["pages"]:
        assert 'class="band bad" role="alert"' in html
        assert "提供承诺达标合格证和购买渠道" in html  # says why
        assert f"/catalogue/{vouching['entry'].pk}/" not in html
    body = after["json"]
    assert body["certificate_url"] is None and body["catalogue_url"] is None
    assert body["withheld"]["code"] == code
    assert "提供承诺达标合格证和购买渠道" in body["withheld"]["message"]
    assert code in [warning["code"] for warning in body["warnings"]]
    assert not after["linkset_certificate"]
    typed = client.get(vouching["digital_link"], {"linkType": "gs1:certificationInfo"})
    assert typed.status_code == 404  # no certificate link to follow
    for response in after["certificates"]:
        assert response.status_code == status
        assert response["Content-Type"].startswith("text/html")
        assert not is_pdf(response)
        html = response.content.decode()
        assert title in html and 'class="band bad" role="alert"' in html
        assert body["warnings"][0]["message"] in html  # the scan page's warning
        assert "%PDF" not in html


def test_released_again_batch_offers_its_certificate_and_buy_link_again(
    world, vouching, client, redis_gate, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        batch_hold(batch=world.batch_a, changed_by=world.inspector, reason="快检疑似")
    assert offers(client, vouching)["certificate_links"] == [False, False, False]
    with django_capture_on_commit_callbacks(execute=True):
        batch_hold_release_sign(
            batch=world.batch_a, released_by=world.inspector, reason="复检合格"
        )
    again = offers(client, vouching)
    assert again["certificate_links"] == [True, True, True]
    assert again["buy_links"] == [True, True, True]
    assert again["json"]["withheld"] is None
    assert all(is_pdf(response) for response in again["certificates"])


def test_suspicious_label_of_held_batch_offers_no_certificate_in_json(
    world, vouching, client
):
    """The JSON built by the serializer (a label with its own warning) says the same."""
    label = vouching["label"]
    Label.objects.filter(pk=label.pk).update(
        suspicious_since=timezone.now(), suspicious_reason="多地扫码"
    )
    body = client.get(f"/api/v1/scan/{label.serial}").json()
    assert body["certificate_url"] == vouching["certificates"][0]
    assert body["catalogue_url"] and body["withheld"] is None
    batch_hold(batch=world.batch_a, changed_by=world.inspector, reason="快检疑似")
    body = client.get(f"/api/v1/scan/{label.serial}").json()
    assert "label_suspicious" in [warning["code"] for warning in body["warnings"]]
    assert body["certificate_url"] is None and body["catalogue_url"] is None
    assert body["withheld"]["code"] == "batch_on_hold"


def test_void_label_offers_no_certificate_at_its_certificate_url(
    world, vouching, client
):
    label = vouching["label"]
    label_services.labels_void(voided_by=world.operator_a, reason="印错", label=label)
    response = client.get(f"/t/{label.serial}/certificate")
    assert response.status_code == 410
    assert not is_pdf(response)
    html = response.content.decode()
    assert "标签已作废" in html and "印错" in html and CERTIFICATE_LINK not in html
    void = client.get(f"/api/v1/scan/{label.serial}")
    assert void.status_code == 410 and "certificate_url" not in void.json()


# Counterfeit signals.


def test_25_views_from_one_client_leave_the_label_green(world, scanned, client):
    label = scanned[0]
    for _ in range(25):
        response = page(client, label, REMOTE_ADDR="203.0.113.50")
        assert response.status_code == 200
    assert "正品 · 已认证" in response.content.decode()
    assert "<dt>扫码次数</dt><dd>1</dd>" in response.content.decode()
    label.refresh_from_db()
    assert label.scan_count == 1 and label.suspicious_since is None
    assert ScanEvent.objects.filter(label=label).count() == 1


def test_25_scans_from_25_clients_in_4_cities_flag_the_label(
    world, scanned, client, client_for
):
    label = scanned[0]
    cities = ["邵阳市", "长沙市", "广州市", "深圳市"]
    for number in range(25):
        page(client, label, REMOTE_ADDR=phone(), HTTP_X_SUYUAN_CITY=cities[number % 4])
    label.refresh_from_db()
    assert label.scan_count == 25
    assert label.suspicious_since is not None
    assert "不同城市" in label.suspicious_reason
    html = page(client, label).content.decode()
    assert "可能被复制" in html and "正品 · 已认证" not in html
    rows = client_for(world.admin).get("/api/v1/labels/suspicious/").json()["results"]
    assert [row["serial"] for row in rows] == [label.serial]


def test_many_clients_in_one_city_flag_the_label(world, scanned, client, settings):
    settings.SUYUAN_SCAN_ALERT_CLIENTS = 5
    label = scanned[0]
    for _ in range(6):
        page(client, label, REMOTE_ADDR=phone(), HTTP_X_SUYUAN_CITY="邵阳市")
    label.refresh_from_db()
    assert "6 个不同客户端" in label.suspicious_reason


def test_one_client_claiming_many_cities_is_not_flagged(
    world, scanned, client, settings
):
    settings.SUYUAN_SCAN_REPEAT_SECONDS = 0  # every view counts: only the rule decides
    label = scanned[1]
    for city in ["邵阳市", "长沙市", "广州市", "深圳市"]:
        page(client, label, REMOTE_ADDR="203.0.113.7", HTTP_X_SUYUAN_CITY=city)
    label.refresh_from_db()
    assert label.scan_count == 4 and label.suspicious_since is None


def test_staff_json_calls_and_workbench_views_leave_the_count_alone(
    world, scanned, client
):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    label = scanned[0]
    staff = APIClient()
    token = Token.objects.create(user=world.operator_a)
    staff.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    for _ in range(3):
        body = staff.get(f"/api/v1/scan/{label.serial}").json()
        assert body["verdict"] == "genuine"
    client.force_login(world.inspector)
    assert page(client, label).status_code == 200
    label.refresh_from_db()
    assert label.scan_count == 0
    assert not ScanEvent.objects.filter(label=label).exists()
    assert body["label"]["scan_count"] == 0


def test_one_phone_rescanning_is_not_flagged(world, scanned, client):
    for _ in range(5):
        page(client, scanned[2], HTTP_X_SUYUAN_CITY="邵阳市")
    scanned[2].refresh_from_db()
    assert scanned[2].suspicious_since is None


# Privacy.


def test_no_personal_data_on_the_public_page_or_json(world, scanned, client):
    household_record_public_name_consent(
        household=world.household_a, recorded_by=world.admin, consented=True
    )
    label = scanned[0]
    bodies = [
        page(client, label).content.decode(),
        client.get(f"/api/v1/scan/{label.serial}").content.decode(),
    ]
    id_number = world.household_a.id_number()
    for body in bodies:
        assert "王*明" in body  # consented: masked name only
        for fragment in [
            world.household_a.head_name,
            id_number,
            id_number[6:14],
            id_number[-4:],
            world.household_a.phone,
        ]:
            assert not leaks_in(body, fragment)
        assert world.inspector.username not in body
        assert f'"id": {world.batch_a.pk}' not in body


def test_masked_name_needs_consent(world, scanned, client):
    assert "王*明" not in page(client, scanned[0]).content.decode()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_scans_all_count(world, scanned, settings):
    settings.SUYUAN_SCAN_ALERT_CLIENTS = 1000
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL for real concurrent transactions")
    settings.SUYUAN_SCAN_RATE_PER_SERIAL = settings.SUYUAN_SCAN_RATE_PER_CLIENT = (
        "1000/min"
    )
    label = scanned[0]
    errors = []

    def scan_many(thread: int):
        try:
            local = Client()
            for number in range(10):
                address = f"198.51.{thread}.{number}"  # 80 phones
                assert (
                    local.get(f"/t/{label.serial}", REMOTE_ADDR=address).status_code
                    == 200
                )
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=scan_many, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    label.refresh_from_db()
    assert label.scan_count == 80
    assert ScanEvent.objects.filter(label=label).count() == 80


def test_buffered_scan_answers_from_one_redis_call_and_loses_nothing(
    world, scanned, client, redis_gate, django_assert_num_queries
):
    label = scanned[0]
    page(client, scanned[1])  # fills the batch's story cache
    with django_assert_num_queries(1):  # Redis does not know the label yet: one read
        assert "正品 · 已认证" in page(client, label).content.decode()
    assert redis_gate.exists(scans.label_key(label.serial))
    with django_assert_num_queries(0):  # now the scan is one Redis call
        html = page(client, label).content.decode()
    assert label.serial in html and "正品 · 已认证" in html
    assert "<dt>扫码次数</dt><dd>2</dd>" in html
    with django_assert_num_queries(0):
        body = client.get(f"/api/v1/scan/{label.serial}", REMOTE_ADDR=phone()).json()
    assert body["label"]["scan_count"] == 3  # live, before the flush
    assert body["label"]["first_scanned_at"] is not None
    assert body["verdict"] == "genuine" and body["inspections"]
    assert not ScanEvent.objects.filter(label=label).exists()
    assert scans.scan_buffer_flush() == 4  # with the other label's scan
    label.refresh_from_db()
    assert label.scan_count == 3
    assert ScanEvent.objects.filter(label=label).count() == 3
    body = client.get(f"/api/v1/scan/{label.serial}", REMOTE_ADDR=phone()).json()
    assert body["label"]["scan_count"] == 4
    repeated = client.get(f"/api/v1/scan/{label.serial}", REMOTE_ADDR=phone.last)
    assert repeated.json()["label"]["scan_count"] == 4  # the same phone again
    assert scans.scan_buffer_flush() == 1


def test_new_print_job_is_published_so_its_first_scan_reads_no_database(
    world, client, redis_gate, django_assert_num_queries
):
    job = label_services.print_job_create(
        batch=world.batch_a,
        template="a4-3x8",
        count=2,
        requested_by=world.operator_a,
        enqueue=False,
    )
    label_services.print_job_render(print_job_id=job.pk)  # what the worker runs
    label = job.labels.first()
    page(client, job.labels.last())  # fills the batch's story cache
    with django_assert_num_queries(0):
        body = client.get(f"/api/v1/scan/{label.serial}").json()
    assert body["label"] | {"checked_at": None} == {
        "serial": label.serial,
        "status": "active",
        "scan_count": 1,
        "first_scanned_at": body["label"]["first_scanned_at"],
        "first_scanned_city": "",
        "suspicious": False,
        "checked_at": None,
    }


def test_void_and_clone_flag_reach_a_label_redis_already_knows(
    world, scanned, client, redis_gate, settings, django_capture_on_commit_callbacks
):
    settings.SUYUAN_SCAN_ALERT_CLIENTS = 2
    voided, cloned = scanned[0], scanned[1]
    assert page(client, voided).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        label_services.labels_void(
            label=voided, voided_by=world.operator_a, reason="印坏"
        )
    response = client.get(f"/api/v1/scan/{voided.serial}")
    assert response.status_code == 410 and response.json()["verdict"] == "void"
    assert response.json()["label"]["void_reason"] == "印坏"
    for _ in range(3):
        assert page(client, cloned).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        scans.scan_buffer_flush()
    body = client.get(f"/api/v1/scan/{cloned.serial}").json()
    assert "label_suspicious" in [warning["code"] for warning in body["warnings"]]
    assert body["label"]["scan_count"] == 4


def test_scans_go_on_after_redis_lost_everything(world, scanned, client, redis_gate):
    label = scanned[0]
    assert page(client, label).status_code == 200
    redis_gate.flushdb()
    redis_gate.script_flush()  # as after a restart: the gate's script is gone too
    assert page(client, label).status_code == 200
    assert scans.scan_buffer_flush() == 1  # the first scan went with Redis
    label.refresh_from_db()
    assert label.scan_count == 1
    body = client.get(f"/api/v1/scan/{label.serial}", REMOTE_ADDR=phone()).json()
    assert body["label"]["scan_count"] == 2


def test_a_scan_after_the_gates_connection_dropped_is_answered_and_counted_once(
    world, scanned, client, redis_gate
):
    label = scanned[0]
    assert page(client, label).status_code == 200
    gate_connection = scans.redis_client().client_id()
    redis_gate.client_kill_filter(_id=gate_connection)  # as an idle timeout would
    assert page(client, label).status_code == 200  # reconnected, not a 503
    assert scans.redis_client().client_id() != gate_connection
    assert scans.scan_buffer_flush() == 2
    label.refresh_from_db()
    assert label.scan_count == 2


def test_gated_digital_link_counts_only_a_matching_path(
    world, gtin_labels, client, redis_gate
):
    label = gtin_labels[0]
    gtin, lot = label.batch.product_line.gtin, label.batch.lot_code
    assert client.get(f"/01/{gtin}/10/OTHERLOT/21/{label.serial}").status_code == 404
    assert (
        client.get(f"/01/{gtin}/10/{lot}/21/{label.serial}", follow=True).status_code
        == 200
    )
    linkset = client.get(f"/01/{gtin}/10/{lot}/21/{label.serial}?linkType=all")
    assert linkset.status_code == 200
    walk_up = client.get(f"/01/{gtin}/10/{lot}/21/{codes.serial_new()}")
    assert walk_up.status_code == 303
    assert scans.scan_buffer_flush() == 1
    assert ScanEvent.objects.filter(label=label).count() == 1


def test_a_warm_digital_link_hop_asks_the_database_nothing_and_keeps_its_gtin(
    world, gtin_labels, client, redis_gate, django_assert_num_queries
):
    label = gtin_labels[0]
    line, old_gtin = label.batch.product_line, label.batch.product_line.gtin
    hop = f"/01/{old_gtin}/10/{label.batch.lot_code}/21/{label.serial}"
    assert client.get(hop).status_code == 307  # reads the label, builds the story
    with django_assert_num_queries(0):  # the gate's facts and the worker's story
        response = client.get(hop)
    assert response.status_code == 307
    assert response["Location"].endswith(f"/t/{label.serial}")
    new_gtin = "0" + make_gtin13()
    # Printed labels carry the GTIN: a released line keeps it (issue 32).
    with pytest.raises(ValidationError):
        product_line_update(product_line=line, changed_by=world.admin, gtin=new_gtin)
    product_line_update(
        product_line=line, changed_by=world.admin, name="雪峰蜜橘（新包装）"
    )
    assert client.get(hop).status_code == 307
    assert client.get(hop.replace(old_gtin, new_gtin)).status_code == 404
    assert scans.scan_buffer_flush() == 0  # hops count no scan


def test_buffered_scan_throttles_per_serial_and_records_nothing_over_it(
    world, scanned, client, redis_gate, settings
):
    settings.SUYUAN_SCAN_RATE_PER_SERIAL = "2/min"
    label = scanned[0]
    assert page(client, label).status_code == 200
    assert (
        client.get(f"/api/v1/scan/{label.serial}", REMOTE_ADDR=phone()).status_code
        == 200
    )
    assert page(client, label).status_code == 429
    assert (
        client.get(f"/api/v1/scan/{label.serial}", REMOTE_ADDR=phone()).status_code
        == 429
    )
    assert page(client, scanned[1]).status_code == 200
    assert scans.scan_buffer_flush() == 3


def test_cached_story_turns_into_a_warning_at_once_on_recall(
    world, scanned, client, redis_gate
):
    label = scanned[0]
    assert "正品 · 已认证" in page(client, label).content.decode()
    client.get(f"/api/v1/scan/{label.serial}")
    batch_recall(batch=world.batch_a, changed_by=world.admin, reason="实验室确认超标")
    html = page(client, label).content.decode()
    assert "正品 · 已认证" not in html and 'role="alert"' in html
    body = client.get(f"/api/v1/scan/{label.serial}").json()
    assert "batch_recalled" in [warning["code"] for warning in body["warnings"]]


def test_linkset_names_the_certificate_once_issued(world, gtin_labels, client):
    from reports.services import certificate_issue

    label = gtin_labels[0]
    url = label.url().removeprefix("http://127.0.0.1:8000")
    assert (
        "https://gs1.org/voc/certificationInfo"
        not in client.get(url, {"linkType": "all"}).json()["linkset"][1]
    )
    certificate_issue(
        batch=world.batch_a, issued_by=world.operator_a, basis=["internal_control"]
    )
    entry = client.get(url, {"linkType": "all"}).json()["linkset"][1]  # the lot
    href = entry["https://gs1.org/voc/certificationInfo"][0]["href"]
    response = client.get(href.removeprefix("http://testserver"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_a_cached_story_ends_with_the_day_a_certification_expires(
    world, scanned, client, redis_gate, monkeypatch
):
    """No write happens at midnight; the new date alone must renew the story."""
    from django.utils import timezone

    from trace.models import Certification

    today = timezone.localdate()
    Certification.objects.filter(producer=world.producer_a).update(valid_until=today)
    label = scanned[0]
    assert "正品 · 已认证" in page(client, label).content.decode()
    monkeypatch.setattr(
        timezone,
        "localdate",
        lambda *args, **kwargs: today + datetime.timedelta(days=1),
    )
    body = client.get(f"/api/v1/scan/{label.serial}").json()
    assert "certification_expired" in [w["code"] for w in body["warnings"]]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_scan_lookup_reconnects_when_postgresql_dropped_the_connection(
    world, scanned, client
):
    """Django's health check (CONN_HEALTH_CHECKS) replaces a connection that died.

    A request starts with `close_old_connections` (Django's request_started
    handler, which the test client leaves out), so the first query of the
    next scan checks the kept connection and opens a new one.
    """
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL to terminate a backend")
    import psycopg2

    label = scanned[0]
    assert page(client, label).status_code == 200
    backend = connection.connection.get_backend_pid()
    settings_dict = connection.settings_dict
    killer = psycopg2.connect(
        dbname=settings_dict["NAME"],
        user=settings_dict["USER"],
        host=settings_dict["HOST"] or None,
        port=settings_dict["PORT"] or None,
        password=settings_dict["PASSWORD"] or None,
    )
    try:
        with killer.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [backend])
    finally:
        killer.close()
    close_old_connections()  # what Django's WSGI handler does as a request starts
    assert page(client, label).status_code == 200
    assert connection.connection.get_backend_pid() != backend


def test_publishing_again_keeps_the_live_scan_count(world, scanned, client, redis_gate):
    label = scanned[0]
    for _ in range(2):
        page(client, label)
    assert scans.labels_publish(Label.objects.filter(pk=label.pk)) == 1
    body = client.get(f"/api/v1/scan/{label.serial}", REMOTE_ADDR=phone()).json()
    assert body["label"]["scan_count"] == 3  # not 1: the database lags the buffer
    call_command("scan_cache_publish", "--replace", stdout=io.StringIO())
    body = client.get(f"/api/v1/scan/{label.serial}", REMOTE_ADDR=phone()).json()
    assert body["label"]["scan_count"] == 1  # the database's 0, then this scan


def test_gated_json_errors_are_drf_errors(world, scanned, client, redis_gate, settings):
    settings.SUYUAN_SCAN_RATE_PER_SERIAL = "1/min"
    label = scanned[0]
    check = "11" if label.serial.endswith("00") else "00"
    forged = client.get(f"/api/v1/scan/{label.serial[:-2]}{check}")
    assert forged.status_code == 404 and forged.json() == {"detail": "未找到。"}
    assert client.get(f"/api/v1/scan/{label.serial}").status_code == 200
    throttled = client.get(f"/api/v1/scan/{label.serial}")
    assert throttled.status_code == 429
    assert int(throttled["Retry-After"]) >= 1
    assert "detail" in throttled.json()
    assert client.get(f"/api/v1/scan/{scanned[1].serial}").status_code == 200


def test_json_scan_answers_other_methods_as_drf_does(world, scanned, client):
    label = scanned[0]
    head = client.head(f"/api/v1/scan/{label.serial}", REMOTE_ADDR=phone())
    assert head.status_code == 200 and head["Content-Type"] == "application/json"
    posted = client.post(f"/api/v1/scan/{label.serial}", {}, REMOTE_ADDR=phone())
    assert posted.status_code == 405 and "detail" in posted.json()
    options = client.options(f"/api/v1/scan/{label.serial}")
    assert options.status_code == 200 and "GET" in options["Allow"]
    label.refresh_from_db()
    assert label.scan_count == 1  # the HEAD: a scan all the same


def test_scan_gives_up_when_redis_stops_answering(
    world, scanned, client, settings, redis_gate, caplog, monkeypatch
):
    """A Redis that stops answering is a 503 within the socket timeout, not a hang.

    CLIENT PAUSE holds every write for 5 s, as a Redis stuck behind a full
    disk would; the socket timeout is 0.3 s. The outage is logged once.
    """
    import time

    from config import middleware

    monkeypatch.setattr(middleware, "_logged_at", {})
    settings.CACHES["default"]["OPTIONS"] = {"socket_timeout": 0.3}
    label = scanned[0]
    assert page(client, label).status_code == 200  # connected, socket tuned
    redis_gate.execute_command("CLIENT", "PAUSE", 5000, "WRITE")
    try:
        started = time.monotonic()
        response = page(client, label)
        assert time.monotonic() - started < 2
        assert response.status_code == 503
        assert response["Retry-After"] == "30"
        assert "扫码服务暂时不可用" in response.content.decode()
        assert "正品" not in response.content.decode()
        started = time.monotonic()
        response = client.get(f"/api/v1/scan/{label.serial}")
        assert time.monotonic() - started < 2
        assert response.status_code == 503
        assert response.json() == {"detail": "服务暂时不可用，请稍后再试。"}
        assert response["Retry-After"] == "30"
    finally:
        redis_gate.execute_command("CLIENT", "UNPAUSE")
    outage = [r for r in caplog.records if r.name == "config.middleware"]
    assert [r.getMessage() for r in outage] == [
        "redis unavailable (TimeoutError): answering 503 until it is back"
    ]
    assert page(client, label).status_code == 200  # and it recovers


@pytest.mark.parametrize("city", ["", "邵阳市", 'Line\u2028sep "quoted" </script>'])
def test_json_scan_is_the_serializers_whole_body(
    world, scanned, client, city, redis_gate
):
    """The batch part kept per story changes nothing: the body is the serializer's."""
    from django.utils.dateparse import parse_datetime
    from rest_framework.renderers import JSONRenderer

    from api.scan.story import batch_story_entry, label_story
    from api.scan.views import ScanStorySerializer

    label = scanned[0]
    for _ in range(2):  # the first scan keeps the batch part, the second reuses it
        response = client.get(
            f"/api/v1/scan/{label.serial}", REMOTE_ADDR=phone(), HTTP_X_SUYUAN_CITY=city
        )
        assert response.status_code == 200
        body = response.json()
        label.refresh_from_db()
        label.scan_count = body["label"]["scan_count"]  # the live count, in Redis
        label.first_scanned_city = body["label"]["first_scanned_city"]
        label.first_scanned_at = parse_datetime(body["label"]["first_scanned_at"])
        story = label_story(
            label=label, entry=batch_story_entry(batch_id=label.batch_id)
        )
        story.label["checked_at"] = parse_datetime(body["label"]["checked_at"])
        story.certificate_url = body["certificate_url"]
        assert response.content == JSONRenderer().render(
            ScanStorySerializer(story).data
        )


def test_the_gs1_item_path_is_throttled_like_the_short_path(
    world, gtin_labels, client, settings
):
    """Issue 34: made-up serials could be tried on /01/… without limit."""
    settings.SUYUAN_SCAN_RATE_PER_CLIENT = "3/min"
    gtin = gtin_labels[0].batch.product_line.gtin
    made_up = [
        client.get(f"/01/{gtin}/10/GL2026A/21/{codes.serial_new()}").status_code
        for _ in range(4)
    ]
    assert made_up == [303, 303, 303, 429]
    real = client.get(f"/01/{gtin}/10/GL2026A/21/{gtin_labels[0].serial}")
    assert real.status_code == 429 and int(real["Retry-After"]) > 0


def test_the_gs1_item_path_counts_per_serial_too(world, gtin_labels, client, settings):
    settings.SUYUAN_SCAN_RATE_PER_SERIAL = "2/min"
    gtin = gtin_labels[0].batch.product_line.gtin
    path = f"/01/{gtin}/10/GL2026A/21/{codes.serial_new()}"
    codes_seen = [
        client.get(path, REMOTE_ADDR=f"10.0.5.{n}").status_code for n in range(3)
    ]
    assert codes_seen == [303, 303, 429]


def test_an_open_review_says_under_review_and_suspends_after_the_countys_days(
    world, scanned, client, client_for
):
    """认定复核中 on the scan page and the catalogue; suspended when overdue."""
    from tests.catalogue import listed_entry, make_officers
    from trace.choices import CertificationStatus
    from trace.models import CertificationPolicy, CertificationReview
    from trace.services.households import benefit_link_end
    from trace.tasks import certification_reviews_suspend_overdue_task

    officers = make_officers(world)
    entry = listed_entry(world, officers)
    certification = world.producer_a.certifications.get()
    benefit_link_end(
        benefit_link=world.producer_a.benefit_links.get(),
        ended_on=timezone.localdate(),
        changed_by=world.admin,
    )
    review = CertificationReview.objects.get(certification=certification)
    label = scanned[0]
    html = page(client, label).content.decode()
    assert "认定复核中" in html
    body = client.get(f"/api/v1/scan/{label.serial}").json()
    assert "certification_under_review" in [w["code"] for w in body["warnings"]]
    item = client_for(None).get(f"/api/v1/catalogue/{entry.pk}/").json()
    assert item["certification_under_review"] is True
    assert "认定复核中" in client.get("/catalogue/").content.decode()

    # No county number: nothing is suspended, however long the review waits.
    later = timezone.localdate() + datetime.timedelta(days=400)
    from trace.services.certification import certification_reviews_suspend_overdue

    assert certification_reviews_suspend_overdue(on=later) == 0
    CertificationPolicy.objects.create(
        region=world.dongkou,
        eligible_producer_kinds=["cooperative"],
        qualifying_benefit_kinds=["employment"],
        min_households=1,
        review_suspend_after_days=30,
        source_document="洞口县扶贫办（复核时限，演示）",
    )
    assert (
        certification_reviews_suspend_overdue(
            on=timezone.localdate() + datetime.timedelta(days=29)
        )
        == 0
    )
    CertificationReview.objects.filter(pk=review.pk).update(
        opened_at=timezone.now() - datetime.timedelta(days=30)
    )
    assert certification_reviews_suspend_overdue_task.delay().get() == 1
    certification.refresh_from_db()
    review.refresh_from_db()
    assert certification.status == CertificationStatus.SUSPENDED
    assert "超过县定 30 天未作决定，自动暂停" in certification.status_reason
    assert review.status == "suspended" and review.resolved_by is None
    assert "认定已暂停" in page(client, label).content.decode()
    assert certification_reviews_suspend_overdue_task.delay().get() == 0


def test_a_processed_products_page_names_its_production_date(world, scanned, client):
    label = scanned[0]
    assert "采收日期" in page(client, label).content.decode()
    ProductLine.objects.filter(pk=world.batch_a.product_line_id).update(processed=True)
    cache.clear()  # the story is cached; a product line edit is rare
    html = page(client, label).content.decode()
    assert "生产日期" in html and "采收" not in html.split("生产主体")[0]
