"""Role predicates every app composes its permissions from (django-rules).

A user's role assignments are read once per request and kept on the user object, so checking many
objects on one page costs one query. Apps resolve "the council of this object" themselves and ask
``holds_role_on`` with it.
"""

from __future__ import annotations

import rules
from django.contrib.contenttypes.models import ContentType

from .models import Role, RoleAssignment

_CACHE_ATTR = "_kenes_roles"


def require(user, permission: str, obj=None) -> None:
    """Refuse (``PermissionDenied``) unless ``user`` holds ``permission`` on ``obj``; ``None`` is the
    system itself (the worker, a management command), which the services let act."""
    from django.core.exceptions import PermissionDenied
    from django.utils.translation import gettext as _

    if user is not None and not user.has_perm(permission, obj):
        raise PermissionDenied(_("You do not have permission to do this."))


def role_keys(user) -> frozenset[tuple[str, int | None, int | None]]:
    """``{(role, content_type_id, object_id)}`` for the user, loaded once per user object."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = frozenset(
            RoleAssignment.objects.filter(user=user).values_list("role", "content_type_id", "object_id")
        )
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget_roles(user) -> None:
    """Drop the cached roles after a grant or revoke, so the next check reads them again."""
    if user is not None and hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def has_global_role(user, role: str) -> bool:
    return (role, None, None) in role_keys(user)


def holds_role_on(user, roles: tuple[str, ...], target) -> bool:
    """Whether the user holds one of ``roles`` on exactly this council or state body."""
    if target is None or target.pk is None:
        return False
    content_type_id = ContentType.objects.get_for_model(target).pk
    keys = role_keys(user)
    return any((role, content_type_id, target.pk) in keys for role in roles)


def global_role(role: str) -> rules.Predicate:
    return rules.predicate(lambda user: has_global_role(user, role), name=f"is_{role}")


is_coordinator = global_role(Role.COORDINATOR)
is_expert = global_role(Role.EXPERT)
is_administrator = global_role(Role.ADMINISTRATOR)


@rules.predicate
def is_superuser(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.is_superuser)


is_operator = is_administrator | is_superuser
is_coordination_centre = is_coordinator | is_operator

# Permissions of the core app. Names match the rows of docs/roles.md.
rules.add_perm("core.manage_reference_data", is_coordination_centre)
rules.add_perm("core.manage_work_calendar", is_coordination_centre)
rules.add_perm("core.view_audit_log", is_coordination_centre)
rules.add_perm("core.manage_users", is_operator)
rules.add_perm("core.view_public", rules.always_allow)


@rules.predicate
def is_officer_of_body(user, body) -> bool:
    return holds_role_on(user, (Role.STATE_BODY_OFFICER,), body)


rules.add_perm("core.act_for_state_body", is_officer_of_body)
