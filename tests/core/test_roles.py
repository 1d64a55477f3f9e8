import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kenes.core.models import LogEntry, Role, RoleAssignment, StateBody
from kenes.core.services import role_grant, role_revoke
from tests.factories import CouncilFactory

pytestmark = pytest.mark.django_db


def test_council_role_needs_a_council(make_user):
    with pytest.raises(ValidationError):
        role_grant(user=make_user(), role=Role.COUNCIL_SECRETARY, target=None, acting_user=None)
    with pytest.raises(ValidationError):
        role_grant(
            user=make_user(),
            role=Role.COUNCIL_SECRETARY,
            target=StateBody.objects.get(code="min-health"),
            acting_user=None,
        )


def test_global_role_cannot_be_scoped(make_user):
    with pytest.raises(ValidationError):
        role_grant(user=make_user(), role=Role.COORDINATOR, target=CouncilFactory(), acting_user=None)


def test_grant_is_idempotent_and_audited(make_user):
    user, council = make_user(), CouncilFactory()
    role_grant(user=user, role=Role.COUNCIL_SECRETARY, target=council, acting_user=None)
    role_grant(user=user, role=Role.COUNCIL_SECRETARY, target=council, acting_user=None)
    assert RoleAssignment.objects.filter(user=user).count() == 1
    assert LogEntry.objects.filter(action="core.role.granted", object_id=str(user.pk)).count() == 1


def test_only_an_administrator_grants_roles(make_user, user_with_role):
    coordinator = user_with_role(Role.COORDINATOR)
    with pytest.raises(PermissionDenied):
        role_grant(user=make_user(), role=Role.EXPERT, acting_user=coordinator)
    administrator = user_with_role(Role.ADMINISTRATOR)
    assert (
        role_grant(user=make_user(), role=Role.EXPERT, acting_user=administrator).granted_by == administrator
    )


def test_revoked_role_stops_working_at_once(user_with_role):
    council = CouncilFactory()
    secretary = user_with_role(Role.COUNCIL_SECRETARY, council)
    assert secretary.has_perm("councils.change_council", council)
    role_revoke(assignment=secretary.role_assignments.get(), acting_user=None)
    assert not secretary.has_perm("councils.change_council", council)
    assert LogEntry.objects.filter(action="core.role.revoked").exists()


def test_one_person_holds_roles_in_several_councils(user_with_role):
    first, second, third = CouncilFactory(), CouncilFactory(), CouncilFactory()
    user = user_with_role(Role.COUNCIL_SECRETARY, first)
    role_grant(user=user, role=Role.COUNCIL_MEMBER, target=second, acting_user=None)
    assert user.has_perm("councils.change_council", first)
    assert user.has_perm("councils.view_workspace", second)
    assert not user.has_perm("councils.change_council", second)
    assert not user.has_perm("councils.view_workspace", third)


def test_inactive_user_has_no_role_permissions(user_with_role):
    council = CouncilFactory()
    user = user_with_role(Role.COUNCIL_CHAIR, council, is_active=False)
    assert not user.has_perm("councils.approve_decision", council)


def test_checking_many_objects_costs_one_query(user_with_role, django_assert_max_num_queries):
    councils = CouncilFactory.create_batch(5)
    user = user_with_role(Role.COUNCIL_SECRETARY, councils[0])
    user = type(user).objects.get(pk=user.pk)
    with django_assert_max_num_queries(1):
        results = [user.has_perm("councils.change_council", council) for council in councils]
    assert results == [True, False, False, False, False]
