"""certification-policies and certification-reviews, and the 认定 error they cite."""

import datetime
from decimal import Decimal

import pytest

from trace.choices import CertificationReviewStatus, CertificationStatus
from trace.models import Certification, CertificationPolicy, CertificationReview
from trace.services.certification import certification_policy_set

pytestmark = pytest.mark.django_db

SHAODONG_CLAUSE = (
    "凡是带动 1 名以上贫困户务工、且年收入不低于 6000 元的企业（专业合作社）"
    "生产的产品可纳入邵东市扶贫产品目录"
)


def policy_body(region, **overrides):
    body = {
        "region": region.pk,
        "eligible_producer_kinds": ["enterprise", "cooperative"],
        "qualifying_benefit_kinds": ["employment"],
        "min_annual_income": "6000.00",
        "min_households": 1,
        "source_document": "邵东市消费扶贫工作（seeds/001，第 112–118 行）",
        "source_clause": SHAODONG_CLAUSE,
    }
    return body | overrides


def test_administrator_writes_a_policy_everyone_signed_in_reads(world, client_for):
    admin = client_for(world.admin)
    response = admin.post(
        "/api/v1/certification-policies/",
        policy_body(world.shaodong_village.parent.parent),
        format="json",
    )
    assert response.status_code == 201, response.json()
    policy_id = response.json()["id"]
    listed = client_for(world.operator_a).get("/api/v1/certification-policies/")
    assert listed.status_code == 200
    assert [row["id"] for row in listed.json()["results"]] == [policy_id]
    assert listed.json()["results"][0]["source_clause"] == SHAODONG_CLAUSE
    assert client_for(None).get("/api/v1/certification-policies/").status_code in (
        401,
        403,
    )


def test_operators_and_inspectors_cannot_write_a_policy(world, client_for):
    for user in (world.operator_a, world.inspector):
        response = client_for(user).post(
            "/api/v1/certification-policies/",
            policy_body(world.dongkou),
            format="json",
        )
        assert response.status_code == 403
    assert not CertificationPolicy.objects.exists()


@pytest.mark.parametrize(
    "field, value",
    [
        ("eligible_producer_kinds", []),
        ("eligible_producer_kinds", ["farmer"]),
        ("qualifying_benefit_kinds", "employment"),
        ("min_annual_income", "-1"),
        ("min_households", 0),
    ],
)
def test_a_bad_policy_is_a_400_naming_the_field(world, client_for, field, value):
    response = client_for(world.admin).post(
        "/api/v1/certification-policies/",
        policy_body(world.dongkou, **{field: value}),
        format="json",
    )
    assert response.status_code == 400
    assert field in response.json()
    assert not CertificationPolicy.objects.exists()


def test_a_second_policy_for_a_region_is_refused(world, client_for):
    admin = client_for(world.admin)
    url = "/api/v1/certification-policies/"
    assert admin.post(url, policy_body(world.dongkou), format="json").status_code == 201
    response = admin.post(url, policy_body(world.dongkou), format="json")
    assert response.status_code == 400
    assert "region" in response.json()


def test_the_certification_error_cites_the_policy(world, client_for):
    Certification.objects.filter(producer=world.producer_a).delete()
    certification_policy_set(
        region=world.dongkou,
        changed_by=world.admin,
        eligible_producer_kinds=["enterprise", "cooperative"],
        qualifying_benefit_kinds=["employment"],
        min_annual_income=Decimal("9000"),
        source_document="洞口县测试政策",
        source_clause="带动贫困户务工年收入不低于 9000 元",
    )
    response = client_for(world.admin).post(
        "/api/v1/certifications/",
        {
            "producer": world.producer_a.pk,
            "number": "HN-DK-API-1",
            "issuer": "洞口县扶贫开发办公室",
            "valid_from": "2026-01-01",
            "valid_until": "2026-12-31",
        },
    )
    assert response.status_code == 400
    message = response.json()["producer"][0]
    assert "不低于 9000.00 元的贫困户有 0 户" in message
    assert "依据：洞口县测试政策：“带动贫困户务工年收入不低于 9000 元”" in message
    assert not Certification.objects.filter(number="HN-DK-API-1").exists()


class TestReviewQueue:
    @pytest.fixture
    def review(self, world, client_for):
        link = world.producer_a.benefit_links.get()
        response = client_for(world.admin).patch(
            f"/api/v1/benefit-links/{link.pk}/",
            {"ended_on": datetime.date.today().isoformat()},
            format="json",
        )
        assert response.status_code == 200, response.json()
        return CertificationReview.objects.get()

    def test_ending_a_link_through_the_api_opens_a_review(self, world, review):
        assert review.producer == world.producer_a
        assert review.status == CertificationReviewStatus.OPEN

    def test_administrators_list_the_queue_others_get_404(
        self, world, client_for, review
    ):
        response = client_for(world.admin).get(
            "/api/v1/certification-reviews/?status=open"
        )
        assert response.status_code == 200
        (row,) = response.json()["results"]
        assert row["producer_name"] == world.producer_a.name
        assert row["trigger"] == "利益联结结束"
        for user in (world.operator_a, world.inspector):
            client = client_for(user)
            assert client.get("/api/v1/certification-reviews/").status_code == 404
            assert (
                client.post(
                    f"/api/v1/certification-reviews/{review.pk}/revoke/",
                    {"reason": "x"},
                ).status_code
                == 404
            )

    def test_suspend_from_the_queue(self, world, client_for, review):
        response = client_for(world.admin).post(
            f"/api/v1/certification-reviews/{review.pk}/suspend/",
            {"reason": "带贫关系中断，暂停认定"},
        )
        assert response.status_code == 200
        assert response.json()["status"] == "suspended"
        certification = world.producer_a.certifications.get()
        assert certification.status == CertificationStatus.SUSPENDED

    def test_resolving_twice_is_a_400(self, world, client_for, review):
        client = client_for(world.admin)
        url = f"/api/v1/certification-reviews/{review.pk}/"
        assert client.post(url + "dismiss/", {"reason": "已核实"}).status_code == 200
        response = client.post(url + "revoke/", {"reason": "再处理"})
        assert response.status_code == 400
        assert "该复核已处理" in response.json()["status"][0]
