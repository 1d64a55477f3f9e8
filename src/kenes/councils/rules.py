"""Who may do what with a council. Names match the rows of docs/roles.md."""

import rules

from kenes.core.models import Role
from kenes.core.rules import holds_role_on, is_coordination_centre


def council_of(obj):
    """The council an object belongs to: the council itself, or ``obj.council``."""
    if obj is None:
        return None
    if obj._meta.label == "councils.Council":
        return obj
    return getattr(obj, "council", None)


def council_role(*roles: str, name: str) -> rules.Predicate:
    return rules.predicate(lambda user, obj: holds_role_on(user, roles, council_of(obj)), name=name)


is_council_member = council_role(
    Role.COUNCIL_MEMBER, Role.COUNCIL_SECRETARY, Role.COUNCIL_CHAIR, name="is_council_member"
)
is_council_staff = council_role(Role.COUNCIL_SECRETARY, Role.COUNCIL_CHAIR, name="is_council_staff")
is_council_chair = council_role(Role.COUNCIL_CHAIR, name="is_council_chair")

rules.add_perm("councils.view_council", rules.always_allow)
rules.add_perm("councils.view_workspace", is_council_member | is_coordination_centre)
rules.add_perm("councils.change_council", is_council_staff | is_coordination_centre)
rules.add_perm("councils.manage_membership", is_council_staff | is_coordination_centre)
rules.add_perm("councils.approve_decision", is_council_chair)
rules.add_perm("councils.view_compliance", is_coordination_centre)
rules.add_perm("councils.import_registry", is_coordination_centre)
rules.add_perm("councils.import_members", is_council_staff | is_coordination_centre)
