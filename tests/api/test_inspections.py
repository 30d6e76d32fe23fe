import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import ExifTags, Image

from inspections.choices import InspectionKind, Verdict
from inspections.models import Inspection
from inspections.services.inspections import inspection_sign
from tests.factories import make_pdf
from tests.inspections.factories import record_inspection
from tests.inspections.test_uploads import jpeg_with_gps
from trace.choices import BatchStatus

URL = "/api/v1/inspections/"


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def body(batch, **overrides) -> dict:
    data = {
        "batch": batch.pk,
        "kind": InspectionKind.SPOT_CHECK,
        "sampled_at": (timezone.now() - datetime.timedelta(hours=2)).isoformat(),
        "sample_size": "2.000",
        "sample_unit": "kg",
        "items": [
            {
                "item": "毒死蜱",
                "method": "GB 23200.113",
                "limit": "1.0",
                "measured_value": "0.2",
                "unit": "mg/kg",
            }
        ],
    }
    data.update(overrides)
    return data


def test_create_computes_verdict_and_holds_batch(world, client_for):
    failing = body(world.batch_a)
    failing["items"][0]["measured_value"] = "1.2"
    response = client_for(world.inspector).post(URL, failing, format="json")
    assert response.status_code == 201, response.data
    assert response.data["verdict"] == Verdict.FAIL
    assert response.data["inspector"] == "inspector_dk"
    assert response.data["results"][0]["verdict"] == Verdict.FAIL
    world.batch_a.refresh_from_db()
    assert world.batch_a.status == BatchStatus.ON_HOLD


@pytest.mark.parametrize(
    "extra",
    [
        {"verdict": "pass"},
        {"signed_at": "2026-01-01T00:00:00Z"},
        {"inspector": 1},
        {"created_by": 1},
    ],
)
def test_server_fields_cannot_be_mass_assigned(world, client_for, extra):
    response = client_for(world.inspector).post(
        URL, body(world.batch_a, **extra), format="json"
    )
    assert response.status_code == 400
    assert not Inspection.objects.exists()


def test_item_verdict_cannot_be_sent(world, client_for):
    data = body(world.batch_a)
    data["items"][0]["verdict"] = "pass"
    response = client_for(world.inspector).post(URL, data, format="json")
    assert response.status_code == 400


def test_bad_input_is_400_with_field_messages(world, client_for):
    response = client_for(world.inspector).post(
        URL, body(world.batch_a, items=[]), format="json"
    )
    assert response.status_code == 400 and "items" in response.data
    response = client_for(world.inspector).post(
        URL,
        body(world.batch_a, items=[{"item": "铅", "measured_value": "x"}]),
        format="json",
    )
    assert response.status_code == 400
    response = client_for(world.inspector).post(
        URL,
        body(world.batch_a, items=[{"item": "铅", "measured_value": "1"}]),
        format="json",
    )
    assert response.status_code == 400 and "items" in response.data  # no limit


def test_idempotency_key_replays_same_inspection(world, client_for):
    client = client_for(world.inspector)
    data = body(world.batch_a)
    first = client.post(
        URL, data, format="json", headers={"Idempotency-Key": "offline-42"}
    )
    again = client.post(
        URL, data, format="json", headers={"Idempotency-Key": "offline-42"}
    )
    assert first.status_code == 201 and again.status_code == 200
    assert again.data["id"] == first.data["id"]
    assert again["Idempotent-Replayed"] == "true"
    assert Inspection.objects.count() == 1
    different = client.post(
        URL,
        body(world.batch_a, notes="改了"),
        format="json",
        headers={"Idempotency-Key": "offline-42"},
    )
    assert different.status_code == 422
    assert Inspection.objects.count() == 1


def test_overlong_idempotency_key_is_400(world, client_for):
    response = client_for(world.inspector).post(
        URL, body(world.batch_a), format="json", headers={"Idempotency-Key": "k" * 200}
    )
    assert response.status_code == 400


def test_inspector_outside_region_gets_404_and_cannot_create(world, client_for):
    other = record_inspection(batch=world.batch_b, user=world.admin)
    client = client_for(world.inspector)
    assert client.get(f"{URL}{other.pk}/").status_code == 404
    assert client.get(URL, {"batch": world.batch_b.pk}).status_code == 404
    assert client.get(URL).data["count"] == 0
    response = client.post(URL, body(world.batch_b), format="json")
    assert response.status_code == 400 and "batch" in response.data
    assert Inspection.objects.count() == 1
    assert client.post(f"{URL}{other.pk}/sign/").status_code == 404
    assert (
        client.post(
            f"{URL}{other.pk}/supersede/", body(world.batch_b), format="json"
        ).status_code
        == 404
    )


def test_list_by_batch_in_scope(world, client_for):
    record_inspection(batch=world.batch_a, user=world.inspector)
    response = client_for(world.inspector).get(URL, {"batch": world.batch_a.pk})
    assert response.status_code == 200 and response.data["count"] == 1


def test_operator_records_self_checks_on_own_batch_only(world, client_for):
    client = client_for(world.operator_a)
    assert (
        client.post(URL, body(world.batch_a), format="json").status_code == 400
    )  # spot check
    own = client.post(
        URL, body(world.batch_a, kind=InspectionKind.SELF_CHECK), format="json"
    )
    assert own.status_code == 201
    other = client.post(
        URL, body(world.batch_b, kind=InspectionKind.SELF_CHECK), format="json"
    )
    assert other.status_code == 400 and "batch" in other.data


def test_anonymous_is_refused(world, client_for):
    assert client_for(None).get(URL).status_code in (401, 403)


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_signed_record_cannot_be_edited_or_deleted_through_api(
    world, client_for, method
):
    inspection = record_inspection(batch=world.batch_a, user=world.inspector)
    client = client_for(world.admin)
    assert client.post(f"{URL}{inspection.pk}/sign/").status_code == 200
    response = getattr(client, method)(
        f"{URL}{inspection.pk}/", {"notes": "x"}, format="json"
    )
    assert response.status_code == 405
    assert Inspection.objects.get(pk=inspection.pk).notes == ""


def test_sign_then_sign_again_is_400(world, client_for):
    inspection = record_inspection(batch=world.batch_a, user=world.inspector)
    client = client_for(world.inspector)
    signed = client.post(f"{URL}{inspection.pk}/sign/")
    assert signed.status_code == 200 and signed.data["signed_by"] == "inspector_dk"
    assert client.post(f"{URL}{inspection.pk}/sign/").status_code == 400


def test_supersede_creates_correction_and_both_stay_visible(world, client_for):
    original = record_inspection(batch=world.batch_a, user=world.inspector)
    inspection_sign(inspection=original, signed_by=world.inspector)
    client = client_for(world.inspector)
    data = body(world.batch_a, notes="更正：样品量")
    del data["batch"]
    response = client.post(f"{URL}{original.pk}/supersede/", data, format="json")
    assert response.status_code == 201, response.data
    assert response.data["supersedes"] == original.pk
    listed = client.get(URL, {"batch": world.batch_a.pk}).data
    assert listed["count"] == 2
    current = client.get(URL, {"batch": world.batch_a.pk, "current": "1"}).data
    assert [row["id"] for row in current["results"]] == [response.data["id"]]
    old = client.get(f"{URL}{original.pk}/").data
    assert (
        old["superseded_by"] == response.data["id"]
        and old["signed_by"] == "inspector_dk"
    )


def test_confirming_lab_test_through_api_recalls(world, client_for):
    suspect = record_inspection(
        batch=world.batch_a,
        user=world.inspector,
        kind=InspectionKind.RAPID_TEST,
        items=[
            {
                "item": "酶抑制率",
                "method": "GB/T 5009.199",
                "measured_value": 65,
                "unit": "%",
            }
        ],
    )
    data = body(world.batch_a, kind=InspectionKind.LAB_TEST, confirms=suspect.pk)
    data["items"][0]["measured_value"] = "3"
    response = client_for(world.inspector).post(URL, data, format="json")
    assert response.status_code == 201 and response.data["confirms"] == suspect.pk
    world.batch_a.refresh_from_db()
    assert world.batch_a.status == BatchStatus.RECALLED


def attach(client, inspection, content: bytes, name: str, content_type: str):
    upload = SimpleUploadedFile(name, content, content_type=content_type)
    return client.post(
        f"{URL}{inspection.pk}/attachments/",
        {"file": upload, "caption": "现场"},
        format="multipart",
    )


def test_photo_attachment_loses_gps(world, client_for):
    inspection = record_inspection(batch=world.batch_a, user=world.inspector)
    response = attach(
        client_for(world.inspector),
        inspection,
        jpeg_with_gps(),
        "gps.jpg",
        "image/jpeg",
    )
    assert response.status_code == 201, response.data
    attachment = inspection.attachments.get()
    stored = attachment.file.read()
    assert not Image.open(io.BytesIO(stored)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert b"Exif" not in stored
    assert attachment.thumbnail and response.data["thumbnail"]
    assert (
        client_for(world.inspector)
        .get(f"{URL}{inspection.pk}/")
        .data["attachments"][0]["kind"]
        == "photo"
    )


@pytest.mark.parametrize(
    ("content", "name", "content_type"),
    [
        (b"MZ\x90\x00 not a picture", "photo.jpg", "image/jpeg"),
        (b"<html>report</html>", "report.pdf", "application/pdf"),
    ],
)
def test_fake_attachments_are_400(world, client_for, content, name, content_type):
    inspection = record_inspection(batch=world.batch_a, user=world.inspector)
    response = attach(
        client_for(world.inspector), inspection, content, name, content_type
    )
    assert response.status_code == 400 and "file" in response.data
    assert not inspection.attachments.exists()


def test_oversize_attachment_is_400(world, client_for, settings):
    settings.SUYUAN_MAX_UPLOAD_BYTES = 2048
    inspection = record_inspection(batch=world.batch_a, user=world.inspector)
    response = attach(
        client_for(world.inspector),
        inspection,
        b"%PDF-1.4\n" + b"0" * 4096,
        "r.pdf",
        "application/pdf",
    )
    assert response.status_code == 400 and "file" in response.data


def test_pdf_attachment_and_none_after_signing(world, client_for):
    inspection = record_inspection(batch=world.batch_a, user=world.inspector)
    client = client_for(world.inspector)
    assert (
        attach(client, inspection, make_pdf(), "r.pdf", "application/pdf").status_code
        == 201
    )
    inspection_sign(inspection=inspection, signed_by=world.inspector)
    response = attach(client, inspection, make_pdf(), "r2.pdf", "application/pdf")
    assert response.status_code == 400
    assert inspection.attachments.count() == 1


def test_list_query_count_does_not_grow_with_rows(
    world, client_for, django_assert_max_num_queries
):
    for _ in range(5):
        record_inspection(batch=world.batch_a, user=world.inspector)
    client = client_for(world.inspector)
    with django_assert_max_num_queries(8):
        response = client.get(URL)
    assert response.data["count"] == 5


def test_attachment_files_are_served_with_debug_off_to_those_in_scope_only(
    world, client_for, settings
):
    settings.DEBUG = False
    inspection = record_inspection(batch=world.batch_a, user=world.inspector)
    photo = attach(
        client_for(world.inspector), inspection, jpeg_with_gps(), "g.jpg", "image/jpeg"
    ).json()
    report = attach(
        client_for(world.inspector),
        inspection,
        make_pdf(),
        "r.pdf",
        "application/pdf",
    ).json()
    base = f"http://testserver{URL}{inspection.pk}/attachments/"
    assert photo["file"] == f"{base}{photo['id']}/file/"
    assert photo["thumbnail"] == f"{base}{photo['id']}/thumbnail/"
    assert report["thumbnail"] is None
    stored = inspection.attachments.get(pk=photo["id"])
    with stored.file.open("rb") as handle:
        content = handle.read()
    for who in (world.inspector, world.operator_a, world.admin):
        response = client_for(who).get(photo["file"])
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        assert response["Cache-Control"] == "private, no-store"
        assert b"".join(response.streaming_content) == content
    response = client_for(world.inspector).get(report["file"])
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    thumbnail = client_for(world.inspector).get(photo["thumbnail"])
    image = Image.open(io.BytesIO(b"".join(thumbnail.streaming_content)))
    assert image.format == "JPEG"
    # Outside the inspection's scope the file does not exist.
    assert client_for(world.operator_b).get(photo["file"]).status_code == 404
    assert client_for(None).get(photo["file"]).status_code in (401, 403)
    other = record_inspection(batch=world.batch_a, user=world.inspector)
    wrong_pair = f"{URL}{other.pk}/attachments/{photo['id']}/file/"
    assert client_for(world.inspector).get(wrong_pair).status_code == 404
    # Never as public media.
    assert client_for(None).get(f"/media/{stored.file.name}").status_code == 404


def test_attachment_download_through_nginx_when_configured(world, client_for, settings):
    settings.DEBUG = False
    settings.SUYUAN_MEDIA_ACCEL_REDIRECT = "/_protected/"
    inspection = record_inspection(batch=world.batch_a, user=world.inspector)
    photo = attach(
        client_for(world.inspector), inspection, jpeg_with_gps(), "g.jpg", "image/jpeg"
    ).json()
    response = client_for(world.inspector).get(photo["file"])
    stored = inspection.attachments.get(pk=photo["id"]).file.name
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/_protected/{stored}"
    assert response.content == b""
    assert client_for(world.operator_b).get(photo["file"]).status_code == 404


def catalogue_body(batch, kind, *items) -> dict:
    return body(batch, kind=kind, items=list(items))


def test_a_lead_result_does_not_lift_a_pesticide_hold_but_a_covering_one_does(
    world, client_for, examples
):
    """Issue 32's sequence: 酶抑制率 62 % → 可疑; 铅 合格 keeps the hold."""
    inspector = client_for(world.inspector)
    rapid = inspector.post(
        URL,
        catalogue_body(
            world.batch_a,
            InspectionKind.RAPID_TEST,
            {"analyte": examples["enzyme"].pk, "measured_value": "62"},
        ),
        format="json",
    )
    assert rapid.status_code == 201, rapid.data
    assert rapid.data["batch_hold"]["outstanding"] == ["有机磷和氨基甲酸酯类农药"]
    lead = inspector.post(
        URL,
        catalogue_body(
            world.batch_a,
            InspectionKind.LAB_TEST,
            {"analyte": examples["lead"].pk, "measured_value": "0.02"},
        ),
        format="json",
    )
    assert lead.status_code == 201, lead.data
    assert lead.data["verdict"] == Verdict.PASS
    assert lead.data["batch_hold"]["on_hold"] is True
    assert lead.data["batch_hold"]["outstanding"] == ["有机磷和氨基甲酸酯类农药"]
    assert lead.data["batch_hold"]["lifted"] is None
    world.batch_a.refresh_from_db()
    assert world.batch_a.status == BatchStatus.ON_HOLD
    # A signature cannot stand in for the missing test.
    refused = inspector.post(
        f"/api/v1/batches/{world.batch_a.pk}/release/",
        {"reason": "铅合格"},
        format="json",
    )
    assert refused.status_code == 400
    assert "有机磷和氨基甲酸酯类农药" in str(refused.json())

    covering = inspector.post(
        URL,
        catalogue_body(
            world.batch_a,
            InspectionKind.LAB_TEST,
            {"analyte": examples["dichlorvos"].pk, "measured_value": "0.01"},
        ),
        format="json",
    )
    assert covering.status_code == 201, covering.data
    hold = covering.data["batch_hold"]
    assert hold["on_hold"] is False and hold["outstanding"] == []
    assert hold["lifted"]["basis"] == "lab_results"
    assert hold["lifted"]["inspection"] == covering.data["id"]
    assert "敌敌畏 0.01 mg/kg ≤ 0.2 mg/kg" in hold["lifted"]["reason"]
    world.batch_a.refresh_from_db()
    assert world.batch_a.status == BatchStatus.RELEASED
    history = inspector.get(f"/api/v1/batches/{world.batch_a.pk}/hold/").json()
    assert history["lifted"]["released_by"] == "inspector_dk"


def test_a_hold_of_unknown_cause_needs_a_signed_reason(world, client_for):
    inspector = client_for(world.inspector)
    inspector.post(f"/api/v1/batches/{world.batch_a.pk}/hold/", {"reason": "群众举报"})
    state = inspector.get(f"/api/v1/batches/{world.batch_a.pk}/hold/").json()
    assert state["on_hold"] and state["needs_signed_release"]
    response = inspector.post(f"/api/v1/batches/{world.batch_a.pk}/release/", {})
    assert response.status_code == 400
    assert "reason" in response.json()
    world.batch_a.refresh_from_db()
    assert world.batch_a.status == BatchStatus.ON_HOLD


def test_hold_state_of_another_regions_batch_is_404(world, client_for):
    response = client_for(world.inspector).get(
        f"/api/v1/batches/{world.batch_b.pk}/hold/"
    )
    assert response.status_code == 404
