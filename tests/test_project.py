"""Project-wide checks: system checks clean, migrations up to date."""

import pytest
from django.core.management import call_command


def test_system_checks_pass():
    call_command("check", fail_level="WARNING")


@pytest.mark.django_db
def test_migrations_are_up_to_date():
    call_command("makemigrations", check=True, dry_run=True, verbosity=0)
