"""The public API keeps the promises of its own OpenAPI document, for anonymous and signed-in callers.

Schemathesis generates requests from ``/api/v1/openapi.json`` and sends them to the WSGI application
in-process; every response must be a documented status with a documented content type and body.
"""

from __future__ import annotations

from collections import Counter
from contextlib import contextmanager

import pytest
import schemathesis
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import Client
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from kenes.wsgi import application

# pytest-django creates the test database only for marked tests; unmarked, these would reach the real one.
pytestmark = pytest.mark.django_db

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES_PER_OPERATION = 75
CASES: Counter[str] = Counter()

fuzzing = hypothesis_settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)


@contextmanager
def _connection_kept_across_requests():
    """Requests share the test's open transaction, as with Django's test client, which does the same."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture(scope="module")
def demo_session(django_db_setup, django_db_blocker):
    """The small demo data set, and the session cookie of its coordinator; rolled back afterwards."""
    from kenes.core.demo import demo_email, load_demo
    from kenes.core.models import User

    with django_db_blocker.unblock(), _connection_kept_across_requests(), transaction.atomic():
        from django.db import connection

        print(
            "DBG",
            connection.settings_dict["NAME"],
            User.objects.filter(email__endswith="demo.kenes.kz").count(),
        )
        load_demo(scale="small", seed=2026)
        client = Client()
        client.force_login(User.objects.get(email=demo_email("coordinator")))
        yield f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        transaction.set_rollback(True)
    print(dict(CASES), sum(CASES.values()))


def _call_and_validate(case, headers=None):
    # Each request runs in its own savepoint, so one failed query cannot poison the next case.
    with transaction.atomic():
        response = case.call(headers=headers)
        transaction.set_rollback(True)
    CASES[f"{'auth' if headers else 'anon'} {case.operation.label}"] += 1
    case.validate_response(response, checks=CHECKS)


@schema.parametrize()
@fuzzing
def test_api_conforms_to_its_schema_for_anonymous_callers(case, demo_session):
    _call_and_validate(case)


@schema.parametrize()
@fuzzing
def test_api_conforms_to_its_schema_for_the_coordinator(case, demo_session):
    _call_and_validate(case, headers={"Cookie": demo_session})
