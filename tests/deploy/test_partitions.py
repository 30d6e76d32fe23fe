"""Scan events partitioned by month on a real PostgreSQL with pg_partman.

Runs partition_cases.py against the session's primary (deploy/postgres.sh).
"""

import re
from pathlib import Path

from tests.conftest import missing
from tests.deploy.clusters import run_cases


def test_scan_events_are_partitioned_pruned_and_maintained(postgres_pair):
    if not list(Path("/usr/share/postgresql").glob("*/extension/pg_partman.control")):
        missing("pg_partman is not installed (Debian: postgresql-15-partman)")
    result = run_cases(
        "partition_cases.py",
        {"DATABASE_URL": postgres_pair.url(postgres_pair.primary_port)},
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    passed = re.search(r"(\d+) passed", output)
    assert passed and int(passed.group(1)) == 3, output[-3000:]
    assert "skipped" not in output, output[-3000:]
