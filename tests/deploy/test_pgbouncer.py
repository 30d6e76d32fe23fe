"""Django through pgbouncer in transaction mode (deploy/pgbouncer.ini).

Runs pgbouncer_cases.py with DATABASE_URL at pgbouncer and DATABASE_POOLED=1.
"""

import re

from tests.deploy.clusters import run_cases


def test_django_works_through_pgbouncer_in_transaction_mode(postgres_pair, pgbouncer):
    result = run_cases(
        "pgbouncer_cases.py",
        {
            "DATABASE_URL": postgres_pair.url(pgbouncer),
            "DATABASE_POOLED": "1",
            "SUYUAN_TEST_PGBOUNCER_PORT": str(pgbouncer),
        },
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    passed = re.search(r"(\d+) passed", output)
    assert passed and int(passed.group(1)) == 4, output[-3000:]
    assert "skipped" not in output, output[-3000:]
