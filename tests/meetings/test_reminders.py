"""Reminders through a real SMTP server: once per event, in each person's language, or as a digest."""

import pytest
import time_machine
from django.test import override_settings

from kenes.core.models import Notification, Role
from kenes.core.notify import send_digests
from kenes.meetings import services
from kenes.meetings.tasks import day_before_reminders
from tests.meetings.conftest import add_item

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def reference_first(reference):
    """Transactional tests start from an empty database: load the reference data before anything."""


@pytest.fixture
def people(council, user_with_role, reference):
    return [
        user_with_role(Role.COUNCIL_MEMBER, council, email="member-kk@example.kz", preferred_language="kk"),
        user_with_role(Role.COUNCIL_MEMBER, council, email="member-ru@example.kz", preferred_language="ru"),
        user_with_role(
            Role.COUNCIL_MEMBER,
            council,
            email="digest@example.kz",
            preferred_language="en",
            notification_digest=True,
        ),
    ]


def test_agenda_day_before_and_cancellation_each_mailed_once(sitting, secretary, people, smtp_server):
    with (
        override_settings(**smtp_server.settings()),
        time_machine.travel("2026-12-01 09:00 +05:00", tick=False),
    ):
        add_item(sitting, secretary)
        services.meeting_transition(meeting=sitting, name="publish_agenda", acting_user=secretary)
    published = [m["To"] for m in smtp_server.messages]
    # the secretary and the two members who want separate mails; the digest reader waits
    assert sorted(published) == ["member-kk@example.kz", "member-ru@example.kz", "secretary@example.kz"]

    with (
        override_settings(**smtp_server.settings()),
        time_machine.travel("2026-12-10 08:00 +05:00", tick=False),
    ):
        assert day_before_reminders.call() == 4
        assert day_before_reminders.call() == 0
    assert len(smtp_server.messages) == 6

    with (
        override_settings(**smtp_server.settings()),
        time_machine.travel("2026-12-10 12:00 +05:00", tick=False),
    ):
        services.meeting_transition(
            meeting=sitting, name="cancel", reason="Төтенше жағдай", acting_user=secretary
        )
    cancelled = list(smtp_server.messages[6:])
    assert len(cancelled) == 3
    russian = next(m for m in cancelled if m["To"] == "member-ru@example.kz")
    assert "11.12.2026" in russian["Subject"]
    assert Notification.objects.filter(recipient__email="digest@example.kz").count() == 3

    with override_settings(**smtp_server.settings()):
        assert send_digests() == 1
        assert send_digests() == 0
    digest = smtp_server.messages[-1]
    assert digest["To"] == "digest@example.kz" and "3" in digest["Subject"]


def test_day_before_skips_cancelled_meetings(sitting, secretary, people, smtp_server):
    services.meeting_transition(meeting=sitting, name="cancel", reason="x", acting_user=secretary)
    with (
        override_settings(**smtp_server.settings()),
        time_machine.travel("2026-12-10 08:00 +05:00", tick=False),
    ):
        assert day_before_reminders.call() == 0


def test_members_only_get_mail_once_even_if_two_workers_sweep(sitting, secretary, people, smtp_server):
    with (
        override_settings(**smtp_server.settings()),
        time_machine.travel("2026-12-10 08:00 +05:00", tick=False),
    ):
        first = services.remind_day_before(meeting=sitting)
        second = services.remind_day_before(meeting=sitting)
    assert (first, second) == (4, 0)
    assert all("10:00" in message["Subject"] for message in smtp_server.messages)
