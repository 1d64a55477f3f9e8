"""Reminders and escalation through a real SMTP server on loopback: each step once, on its day."""

from datetime import date

import pytest
from django.test import override_settings

from kenes.core.models import LogEntry, Notification
from kenes.recommendations import selectors, services
from kenes.recommendations.models import Answer
from kenes.recommendations.services import CommitmentInput
from kenes.recommendations.tasks import sweep_clocks

from .conftest import on

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def reference_first(reference):
    """Transactional tests start from an empty database: load the reference data before anything."""


def test_each_reminder_and_escalation_is_mailed_once_on_its_day(
    make_sent, officer, secretary, coordinator, smtp_server
):
    # Sent Mon 2.11.2026: due Mon 16.11 (3–6, 9–13, 16), long overdue Mon 30.11.
    with override_settings(**smtp_server.settings()):
        recommendation = make_sent(date(2026, 11, 2))
        dispatch = recommendation.dispatches.get()
        assert [m["To"] for m in smtp_server.messages] == ["officer@example.kz"]  # the letter itself

        def sweep_on(day):
            with on(day, 3):
                first = sweep_clocks.call()
                assert sweep_clocks.call() == 0  # a second run (or a second worker) sends nothing
            return first

        assert sweep_on(date(2026, 11, 6)) == 0  # six working days left
        assert sweep_on(date(2026, 11, 9)) == 1  # five working days before due
        assert sweep_on(date(2026, 11, 13)) == 1  # the working day before
        assert sweep_on(date(2026, 11, 16)) == 0  # already told
        assert sweep_on(date(2026, 11, 17)) == 2  # first overdue day: the officer and the secretary
        assert sweep_on(date(2026, 11, 20)) == 0
        assert sweep_on(date(2026, 11, 24)) == 1  # a week overdue
        assert sweep_on(date(2026, 11, 30)) == 1  # long overdue: the coordinator
        assert sweep_on(date(2026, 12, 1)) == 1  # two weeks overdue
        with on(date(2026, 12, 2)):
            services.response_give(
                dispatch=dispatch,
                answer=Answer.ACCEPTED,
                text="Қабылданды",
                commitments=[CommitmentInput("Пандус", "Басқарма", date(2027, 3, 1))],
                acting_user=officer,
            )
        assert sweep_on(date(2026, 12, 8)) == 0  # answered: the ladder stops

    recipients = [m["To"] for m in smtp_server.messages]
    assert recipients.count("officer@example.kz") == 6
    assert recipients.count("rec-secretary@example.kz") == 2  # overdue, then answered
    assert recipients.count("coordinator@example.kz") == 1
    assert len(recipients) == 9
    # Each notification's mail has its own stable Message-ID (a rare second copy is recognisable).
    ids = [m["Message-ID"] for m in smtp_server.messages]
    assert len(set(ids)) == len(ids) == 9
    assert all(i.startswith("<notification-") for i in ids)
    escalation = next(m for m in smtp_server.messages if m["To"] == "coordinator@example.kz")
    assert "Long overdue" in escalation["Subject"]
    assert Notification.objects.filter(recipient=officer).count() == 6
    assert LogEntry.objects.filter(action="core.notification.sent", object_id=str(dispatch.pk)).count() == 9


def test_an_extension_starts_a_new_ladder_for_the_new_due_date(make_sent, officer, chair, smtp_server):
    with override_settings(**smtp_server.settings()):
        dispatch = make_sent(date(2026, 11, 2)).dispatches.get()
        with on(date(2026, 11, 9), 3):
            assert sweep_clocks.call() == 1
            services.extension_grant(
                dispatch=dispatch, working_days=10, reason="Сараптама", acting_user=chair
            )
        with on(date(2026, 11, 23), 3):
            assert sweep_clocks.call() == 1  # five working days before the new due date, 30.11
    subjects = [m["Subject"] for m in smtp_server.messages if m["To"] == "officer@example.kz"]
    assert len(subjects) == 4  # the letter, due soon, the extension, due soon again


def test_escalation_ladder_is_shown_with_its_dates(make_sent):
    dispatch = make_sent(date(2026, 11, 2)).dispatches.get()
    ladder = selectors.escalation_ladder(dispatch, date(2026, 11, 18))
    assert [(step.on, step.done) for step in ladder] == [
        (date(2026, 11, 9), True),
        (date(2026, 11, 13), True),
        (date(2026, 11, 17), True),
        (date(2026, 11, 24), False),
        (date(2026, 11, 30), False),
    ]
