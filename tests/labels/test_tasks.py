import logging
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from celery import Celery
from django.conf import settings
from django.db import connection

from labels import services
from labels.choices import PrintJobStatus
from labels.models import PrintJob
from labels.tasks import print_job_render_task
from tests.conftest import missing

ROOT = Path(__file__).resolve().parents[2]


def test_task_renders_by_id(world):
    job = services.print_job_create(
        batch=world.batch_a,
        template="a4-3x8",
        count=4,
        requested_by=world.operator_a,
        enqueue=False,
    )
    print_job_render_task(job.pk)
    print_job_render_task(job.pk)  # a redelivery is harmless
    assert PrintJob.objects.get(pk=job.pk).status == PrintJobStatus.DONE


def test_task_is_acks_late_and_takes_ids_only():
    assert print_job_render_task.acks_late is True
    assert list(print_job_render_task.__wrapped__.__annotations__) == [
        "print_job_id",
        "return",
    ]


def _database_url() -> str:
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{credentials}@{host}/{db['NAME']}"


@pytest.mark.worker
def test_job_is_rendered_by_a_real_celery_worker(transactional_db, world, tmp_path):
    broker = os.environ.get("SUYUAN_TEST_BROKER_URL", "")
    if not broker:
        missing("SUYUAN_TEST_BROKER_URL is not set (e.g. redis://127.0.0.1:6379/14)")
    if connection.vendor != "postgresql":
        # The worker is another process: it cannot open pytest's in-memory SQLite.
        missing("the worker test needs DATABASE_URL on PostgreSQL")

    job = services.print_job_create(
        batch=world.batch_a,
        template="a4-3x8",
        count=50,
        requested_by=world.operator_a,
        enqueue=False,
    )
    # A queue of its own: no stale message from another run can reach this worker.
    queue = f"suyuan-test-labels-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": broker,
        "SUYUAN_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "SUYUAN_SERIAL_KEY": settings.SUYUAN_SERIAL_KEY,
        "SUYUAN_PUBLIC_BASE_URL": settings.SUYUAN_PUBLIC_BASE_URL,
        "SUYUAN_LABEL_FONT": settings.SUYUAN_LABEL_FONT,
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
    }
    log = open(tmp_path / "worker.log", "wb")  # noqa: SIM115 - closed in finally
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-P",
            "solo",
            "-Q",
            queue,
            "-n",
            f"{queue}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    sender = Celery("suyuan-test-sender", broker=broker)
    try:
        sender.send_task(print_job_render_task.name, args=[job.pk], queue=queue)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            job.refresh_from_db()
            if (
                job.status in (PrintJobStatus.DONE, PrintJobStatus.FAILED)
                or worker.poll() is not None
            ):
                break
            time.sleep(0.5)
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        log.close()
        sender.close()
    output = (tmp_path / "worker.log").read_text(errors="replace")[-3000:]
    assert job.status == PrintJobStatus.DONE, output
    assert job.progress == 100
    assert (Path(settings.MEDIA_ROOT) / job.pdf.name).read_bytes().startswith(b"%PDF")


def test_task_failure_marks_the_job_failed(world):
    job = services.print_job_create(
        batch=world.batch_a,
        template="a4-3x8",
        count=1,
        requested_by=world.operator_a,
        enqueue=False,
    )
    print_job_render_task.on_failure(
        RuntimeError("lost"), "task-id", (job.pk,), {}, None
    )
    assert PrintJob.objects.get(pk=job.pk).status == PrintJobStatus.FAILED


def test_embedded_printing_asks_no_broker(
    world, caplog, django_capture_on_commit_callbacks
):
    """With no CELERY_BROKER_URL nothing looks for one (kombu's "No hostname" warning)."""
    with (
        caplog.at_level(logging.DEBUG),
        django_capture_on_commit_callbacks(execute=True),
    ):
        job = services.print_job_create(
            batch=world.batch_a,
            template="a4-3x8",
            count=4,
            requested_by=world.operator_a,
        )
    assert PrintJob.objects.get(pk=job.pk).status == PrintJobStatus.DONE
    noise = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert noise == []
    assert not [r for r in caplog.records if r.name.startswith("kombu")]
