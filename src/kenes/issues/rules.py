"""Who may do what with topical problems and national problems. Names match docs/roles.md.

Issues belong to their council: its staff moderate and manage them, its members file them. Any
signed-in person may support an issue raised elsewhere; national problems belong to the
coordination centre.
"""

import rules

from kenes.core.models import Role
from kenes.core.rules import holds_role_on, is_coordination_centre
from kenes.councils.rules import council_of

from .models import PRIVATE_STATUSES

MEMBER_ROLES = (Role.COUNCIL_MEMBER, Role.COUNCIL_SECRETARY, Role.COUNCIL_CHAIR)
STAFF_ROLES = (Role.COUNCIL_SECRETARY, Role.COUNCIL_CHAIR)


@rules.predicate
def is_member_of_issue_council(user, obj) -> bool:
    return holds_role_on(user, MEMBER_ROLES, council_of(obj))


@rules.predicate
def is_staff_of_issue_council(user, obj) -> bool:
    return holds_role_on(user, STAFF_ROLES, council_of(obj))


@rules.predicate
def is_public_issue(user, issue) -> bool:
    return issue is not None and issue.status not in PRIVATE_STATUSES


@rules.predicate
def is_signed_in(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


staff = is_staff_of_issue_council | is_coordination_centre

rules.add_perm("issues.view_issue", is_public_issue | staff)
rules.add_perm("issues.file_issue", is_member_of_issue_council | is_coordination_centre)
rules.add_perm("issues.moderate_issue", staff)
rules.add_perm("issues.manage_issue", staff)
rules.add_perm("issues.link_issues", staff)
rules.add_perm("issues.support_issue", is_signed_in)
rules.add_perm("issues.view_problem", rules.always_allow)
rules.add_perm("issues.manage_problem", is_coordination_centre)
