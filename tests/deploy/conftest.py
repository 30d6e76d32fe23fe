"""One PostgreSQL primary and replica (and pgbouncer) for all deployment tests."""

import pytest

from tests.deploy.clusters import start_pgbouncer, start_postgres_pair


@pytest.fixture(scope="session")
def postgres_pair():
    pair = start_postgres_pair()
    yield pair
    pair.stop()


@pytest.fixture(scope="session")
def pgbouncer(postgres_pair):
    """pgbouncer in transaction mode before the primary; its port."""
    return start_pgbouncer(postgres_pair)
