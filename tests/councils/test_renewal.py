"""Forming a new composition starts two months before the term ends: one reminder per term."""

from datetime import date

import pytest
import time_machine
from django.test import override_settings

from kenes.core.models import LogEntry, Notification, Role
from kenes.core.scheduler import enqueue_due
from kenes.councils.models import RenewalNotice
from kenes.councils.tasks import renewal_sweep
from tests.factories import CouncilFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def council_and_people(user_with_role, reference):
    council = CouncilFactory(term_start=date(2024, 1, 20), term_end=date(2027, 1, 20))
    secretary = user_with_role(
        Role.COUNCIL_SECRETARY, council, email="secretary@example.kz", preferred_language="ru"
    )
    coordinator = user_with_role(Role.COORDINATOR, email="coordinator@example.kz", preferred_language="kk")
    return council, secretary, coordinator


def test_reminder_goes_once_by_mail_and_task_list(council_and_people, smtp_server):
    council, secretary, coordinator = council_and_people
    with override_settings(**smtp_server.settings()):
        with time_machine.travel("2026-11-15 09:00 +05:00", tick=False):
            renewal_sweep.call()  # more than two months ahead: nothing yet
        assert smtp_server.messages == []
        with time_machine.travel("2026-11-21 09:00 +05:00", tick=False):
            assert renewal_sweep.call() == 1
            assert renewal_sweep.call() == 0  # the same term is never reminded twice
    recipients = sorted(message["To"] for message in smtp_server.messages)
    assert recipients == ["coordinator@example.kz", "secretary@example.kz"]
    russian = next(m for m in smtp_server.messages if m["To"] == "secretary@example.kz")
    assert "Сформируйте новый состав" in russian["Subject"]
    assert "20.01.2027" in russian.get_content()
    tasks = Notification.objects.filter(kind=Notification.Kind.TASK, key__startswith="councils.renewal")
    assert {t.recipient for t in tasks} == {secretary, coordinator}
    assert all(t.emailed_at for t in tasks)
    assert RenewalNotice.objects.filter(council=council).count() == 1
    assert LogEntry.objects.filter(action="councils.renewal.due", object_id=str(council.pk)).count() == 1


def test_a_new_term_gets_its_own_reminder(council_and_people, smtp_server):
    council, _secretary, _coordinator = council_and_people
    with (
        override_settings(**smtp_server.settings()),
        time_machine.travel("2026-11-21 09:00 +05:00", tick=False),
    ):
        renewal_sweep.call()
        council.term_end = date(2027, 1, 21)
        council.save()
        assert renewal_sweep.call() == 1
    assert len(smtp_server.messages) == 4


def test_mail_server_down_keeps_the_task_and_retries_later(council_and_people, smtp_server):
    from kenes.core.notify import retry_unsent_mail

    with (
        override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="127.0.0.1", EMAIL_PORT=9
        ),
        time_machine.travel("2026-11-21 09:00 +05:00", tick=False),
    ):
        renewal_sweep.call()
    assert Notification.objects.filter(emailed_at__isnull=True).count() == 2
    with override_settings(**smtp_server.settings()):
        assert retry_unsent_mail() == 2
    assert len(smtp_server.messages) == 2
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()


def test_scheduler_enqueues_each_periodic_job_once_per_period():
    from datetime import UTC, datetime, timedelta

    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("tasks")
    now = datetime(2026, 11, 21, 4, 0, tzinfo=UTC)
    first = enqueue_due(now)
    assert "kenes.councils.tasks.renewal_sweep" in first
    assert enqueue_due(now + timedelta(minutes=1)) == []
    assert "kenes.councils.tasks.renewal_sweep" in enqueue_due(now + timedelta(hours=6, minutes=1))
