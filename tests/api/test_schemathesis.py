"""The public API keeps the promises of its own OpenAPI document, for anonymous and signed-in callers.

Schemathesis generates requests from ``/api/v1/openapi.json`` and sends them to the WSGI application
in-process, over the small demo data set: every answer must be a documented status code with a
documented content type and a body that matches the documented schema, and never a server error.
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest
import schemathesis
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import Client
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from kenes.wsgi import application

# pytest-django creates the test database only when a collected test is marked; unmarked, the demo
# data would be written to the database named in the settings.
pytestmark = pytest.mark.django_db

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

# Every operation × 2 callers, 75 examples each; with schemathesis's own coverage cases this makes
# well over the 1,000 requests the quality gate asks for.
fuzzing = hypothesis_settings(
    max_examples=75,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# Codes and ids of the demo data, by parameter name; filled by the ``demo_session`` fixture.
DEMO_VALUES: dict[str, list] = {}

# Text that broke or could break a lookup: NUL (PostgreSQL refuses it), LIKE wildcards, quotes, long text.
ODD_TEXT = ["\x00", "pc-\x00", "%", "_", "'", "\\", " ", "а" * 300, "😀"]


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    return _with_demo_and_odd_values(path_parameters, odd_text=False)


@schema.hook
def flatmap_query(context, query):
    return _with_demo_and_odd_values(query, odd_text=True)


def _with_demo_and_odd_values(generated, *, odd_text):
    """Parameter by parameter: the generated value, a code or id of the demo data, or odd text.

    Random codes and ids almost never name a row, so without the demo values the 200 bodies of the
    detail operations and of the filtered lists would hardly be checked; and random text seldom
    holds the characters that databases treat specially.
    """
    choices = {}
    for name, value in (generated or {}).items():
        options = [st.just(value)]
        if DEMO_VALUES.get(name):
            options.append(st.sampled_from(DEMO_VALUES[name]))
        if odd_text and isinstance(value, str):
            options.append(st.sampled_from(ODD_TEXT))
        if len(options) > 1:
            choices[name] = st.one_of(options)
    if not choices:
        return st.just(generated)
    return st.fixed_dictionaries(choices).map(lambda values: {**generated, **values})


@contextmanager
def _connection_kept_across_requests():
    """Requests share the test's open transaction; Django's test client does the same for its requests."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture(scope="module")
def demo_session(django_db_setup, django_db_blocker):
    """The small demo data set and the session cookies of its coordinator, rolled back after the module."""
    from kenes.core.demo import demo_email, load_demo
    from kenes.core.models import User
    from kenes.councils.models import Council
    from kenes.councils.selectors import public_people
    from kenes.meetings.models import Meeting

    with django_db_blocker.unblock(), _connection_kept_across_requests(), transaction.atomic():
        load_demo(scale="small", seed=2026)
        # The demo's meetings are all open; closing every third lets the coordinator see what others do not.
        meeting_ids = list(Meeting.objects.order_by("pk").values_list("pk", flat=True))
        Meeting.objects.filter(pk__in=meeting_ids[::3]).update(is_public=False)
        councils = Council.objects.order_by("code")
        DEMO_VALUES.update(
            code=list(councils.values_list("code", flat=True)),
            council=list(councils.values_list("code", flat=True)),
            region=sorted({code for code in councils.values_list("region__code", flat=True) if code}),
            district=sorted({code for code in councils.values_list("district__code", flat=True) if code}),
            state_body=sorted(set(councils.values_list("state_body__code", flat=True))),
            topic=sorted({code for code in councils.values_list("topics__code", flat=True) if code}),
            person_id=list(public_people().order_by("pk").values_list("pk", flat=True)),
            meeting_id=meeting_ids,
        )
        client = Client()
        client.force_login(User.objects.get(email=demo_email("coordinator")))
        # As a cookie, not a Cookie header: the WSGI transport's client drops a header its jar does not hold.
        yield {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}
        DEMO_VALUES.clear()
        transaction.set_rollback(True)


def _call_and_validate(case, cookies=None):
    # A savepoint per request, so that a failed query cannot poison the cases that follow it.
    with transaction.atomic():
        response = case.call(cookies=cookies)
        transaction.set_rollback(True)
    case.validate_response(response, checks=CHECKS)


@schema.parametrize()
@fuzzing
def test_anonymous_caller_gets_documented_answers(case, demo_session):
    _call_and_validate(case)


@schema.parametrize()
@fuzzing
def test_coordinator_gets_documented_answers(case, demo_session):
    _call_and_validate(case, cookies=demo_session)


def test_closed_meeting_is_shown_to_the_coordinator_only(demo_session):
    from kenes.meetings.models import Meeting

    closed = Meeting.objects.filter(is_public=False).order_by("pk").first()
    case = schema["/api/v1/meetings/{meeting_id}"]["GET"].Case(path_parameters={"meeting_id": closed.pk})
    assert case.call().status_code == 404
    assert case.call(cookies=demo_session).json()["id"] == closed.pk
