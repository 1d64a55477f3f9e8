from datetime import date, datetime, time

import pytest
from django.utils import timezone

from kenes.core.models import Role
from kenes.meetings import services
from kenes.meetings.models import Meeting, MeetingKind
from tests.factories import CouncilFactory, MembershipFactory

ALMATY = timezone.get_fixed_timezone(5 * 60)


@pytest.fixture
def council():
    return CouncilFactory(code="pc-meet")


@pytest.fixture
def members(council):
    """Fifteen active members of the council."""
    return MembershipFactory.create_batch(15, council=council, term_start=date(2025, 1, 1), term_end=None)


@pytest.fixture
def secretary(council, user_with_role):
    return user_with_role(
        Role.COUNCIL_SECRETARY, council, email="secretary@example.kz", preferred_language="kk"
    )


@pytest.fixture
def chair(council, user_with_role):
    return user_with_role(Role.COUNCIL_CHAIR, council, email="chair@example.kz", preferred_language="ru")


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=ALMATY)


@pytest.fixture
def sitting(council, secretary, members):
    """A sitting of the council on Friday 11 December 2026 at 10:00 (UTC+5)."""
    return services.meeting_create(
        data={
            "title_kk": "Кеңес отырысы",
            "kind": MeetingKind.SITTING,
            "council": council,
            "starts_at": at(date(2026, 12, 11)),
            "duration_minutes": 120,
            "place": "Астана",
        },
        councils=[council],
        acting_user=secretary,
    )


def add_item(meeting: Meeting, user, title: str = "Бюджетті талқылау"):
    return services.agenda_item_add(
        meeting=meeting, data={"title": title, "presenter": "Әлиев Б."}, acting_user=user
    )
