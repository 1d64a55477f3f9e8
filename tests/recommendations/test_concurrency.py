"""Concurrent writes on PostgreSQL: two officers at once — one write wins, the other is told, none is lost."""

import threading
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from kenes.recommendations import services
from kenes.recommendations.models import Answer, Response, Slip
from kenes.recommendations.services import CommitmentInput

from .conftest import on

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


@pytest.fixture(autouse=True)
def reference_first(reference):
    """Transactional tests start from an empty database: load the reference data before anything."""


def race(*calls):
    """Run the calls at the same moment in threads of their own; return what each returned or raised."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as error:  # noqa: BLE001 - the outcome is what the test looks at
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_two_answers_at_once_one_is_recorded_the_other_refused(make_sent, officer, user_with_role, body):
    from kenes.core.models import Role

    colleague = user_with_role(Role.STATE_BODY_OFFICER, body, email="colleague@example.kz")
    dispatch = make_sent(date(2026, 11, 2)).dispatches.get()

    def answer(user, text):
        with on(date(2026, 11, 3)):
            return services.response_give(
                dispatch=dispatch,
                answer=Answer.ACCEPTED,
                text=text,
                acting_user=user,
                commitments=[CommitmentInput("Пандус", "Басқарма", date(2027, 3, 1))],
            )

    results = race(lambda: answer(officer, "бірінші"), lambda: answer(colleague, "екінші"))
    assert sum(isinstance(r, Response) for r in results) == 1
    assert sum(isinstance(r, ValidationError) for r in results) == 1
    assert Response.objects.count() == 1
    dispatch.refresh_from_db()
    assert dispatch.version == 2  # exactly one answer changed the clock


def test_two_slips_from_the_same_version_one_wins_the_other_is_told(make_sent, officer):
    dispatch = make_sent(date(2026, 11, 2)).dispatches.get()
    with on(date(2026, 11, 3)):
        services.response_give(
            dispatch=dispatch,
            answer=Answer.ACCEPTED,
            text="Иә",
            acting_user=officer,
            commitments=[CommitmentInput("Пандус", "Басқарма", date(2027, 3, 1))],
        )
    item = dispatch.commitments.get()

    def move(day):
        with on(date(2026, 12, 1)):
            return services.commitment_move(
                commitment=item, promised_on=day, reason="Мердігер", version=1, acting_user=officer
            )

    results = race(lambda: move(date(2027, 4, 1)), lambda: move(date(2027, 5, 1)))
    assert sum(isinstance(r, Slip) for r in results) == 1
    assert sum(isinstance(r, ValidationError) for r in results) == 1
    item.refresh_from_db()
    assert item.slips.count() == 1 and item.promised_on == item.slips.get().to_date
