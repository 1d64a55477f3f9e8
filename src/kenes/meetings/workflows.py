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

# States in which a meeting can still be moved to another time.
RESCHEDULABLE = frozenset({S.PLANNED, S.AGENDA_PUBLISHED, S.POSTPONED})
# States in which attendance and decisions are recorded.
RECORDING = frozenset({S.AGENDA_PUBLISHED, S.HELD, S.PLANNED})


def available(meeting: Meeting, user) -> list[Transition]:
    """The transitions this user may fire on this meeting now."""
    return [t for t in TRANSITIONS.values() if t.allowed(meeting) and user.has_perm(t.permission, meeting)]
