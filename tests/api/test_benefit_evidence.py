"""Evidence behind every benefit link and payment; a decision names what it rests on."""

import datetime
import io
from decimal import Decimal

import pytest
from PIL import Image

from tests.factories import BenefitLinkFactory, HouseholdFactory, ProducerFactory
from trace.choices import PaymentKind
from trace.models import BenefitEvidence, Certification
from trace.services.payments import (
    household_payment_add,
    household_payment_confirm_on_visit,
)

API = "/api/v1"
pytestmark = pytest.mark.django_db


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (80, 50), (20, 90, 160)).save(buffer, format="JPEG")
    return buffer.getvalue()


def upload(client, link, data: bytes, caption: str = "劳动合同"):
    file = io.BytesIO(data)
    file.name = "合同.jpg"
    return client.post(
        f"{API}/benefit-links/{link.pk}/evidence/",
        {"file": file, "caption": caption},
        format="multipart",
    )


def test_a_links_contract_is_private_and_served_only_to_the_office(world, client_for):
    link = world.producer_a.benefit_links.get()
    admin, operator = client_for(world.admin), client_for(world.operator_a)
    wrong = upload(admin, link, b"<html>not a contract</html>")
    assert wrong.status_code == 400 and "file" in wrong.json()
    refused = upload(operator, link, jpeg())
    assert refused.status_code == 403  # households' papers are the office's
    assert world.household_a.head_name not in refused.content.decode()
    created = upload(admin, link, jpeg())
    assert created.status_code == 201, created.content
    url = f"{API}/benefit-links/{link.pk}/evidence/{created.json()['id']}/"
    download = admin.get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"\xff\xd8")
    assert operator.get(url).status_code == 404
    assert client_for(None).get(url).status_code in (401, 403)
    listed = admin.get(f"{API}/benefit-links/{link.pk}/").json()["evidence"]
    assert [item["caption"] for item in listed] == ["劳动合同"]
    assert "file" not in listed[0]
    assert operator.get(f"{API}/benefit-links/{link.pk}/").json()["evidence"] == []


def test_a_certification_lists_the_evidence_it_rests_on(world, client_for):
    producer = ProducerFactory(region=world.gulou_village)
    household = HouseholdFactory(village=world.gulou_village)
    link = BenefitLinkFactory(
        producer=producer, household=household, annual_income=Decimal("8000")
    )
    other = BenefitLinkFactory(
        producer=ProducerFactory(region=world.gulou_village),
        household=household,
        annual_income=Decimal("8000"),
    )
    admin = client_for(world.admin)
    contract = upload(admin, link, jpeg(), "劳动合同").json()["id"]
    upload(admin, other, jpeg(), "另一主体的合同")
    payment, _ = household_payment_add(
        household=household,
        producer=producer,
        benefit_link=link,
        kind=PaymentKind.WAGE,
        amount=Decimal("8000"),
        paid_on=datetime.date.today() - datetime.timedelta(days=5),
        recorded_by=world.admin,
    )
    slip = io.BytesIO(jpeg())
    household_payment_confirm_on_visit(
        payment=payment,
        confirmed_by=world.admin,
        note="确认单已按手印",
        photo=slip,
        photo_name="确认单.jpg",
    )
    slip_id = BenefitEvidence.objects.get(payment=payment).pk
    today = datetime.date.today()
    response = admin.post(
        f"{API}/certifications/",
        {
            "producer": producer.pk,
            "number": "HN-DK-FPCP-2026-0099",
            "issuer": "洞口县扶贫开发办公室",
            "valid_from": str(today),
            "valid_until": str(today + datetime.timedelta(days=365)),
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert sorted(response.json()["rests_on"]) == sorted([contract, slip_id])
    certification = Certification.objects.get(pk=response.json()["id"])
    assert set(certification.rests_on.values_list("caption", flat=True)) == {
        "劳动合同",
        "到户收益确认单",
    }
