"""The meeting's states and transitions, as data: who may fire each, what it needs, whom it tells.

planned ──publish_agenda──▶ agenda published ──hold──▶ held ──approve_minutes──▶ minutes approved
   │  ▲                         │
   │  └──────reschedule─────────┤   (a postponed meeting is planned again when given a new time)
   ├──postpone──▶ postponed ◀───┘
   └──cancel────▶ cancelled  (also from agenda published and postponed)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Meeting

S = Meeting.Status


@dataclass(frozen=True)
class Transition:
    name: str
    label: object
    sources: frozenset[str]
    target: str
    permission: str
    needs_reason: bool = False
    notify: str = ""  # which reminder template tells the invited members, if any
    guard: Callable[[Meeting], bool] | None = None  # a condition on the meeting beyond its status
    refusal: object = ""  # what to tell the user when the guard says no

    def allowed(self, meeting: Meeting) -> bool:
        return meeting.status in self.sources and (self.guard is None or self.guard(meeting))


def _on_or_after_meeting_day(meeting: Meeting) -> bool:
    return timezone.localtime(meeting.starts_at).date() <= timezone.localdate()


TRANSITIONS = {
    t.name: t
    for t in [
        Transition(
            "publish_agenda",
            _("Publish the agenda"),
            frozenset({S.PLANNED}),
            S.AGENDA_PUBLISHED,
            "meetings.manage_meeting",
            notify="agenda_published",
        ),
        Transition(
            "hold",
            _("Mark as held"),
            frozenset({S.PLANNED, S.AGENDA_PUBLISHED}),
            S.HELD,
            "meetings.manage_meeting",
            notify="held",
            guard=_on_or_after_meeting_day,
            refusal=_("A meeting can be marked as held on its day or later."),
        ),
        Transition(
            "approve_minutes",
            _("Approve the minutes"),
            frozenset({S.HELD}),
            S.MINUTES_APPROVED,
            "meetings.approve_minutes",
            notify="minutes_approved",
        ),
        Transition(
            "postpone",
            _("Postpone"),
            frozenset({S.PLANNED, S.AGENDA_PUBLISHED}),
            S.POSTPONED,
            "meetings.manage_meeting",
            needs_reason=True,
            notify="changed",
        ),
        Transition(
            "cancel",
            _("Cancel"),
            frozenset({S.PLANNED, S.AGENDA_PUBLISHED, S.POSTPONED}),
            S.CANCELLED,
            "meetings.manage_meeting",
            needs_reason=True,
            notify="cancelled",
        ),
    ]
}

# What can happen to a meeting in which states; services enforce these, pages offer only them.
RESCHEDULABLE = frozenset({S.PLANNED, S.AGENDA_PUBLISHED, S.POSTPONED})  # moved to another time
AGENDA_EDITABLE = RESCHEDULABLE  # the secretary adds items
PROPOSABLE = frozenset({S.PLANNED, S.AGENDA_PUBLISHED})  # members propose items
RECORDING = frozenset({S.AGENDA_PUBLISHED, S.HELD, S.PLANNED})  # attendance is marked
DECIDING = frozenset({S.AGENDA_PUBLISHED, S.HELD})  # decisions are recorded
DRAFTING = frozenset({S.HELD})  # the minutes are drafted and edited


def available(meeting: Meeting, user) -> list[Transition]:
    """The transitions this user may fire on this meeting now."""
    return [t for t in TRANSITIONS.values() if t.allowed(meeting) and user.has_perm(t.permission, meeting)]


@dataclass(frozen=True)
class Actions:
    """What a user may do with a meeting now: the pages show exactly these controls."""

    transitions: list[Transition]
    reschedule: bool
    edit_agenda: bool
    propose: bool
    record_attendance: bool
    decide: bool
    draft_minutes: bool


def actions(meeting: Meeting, user) -> Actions:
    manage = user.has_perm("meetings.manage_meeting", meeting)
    status = meeting.status
    return Actions(
        transitions=available(meeting, user),
        reschedule=manage and status in RESCHEDULABLE,
        edit_agenda=manage and status in AGENDA_EDITABLE,
        propose=status in PROPOSABLE and user.has_perm("meetings.propose_item", meeting),
        record_attendance=manage and status in RECORDING,
        decide=manage and status in DECIDING,
        draft_minutes=manage and status in DRAFTING,
    )
