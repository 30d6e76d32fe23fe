"""Worker faults: a Celery worker killed with SIGKILL in the middle of a large
print job; the job's message is redelivered to a new worker, which ends it
`done` with exactly the serials allocated at creation, within a minute and
with no beat running (the production settings: late acks, a 30 s visibility
timeout, a heartbeat on the job). A job alive elsewhere is not taken over."""

import os
import re
import signal
import subprocess
import sys
import time
import uuid

import pytest
from celery import Celery
from django.conf import settings
from django.db import connection
from django.utils import timezone
from PIL import Image

from labels import codes, services
from labels.choices import PrintJobStatus
from labels.models import Label, PrintJob
from labels.tasks import print_job_render_task
from labels.templates import layout, template_get
from tests.conftest import IN_CI, missing, require_tool
from tests.labels.qr_decode import zbar_texts
from tests.labels.test_tasks import ROOT, _database_url

COUNT = 1200  # 50 A4 sheets of 24: long enough to be killed half way
DPI = 200


def _needs_broker_and_postgres() -> str:
    broker = os.environ.get("SUYUAN_TEST_BROKER_URL", "")
    problem = ""
    if not broker:
        problem = "SUYUAN_TEST_BROKER_URL is not set (e.g. redis://127.0.0.1:6379/14)"
    elif connection.vendor != "postgresql":
        problem = "a real worker needs DATABASE_URL on PostgreSQL"
    if problem:
        missing(problem)
    return broker


def _start_worker(broker: str, queue: str, log_path, **extra) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": broker,
        "SUYUAN_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "SUYUAN_SERIAL_KEY": settings.SUYUAN_SERIAL_KEY,
        "SUYUAN_PUBLIC_BASE_URL": settings.SUYUAN_PUBLIC_BASE_URL,
        "SUYUAN_LABEL_FONT": settings.SUYUAN_LABEL_FONT,
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        **extra,
    }
    # The production defaults: no test shortcut for the visibility timeout.
    for name in ("SUYUAN_BROKER_VISIBILITY_TIMEOUT", "SUYUAN_PRINT_JOB_LEASE_SECONDS"):
        if name not in extra:
            env.pop(name, None)
    log = open(log_path, "ab")  # noqa: SIM115 - the child keeps it
    return subprocess.Popen(
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
            f"{queue}-{uuid.uuid4().hex[:4]}@%h",
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


def _stop(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def _wait(job: PrintJob, done, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if done(job):
            return
        time.sleep(0.05)


def _sampled_codes(pdf, tmp_path, job, pages) -> dict[int, list[str]]:
    """Return {sequence: decoded URLs} for every label on the sampled pages."""
    template = template_get(job.template)
    scale = DPI / 25.4
    found = {}
    cells = list(layout(template, count=job.count, start_position=job.start_position))
    for page in pages:
        prefix = tmp_path / f"page{page}"
        subprocess.run(
            [
                require_tool("pdftoppm"),
                "-r",
                str(DPI),
                "-f",
                str(page + 1),
                "-l",
                str(page + 1),
                "-singlefile",
                "-png",
                str(pdf),
                str(prefix),
            ],
            check=True,
        )
        image = Image.open(f"{prefix}.png").convert("L")
        for sequence, (cell_page, _slot, rect) in enumerate(cells, start=1):
            if cell_page != page:
                continue
            box = (
                round(rect.x * scale),
                round((template.page_height - rect.top) * scale),
                round(rect.right * scale),
                round((template.page_height - rect.y) * scale),
            )
            found[sequence] = zbar_texts(image.crop(box))
    return found


@pytest.mark.worker
def test_sigkilled_worker_mid_job_ends_done_with_exactly_its_serials(
    transactional_db, world, tmp_path
):
    broker = _needs_broker_and_postgres()
    require_tool("pdftoppm")
    job = services.print_job_create(
        batch=world.batch_a,
        template="a4-3x8",
        count=COUNT,
        requested_by=world.operator_a,
        enqueue=False,
    )
    allocated = dict(
        Label.objects.filter(print_job=job).values_list("sequence", "serial")
    )
    queue = f"suyuan-test-faults-{uuid.uuid4().hex[:8]}"
    log = tmp_path / "workers.log"
    first = _start_worker(broker, queue, log)
    sender = Celery("suyuan-test-sender", broker=broker)
    second = None
    try:
        sender.send_task(print_job_render_task.name, args=[job.pk], queue=queue)
        _wait(job, lambda j: j.status == PrintJobStatus.RUNNING and j.progress >= 5, 60)
        assert job.status == PrintJobStatus.RUNNING, log.read_text()[-3000:]
        os.kill(first.pid, signal.SIGKILL)  # no chance to ack, fail or clean up
        killed_at = time.monotonic()
        first.wait(timeout=10)
        job.refresh_from_db()
        assert job.status == PrintJobStatus.RUNNING and job.progress < 100

        second = _start_worker(broker, queue, log)  # and no beat
        _wait(
            job, lambda j: j.status in (PrintJobStatus.DONE, PrintJobStatus.FAILED), 60
        )
        recovered_in = time.monotonic() - killed_at
    finally:
        _stop(first)
        if second is not None:
            _stop(second)
        sender.close()
    output = log.read_text(errors="replace")
    assert job.status == PrintJobStatus.DONE, output[-3000:]
    assert recovered_in < 60
    assert "taking it over" in output  # the redelivered message, not a sweeper

    labels = list(Label.objects.filter(print_job=job).values_list("sequence", "serial"))
    assert len(labels) == COUNT and dict(labels) == allocated
    assert len({serial for _sequence, serial in labels}) == COUNT

    pdf = settings.MEDIA_ROOT / job.pdf.name
    info = subprocess.run(
        [require_tool("pdfinfo"), str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    assert re.search(rf"^Pages:\s+{COUNT // 24}$", info, re.M), info
    found = _sampled_codes(pdf, tmp_path, job, pages=[0, COUNT // 48, COUNT // 24 - 1])
    assert len(found) == 72
    for sequence, urls in found.items():
        expected = codes.label_url(
            serial=allocated[sequence],
            gtin=world.batch_a.product_line.gtin,
            lot=world.batch_a.lot_code,
        )
        assert urls == [expected], sequence


@pytest.mark.worker
def test_a_live_job_is_watched_not_rendered_twice_and_taken_over_when_silent(
    transactional_db, world, tmp_path
):
    """Another execution holds the job and stamps its heartbeat (this test
    plays it); the broker redelivers the job's message to a real worker,
    which leaves it alone while the heartbeat is fresh and takes it over
    once it stops, all without beat."""
    broker = _needs_broker_and_postgres()
    job = services.print_job_create(
        batch=world.batch_a,
        template="a4-3x8",
        count=48,
        requested_by=world.operator_a,
        enqueue=False,
    )
    services.print_job_claim(print_job_id=job.pk, lease="elsewhere")
    queue = f"suyuan-test-lease-{uuid.uuid4().hex[:8]}"
    log = tmp_path / "worker.log"
    worker = _start_worker(broker, queue, log, SUYUAN_PRINT_JOB_LEASE_SECONDS="3")
    sender = Celery("suyuan-test-sender", broker=broker)
    try:
        sender.send_task(print_job_render_task.name, args=[job.pk], queue=queue)
        alive_until = time.monotonic() + 10
        while time.monotonic() < alive_until:  # the other execution is alive
            PrintJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now())
            time.sleep(0.5)
        job.refresh_from_db()
        assert job.status == PrintJobStatus.RUNNING and job.lease == "elsewhere"
        assert job.progress == 0 and not job.pdf
        # It dies: no more heartbeats. A watcher looks again every 3 s.
        _wait(job, lambda j: j.status == PrintJobStatus.DONE, 30)
    finally:
        _stop(worker)
        sender.close()
    output = log.read_text(errors="replace")
    assert job.status == PrintJobStatus.DONE, output[-3000:]
    assert job.lease != "elsewhere"
    assert output.count("taking it over") == 1
    assert Label.objects.filter(print_job=job).count() == 48


def _restart_postgresql() -> None:
    clusters = sorted(os.listdir("/etc/postgresql"))
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", clusters[-1], "main", "restart"],
        check=True,
        capture_output=True,
        timeout=120,
    )


@pytest.mark.worker
@pytest.mark.postgres
def test_postgresql_restart_mid_job_ends_done_or_failed_never_running(
    transactional_db, world, tmp_path
):
    """The job's database goes away under the worker; the task retries."""
    broker = _needs_broker_and_postgres()
    if not (IN_CI or os.environ.get("SUYUAN_TEST_ALLOW_PG_RESTART") == "1"):
        pytest.skip(
            "restarts the PostgreSQL cluster: set CI=true or SUYUAN_TEST_ALLOW_PG_RESTART=1"
        )
    job = services.print_job_create(
        batch=world.batch_a,
        template="a4-3x8",
        count=6000,
        requested_by=world.operator_a,
        enqueue=False,
    )
    allocated = set(
        Label.objects.filter(print_job=job).values_list("serial", flat=True)
    )
    queue = f"suyuan-test-pg-{uuid.uuid4().hex[:8]}"
    log = tmp_path / "worker.log"
    worker = _start_worker(broker, queue, log)
    sender = Celery("suyuan-test-sender", broker=broker)
    try:
        sender.send_task(print_job_render_task.name, args=[job.pk], queue=queue)
        _wait(job, lambda j: j.status == PrintJobStatus.RUNNING and j.progress >= 2, 60)
        connection.close()
        _restart_postgresql()
        connection.close()  # this process's connection died with the server too
        _wait(
            job, lambda j: j.status in (PrintJobStatus.DONE, PrintJobStatus.FAILED), 180
        )
    finally:
        _stop(worker)
        sender.close()
    output = log.read_text(errors="replace")
    assert job.status in (PrintJobStatus.DONE, PrintJobStatus.FAILED), output[-3000:]
    if job.status == PrintJobStatus.FAILED:
        assert "标签文件生成失败" in job.error_message
    else:
        assert job.progress == 100 and job.pdf
    # Whatever happened, the serials are the ones allocated at creation.
    assert (
        set(Label.objects.filter(print_job=job).values_list("serial", flat=True))
        == allocated
    )
