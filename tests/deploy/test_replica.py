"""The read replica router (trace/replica.py) against a real streaming replica.

Starts a PostgreSQL primary and a replica made by pg_basebackup
(deploy/postgres.sh) and runs replica_cases.py against them.
"""

import re

from tests.deploy.clusters import run_cases


def test_reads_go_to_the_replica_writes_and_fallbacks_to_the_primary(postgres_pair):
    result = run_cases(
        "replica_cases.py",
        {
            "DATABASE_URL": postgres_pair.url(postgres_pair.primary_port),
            "DATABASE_REPLICA_URL": postgres_pair.url(postgres_pair.replica_port),
            "SUYUAN_TEST_PG_DIR": str(postgres_pair.directory),
        },
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    passed = re.search(r"(\d+) passed", output)
    assert passed and int(passed.group(1)) == 6, output[-3000:]
    assert "skipped" not in output, output[-3000:]
