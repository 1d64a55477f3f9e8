from __future__ import annotations

from datetime import date, datetime, time

import pytest
import time_machine
from django.utils import timezone, translation

from kenes.core.models import Role, StateBody
from kenes.meetings.models import AgendaItem, Decision, Meeting, MeetingKind
from kenes.recommendations import services
from tests.factories import CouncilFactory

ALMATY = timezone.get_fixed_timezone(5 * 60)


@pytest.fixture(autouse=True)
def english():
    """Messages are matched in English (the source language); mail still follows each recipient."""
    with translation.override("en"):
        yield


def on(day: date, hour: int = 10):
    """Travel to ``day`` at ``hour`` in Kazakhstan (time stands still there)."""
    return time_machine.travel(datetime.combine(day, time(hour, 0), tzinfo=ALMATY), tick=False)


@pytest.fixture
def body():
    return StateBody.objects.get(code="min-health")


@pytest.fixture
def other_body():
    return StateBody.objects.get(code="min-energy")


@pytest.fixture
def council(body):
    return CouncilFactory(code="pc-rec", state_body=body)


@pytest.fixture
def secretary(council, user_with_role):
    return user_with_role(
        Role.COUNCIL_SECRETARY, council, email="rec-secretary@example.kz", preferred_language="en"
    )


@pytest.fixture
def chair(council, user_with_role):
    return user_with_role(Role.COUNCIL_CHAIR, council, email="rec-chair@example.kz", preferred_language="ru")


@pytest.fixture
def officer(body, user_with_role):
    return user_with_role(Role.STATE_BODY_OFFICER, body, email="officer@example.kz", preferred_language="en")


@pytest.fixture
def other_officer(other_body, user_with_role):
    return user_with_role(Role.STATE_BODY_OFFICER, other_body, email="officer-energy@example.kz")


@pytest.fixture
def coordinator(user_with_role):
    return user_with_role(Role.COORDINATOR, email="coordinator@example.kz", preferred_language="en")


def adopted_decision(
    council, day: date, *, kind=MeetingKind.SITTING, outcome=Decision.Outcome.ADOPTED
) -> Decision:
    meeting = Meeting.objects.create(
        kind=kind,
        council=council,
        title_kk="Отырыс",
        starts_at=datetime.combine(day, time(10), tzinfo=ALMATY),
        status=Meeting.Status.HELD,
    )
    item = AgendaItem.objects.create(meeting=meeting, title="Ұсынымдар туралы", position=1)
    return Decision.objects.create(item=item, text="Ұсыным жіберілсін.", outcome=outcome)


@pytest.fixture
def make_sent(council, secretary, chair, body):
    """``make_sent(sent_on, bodies=None)`` → a recommendation adopted the day before and sent on ``sent_on``."""

    def build(sent_on: date, bodies=None, title="Пандустар орнату туралы"):
        decision = adopted_decision(council, sent_on)
        with on(sent_on, 9):
            recommendation = services.recommendation_draft(
                council=council,
                title=title,
                text="Әлеуметтік нысандарға пандустар орнатылсын.",
                bodies=bodies or [body],
                decision=decision,
                acting_user=secretary,
            )
            services.recommendation_adopt(recommendation=recommendation, acting_user=chair)
            services.recommendation_send(recommendation=recommendation, acting_user=secretary)
        recommendation.refresh_from_db()
        return recommendation

    return build
