"""Who may do what with recommendations. Names match the rows of docs/roles.md.

Council-side permissions are held on the recommending council (the coordination centre for a
central recommendation, which has no council); body-side permissions on the addressee body of a
dispatch. Every permission accepts a recommendation, a dispatch or a commitment and resolves the
council and body from it.
"""

import rules

from kenes.core.models import Role
from kenes.core.rules import holds_role_on, is_coordination_centre


def recommendation_of(obj):
    if obj is None:
        return None
    label = obj._meta.label
    if label == "recommendations.Recommendation":
        return obj
    if label == "recommendations.Dispatch":
        return obj.recommendation
    if label in {
        "recommendations.Commitment",
        "recommendations.Clarification",
        "recommendations.Hearing",
        "recommendations.Response",
        "recommendations.Extension",
    }:
        return obj.dispatch.recommendation
    return None


def dispatch_of(obj):
    if obj is None:
        return None
    label = obj._meta.label
    if label == "recommendations.Dispatch":
        return obj
    if hasattr(obj, "dispatch"):
        return obj.dispatch
    return None


def _council_role(*roles):
    def check(user, obj) -> bool:
        recommendation = recommendation_of(obj)
        return recommendation is not None and holds_role_on(user, roles, recommendation.council)

    return check


is_member_of_recommending_council = rules.predicate(
    _council_role(Role.COUNCIL_MEMBER, Role.COUNCIL_SECRETARY, Role.COUNCIL_CHAIR),
    name="is_member_of_recommending_council",
)
is_staff_of_recommending_council = rules.predicate(
    _council_role(Role.COUNCIL_SECRETARY, Role.COUNCIL_CHAIR), name="is_staff_of_recommending_council"
)
is_chair_of_recommending_council = rules.predicate(
    _council_role(Role.COUNCIL_CHAIR), name="is_chair_of_recommending_council"
)


@rules.predicate
def is_central(user, obj) -> bool:
    recommendation = recommendation_of(obj)
    return recommendation is not None and recommendation.council_id is None


@rules.predicate
def is_officer_of_addressee(user, obj) -> bool:
    """An officer of the body this dispatch is addressed to (for a recommendation: of any addressee)."""
    dispatch = dispatch_of(obj)
    if dispatch is not None:
        return holds_role_on(user, (Role.STATE_BODY_OFFICER,), dispatch.body)
    recommendation = recommendation_of(obj)
    if recommendation is None or recommendation.pk is None:
        return False
    return any(
        holds_role_on(user, (Role.STATE_BODY_OFFICER,), d.body)
        for d in recommendation.dispatches.select_related("body")
    )


@rules.predicate
def is_public_recommendation(user, obj) -> bool:
    recommendation = recommendation_of(obj)
    return recommendation is not None and recommendation.status == "sent"


central_staff = is_central & is_coordination_centre
council_side = is_staff_of_recommending_council | central_staff

rules.add_perm(
    "recommendations.view_recommendation",
    is_public_recommendation | is_member_of_recommending_council | is_coordination_centre,
)
rules.add_perm("recommendations.draft_recommendation", council_side)
rules.add_perm("recommendations.sign_recommendation", is_chair_of_recommending_council | central_staff)
rules.add_perm("recommendations.send_recommendation", council_side)
# Extensions are approved by the party the answer is owed to: the council's chair (the coordination
# centre for a central recommendation). The body asks; it never extends its own deadline.
rules.add_perm("recommendations.approve_extension", is_chair_of_recommending_council | central_staff)
rules.add_perm("recommendations.clarify", council_side)
rules.add_perm("recommendations.verify_implementation", council_side)
rules.add_perm("recommendations.answer", is_officer_of_addressee)
rules.add_perm("recommendations.request_clarification", is_officer_of_addressee)
rules.add_perm("recommendations.offer_hearing", is_officer_of_addressee)
rules.add_perm("recommendations.manage_commitments", is_officer_of_addressee)
rules.add_perm("recommendations.manage_body_tokens", is_coordination_centre)
