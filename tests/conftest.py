"""Shared fixtures: reference data loaded once per test database, users with roles, a mail server."""

from __future__ import annotations

import pytest

from kenes.core.reference import load_reference


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test database starts with Kazakhstan's reference data, as a real installation does."""
    with django_db_blocker.unblock():
        load_reference()


@pytest.fixture
def reference(db):
    """Reference data, reloaded when a transactional test flushed it."""
    load_reference()


@pytest.fixture
def make_user(db):
    from tests.factories import UserFactory

    return UserFactory


@pytest.fixture
def user_with_role(db):
    """``user_with_role(role, target=None)`` → a user holding that role."""
    from kenes.core.services import role_grant
    from tests.factories import UserFactory

    def build(role: str, target=None, **fields):
        user = UserFactory(**fields)
        role_grant(user=user, role=role, target=target, acting_user=None)
        return user

    return build


@pytest.fixture
def smtp_server():
    """A real SMTP server on loopback (aiosmtpd) that keeps what it receives."""
    from tests.mailserver import LoopbackSMTPServer

    server = LoopbackSMTPServer()
    server.start()
    yield server
    server.stop()
