"""/api/v1/batches/{id}/certificate/: the 合格证 PDF, issuing and scope."""

from inspections.choices import InspectionKind
from inspections.services import inspection_sign
from reports.choices import CertificateBasis
from reports.models import Certificate
from tests.inspections.factories import record_inspection


def url(batch, size="") -> str:
    query = f"?size={size}" if size else ""
    return f"/api/v1/batches/{batch.pk}/certificate/{query}"


def test_get_issues_the_first_certificate_then_reuses_it(world, client_for):
    client = client_for(world.operator_a)
    response = client.get(url(world.batch_a))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert client.get(url(world.batch_a, "label")).status_code == 200
    assert Certificate.objects.filter(batch=world.batch_a).count() == 1


def test_unknown_size_is_a_400(world, client_for):
    response = client_for(world.operator_a).get(url(world.batch_a, "a4"))
    assert response.status_code == 400
    assert "size" in response.json()


def test_post_issues_a_new_certificate(world, client_for):
    inspection = record_inspection(
        batch=world.batch_a, user=world.operator_a, kind=InspectionKind.SELF_CHECK
    )
    inspection_sign(inspection=inspection, signed_by=world.operator_a)
    response = client_for(world.operator_a).post(
        url(world.batch_a),
        {"basis": ["self_check", "internal_control"], "contact": "0739-1234567"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["basis"] == [
        CertificateBasis.SELF_CHECK,
        CertificateBasis.INTERNAL_CONTROL,
    ]
    assert body["basis_display"] == ["自检", "内部质量控制"]
    assert body["contact"] == "0739-1234567"
    assert body["retained_until"]


def test_unsupported_basis_is_a_400_with_a_chinese_message(world, client_for):
    response = client_for(world.operator_a).post(
        url(world.batch_a), {"basis": ["commissioned_test"]}, format="json"
    )
    assert response.status_code == 400
    [message] = response.json()["basis"]
    assert "委托检测" in message
    assert not Certificate.objects.exists()


def test_scope(world, client_for):
    assert client_for(world.operator_b).get(url(world.batch_a)).status_code == 404
    assert client_for(world.operator_b).post(url(world.batch_a)).status_code == 404
    assert client_for(world.inspector).get(url(world.batch_b)).status_code == 404
    assert client_for(None).get(url(world.batch_a)).status_code in (401, 403)


def test_inspectors_read_but_do_not_issue(world, client_for):
    inspector = client_for(world.inspector)
    assert inspector.get(url(world.batch_a)).status_code == 404  # none issued yet
    assert inspector.post(url(world.batch_a), {}, format="json").status_code == 400
    client_for(world.admin).post(url(world.batch_a), {}, format="json")
    assert inspector.get(url(world.batch_a)).status_code == 200
    assert Certificate.objects.count() == 1
