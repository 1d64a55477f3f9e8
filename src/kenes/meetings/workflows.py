"""The meeting's states and transitions, as data: who may fire each, what it needs, whom it tells.

planned ──publish_agenda──▶ agenda published ──hold──▶ held ──approve_minutes──▶ minutes approved
   │  ▲                         │
   │  └──────reschedule─────────┤   (a postponed meeting is planned again when given a new time)
   ├──postpone──▶ postponed ◀───┘
   └──cancel────▶ cancelled  (also from agenda published and postponed)
"""

from __future__ import annotations

from dataclasses import dataclass

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

# States in which a meeting can still be moved to another time.
RESCHEDULABLE = frozenset({S.PLANNED, S.AGENDA_PUBLISHED, S.POSTPONED})
# States in which attendance and decisions are recorded.
RECORDING = frozenset({S.AGENDA_PUBLISHED, S.HELD, S.PLANNED})


def available(meeting: Meeting, user) -> list[Transition]:
    """The transitions this user may fire on this meeting now."""
    return [
        t
        for t in TRANSITIONS.values()
        if meeting.status in t.sources and user.has_perm(t.permission, meeting)
    ]
