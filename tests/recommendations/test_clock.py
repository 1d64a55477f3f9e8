"""The response clock across holidays, moved working days, pauses, extensions and redirects.

Every expected date below is counted by hand on the 2026 calendar of Kazakhstan (Nauryz 21–25 March,
Independence Day 16 December) and written next to the test.
"""

from datetime import date

import pytest
from django.test import override_settings

from kenes.core.models import CalendarOverride, StateBody
from kenes.recommendations import selectors, services
from kenes.recommendations.models import Answer, Clarification, Dispatch, Extension
from kenes.recommendations.workflows import ClockState, clock, rule_for

from .conftest import on

pytestmark = pytest.mark.django_db


def dispatch_sent(sent_on, body=None, due=10, long=20):
    body = body or StateBody.objects.get(code="min-health")
    return Dispatch(body=body, sent_on=sent_on, due_working_days=due, long_overdue_working_days=long)


def test_due_date_skips_nauryz_and_weekends_and_says_so():
    # Fri 13.03 + 10 working days: 16–20 (5), Nauryz 21–25 off, 26, 27, 30, 31 March, 1 April.
    dispatch = dispatch_sent(date(2026, 3, 13))
    computed = clock(dispatch, date(2026, 3, 16), clarifications=[], extensions=[])
    assert computed.due_on == date(2026, 4, 1)
    assert computed.state == ClockState.RUNNING
    skipped = {info.day: info.reason for info in computed.days_off}
    assert sorted(skipped) == [
        date(2026, 3, 14),
        date(2026, 3, 15),
        date(2026, 3, 21),
        date(2026, 3, 22),
        date(2026, 3, 23),
        date(2026, 3, 24),
        date(2026, 3, 25),
        date(2026, 3, 28),
        date(2026, 3, 29),
    ]
    assert "Nowruz" in skipped[date(2026, 3, 23)]
    lines = selectors.explanation(computed)
    assert any("23.03.2026" in line and "Nowruz" in line for line in lines)
    assert lines[-1] == "Due on 01.04.2026."


@pytest.mark.parametrize(
    ("today", "state", "left", "overdue"),
    [
        (date(2026, 3, 19), ClockState.RUNNING, 6, 0),  # 20, 26, 27, 30, 31 March, 1 April
        (date(2026, 3, 20), ClockState.DUE_SOON, 5, 0),  # the holidays in between do not count
        (date(2026, 4, 1), ClockState.DUE_SOON, 0, 0),  # the due day itself
        (date(2026, 4, 2), ClockState.OVERDUE, None, 1),  # the next working day
        (date(2026, 4, 14), ClockState.OVERDUE, None, 9),
        (date(2026, 4, 15), ClockState.LONG_OVERDUE, None, 10),  # 20 working days after sending
    ],
)
def test_time_states_follow_the_working_days(today, state, left, overdue):
    computed = clock(dispatch_sent(date(2026, 3, 13)), today, clarifications=[], extensions=[])
    assert (computed.state, computed.working_days_left, computed.working_days_overdue) == (
        state,
        left,
        overdue,
    )
    assert computed.long_overdue_on == date(2026, 4, 15)


def test_overdue_starts_on_the_next_working_day_not_on_the_weekend():
    # Sent Fri 4.12: 7, 8, 9, 10, 11, 14, 15, (16 Independence Day), 17, 18, 21 → due Mon 21.12.
    dispatch = dispatch_sent(date(2026, 12, 4))
    computed = clock(dispatch, date(2026, 12, 19), clarifications=[], extensions=[])
    assert computed.due_on == date(2026, 12, 21)
    assert computed.state == ClockState.DUE_SOON
    # Sent Thu 3.12: 4, 7, 8, 9, 10, 11, 14, 15, 17, 18 → due Fri 18.12; the weekend is not overdue yet.
    due_friday = dispatch_sent(date(2026, 12, 3))
    saturday = clock(due_friday, date(2026, 12, 19), clarifications=[], extensions=[])
    monday = clock(due_friday, date(2026, 12, 21), clarifications=[], extensions=[])
    assert saturday.due_on == date(2026, 12, 18)
    assert (saturday.state, saturday.working_days_overdue) == (ClockState.DUE_SOON, 0)
    assert (monday.state, monday.working_days_overdue) == (ClockState.OVERDUE, 1)


def test_a_saturday_made_a_working_day_by_decree_counts():
    CalendarOverride.objects.create(
        day=date(2026, 3, 28), kind=CalendarOverride.Kind.WORKING_DAY, note="Decree"
    )
    computed = clock(dispatch_sent(date(2026, 3, 13)), date(2026, 3, 16), clarifications=[], extensions=[])
    assert computed.due_on == date(2026, 3, 31)  # 16–20, 26, 27, Sat 28, 30, 31


def test_an_extra_day_off_moves_the_due_date():
    CalendarOverride.objects.create(day=date(2026, 11, 13), kind=CalendarOverride.Kind.HOLIDAY, note="Decree")
    computed = clock(dispatch_sent(date(2026, 11, 2)), date(2026, 11, 3), clarifications=[], extensions=[])
    assert computed.due_on == date(2026, 11, 17)  # 3,4,5,6,9,10,11,12,16,17
    assert any(info.reason == "Decree" for info in computed.days_off)


def test_a_clarification_pauses_and_resumes_with_the_days_that_were_left():
    dispatch = dispatch_sent(date(2026, 11, 2))  # due Mon 16.11 without a pause
    asked = Clarification(requested_on=date(2026, 11, 5), question="?")
    paused = clock(dispatch, date(2026, 11, 9), clarifications=[asked], extensions=[])
    # 6, 9, 10, 11, 12, 13, 16 November were left when the body asked on Thursday 5.11
    assert (paused.state, paused.due_on, paused.working_days_left) == (ClockState.PAUSED, None, 7)
    asked.answered_on = date(2026, 11, 11)
    resumed = clock(dispatch, date(2026, 11, 12), clarifications=[asked], extensions=[])
    assert resumed.due_on == date(2026, 11, 20)  # 12, 13, 16, 17, 18, 19, 20
    assert any("05.11.2026" in line and "11.11.2026" in line for line in selectors.explanation(resumed))


def test_an_extension_adds_working_days_after_pauses():
    dispatch = dispatch_sent(date(2026, 11, 2))
    asked = Clarification(requested_on=date(2026, 11, 5), answered_on=date(2026, 11, 11), question="?")
    extension = Extension(working_days=3, reason="Ведомствоаралық келісу", granted_on=date(2026, 11, 18))
    computed = clock(dispatch, date(2026, 11, 19), clarifications=[asked], extensions=[extension])
    assert computed.due_on == date(2026, 11, 25)  # 20.11 + 23, 24, 25
    assert computed.long_overdue_on == date(
        2026, 12, 9
    )  # 26, 27, 30 Nov, 1, 2, 3, 4, 7, 8, 9 Dec: ten after the due date
    assert "Ведомствоаралық келісу" in selectors.explanation(computed)[-2]


def test_answered_clock_knows_whether_it_was_on_time():
    dispatch = dispatch_sent(date(2026, 3, 13))
    dispatch.answered_on = date(2026, 4, 2)
    computed = clock(dispatch, date(2026, 5, 1), clarifications=[], extensions=[])
    assert (computed.state, computed.on_time, computed.working_days_overdue) == (
        ClockState.ANSWERED,
        False,
        1,
    )
    assert computed.working_days_taken == 11


@override_settings(
    KENES_RESPONSE_CLOCK_OVERRIDES={"quasi_public": {"due": 15, "long_overdue": 30}, "regional": {"due": 12}}
)
def test_rules_are_configured_per_body_kind_then_level():
    assert rule_for(StateBody(kind="quasi_public", level="central")).due == 15
    assert rule_for(StateBody(kind="akimat", level="regional")).due == 12
    assert rule_for(StateBody(kind="ministry", level="central")).due == 10


def test_a_clock_started_keeps_its_rule_when_the_setting_changes(make_sent):
    recommendation = make_sent(date(2026, 3, 13))
    dispatch = recommendation.dispatches.get()
    with override_settings(KENES_RESPONSE_DUE_WORKING_DAYS=30):
        assert clock(dispatch, date(2026, 3, 16)).due_on == date(2026, 4, 1)


def test_services_keep_the_cached_dates_equal_to_the_recount(make_sent, officer, chair, secretary):
    recommendation = make_sent(date(2026, 11, 2))
    dispatch = recommendation.dispatches.get()
    assert dispatch.due_on == date(2026, 11, 16) and dispatch.long_overdue_on == date(2026, 11, 30)
    with on(date(2026, 11, 5)):
        question = services.clarification_request(
            dispatch=dispatch, question="Қай нысандар?", acting_user=officer
        )
    dispatch.refresh_from_db()
    assert (dispatch.due_on, dispatch.paused_since) == (None, date(2026, 11, 5))
    with on(date(2026, 11, 11)):
        services.clarification_answer(clarification=question, answer="Мектептер.", acting_user=secretary)
    with on(date(2026, 11, 18)):
        services.extension_grant(dispatch=dispatch, working_days=3, reason="Келісу", acting_user=chair)
    dispatch.refresh_from_db()
    recount = clock(dispatch, date(2026, 11, 19))
    assert (
        (dispatch.due_on, dispatch.long_overdue_on, dispatch.paused_since)
        == (
            recount.due_on,
            recount.long_overdue_on,
            None,
        )
        == (date(2026, 11, 25), date(2026, 12, 9), None)
    )


def test_not_competent_redirects_and_starts_the_clock_at_the_other_body(make_sent, officer, other_body):
    recommendation = make_sent(date(2026, 12, 1))
    dispatch = recommendation.dispatches.get()
    with on(date(2026, 12, 4)):
        services.response_give(
            dispatch=dispatch,
            answer=Answer.NOT_COMPETENT,
            text="Бұл мәселе Энергетика министрлігінің құзыретінде.",
            redirect_to=other_body,
            acting_user=officer,
        )
    dispatch.refresh_from_db()
    assert clock(dispatch, date(2026, 12, 4)).state == ClockState.ANSWERED
    redirected = Dispatch.objects.get(redirected_from=dispatch)
    assert (redirected.body, redirected.sent_on) == (other_body, date(2026, 12, 4))
    # 7, 8, 9, 10, 11, 14, 15, (16 Independence Day), 17, 18, 21
    assert redirected.due_on == date(2026, 12, 21)
    assert clock(redirected, date(2026, 12, 22)).state == ClockState.OVERDUE
