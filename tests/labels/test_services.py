import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from labels import services
from labels.choices import LabelStatus, PrintJobStatus
from labels.models import Label, LabelVoid, PrintJob
from labels.templates import TEMPLATES
from tests.factories import BrandFactory, BrandLicenseFactory, make_gtin13
from tests.labels.qr_decode import decode_cells
from trace.choices import BatchStatus, CertificationStatus
from trace.validators import normalize_gtin


def _create(world, **overrides):
    fields = {
        "batch": world.batch_a,
        "template": "a4-3x8",
        "count": 30,
        "requested_by": world.operator_a,
    }
    fields.update(overrides)
    return services.print_job_create(**fields)


def test_create_allocates_serials_and_enqueues_after_commit(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        job = _create(world, count=12)
    assert job.status == PrintJobStatus.QUEUED
    assert len(callbacks) == 1
    labels = list(job.labels.order_by("sequence"))
    assert [label.sequence for label in labels] == list(range(1, 13))
    assert len({label.serial for label in labels}) == 12
    assert all(
        label.batch_id == world.batch_a.pk and label.status == LabelStatus.ACTIVE
        for label in labels
    )


def test_create_in_chunks(world, monkeypatch):
    monkeypatch.setattr(services, "ALLOCATION_CHUNK", 7)
    job = _create(world, count=30)
    assert job.labels.count() == 30
    assert sorted(job.labels.values_list("sequence", flat=True)) == list(range(1, 31))


def test_count_over_the_limit_is_a_count_error(world, settings):
    settings.SUYUAN_MAX_LABELS_PER_JOB = 50
    with pytest.raises(ValidationError) as error:
        _create(world, count=51)
    assert "count" in error.value.message_dict
    assert not PrintJob.objects.exists()


@pytest.mark.parametrize(
    "status", [BatchStatus.DRAFT, BatchStatus.ON_HOLD, BatchStatus.RECALLED]
)
def test_only_released_batches_get_labels(world, status):
    world.batch_a.status = status
    world.batch_a.save()
    with pytest.raises(ValidationError) as error:
        _create(world)
    assert "batch" in error.value.message_dict


def test_suspended_certification_blocks_printing(world):
    world.producer_a.certifications.update(status=CertificationStatus.SUSPENDED)
    with pytest.raises(ValidationError):
        _create(world)


def test_branded_line_needs_a_license(world):
    line = world.batch_a.product_line
    line.brand = BrandFactory(name="雪峰蜜橘")
    line.save()
    with pytest.raises(ValidationError):
        _create(world)
    BrandLicenseFactory(
        brand=line.brand, producer=world.producer_a, product_lines=[line]
    )
    assert _create(world).count == 30


def test_operator_of_another_producer_and_inspector_cannot_print(world):
    with pytest.raises(PermissionDenied):
        _create(world, requested_by=world.operator_b)
    with pytest.raises(PermissionDenied):
        _create(world, requested_by=world.inspector)
    assert _create(world, requested_by=world.admin).requested_by == world.admin


def test_unknown_template_and_start_off_the_sheet(world):
    with pytest.raises(ValidationError) as error:
        _create(world, template="letter-1x1")
    assert "template" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        _create(world, start_position=25)
    assert "start_position" in error.value.message_dict


def test_render_decodes_to_exactly_the_jobs_urls(world, tmp_path):
    line = world.batch_a.product_line
    line.gtin = normalize_gtin(make_gtin13())
    line.brand = BrandFactory(name="洞乡源味")
    line.save()
    BrandLicenseFactory(
        brand=line.brand, producer=world.producer_a, product_lines=[line]
    )
    job = _create(
        world,
        count=27,
        start_position=3,
        offset_x_mm=Decimal("1.0"),
        offset_y_mm=Decimal("-1.5"),
    )
    job = services.print_job_render(print_job_id=job.pk)
    assert job.status == PrintJobStatus.DONE and job.progress == 100
    assert job.pdf.name == f"print-jobs/print-job-{job.pk}.pdf"
    decoded = decode_cells(
        job.pdf.path,
        tmp_path,
        TEMPLATES["a4-3x8"],
        count=27,
        start_position=3,
        offset_x=1.0,
        offset_y=-1.5,
    )
    expected = {
        label.url() for label in job.labels.select_related("batch__product_line")
    }
    assert all(len(codes) == 1 for codes in decoded)
    assert {codes[0] for codes in decoded} == expected
    assert all(
        url.split("/21/")[0].endswith(f"/01/{line.gtin}/10/{world.batch_a.lot_code}")
        for url in expected
    )


def test_render_is_idempotent(world, django_assert_max_num_queries):
    job = _create(world, count=5)
    job = services.print_job_render(print_job_id=job.pk)
    first = job.pdf.read()
    job.pdf.close()
    with django_assert_max_num_queries(3):  # savepoint, locked read, release
        assert (
            services.print_job_render(print_job_id=job.pk).status == PrintJobStatus.DONE
        )
    # A redelivery after a crash mid-render (heartbeat silent for a minute):
    # same serials, same file name.
    PrintJob.objects.filter(pk=job.pk).update(
        status=PrintJobStatus.RUNNING,
        heartbeat_at=timezone.now() - datetime.timedelta(minutes=1),
    )
    again = services.print_job_render(print_job_id=job.pk)
    assert again.pdf.name == job.pdf.name
    assert Label.objects.filter(print_job=job).count() == 5
    assert len(again.pdf.read()) == pytest.approx(len(first), rel=0.05)


def test_a_live_job_is_not_taken_over_and_a_silent_one_is(world, settings):
    settings.SUYUAN_PRINT_JOB_LEASE_SECONDS = 20
    job = _create(world, count=3)
    claimed = services.print_job_claim(print_job_id=job.pk, lease="first")
    assert claimed.status == PrintJobStatus.RUNNING and claimed.lease == "first"
    with pytest.raises(services.PrintJobBusy):  # the broker redelivered it early
        services.print_job_render(print_job_id=job.pk, lease="second")
    PrintJob.objects.filter(pk=job.pk).update(
        heartbeat_at=timezone.now() - datetime.timedelta(seconds=21)
    )
    taken = services.print_job_render(print_job_id=job.pk, lease="second")
    assert taken.status == PrintJobStatus.DONE
    assert PrintJob.objects.get(pk=job.pk).lease == "second"


def test_an_execution_that_lost_its_job_stops_writing(world, monkeypatch):
    job = _create(world, count=30, template="a4-2x4")
    real = services.rendering.render_labels

    def taken_over_after_the_first_page(**arguments):
        progress = arguments["on_progress"]

        def hijacked(done):
            PrintJob.objects.filter(pk=job.pk).update(lease="another")
            progress(done)

        return real(**{**arguments, "on_progress": hijacked})

    monkeypatch.setattr(
        services.rendering, "render_labels", taken_over_after_the_first_page
    )
    with pytest.raises(services.PrintJobLeaseLost):
        services.print_job_render(print_job_id=job.pk, lease="first")
    job.refresh_from_db()
    assert job.lease == "another" and job.status == PrintJobStatus.RUNNING


def test_render_reports_progress(world, django_assert_max_num_queries):
    job = _create(world, count=100, template="a4-2x4")
    seen = []
    services.print_job_render(
        print_job_id=job.pk, on_progress=lambda done, count: seen.append(done)
    )
    assert seen[-1] == 100 and seen == sorted(seen) and len(seen) >= 13


def test_render_failure_leaves_a_chinese_message(world, monkeypatch):
    job = _create(world, count=3)

    def broken(**kwargs):
        raise RuntimeError("disk full at /var/secret/path")

    monkeypatch.setattr(services.rendering, "render_labels", broken)
    job = services.print_job_render(print_job_id=job.pk)
    assert job.status == PrintJobStatus.FAILED
    assert "标签文件生成失败" in job.error_message and "secret" not in job.error_message
    assert PrintJob.objects.get(pk=job.pk).status == PrintJobStatus.FAILED


def test_void_a_list_one_and_a_job(world):
    job = _create(world, count=6)
    serials = list(job.labels.order_by("sequence").values_list("serial", flat=True))
    assert (
        services.labels_void(
            voided_by=world.operator_a,
            serials=[s.lower() for s in serials[:2]],
            reason="破损",
        )
        == 2
    )
    label = job.labels.get(serial=serials[2])
    assert services.labels_void(voided_by=world.admin, label=label, reason="错贴") == 1
    assert (
        services.labels_void(
            voided_by=world.operator_a, print_job=job, reason="整批作废"
        )
        == 3
    )
    voided = Label.objects.get(serial=serials[0])
    assert (
        voided.status == LabelStatus.VOID
        and voided.voided_by == world.operator_a
        and voided.void_reason == "破损"
    )
    assert (
        services.labels_void(voided_by=world.operator_a, print_job=job, reason="again")
        == 0
    )


def test_each_void_records_who_when_why_per_batch(world):
    job_a = _create(world, count=3)
    job_b = _create(world, batch=world.batch_b, count=2, requested_by=world.operator_b)
    serials = [job_a.labels.get(sequence=1).serial, job_b.labels.get(sequence=1).serial]
    assert (
        services.labels_void(voided_by=world.admin, serials=serials, reason="抽查") == 2
    )
    void_a, void_b = LabelVoid.objects.order_by("batch_id")
    assert (void_a.batch, void_b.batch) == (world.batch_a, world.batch_b)
    assert {void_a.voided_by, void_b.voided_by} == {world.admin}
    assert void_a.voided_at == void_b.voided_at and void_a.reason == "抽查"
    assert list(void_a.labels.values_list("serial", flat=True)) == serials[:1]
    assert list(void_b.labels.values_list("serial", flat=True)) == serials[1:]
    services.labels_void(voided_by=world.operator_a, print_job=job_a, reason="重印")
    latest = LabelVoid.objects.latest("id")
    assert set(latest.labels.values_list("sequence", flat=True)) == {2, 3}
    # A void of labels already void changes nothing and records nothing.
    assert services.labels_void(voided_by=world.admin, serials=serials, reason="x") == 0
    assert LabelVoid.objects.count() == 3
    assert Label.objects.get(serial=serials[0]).void == void_a


def test_void_rules(world):
    job = _create(world, count=2)
    serial = job.labels.first().serial
    with pytest.raises(ValidationError):
        services.labels_void(voided_by=world.operator_a, serials=[serial], reason=" ")
    with pytest.raises(ValidationError) as error:
        services.labels_void(voided_by=world.operator_b, serials=[serial], reason="x")
    assert "serials" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.labels_void(
            voided_by=world.operator_a, serials=[serial, "NOT-A-SERIAL"], reason="x"
        )
    with pytest.raises(PermissionDenied):
        services.labels_void(voided_by=world.inspector, print_job=job, reason="x")
    with pytest.raises(PermissionDenied):
        services.labels_void(voided_by=world.operator_b, print_job=job, reason="x")
    assert not Label.objects.filter(status=LabelStatus.VOID).exists()


@pytest.mark.postgres
def test_parallel_jobs_on_one_batch_get_disjoint_serials(transactional_db, world):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL) for real concurrent transactions")
    results, errors = {}, []
    barrier = threading.Barrier(2)

    def create(name):
        try:
            barrier.wait()
            job = _create(world, count=2000)
            results[name] = set(job.labels.values_list("serial", flat=True))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(name,)) for name in ("one", "two")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(results["one"]) == len(results["two"]) == 2000
    assert not results["one"] & results["two"]
    assert Label.objects.filter(batch=world.batch_a).count() == 4000


def test_stale_running_jobs_are_failed_and_done_ones_kept(world):
    stuck = _create(world, count=1)
    finished = services.print_job_render(print_job_id=_create(world, count=1).pk)
    long_ago = timezone.now() - datetime.timedelta(hours=2)
    PrintJob.objects.filter(pk=stuck.pk).update(
        status=PrintJobStatus.RUNNING, started_at=long_ago
    )
    assert services.print_jobs_fail_stale(older_than=datetime.timedelta(hours=1)) == 1
    stuck.refresh_from_db()
    assert stuck.status == PrintJobStatus.FAILED and "任务编号" in stuck.error_message
    assert (
        services.print_job_fail(print_job_id=finished.pk).status == PrintJobStatus.DONE
    )


def test_allocation_retries_a_colliding_chunk_and_resumes(world, monkeypatch):
    """Both insert paths (COPY on PostgreSQL, bulk_create on SQLite)."""
    first = _create(world, count=3)
    taken = first.labels.values_list("serial", flat=True).first()
    real = services.codes.serials_new
    calls = []

    def colliding(count):
        calls.append(count)
        serials = real(count)
        if len(calls) == 1:
            serials[-1] = taken  # the first attempt hits an existing serial
        return serials

    monkeypatch.setattr(services.codes, "serials_new", colliding)
    monkeypatch.setattr(services, "ALLOCATION_CHUNK", 4)
    job = _create(world, count=10)
    assert calls == [4, 4, 4, 2]
    labels = list(job.labels.order_by("sequence"))
    assert [label.sequence for label in labels] == list(range(1, 11))
    assert taken not in {label.serial for label in labels}
    assert all(
        label.status == LabelStatus.ACTIVE
        and label.scan_count == 0
        and label.batch_id == world.batch_a.pk
        and label.created_at is not None
        for label in labels
    )
    # A re-delivered allocation adds nothing.
    assert services.labels_allocate(print_job=job) == 10
    assert job.labels.count() == 10


@pytest.mark.postgres
def test_allocation_uses_copy_on_postgresql(world, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("the COPY path runs on PostgreSQL only")
    used = []
    original = services._labels_insert_copy

    def spy(**kwargs):
        used.append(len(kwargs["serials"]))
        return original(**kwargs)

    monkeypatch.setattr(services, "_labels_insert_copy", spy)
    job = _create(world, count=30)
    assert used == [30]
    assert job.labels.filter(status=LabelStatus.ACTIVE).count() == 30


def test_large_job_is_a_zip_of_pdf_parts(world, settings, client):
    import zipfile

    settings.SUYUAN_LABEL_PART_SIZE = 24
    job = services.print_job_render(print_job_id=_create(world, count=30).pk)
    assert job.status == PrintJobStatus.DONE and job.pdf.name.endswith(".zip")
    with job.pdf.open("rb") as data, zipfile.ZipFile(data) as archive:
        assert archive.namelist() == ["labels-001.pdf", "labels-002.pdf"]
        assert all(
            archive.read(name).startswith(b"%PDF") for name in archive.namelist()
        )


def test_label_heading_names_a_product_once_when_brand_and_line_share_it(world):
    line = world.batch_a.product_line
    line.brand = BrandFactory(name="雪峰蜜橘")
    line.name = "雪峰蜜橘"
    line.save()
    BrandLicenseFactory(
        brand=line.brand, producer=world.producer_a, product_lines=[line]
    )
    world.batch_a.refresh_from_db()
    content = services.label_content(batch=world.batch_a)
    assert content.brand_line == "雪峰蜜橘"
    assert content.unified_brand
