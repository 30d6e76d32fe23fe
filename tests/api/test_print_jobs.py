import pytest

from labels import services
from labels.choices import LabelStatus, PrintJobStatus
from labels.models import Label, PrintJob

URL = "/api/v1/print-jobs/"


def _post(client, batch, **fields):
    return client.post(
        URL,
        {"batch": batch.pk, "template": "a4-3x8", "count": 10, **fields},
        format="json",
    )


def test_operator_creates_a_job_and_gets_202_with_its_id(
    world, client_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(
        execute=True
    ):  # eager: the task renders inline
        response = _post(
            client_for(world.operator_a),
            world.batch_a,
            start_position=2,
            offset_x_mm="1.5",
        )
    assert response.status_code == 202, response.json()
    job = PrintJob.objects.get(pk=response.json()["id"])
    assert job.labels.count() == 10 and job.requested_by == world.operator_a
    detail = client_for(world.operator_a).get(f"{URL}{job.pk}/").json()
    assert detail["status"] == PrintJobStatus.DONE and detail["progress"] == 100
    assert detail["pdf_url"].endswith(f"/api/v1/print-jobs/{job.pk}/pdf/")
    pdf = client_for(world.operator_a).get(f"{URL}{job.pk}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"template": "letter"}, "template"),
        ({"count": 0}, "count"),
        ({"count": "many"}, "count"),
        ({"start_position": 25}, "start_position"),
        ({"start_position": 0}, "start_position"),
        ({"offset_x_mm": "11"}, "offset_x_mm"),
        ({"batch": "x"}, "batch"),
    ],
)
def test_bad_input_is_a_400_on_the_field(world, client_for, fields, field):
    client = client_for(world.operator_a)
    response = client.post(
        URL,
        {"batch": world.batch_a.pk, "template": "a4-3x8", "count": 10, **fields},
        format="json",
    )
    assert response.status_code == 400 and field in response.json()


def test_count_over_the_limit_is_a_400_on_count(world, client_for, settings):
    settings.SUYUAN_MAX_LABELS_PER_JOB = 100
    response = _post(client_for(world.operator_a), world.batch_a, count=101)
    assert response.status_code == 400 and "count" in response.json()


def test_operator_b_cannot_create_see_or_download_as_job(world, client_for):
    job = services.print_job_create(
        batch=world.batch_a, template="a4-3x8", count=3, requested_by=world.operator_a
    )
    services.print_job_render(print_job_id=job.pk)
    client = client_for(world.operator_b)
    assert _post(client, world.batch_a).status_code == 404
    assert client.get(f"{URL}{job.pk}/").status_code == 404
    assert client.get(f"{URL}{job.pk}/pdf/").status_code == 404
    assert client.post(f"{URL}{job.pk}/void/", {"reason": "x"}).status_code == 404
    assert client.get(URL).json()["count"] == 0
    assert PrintJob.objects.count() == 1


def test_inspector_sees_the_job_but_not_its_sheet(world, client_for):
    job = services.print_job_create(
        batch=world.batch_a, template="a4-3x8", count=3, requested_by=world.operator_a
    )
    services.print_job_render(print_job_id=job.pk)
    client = client_for(world.inspector)
    assert _post(client, world.batch_a).status_code == 403
    detail = client.get(f"{URL}{job.pk}/")
    assert detail.status_code == 200 and detail.json()["pdf_url"] is None
    # Printable genuine codes go to the producer's operators and administrators.
    assert client.get(f"{URL}{job.pk}/pdf/").status_code == 404
    assert client_for(world.admin).get(f"{URL}{job.pk}/pdf/").status_code == 200
    assert client.post(f"{URL}{job.pk}/void/", {"reason": "x"}).status_code == 403


def test_anonymous_gets_nothing(world, client_for):
    assert client_for(None).get(URL).status_code in (401, 403)


def test_pdf_of_unfinished_job_is_404(world, client_for):
    job = services.print_job_create(
        batch=world.batch_a, template="a4-3x8", count=3, requested_by=world.operator_a
    )
    assert client_for(world.operator_a).get(f"{URL}{job.pk}/pdf/").status_code == 404


def test_void_a_whole_job(world, client_for):
    job = services.print_job_create(
        batch=world.batch_a, template="a4-3x8", count=4, requested_by=world.operator_a
    )
    client = client_for(world.operator_a)
    assert client.post(f"{URL}{job.pk}/void/", {}).status_code == 400
    response = client.post(f"{URL}{job.pk}/void/", {"reason": "标签纸卡纸，重新打印"})
    assert response.status_code == 200 and response.json() == {"voided": 4}
    assert not Label.objects.filter(status=LabelStatus.ACTIVE).exists()


def test_list_filters_by_batch_with_few_queries(
    world, client_for, django_assert_max_num_queries
):
    for _ in range(3):
        services.print_job_create(
            batch=world.batch_a, template="a4-3x8", count=1, requested_by=world.admin
        )
    services.print_job_create(
        batch=world.batch_b, template="a4-3x8", count=1, requested_by=world.admin
    )
    client = client_for(world.admin)
    with django_assert_max_num_queries(5):
        response = client.get(URL, {"batch": world.batch_a.pk})
    assert response.json()["count"] == 3


def test_a_job_says_it_printed_short_links_for_a_product_without_gtin(
    world, client_for
):
    client = client_for(world.operator_a)
    world.batch_a.product_line.gtin = None
    world.batch_a.product_line.save()
    asked = _post(client, world.batch_a, link_form="compressed").json()
    assert asked["link_form"] == "compressed"
    assert asked["printed_links"] == "short"  # /t/{serial}: there is no GTIN
    world.batch_a.product_line.gtin = "06901234567892"
    world.batch_a.product_line.save()
    again = _post(client, world.batch_a, link_form="compressed").json()
    assert again["printed_links"] == "compressed"
