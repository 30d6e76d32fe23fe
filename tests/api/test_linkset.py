"""One linkset rule and one linkset function for the resolver and the pages."""

import pytest
from django.test import RequestFactory

from api.scan.linkset import LINKSET_TYPE, wants_linkset
from labels import services
from tests.factories import make_gtin13
from trace.models import ProductLine

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("query", "accept", "expected"),
    [
        ("", "", False),
        ("", "text/html", False),
        ("linkType=all", "", True),
        ("linkType=linkset", "text/html", True),
        ("", LINKSET_TYPE, True),
        ("", f"text/html, {LINKSET_TYPE};q=0.9", True),
        # An explicit link type wins over the Accept header (GS1 resolver 1.2).
        ("linkType=gs1:pip", LINKSET_TYPE, False),
        ("linkType=gs1:certificationInfo", "", False),
    ],
)
def test_wants_linkset_is_one_rule(query, accept, expected):
    request = RequestFactory().get(f"/t/X?{query}" if query else "/t/X")
    if accept:
        request.META["HTTP_ACCEPT"] = accept
    assert wants_linkset(request) is expected


@pytest.fixture
def gtin_label(world):
    ProductLine.objects.filter(pk=world.batch_a.product_line_id).update(
        gtin="0" + make_gtin13()
    )
    job = services.print_job_create(
        batch=world.batch_a, template="a4-3x8", count=1, requested_by=world.operator_a
    )
    return job.labels.select_related("batch__product_line").get()


def test_a_label_page_and_its_digital_link_answer_the_same_linkset(gtin_label, client):
    label = gtin_label
    digital_link = label.url().removeprefix("http://127.0.0.1:8000")
    assert digital_link.startswith("/01/")
    from_resolver = client.get(digital_link, {"linkType": "all"})
    from_page = client.get(f"/t/{label.serial}", {"linkType": "all"})
    for response in (from_resolver, from_page):
        assert response.status_code == 200
        assert response["Content-Type"] == LINKSET_TYPE
        assert response["Access-Control-Allow-Origin"] == "*"
    assert from_page.json() == from_resolver.json()
    anchors = [entry["anchor"] for entry in from_page.json()["linkset"]]
    assert anchors[0] == "http://testserver" + digital_link
    assert len(anchors) == 3  # item, lot, product


def test_a_lot_page_and_its_digital_link_answer_the_same_linkset(gtin_label, client):
    batch = gtin_label.batch
    gtin, lot = batch.product_line.gtin, batch.lot_code
    from_resolver = client.get(f"/01/{gtin}/10/{lot}", HTTP_ACCEPT=LINKSET_TYPE)
    from_page = client.get(f"/p/{gtin}/{lot}", HTTP_ACCEPT=LINKSET_TYPE)
    assert from_resolver.status_code == from_page.status_code == 200
    assert from_page.json() == from_resolver.json()
    assert len(from_page.json()["linkset"]) == 2  # lot, product


def test_an_explicit_link_type_wins_over_accept_on_a_page_too(gtin_label, client):
    response = client.get(
        f"/t/{gtin_label.serial}", {"linkType": "gs1:pip"}, HTTP_ACCEPT=LINKSET_TYPE
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")


def test_a_label_without_gtin_has_its_own_links_anchored_at_its_page(world, client):
    job = services.print_job_create(
        batch=world.batch_a, template="a4-3x8", count=1, requested_by=world.operator_a
    )
    label = job.labels.get()
    response = client.get(f"/t/{label.serial}", {"linkType": "linkset"})
    assert response.status_code == 200
    (entry,) = response.json()["linkset"]
    assert entry["anchor"] == f"http://testserver/t/{label.serial}"
