"""Project-wide checks: system checks clean, migrations up to date."""

import pytest
from django.core.management import call_command


def test_system_checks_pass():
    call_command("check", fail_level="WARNING")


@pytest.mark.django_db
def test_migrations_are_up_to_date():
    call_command("makemigrations", check=True, dry_run=True, verbosity=0)


def test_suite_runs_with_celery_eager(settings):
    """`make test` must not inherit a broker: tasks run inline unless a test starts a worker."""
    assert settings.CELERY_TASK_ALWAYS_EAGER, (
        "CELERY_BROKER_URL leaked into the test run"
    )
