"""Fuzz the API from its own OpenAPI schema with schemathesis, once per role.

Every operation gets a few generated requests (valid and invalid ones) with
the role's token: no response may be a 500, and every documented response
must match the schema. Bounded in examples and time so it fits CI.
"""

import logging
import time

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

EXAMPLES_PER_OPERATION = 12
SECONDS_PER_ROLE = 35
CHECKS = [not_a_server_error, response_schema_conformance]


def _fuzz(schema, headers: dict, budget: float) -> tuple[int, list[str]]:
    """Run every operation's examples; return (cases run, failures)."""
    ran = 0
    failures: list[str] = []
    deadline = time.monotonic() + budget
    for result in schema.get_all_operations():
        operation = result.ok()
        if time.monotonic() > deadline:
            break
        strategy = operation.as_strategy()

        @given(case=strategy)
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def run(case):
            nonlocal ran
            ran += 1
            cache.clear()  # throttles are tested on their own, not tripped here
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            run()
        except Exception as error:  # collect every finding, not only the first
            failures.append(f"{operation.label}: {str(error)[:1500]}")
    return ran, failures


@pytest.fixture
def keep_test_connection():
    """Keep the test's transaction open across WSGI requests.

    Django closes a connection at the end of a request when its autocommit
    differs from the setting, which is always so inside a test transaction on
    PostgreSQL; Django's own test client disconnects the same handlers.
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def quiet_4xx():
    """Keep the expected 4xx warnings out of the output; 500s still log."""
    logging.disable(logging.WARNING)
    yield
    logging.disable(logging.NOTSET)


@pytest.mark.parametrize(
    "role", ["administrator", "operator", "inspector", "anonymous"]
)
def test_fuzzed_api_never_fails_and_matches_its_schema(
    world, role, quiet_4xx, keep_test_connection
):
    user = {
        "administrator": world.admin,
        "operator": world.operator_a,
        "inspector": world.inspector,
        "anonymous": None,
    }[role]
    headers = {}
    if user is not None:
        headers["Authorization"] = f"Token {Token.objects.create(user=user).key}"
    schema = schemathesis.openapi.from_wsgi(
        "/api/schema/?format=json", get_wsgi_application()
    )
    ran, failures = _fuzz(schema, headers, SECONDS_PER_ROLE)
    print(f"schemathesis cases run as {role}: {ran}")
    assert not failures, "\n\n".join(failures)
