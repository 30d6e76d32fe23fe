"""Fuzz the API from its own OpenAPI schema with schemathesis, once per role.

Every operation gets a few generated requests (valid and invalid ones) with
the token of each role of the demo (seed_demo: the office's administrator,
operator, inspector, the 四员, the county office) and without one, over the
demo data plus the records whose optional fields are empty (an unsigned
inspection, a sale without outlet, an issued certificate): no response may
be a 500 (the bar of issue 34), every documented response must match its
schema, and every response its documented content type and status.

Bounded so it fits CI: the demo is seeded once and every role fuzzed over
it, EXAMPLES_PER_OPERATION generated cases per operation and role (9 roles ×
about 160 operations × 3 ≈ 4,400 requests), and a per-role time budget as a
guard; a role that runs out of it fails, naming the operations it did not
reach, rather than passing on part of the API.
"""

import io
import logging
import time

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.core import signals
from django.core.cache import cache
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

EXAMPLES_PER_OPERATION = 3
SECONDS_PER_ROLE = 120
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    content_type_conformance,
    status_code_conformance,
]


def _fuzz(schema, headers: dict, budget: float) -> tuple[int, list[str]]:
    """Run every operation's examples; return (cases run, failures)."""
    ran = 0
    failures: list[str] = []
    deadline = time.monotonic() + budget
    for result in schema.get_all_operations():
        operation = result.ok()
        if time.monotonic() > deadline:
            failures.append(f"{operation.label}: not reached within {budget} s")
            continue
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


@pytest.fixture
def demo(db):
    """Load the demo data and add the records whose optional fields are empty."""
    from inspections.choices import InspectionKind
    from reports.services import certificate_issue
    from tests.inspections.factories import record_inspection
    from trace.choices import BatchStatus
    from trace.models import Batch
    from trace.services.events import sale_record

    call_command("seed_demo", stdout=io.StringIO())
    users = {user.username: user for user in get_user_model().objects.all()}
    released = Batch.objects.filter(status=BatchStatus.RELEASED).order_by("id")
    batch = released.filter(producer=users["operator"].suyuan_role.producer).first()
    record_inspection(  # unsigned: signed_by and signed_at are null
        batch=batch, user=users["inspector"], kind=InspectionKind.RAPID_TEST
    )
    sale_record(  # no outlet: outlet_name is null
        recorded_by=users["operator"],
        batch=batch,
        buyer="洞口县第一中学",
        channel="school",
        quantity=1,
        unit=batch.unit,
        amount=30,
        sold_at=timezone.now(),
    )
    certificate_issue(batch=batch, issued_by=users["operator"])
    return users


# Role → the demo account that holds it (None: no token).
ROLES = {
    "administrator": "admin",
    "operator": "operator",
    "inspector": "inspector",
    "informant": "informant",
    "supervisor": "supervisor",
    "technician": "technician",
    "purchase_point": "purchase_point",
    "office": "office",
    "anonymous": None,
}


def test_every_role_is_fuzzed():
    from trace.choices import Role

    assert set(Role.values) | {"anonymous"} == set(ROLES)


def test_fuzzed_api_never_fails_and_matches_its_schema(
    demo, quiet_4xx, keep_test_connection
):
    # One seeding for all roles: seed_demo takes longer than a role's fuzzing.
    schema = schemathesis.openapi.from_wsgi(
        "/api/schema/?format=json", get_wsgi_application()
    )
    report = {}
    for role, username in ROLES.items():
        headers = {}
        if username is not None:
            token = Token.objects.get_or_create(user=demo[username])[0]
            headers["Authorization"] = f"Token {token.key}"
        started = time.monotonic()
        ran, failures = _fuzz(schema, headers, SECONDS_PER_ROLE)
        print(
            f"schemathesis as {role}: {ran} cases, {len(failures)} failures, "
            f"{time.monotonic() - started:.0f} s"
        )
        if failures:
            report[role] = failures
    assert not report, "\n\n".join(
        f"[{role}] {failure}"
        for role, failures in report.items()
        for failure in failures
    )
