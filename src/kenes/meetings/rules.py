"""Who may do what with meetings. Council meetings belong to their council's staff; meetings that
gather many councils (coordination meetings) belong to the coordination centre."""

import rules

from kenes.core.models import Role
from kenes.core.rules import holds_role_on, is_coordination_centre


def _council(meeting):
    return getattr(meeting, "council", None) if meeting is not None else None


@rules.predicate
def is_staff_of_meeting_council(user, meeting) -> bool:
    return holds_role_on(user, (Role.COUNCIL_SECRETARY, Role.COUNCIL_CHAIR), _council(meeting))


@rules.predicate
def is_chair_of_meeting_council(user, meeting) -> bool:
    return holds_role_on(user, (Role.COUNCIL_CHAIR,), _council(meeting))


@rules.predicate
def is_multi_council_meeting(user, meeting) -> bool:
    return meeting is not None and meeting.council_id is None


@rules.predicate
def is_invited_member(user, meeting) -> bool:
    if meeting is None:
        return False
    councils = [meeting.council] if meeting.council_id else list(meeting.councils.all())
    roles = (Role.COUNCIL_MEMBER, Role.COUNCIL_SECRETARY, Role.COUNCIL_CHAIR)
    return any(holds_role_on(user, roles, council) for council in councils)


@rules.predicate
def is_public_meeting(user, meeting) -> bool:
    return meeting is not None and meeting.is_public


manage = is_staff_of_meeting_council | (is_multi_council_meeting & is_coordination_centre)

rules.add_perm("meetings.view_meeting", is_public_meeting | is_invited_member | is_coordination_centre)
rules.add_perm("meetings.manage_meeting", manage)
rules.add_perm(
    "meetings.approve_minutes",
    is_chair_of_meeting_council | (is_multi_council_meeting & is_coordination_centre),
)
rules.add_perm("meetings.propose_item", is_invited_member)
rules.add_perm("meetings.manage_series", is_coordination_centre)
