"""The office's registers: producers, certifications, brands, product lines, links."""

import datetime

import pytest

from tests.factories import BatchFactory, make_gtin13, make_uscc
from trace.choices import BatchStatus, CertificationStatus
from trace.models import Brand, Certification, Producer

pytestmark = pytest.mark.django_db


def test_operator_sees_only_own_producer(world, client_for):
    client = client_for(world.operator_a)
    rows = client.get("/api/v1/producers/").json()["results"]
    assert [row["id"] for row in rows] == [world.producer_a.pk]
    assert client.get(f"/api/v1/producers/{world.producer_b.pk}/").status_code == 404
    assert (
        client.get(f"/api/v1/certifications/?producer={world.producer_b.pk}").json()[
            "count"
        ]
        == 0
    )


def test_inspector_sees_producers_in_his_regions(world, client_for):
    rows = client_for(world.inspector).get("/api/v1/producers/").json()["results"]
    assert [row["id"] for row in rows] == [world.producer_a.pk]


@pytest.mark.parametrize("role", ["operator_a", "inspector"])
@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("/api/v1/brands/", {"name": "假品牌", "kind": "flagship"}),
        ("/api/v1/regions/", {"name": "新村", "level": "village"}),
        ("/api/v1/product-lines/", {"name": "新产品", "unit": "kg"}),
    ],
)
def test_registers_are_written_by_administrators_only(
    world, client_for, role, url, body
):
    response = client_for(getattr(world, role)).post(url, body)
    assert response.status_code == 403
    assert not Brand.objects.filter(name="假品牌").exists()


def test_operator_cannot_suspend_certifications(world, client_for):
    certification = world.producer_a.certifications.get()
    response = client_for(world.operator_a).post(
        f"/api/v1/certifications/{certification.pk}/suspend/", {"reason": "x"}
    )
    assert response.status_code == 403
    certification.refresh_from_db()
    assert certification.status == CertificationStatus.ACTIVE


def test_administrator_suspends_and_batches_are_then_refused(world, client_for):
    admin = client_for(world.admin)
    certification = world.producer_a.certifications.get()
    response = admin.post(
        f"/api/v1/certifications/{certification.pk}/suspend/",
        {"reason": "抽检不合格，限期整改"},
    )
    assert response.json()["status"] == CertificationStatus.SUSPENDED
    body = {
        "product_line": world.batch_a.product_line_id,
        "lot_code": "GL2026Z",
        "origin": world.gulou_village.pk,
        "harvest_date": "2026-11-01",
        "quantity": "10",
        "unit": "盒",
    }
    response = client_for(world.operator_a).post("/api/v1/batches/", body)
    assert response.status_code == 400
    assert "producer" in response.json()


def test_certify_checks_the_qualification_rule(world, client_for):
    admin = client_for(world.admin)
    producer = admin.post(
        "/api/v1/producers/",
        {
            "name": "洞口县新家庭农场",
            "kind": "family_farm",
            "uscc": make_uscc(),
            "region": world.gulou_village.pk,
        },
    ).json()
    today = datetime.date.today()
    body = {
        "producer": producer["id"],
        "number": "HN-DK-2026-9999",
        "issuer": "洞口县扶贫开发办公室",
        "valid_from": str(today),
        "valid_until": str(today + datetime.timedelta(days=365)),
    }
    response = admin.post("/api/v1/certifications/", body)
    assert response.status_code == 400
    assert "producer" in response.json()
    link = {
        "producer": producer["id"],
        "household": world.household_a.pk,
        "kind": "employment",
        "since": "2026-01-01",
        "annual_income": "6000.00",
    }
    assert admin.post("/api/v1/benefit-links/", link).status_code == 201
    response = admin.post("/api/v1/certifications/", body)
    assert response.status_code == 201, response.json()
    assert (
        Certification.objects.get(number="HN-DK-2026-9999").status
        == CertificationStatus.ACTIVE
    )


def test_invalid_credit_code_and_gtin_are_field_errors(world, client_for):
    admin = client_for(world.admin)
    uscc = make_uscc()
    broken = uscc[:-1] + ("0" if uscc[-1] != "0" else "1")
    response = admin.post(
        "/api/v1/producers/",
        {
            "name": "某公司",
            "kind": "enterprise",
            "uscc": broken,
            "region": world.hunan.pk,
        },
    )
    assert response.status_code == 400
    assert "uscc" in response.json()
    assert not Producer.objects.filter(name="某公司").exists()
    gtin = make_gtin13()
    wrong = gtin[:-1] + str((int(gtin[-1]) + 1) % 10)
    response = admin.post(
        "/api/v1/product-lines/", {"name": "五彩米", "unit": "袋", "gtin": wrong}
    )
    assert response.status_code == 400
    assert "gtin" in response.json()
    response = admin.post(
        "/api/v1/product-lines/", {"name": "五彩米", "unit": "袋", "gtin": gtin}
    )
    assert response.json()["gtin"] == "0" + gtin


def test_duplicate_credit_code_is_a_field_error_not_a_500(world, client_for):
    response = client_for(world.admin).post(
        "/api/v1/producers/",
        {
            "name": "重复公司",
            "kind": "enterprise",
            "uscc": world.producer_a.uscc,
            "region": world.hunan.pk,
        },
    )
    assert response.status_code == 400
    assert "uscc" in response.json()


def test_nothing_is_deleted_through_the_api(world, client_for):
    response = client_for(world.admin).delete(
        f"/api/v1/producers/{world.producer_a.pk}/"
    )
    assert response.status_code == 405


def test_region_path_and_descendant_scope(world, client_for):
    rows = (
        client_for(world.operator_a)
        .get(f"/api/v1/regions/{world.gulou_village.pk}/")
        .json()
    )
    assert rows["full_name"] == "湖南省 邵阳市 洞口县 古楼乡 古楼村"


def test_schema_and_docs_are_served(client_for, db):
    client = client_for(None)
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200


def test_a_lines_gtin_is_fixed_once_a_batch_is_released(world, client_for):
    """Printed labels and exported events carry it (issue 32)."""
    admin = client_for(world.admin)
    line = world.batch_a.product_line  # batch_a is released
    url = f"/api/v1/product-lines/{line.pk}/"
    before = line.gtin
    response = admin.patch(url, {"gtin": make_gtin13()}, format="json")
    assert response.status_code == 400
    assert "不能修改" in str(response.json()["gtin"])
    line.refresh_from_db()
    assert line.gtin == before
    assert admin.patch(url, {"name": "古楼毛尖"}, format="json").status_code == 200
    draft_line = BatchFactory(status=BatchStatus.DRAFT).product_line
    response = admin.patch(
        f"/api/v1/product-lines/{draft_line.pk}/",
        {"gtin": make_gtin13()},
        format="json",
    )
    assert response.status_code == 200


# Issue 35: a county office keeps its county's registers through the API as
# in the workbench; the 市州 and province offices read them.


@pytest.fixture
def offices(db):
    from tests.offices import World

    return World()


def test_the_county_office_writes_inside_its_county_only(offices, client_for):
    client = client_for(offices.users["county"])
    body = {"name": "古楼家庭农场", "kind": "family_farm", "uscc": make_uscc()}
    created = client.post(
        "/api/v1/producers/", {**body, "region": offices.village.pk}, format="json"
    )
    assert created.status_code == 201, created.json()
    outside = client.post(
        "/api/v1/producers/",
        {**body, "uscc": make_uscc(), "region": offices.other_village.pk},
        format="json",
    )
    assert outside.status_code == 400
    assert "对象不存在。" in str(outside.json())
    other = offices.other_producer.pk
    assert (
        client.patch(
            f"/api/v1/producers/{other}/", {"address": "x"}, format="json"
        ).status_code
        == 404
    )
    assert (
        client.patch(
            f"/api/v1/producers/{offices.producer.pk}/",
            {"address": "古楼村三组"},
            format="json",
        ).status_code
        == 200
    )
    households = client.get("/api/v1/households/").json()["results"]
    assert [row["id"] for row in households] == [offices.household.pk]
    assert households[0]["head_name"] == "王小明"


@pytest.mark.parametrize("role", ["city", "province"])
def test_city_and_province_offices_read_but_may_not_write(offices, client_for, role):
    client = client_for(offices.users[role])
    response = client.patch(
        f"/api/v1/producers/{offices.producer.pk}/", {"address": "x"}, format="json"
    )
    assert response.status_code == 403
    response = client.post(
        "/api/v1/producers/",
        {"name": "新农场", "kind": "family_farm", "region": offices.village.pk},
        format="json",
    )
    assert response.status_code == 403
    assert not Producer.objects.filter(name="新农场").exists()
    rows = client.get("/api/v1/households/").json()["results"]
    assert len(rows) == 2
    text = str(rows)
    assert "王小明" not in text and "王*明" in text
    assert offices.id_number not in text
    assert offices.household.phone not in text
