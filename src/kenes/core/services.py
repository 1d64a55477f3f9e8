"""Writes of the core app: roles, reference data renames and retirement, calendar corrections."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .audit import field_changes, log_action
from .models import (
    COUNCIL_ROLES,
    GLOBAL_ROLES,
    STATE_BODY_ROLES,
    CalendarOverride,
    FormerName,
    Role,
    RoleAssignment,
    SoftDeletable,
    StateBody,
    TrilingualName,
    User,
)
from .rules import forget_roles


def _require(user: User | None, permission: str, obj=None) -> None:
    if user is None or not user.has_perm(permission, obj):
        raise PermissionDenied(_("You do not have permission to do this."))


@transaction.atomic
def role_grant(*, user: User, role: str, target=None, acting_user: User | None) -> RoleAssignment:
    """Give ``user`` a role, on ``target`` (a council or state body) where the role is scoped.

    ``acting_user`` None means the system itself (loaders, the demo generator).
    """
    if acting_user is not None:
        _require(acting_user, "core.manage_users")
    role = Role(role)
    if role in GLOBAL_ROLES and target is not None:
        raise ValidationError(_("This role is held across the whole platform, not on one object."))
    if role in STATE_BODY_ROLES and not isinstance(target, StateBody):
        raise ValidationError(_("A state-body officer must be attached to a state body."))
    if role in COUNCIL_ROLES and (target is None or target._meta.label != "councils.Council"):
        raise ValidationError(_("A council role must be attached to a council."))
    content_type = ContentType.objects.get_for_model(target) if target is not None else None
    assignment, created = RoleAssignment.objects.get_or_create(
        user=user,
        role=role,
        content_type=content_type,
        object_id=target.pk if target is not None else None,
        defaults={"granted_by": acting_user},
    )
    if created:
        log_action(
            user,
            "core.role.granted",
            actor=acting_user,
            data={"role": role.value, "target": str(target) if target is not None else None},
        )
        forget_roles(user)
    return assignment


@transaction.atomic
def role_revoke(*, assignment: RoleAssignment, acting_user: User | None) -> None:
    if acting_user is not None:
        _require(acting_user, "core.manage_users")
    user, role, target = assignment.user, assignment.role, assignment.target
    assignment.delete()
    log_action(
        user,
        "core.role.revoked",
        actor=acting_user,
        data={"role": role, "target": str(target) if target is not None else None},
    )
    forget_roles(user)


def _names(obj: TrilingualName) -> dict[str, str]:
    return {"name_kk": obj.name_kk, "name_ru": obj.name_ru, "name_en": obj.name_en}


@transaction.atomic
def reference_rename(
    *,
    obj: TrilingualName,
    name_kk: str,
    name_ru: str,
    name_en: str,
    effective: date,
    acting_user: User | None,
) -> TrilingualName:
    """Rename a region, body, topic … keeping the old name as history, valid until the day before."""
    if acting_user is not None:
        _require(acting_user, "core.manage_reference_data")
    new = {"name_kk": name_kk.strip(), "name_ru": name_ru.strip(), "name_en": name_en.strip()}
    if not all(new.values()):
        raise ValidationError(_("A name is needed in Kazakh, Russian and English."))
    before = _names(obj)
    if before == new:
        return obj
    FormerName.objects.create(target=obj, valid_to=effective - timedelta(days=1), **before)
    for field, value in new.items():
        setattr(obj, field, value)
    obj.save(update_fields=list(new))
    log_action(
        obj,
        "core.reference.renamed",
        actor=acting_user,
        data={**field_changes(before, new), "effective": effective},
    )
    return obj


@transaction.atomic
def reference_retire(*, obj: SoftDeletable, acting_user: User | None) -> SoftDeletable:
    """Retire a reference row: it disappears from choices but stays for history and old links."""
    if acting_user is not None:
        _require(acting_user, "core.manage_reference_data")
    if obj.deleted_at is None:
        obj.deleted_at = timezone.now()
        obj.save(update_fields=["deleted_at"])
        log_action(obj, "core.reference.retired", actor=acting_user)
    return obj


@transaction.atomic
def reference_restore(*, obj: SoftDeletable, acting_user: User | None) -> SoftDeletable:
    if acting_user is not None:
        _require(acting_user, "core.manage_reference_data")
    if obj.deleted_at is not None:
        obj.deleted_at = None
        obj.save(update_fields=["deleted_at"])
        log_action(obj, "core.reference.restored", actor=acting_user)
    return obj


@transaction.atomic
def calendar_override_set(*, day: date, kind: str, note: str, acting_user: User | None) -> CalendarOverride:
    """Record a moved working day or an extra day off; replaces an earlier correction of that day."""
    if acting_user is not None:
        _require(acting_user, "core.manage_work_calendar")
    if not note.strip():
        raise ValidationError(_("Say why the day is changed, for example the decree."))
    override = CalendarOverride.objects.filter(day=day).first()
    before = {"kind": override.kind, "note": override.note} if override else {}
    if override is None:
        override = CalendarOverride(day=day)
    override.kind, override.note = kind, note.strip()
    override.full_clean()
    override.save()
    log_action(
        override,
        "core.calendar.changed",
        actor=acting_user,
        data=field_changes(before, {"kind": kind, "note": note}),
    )
    return override


@transaction.atomic
def user_set_language(*, user: User, language: str) -> User:
    """Remember the interface language a signed-in user chose."""
    if language not in User.Language.values:
        raise ValidationError(_("Unknown language."))
    if user.preferred_language != language:
        before = user.preferred_language
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
        log_action(
            user,
            "core.user.language_changed",
            actor=user,
            data=field_changes({"language": before}, {"language": language}),
        )
    return user


@transaction.atomic
def user_set_digest(*, user: User, digest: bool) -> User:
    """Choose between separate mails and one daily digest."""
    if user.notification_digest != digest:
        user.notification_digest = digest
        user.save(update_fields=["notification_digest"])
        log_action(
            user, "core.user.digest_changed", actor=user, data={"after": {"notification_digest": digest}}
        )
    return user
