"""The public 扶贫产品目录: pages and JSON, search, 公示 with objections, privacy."""

import io

import pytest
from django.core.cache import cache

from tests.catalogue import (
    draft_entry,
    end_notice,
    entry_in_notice,
    listed_entry,
    make_officers,
)
from tests.factories import (
    BenefitLinkFactory,
    CertificationFactory,
    HouseholdFactory,
    ProducerFactory,
    make_gtin13,
    make_pdf,
)
from trace.choices import CatalogueContactKind, ProducerKind
from trace.models import CatalogueObjection, ProductLine
from trace.services.batches import batch_hold
from trace.services.catalogue import (
    catalogue_entry_apply,
    catalogue_entry_check,
    catalogue_entry_create,
    catalogue_entry_decide,
    catalogue_notices_close,
)
from trace.services.catalogue_files import catalogue_evidence_add

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def catalogue(world):
    """A listed tea of 古楼 (洞口县), a listed herb of 廉桥 (邵东市), one in 公示."""
    officers = make_officers(world)
    ProductLine.objects.filter(pk=world.batch_a.product_line_id).update(
        gtin="0" + make_gtin13()
    )
    world.batch_a.product_line.refresh_from_db()
    tea = listed_entry(world, officers)
    herb = catalogue_entry_create(
        producer=world.producer_b,
        created_by=world.admin,
        product_line=world.batch_b.product_line,
        households=[world.household_b],
        name="玉竹",
        category="中药材",
        unit="斤",
        price="25",
        delivery_method="freight",
        season="all_year",
        planned_quantity="1000",
    )
    catalogue_entry_apply(entry=herb, applied_by=world.admin)
    catalogue_entry_check(entry=herb, checked_by=world.admin, passed=True)
    catalogue_entry_decide(entry=herb, decided_by=world.admin, approved=True)
    end_notice(herb)
    catalogue_notices_close()
    notice = entry_in_notice(
        world, officers, name="古楼红茶", delivery_method="doorstep", season="winter"
    )
    return {
        "world": world,
        "officers": officers,
        "tea": tea,
        "herb": herb,
        "notice": notice,
    }


def ids(response) -> list[int]:
    return [item["id"] for item in response.json()["results"]]


def test_json_catalogue_filters(catalogue, client_for):
    world, tea, herb = catalogue["world"], catalogue["tea"], catalogue["herb"]
    client = client_for(None)
    assert sorted(ids(client.get("/api/v1/catalogue/"))) == sorted([tea.pk, herb.pk])
    by = {
        "region": {"region": world.dongkou.pk},
        "category": {"category": "中药材"},
        "season": {"season": "winter"},  # herbs are all year, tea is spring
        "delivery": {"delivery_method": "courier"},
        "text": {"q": "云雾"},
    }
    expected = {
        "region": [tea.pk],
        "category": [herb.pk],
        "season": [herb.pk],
        "delivery": [tea.pk],
        "text": [tea.pk],
    }
    for name, params in by.items():
        assert ids(client.get("/api/v1/catalogue/", params)) == expected[name], name
    bad = client.get("/api/v1/catalogue/", {"season": "monsoon"})
    assert bad.status_code == 400 and "season" in bad.json()
    item = client.get(f"/api/v1/catalogue/{tea.pk}/").json()
    assert item["price_display"] == "88元/盒"
    assert item["delivery_method_display"] == "快递"
    assert item["contact_name"] == "李经理" and item["certified"] is True
    gtin = world.batch_a.product_line.gtin
    assert item["batches"][0]["url"].endswith(f"/01/{gtin}/10/GL2026A")
    assert client.get(f"/api/v1/catalogue/{catalogue['notice'].pk}/").status_code == 404


def test_catalogue_page_searches_and_shows_what_buyers_need(catalogue, client_for):
    world, tea = catalogue["world"], catalogue["tea"]
    client = client_for(None)
    page = client.get("/catalogue/")
    assert page.status_code == 200
    text = page.content.decode()
    for expected in ("古楼云雾茶", "88元/盒", "快递", "李经理", "0739-7000000", "玉竹"):
        assert expected in text
    assert "古楼红茶" not in text  # in 公示, not yet listed
    assert f"/01/{world.batch_a.product_line.gtin}/10/GL2026A" in text
    only_dongkou = client.get("/catalogue/", {"region": world.dongkou.pk})
    assert "玉竹" not in only_dongkou.content.decode()
    detail = client.get(f"/catalogue/{tea.pk}/")
    assert detail.status_code == 200 and "250克/盒" in detail.content.decode()
    assert client.get("/catalogue/999999/").status_code == 404


def test_notice_page_takes_an_objection_and_keeps_input_on_error(catalogue, client_for):
    notice = catalogue["notice"]
    client = client_for(None)
    page = client.get("/catalogue/notices/").content.decode()
    assert "古楼红茶" in page and "提交异议" in page
    url = f"/catalogue/notices/{notice.pk}/objection/"
    empty = client.post(url, {"text": " ", "name": "老张"}, format="multipart")
    assert empty.status_code == 400
    assert "请写明异议内容" in empty.content.decode()
    assert 'value="老张"' in empty.content.decode()
    done = client.post(
        url,
        {"text": "该产品并非本村所产", "contact": "13700000000"},
        format="multipart",
    )
    # Redirect after POST: a reload of the receipt lodges nothing again.
    assert done.status_code == 302
    assert done["Location"] == f"/catalogue/notices/?lodged={notice.pk}"
    for _reload in range(2):
        receipt = client.get(done["Location"])
        assert receipt.status_code == 200 and "已收到" in receipt.content.decode()
    assert "已收到" not in client.get("/catalogue/notices/?lodged=x").content.decode()
    objection = CatalogueObjection.objects.get(entry=notice)
    assert objection.contact == "13700000000"
    assert "13700000000" not in client.get("/catalogue/notices/").content.decode()
    listed = catalogue["tea"]
    gone = client.post(
        f"/catalogue/notices/{listed.pk}/objection/", {"text": "x"}, format="multipart"
    )
    assert gone.status_code == 404


def test_township_list_prints_its_products(catalogue, client_for):
    world = catalogue["world"]
    town = world.gulou_village.parent
    page = client_for(None).get(f"/catalogue/print/{town.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "古楼乡扶贫产品目录" in text and "88元/盒" in text and "玉竹" not in text
    assert "@page" in text  # an A4 print layout
    village = client_for(None).get(f"/catalogue/print/{world.gulou_village.pk}/")
    assert village.status_code == 404


def test_scan_page_links_to_the_catalogue_entry(catalogue, client_for):
    world, tea = catalogue["world"], catalogue["tea"]
    gtin = world.batch_a.product_line.gtin
    page = client_for(None).get(f"/01/{gtin}/10/GL2026A", follow=True)
    assert page.status_code == 200
    assert f'href="/catalogue/{tea.pk}/"' in page.content.decode()
    other = client_for(None).get(f"/catalogue/{catalogue['herb'].pk}/")
    assert other.status_code == 200


def test_entry_stays_listed_but_never_offers_a_held_batch(catalogue, client_for):
    world, tea = catalogue["world"], catalogue["tea"]
    gtin = world.batch_a.product_line.gtin
    lot_link = f"/01/{gtin}/10/GL2026A"
    client = client_for(None)
    assert lot_link in client.get(f"/catalogue/{tea.pk}/").content.decode()
    batch_hold(batch=world.batch_a, changed_by=world.inspector, reason="快检")
    item = client.get(f"/api/v1/catalogue/{tea.pk}/").json()
    assert item["name"] == "古楼云雾茶"  # the producer's entry stays listed
    assert item["batches"] == []  # but not through the held batch
    for path in ("/catalogue/", f"/catalogue/{tea.pk}/", "/api/v1/catalogue/"):
        response = client.get(path)
        assert response.status_code == 200
        assert lot_link not in response.content.decode(), path
    scan_page = client.get(lot_link, follow=True).content.decode()
    assert f'href="/catalogue/{tea.pk}/"' not in scan_page
    assert "在扶贫产品目录中查看价格和供货方式" not in scan_page


def test_public_catalogue_never_shows_household_data(catalogue, client_for):
    world = catalogue["world"]
    household = HouseholdFactory(village=world.gulou_village, head_name="赵秀英")
    producer = ProducerFactory(
        name="赵秀英",
        kind=ProducerKind.HOUSEHOLD,
        region=world.gulou_village,
        contact_person="赵秀英",
        contact_phone="13911112222",
        uscc=None,
    )
    CertificationFactory(producer=producer)
    BenefitLinkFactory(producer=producer, household=household)
    informant = catalogue["officers"].informant
    entry = catalogue_entry_create(
        producer=producer,
        created_by=informant,
        name="土鸡蛋",
        unit="个",
        price="1.5",
        delivery_method="pickup",
        planned_quantity="200",
        contact_kind=CatalogueContactKind.INFORMANT,
        informant=informant,
        households=[household],
    )
    catalogue_entry_apply(entry=entry, applied_by=informant)
    catalogue_entry_check(entry=entry, checked_by=world.admin, passed=True)
    catalogue_entry_decide(entry=entry, decided_by=world.admin, approved=True)
    client = client_for(None)
    town = world.gulou_village.parent
    pages = [
        "/catalogue/notices/",
        f"/catalogue/{entry.pk}/",
        "/api/v1/catalogue/notices/",
    ]
    bodies = [client.get(url).content.decode() for url in pages]
    end_notice(entry)
    pages = [
        "/catalogue/",
        f"/catalogue/{entry.pk}/",
        f"/catalogue/print/{town.pk}/",
        "/api/v1/catalogue/",
        f"/api/v1/catalogue/{entry.pk}/",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        bodies.append(response.content.decode())
    assert all("土鸡蛋" in body for body in bodies)
    secrets = ["赵秀英", "赵*英", "13911112222"]
    for person in (world.household_a, world.household_b, household):
        secrets += [person.head_name, person.masked_name, person.id_number()]
        secrets.append(person.phone)
    for body in bodies:
        for secret in secrets:
            assert secret not in body
    assert "古楼村农户" in bodies[-1] and "杨信息" in bodies[-1]


def test_query_count_does_not_grow_with_the_catalogue(catalogue, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    world = catalogue["world"]
    client = client_for(None)
    urls = ["/api/v1/catalogue/", "/catalogue/", "/api/v1/catalogue/notices/"]

    def counts():
        result = []
        for url in urls:
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            result.append(len(captured))
        return result

    before = counts()
    for number in range(6):
        entry = catalogue_entry_create(
            producer=world.producer_b,
            created_by=world.admin,
            product_line=world.batch_b.product_line,
            name=f"药材{number}",
            unit="斤",
            price="10",
            delivery_method="freight",
            planned_quantity="10",
        )
        catalogue_entry_apply(entry=entry, applied_by=world.admin)
        catalogue_entry_check(entry=entry, checked_by=world.admin, passed=True)
        catalogue_entry_decide(entry=entry, decided_by=world.admin, approved=True)
        if number % 2:
            end_notice(entry)
    assert counts() == before
    assert max(before) <= 12, before


def test_catalogue_page_is_paged_for_phones(catalogue, client_for, monkeypatch):
    monkeypatch.setattr("api.catalogue.PAGE_SIZE", 1)
    client = client_for(None)
    first = client.get("/catalogue/", {"delivery_method": ""}).content.decode()
    assert "第 1 / 2 页" in first and "page=2" in first
    second = client.get("/catalogue/", {"page": 2}).content.decode()
    names = {"古楼云雾茶", "玉竹"}
    assert {name for name in names if name in first} | {
        name for name in names if name in second
    } == names
    assert {name for name in names if name in first} != {
        name for name in names if name in second
    }


def test_public_catalogue_never_links_application_evidence(catalogue, client_for):
    world, officers = catalogue["world"], catalogue["officers"]
    pdf = make_pdf()

    def with_evidence(**fields):
        entry = draft_entry(world, **fields)
        file = io.BytesIO(pdf)
        return entry, catalogue_evidence_add(
            entry=entry,
            uploaded_by=world.operator_a,
            file=file,
            name="协议.pdf",
            caption="带贫协议原件",
        )

    listed, listed_evidence = with_evidence(name="古楼白茶")
    noticed, noticed_evidence = with_evidence(name="古楼黑茶")
    for entry in (listed, noticed):
        catalogue_entry_apply(entry=entry, applied_by=world.operator_a)
        catalogue_entry_check(entry=entry, checked_by=officers.supervisor, passed=True)
        catalogue_entry_decide(entry=entry, decided_by=officers.office, approved=True)
    end_notice(listed)
    catalogue_notices_close()
    town = world.gulou_village.parent
    client = client_for(None)
    bodies = {}
    for url in (
        "/catalogue/",
        f"/catalogue/{listed.pk}/",
        "/catalogue/notices/",
        f"/catalogue/{noticed.pk}/",
        f"/catalogue/print/{town.pk}/",
        "/api/v1/catalogue/",
        f"/api/v1/catalogue/{listed.pk}/",
        "/api/v1/catalogue/notices/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        bodies[url] = response.content.decode()
    assert (
        "古楼白茶" in bodies["/catalogue/"]
        and "古楼白茶" in bodies["/api/v1/catalogue/"]
    )
    assert "古楼黑茶" in bodies["/catalogue/notices/"]
    assert "古楼黑茶" in bodies["/api/v1/catalogue/notices/"]
    for url, body in bodies.items():
        for leak in ("带贫协议原件", "/evidence/", "catalogue-evidence", '"evidence"'):
            assert leak not in body, (url, leak)
    for evidence in (listed_evidence, noticed_evidence):
        download = (
            f"/api/v1/catalogue-entries/{evidence.entry_id}/evidence/{evidence.pk}/"
        )
        assert client.get(download).status_code in (401, 403)
        assert (
            client.get(
                f"/w/catalogue/{evidence.entry_id}/evidence/{evidence.pk}/"
            ).status_code
            == 302
        )
