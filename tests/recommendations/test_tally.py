"""The response tally (``recommendations/tally.py``) equals a direct recount after every kind of write:
bulk inserts, ``QuerySet.update``, model saves, deletes and body changes; and the tallied rates equal
``metrics.rates_by`` for periods with whole months, ragged ends and no whole month."""

import random
from datetime import date, timedelta

import pytest
from django.db import connection
from django.db.models import Q

from kenes.core.models import StateBody
from kenes.recommendations import metrics, tally
from kenes.recommendations.models import Answer, Dispatch, DispatchTally, Recommendation

pytestmark = pytest.mark.django_db

PERIODS = [
    metrics.Period(date(2026, 1, 1), date(2026, 12, 31)),  # whole months only
    metrics.Period(date(2025, 11, 30), date(2026, 11, 29)),  # the last 12 months: ragged both ends
    metrics.Period(date(2026, 4, 1), date(2026, 6, 30)),  # a quarter
    metrics.Period(date(2026, 3, 10), date(2026, 3, 20)),  # no whole month
    metrics.Period(date(2026, 2, 1), date(2026, 2, 14)),  # starts a month, ends inside it
    metrics.Period(date(2026, 2, 15), date(2026, 2, 28)),  # ends a month
]


def tally_rows() -> dict:
    return {
        (row.pop("grain"), row.pop("due_on"), row.pop("body_id")): row
        for row in DispatchTally.objects.values().order_by()
        if row.pop("id") and row["total"]
    }


def recount_rows() -> dict:
    """The tally as ``rebuild`` computes it, in a savepoint that is rolled back."""
    from django.db import transaction

    before = tally_rows()
    try:
        with transaction.atomic():
            tally.rebuild()
            recount = tally_rows()
            raise RuntimeError("roll back")
    except RuntimeError:
        pass
    assert tally_rows() == before
    return recount


def assert_tally_matches():
    assert tally_rows() == recount_rows()
    everyone = Dispatch.objects.all()
    for period in PERIODS:
        assert metrics.tallied_rates_by_body(period) == metrics.rates_by(everyone, period, "body_id")
        for body in StateBody.objects.filter(pk__in=everyone.values("body"))[:3]:
            only = Dispatch.objects.filter(body=body)
            assert metrics.tallied_rates(period, Q(body=body)) == metrics.rates(only, period)
            assert metrics.tallied_decision_mix(period, Q(body=body)) == metrics.decision_mix(only, period)


@pytest.fixture
def bodies():
    return list(StateBody.objects.order_by("pk")[:6])


def random_dispatches(rng, bodies, council, count):
    recommendations = Recommendation.objects.bulk_create(
        Recommendation(council=council, title=f"r{n}", text="t", status=Recommendation.Status.SENT)
        for n in range(count)
    )
    rows = []
    for recommendation in recommendations:
        sent = None if rng.random() < 0.05 else date(2025, 10, 1) + timedelta(days=rng.randrange(420))
        due = None if sent is None or rng.random() < 0.1 else sent + timedelta(days=14)
        answered = None if rng.random() < 0.3 else (sent or date.min) + timedelta(days=rng.randrange(1, 40))
        rows.append(
            Dispatch(
                recommendation=recommendation,
                body=rng.choice(bodies),
                sent_on=sent,
                due_on=due,
                answered_on=answered if due else None,
                answer=rng.choice(Answer.values) if answered and due else "",
            )
        )
    return Dispatch.objects.bulk_create(rows)


def test_the_triggers_keep_the_tally_equal_to_a_recount(council, bodies):
    assert tally.installed(connection)
    rng = random.Random(7)
    dispatches = random_dispatches(rng, bodies, council, 300)
    assert_tally_matches()

    # QuerySet.update over many rows, some without any change that matters.
    sent = Dispatch.objects.filter(sent_on__isnull=False)
    sent.filter(pk__in=[d.pk for d in dispatches[:80]]).update(answered_on=date(2026, 3, 31))
    Dispatch.objects.filter(pk__in=[d.pk for d in dispatches[80:120]]).update(
        next_reminder_on=date(2026, 1, 1)
    )
    Dispatch.objects.filter(pk__in=[d.pk for d in dispatches[120:140]]).update(answered_on=None, answer="")
    assert_tally_matches()

    # Model saves: a new answer, a moved due date (pause, extension), a redirect to another body.
    for dispatch in dispatches[140:170]:
        dispatch.refresh_from_db()
        dispatch.answer = Answer.REJECTED
        dispatch.answered_on = dispatch.sent_on and dispatch.sent_on + timedelta(days=3)
        if dispatch.answered_on is None:
            dispatch.answered_on = None
            dispatch.answer = ""
        dispatch.save()
    for dispatch in dispatches[170:190]:
        dispatch.refresh_from_db()
        dispatch.due_on = None if dispatch.due_on else date(2026, 6, 30)
        dispatch.save()
    Dispatch.objects.filter(pk__in=[d.pk for d in dispatches[190:220]]).update(body=bodies[-1])
    assert_tally_matches()

    # Deletes, one by one and in bulk.
    dispatches[220].delete()
    Dispatch.objects.filter(pk__in=[d.pk for d in dispatches[221:260]]).delete()
    assert_tally_matches()


def test_rebuild_recovers_a_tally_written_without_triggers(council, bodies):
    random_dispatches(random.Random(3), bodies, council, 50)
    expected = tally_rows()
    DispatchTally.objects.all().delete()
    with connection.cursor() as cursor:
        for statement in tally.uninstall_sql(connection.vendor):
            cursor.execute(statement)
    assert not tally.installed(connection)
    tally.install()  # missing triggers: installs them and recounts
    assert tally.installed(connection)
    assert tally_rows() == expected
    tally.install()  # idempotent
    assert tally_rows() == expected


def test_a_period_reads_each_dispatch_once(council, bodies):
    """Month rows for whole months and day rows for the rest never overlap."""
    body = bodies[0]
    recommendation = Recommendation.objects.create(council=council, title="r", text="t")
    day = date(2025, 12, 25)
    made = []
    while day <= date(2026, 3, 5):
        made.append(Dispatch(recommendation=recommendation, body=body, sent_on=day, due_on=day))
        recommendation = Recommendation.objects.create(council=council, title="r", text="t")
        day += timedelta(days=1)
    Dispatch.objects.bulk_create(made)
    for start, end in [
        (date(2025, 12, 25), date(2026, 3, 5)),
        (date(2026, 1, 1), date(2026, 1, 31)),
        (date(2025, 12, 31), date(2026, 2, 1)),
        (date(2026, 1, 31), date(2026, 3, 1)),
    ]:
        period = metrics.Period(start, end)
        assert metrics.tallied_rates(period, Q(body=body)).on_time.denominator == (end - start).days + 1
