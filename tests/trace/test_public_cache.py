"""A change to a batch reaches every worker's public page on the next request.

Through a real gunicorn with 2 workers, each holding its own cached story:
the services bump the batch's generation (trace/public_cache.py), not a
model signal that a garbage-collected receiver can drop (issue 19).
"""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from inspections.services.holds import batch_hold_release_sign
from labels import services as label_services
from labels.models import Label
from tests.conftest import TEST_CACHE_URL, missing
from trace.public_cache import batch_story_changed, batch_story_generation
from trace.services.batches import batch_hold, batch_recall
from trace.services.events import trace_event_record

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_a_change_gives_the_batch_a_new_generation(
    world, django_capture_on_commit_callbacks
):
    before = batch_story_generation(world.batch_a.pk)
    other = batch_story_generation(world.batch_b.pk)
    with django_capture_on_commit_callbacks(execute=True):
        batch_story_changed(world.batch_a.pk)
    assert batch_story_generation(world.batch_a.pk) != before
    assert batch_story_generation(world.batch_b.pk) == other
    batch_hold(batch=world.batch_b, changed_by=world.admin, reason="复检")
    assert batch_story_generation(world.batch_b.pk) != other


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.read().decode()
    except urllib.error.HTTPError as error:
        return error.read().decode()


@pytest.fixture(params=["sync", "buffered"])
def gunicorn(request, redis_cache, settings):
    """Start gunicorn with 2 workers on this test's database; yield a page getter.

    Once with each scan write mode.
    """
    settings.SUYUAN_SCAN_WRITE_MODE = request.param
    if connection.vendor != "postgresql":
        missing("needs PostgreSQL (DATABASE_URL): gunicorn must see the test's rows")
    port = _free_port()
    database = connection.settings_dict
    env = dict(
        os.environ,
        DATABASE_URL=(
            f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
            f"{database['PORT'] or 5432}/{database['NAME']}"
        ),
        SUYUAN_CACHE_URL=TEST_CACHE_URL,
        SUYUAN_SCAN_RATE_PER_CLIENT="100000/min",
        SUYUAN_SCAN_RATE_PER_SERIAL="100000/min",
        SUYUAN_SCAN_WRITE_MODE=request.param,
    )
    env.pop("CELERY_BROKER_URL", None)
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "config.wsgi",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(base + "/", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("gunicorn did not start")
        yield lambda path: _get(base + path)
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_hold_release_recall_and_events_reach_both_workers_at_once(world, gunicorn):
    job = label_services.print_job_create(
        batch=world.batch_a,
        template="a4-3x8",
        count=2,
        requested_by=world.operator_a,
        enqueue=False,
    )
    serial = Label.objects.filter(print_job=job).values_list("serial", flat=True)[0]

    def pages(count: int = 8) -> list[str]:
        # Sequential requests on new connections: both workers answer some.
        return [gunicorn(f"/t/{serial}") for _ in range(count)]

    assert all("正品 · 已认证" in html for html in pages(12))  # both stories cached
    batch = world.batch_a
    batch_hold(batch=batch, changed_by=world.inspector, reason="复检")
    for html in pages():
        assert "暂停销售" in html and "正品 · 已认证" not in html
    batch_hold_release_sign(batch=batch, released_by=world.inspector, reason="复检合格")
    assert all("正品 · 已认证" in html for html in pages())
    trace_event_record(
        batch=batch,
        recorded_by=world.operator_a,
        kind="ship",
        occurred_at=timezone.now(),
        place="长沙马王堆农产品市场",
    )
    assert all("长沙马王堆农产品市场" in html for html in pages())
    batch_recall(batch=batch, changed_by=world.inspector, reason="召回")
    for html in pages():
        assert "已召回" in html and "正品 · 已认证" not in html
