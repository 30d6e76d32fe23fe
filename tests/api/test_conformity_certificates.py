"""/api/v1/batches/{id}/certificate/: the 合格证 PDF, issuing and scope."""

from inspections.choices import InspectionKind
from inspections.services.inspections import inspection_sign
from reports.choices import CertificateBasis
from reports.models import Certificate
from tests.inspections.factories import record_inspection
from trace.choices import BatchStatus


def url(batch, size="") -> str:
    query = f"?size={size}" if size else ""
    return f"/api/v1/batches/{batch.pk}/certificate/{query}"


def test_get_writes_nothing_and_is_a_404_until_one_is_issued(world, client_for):
    client = client_for(world.operator_a)
    for _ in range(2):
        response = client.get(url(world.batch_a))
        assert response.status_code == 404
        assert "尚未开具" in response.json()["detail"]
    assert not Certificate.objects.exists()


def test_get_returns_the_latest_issued_certificate(world, client_for):
    client = client_for(world.operator_a)
    assert client.post(url(world.batch_a), {}, format="json").status_code == 201
    latest = client.post(url(world.batch_a), {}, format="json").json()
    response = client.get(url(world.batch_a))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert latest["number"] in response["Content-Disposition"]
    assert client.get(url(world.batch_a, "label")).status_code == 200
    assert Certificate.objects.filter(batch=world.batch_a).count() == 2


def test_post_on_a_draft_batch_is_a_400(world, client_for):
    world.batch_a.status = BatchStatus.DRAFT
    world.batch_a.save(update_fields=["status"])
    response = client_for(world.operator_a).post(url(world.batch_a), {}, format="json")
    assert response.status_code == 400
    assert "已放行" in response.json()["batch"][0]
    assert client_for(world.operator_a).get(url(world.batch_a)).status_code == 404
    assert not Certificate.objects.exists()


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


def test_one_certificate_per_label_sheet_page_if_asked(world, client_for, tmp_path):
    import subprocess

    from labels.models import Label
    from labels.services import print_job_create
    from tests.conftest import require_tool

    job = print_job_create(
        batch=world.batch_a,
        template="a4-3x8",
        count=30,
        start_position=20,
        requested_by=world.operator_a,
        enqueue=False,
    )
    serials = list(
        Label.objects.filter(print_job=job)
        .order_by("sequence")
        .values_list("serial", flat=True)
    )
    client = client_for(world.operator_a)
    client.post(url(world.batch_a), {}, format="json")
    response = client.get(f"{url(world.batch_a)}?print_job={job.pk}")
    assert response.status_code == 200
    path = tmp_path / "per-sheet.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(
        [require_tool("pdftotext"), str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    pages = [page.replace("\n", "") for page in text.split("\f")[:-1]]
    # Start at slot 20 of 24: 5 labels on the first sheet, 24 on the next, 1 on the last.
    assert len(pages) == 3
    assert "5 枚" in pages[0] and serials[0] in pages[0] and serials[4] in pages[0]
    assert "24 枚" in pages[1] and serials[5] in pages[1] and serials[28] in pages[1]
    assert "1 枚" in pages[2] and serials[29] in pages[2]
    assert all("承诺达标合格证" in page for page in pages)


def test_print_job_of_another_batch_is_a_400(world, client_for):
    from labels.services import print_job_create

    job = print_job_create(
        batch=world.batch_b,
        template="a4-3x8",
        count=2,
        requested_by=world.operator_b,
        enqueue=False,
    )
    response = client_for(world.admin).get(f"{url(world.batch_a)}?print_job={job.pk}")
    assert response.status_code == 400
    assert "print_job" in response.json()


def test_staff_still_read_the_certificate_of_a_held_batch_but_the_public_url_warns(
    world, client_for
):
    """The staff endpoint is the record of what was issued; the public URL is not.

    An inspector tracing a hold reads the certificate as issued, while a
    consumer at the label's certificate URL gets the warning (issue 32).
    """
    from labels.models import Label
    from labels.services import print_job_create
    from trace.services.batches import batch_hold

    job = print_job_create(
        batch=world.batch_a,
        template="a4-3x8",
        count=1,
        requested_by=world.operator_a,
        enqueue=False,
    )
    serial = Label.objects.get(print_job=job).serial
    client_for(world.operator_a).post(url(world.batch_a), {}, format="json")
    batch_hold(batch=world.batch_a, changed_by=world.inspector, reason="快检疑似")
    for user in (world.inspector, world.operator_a):
        response = client_for(user).get(url(world.batch_a))
        assert response.status_code == 200
        assert response.content.startswith(b"%PDF")
    public = client_for(None).get(f"/t/{serial}/certificate")
    assert public.status_code == 409
    assert not public.content.startswith(b"%PDF")
    assert "该批次已暂停销售" in public.content.decode()
    refused = client_for(world.operator_a).post(url(world.batch_a), {}, format="json")
    assert refused.status_code == 400  # and no new one while it is held
    assert Certificate.objects.filter(batch=world.batch_a).count() == 1
