"""The demo's year of recommendations: realistic mix, and every cached date equal to the clock's recount."""

import pytest
from django.utils import timezone

from kenes.core.demo import load_demo
from kenes.recommendations.models import Commitment, Dispatch, Slip
from kenes.recommendations.workflows import ClockState, clock

pytestmark = pytest.mark.django_db


def test_small_demo_has_answers_on_time_late_and_never_with_consistent_clocks():
    load_demo(scale="small", seed=2026)
    today = timezone.localdate()
    dispatches = list(
        Dispatch.objects.select_related("body").prefetch_related("clarifications", "extensions")
    )
    assert len(dispatches) >= 10
    states = set()
    on_time = late = 0
    for dispatch in dispatches:
        recount = clock(dispatch, today, explain=False)
        assert (dispatch.due_on, dispatch.long_overdue_on) == (recount.due_on, recount.long_overdue_on), (
            dispatch.pk
        )
        states.add(recount.state)
        if recount.state == ClockState.ANSWERED:
            on_time += recount.on_time
            late += not recount.on_time
    assert on_time and late
    assert states & {ClockState.OVERDUE, ClockState.LONG_OVERDUE}
    assert Commitment.objects.exists() and Slip.objects.exists()
