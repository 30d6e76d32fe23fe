"""Print-job limits: the per-producer daily quota and the stale-job sweeper."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from labels import services
from labels.choices import PrintJobStatus
from labels.models import PrintJob
from labels.tasks import print_jobs_fail_stale_task

pytestmark = pytest.mark.django_db


def _job(world, count, **kwargs):
    return services.print_job_create(
        batch=world.batch_a,
        template="a4-3x8",
        count=count,
        requested_by=world.operator_a,
        enqueue=False,
        **kwargs,
    )


def test_daily_quota_per_producer_is_enforced_with_a_clear_message(world, settings):
    settings.SUYUAN_PRINT_JOB_DAILY_QUOTA = 50
    _job(world, 30)
    with pytest.raises(ValidationError) as error:
        _job(world, 21)
    message = error.value.message_dict["count"][0]
    assert "50" in message and "20" in message
    _job(world, 20)  # exactly up to the quota is fine


def test_quota_counts_only_today_and_not_failed_jobs(world, settings):
    settings.SUYUAN_PRINT_JOB_DAILY_QUOTA = 40
    old = _job(world, 40)
    PrintJob.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=2)
    )
    failed = _job(world, 40)
    services.print_job_fail(print_job_id=failed.pk)
    _job(world, 40)


def test_quota_is_a_400_in_the_api(world, client_for, settings):
    settings.SUYUAN_PRINT_JOB_DAILY_QUOTA = 10
    response = client_for(world.operator_a).post(
        "/api/v1/print-jobs/",
        {"batch": world.batch_a.pk, "template": "a4-3x8", "count": 11},
    )
    assert response.status_code == 400
    assert "配额" in response.json()["count"][0]


def _stuck(world, minutes):
    job = _job(world, 3)
    PrintJob.objects.filter(pk=job.pk).update(
        status=PrintJobStatus.RUNNING,
        started_at=timezone.now() - datetime.timedelta(minutes=minutes),
    )
    return job


def test_sweeper_fails_only_jobs_stuck_past_the_time_limit(world, settings):
    settings.CELERY_TASK_TIME_LIMIT = 600
    stale, fresh = _stuck(world, 30), _stuck(world, 1)
    assert print_jobs_fail_stale_task() == 1
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.status == PrintJobStatus.FAILED and str(stale.pk) in (
        stale.error_message
    )
    assert fresh.status == PrintJobStatus.RUNNING


def test_sweeper_command_and_beat_schedule(world, settings, capsys):
    job = _stuck(world, 5)
    call_command("print_jobs_fail_stale", "--older-than", "60")
    assert "failed 1" in capsys.readouterr().out
    job.refresh_from_db()
    assert job.status == PrintJobStatus.FAILED
    entry = settings.CELERY_BEAT_SCHEDULE["print-jobs-fail-stale"]
    assert entry["task"] == print_jobs_fail_stale_task.name
