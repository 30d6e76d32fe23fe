"""Oversized bodies answer 413 (JSON under /api/) before anything reads them."""

from django.core.files.uploadedfile import SimpleUploadedFile

from trace.models import Batch

TWENTY_MB = b'{"lot_code": "' + b"x" * (20 * 1024 * 1024) + b'"}'


def test_a_20_mb_json_body_is_a_json_413(world, client_for):
    for client, url in (
        (client_for(None), "/api/v1/auth/token/"),
        (client_for(world.operator_a), "/api/v1/batches/"),
    ):
        response = client.generic(
            "POST", url, TWENTY_MB, content_type="application/json"
        )
        assert response.status_code == 413
        assert response["Content-Type"] == "application/json"
        assert "请求内容过大" in response.json()["detail"]
    assert Batch.objects.count() == 2  # the world's two, nothing added


def test_a_page_gets_a_plain_chinese_413(client, db):
    response = client.generic(
        "POST", "/login/", TWENTY_MB, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 413
    assert "请求内容过大" in response.content.decode()


def test_an_upload_within_the_evidence_limit_passes_the_gate(
    world, client_for, settings
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    settings.SUYUAN_MAX_UPLOAD_BYTES = 64 * 1024
    photo = SimpleUploadedFile("p.jpg", b"\xff\xd8" + b"0" * 20_000, "image/jpeg")
    response = client_for(world.inspector).post(
        "/api/v1/inspections/1/attachments/", {"file": photo}, format="multipart"
    )
    # Past the size gate: the view answers (no such inspection), not the 413.
    assert response.status_code == 404


def test_the_413_repeats_nothing_of_the_body(world, client_for):
    body = b'{"head_name": "\xe7\x8e\x8b\xe5\xb0\x8f\xe6\x98\x8e", "id_number": "11010519491231002X", "pad": "'
    body += b"x" * (3 * 1024 * 1024) + b'"}'
    response = client_for(world.admin).generic(
        "POST", "/api/v1/households/", body, content_type="application/json"
    )
    assert response.status_code == 413
    text = response.content.decode()
    assert "11010519491231002X" not in text and "王小明" not in text
