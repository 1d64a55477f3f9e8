"""Writes of the council registry. Each checks the acting user's permission on the council and
writes the change to the audit log in the same transaction."""

from __future__ import annotations

from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kenes.core.audit import field_changes, log_action, register_actions
from kenes.core.models import Notification, Role, RoleAssignment, User
from kenes.core.notify import notify
from kenes.core.services import role_grant, role_revoke

from .models import Commission, Council, ImportJob, Membership, Person, RenewalNotice
from .selectors import coordinators, holders_of

register_actions(
    {
        "councils.council.changed": _("council details changed"),
        "councils.membership.added": _("member added"),
        "councils.membership.changed": _("membership changed"),
        "councils.membership.ended": _("membership ended"),
        "councils.commission.created": _("commission created"),
        "councils.commission.changed": _("commission changed"),
        "councils.commission.deleted": _("commission deleted"),
        "councils.order.uploaded": _("composition order uploaded"),
        "councils.renewal.due": _("forming the new composition is due"),
        "councils.import.uploaded": _("file uploaded for import"),
        "councils.import.applied": _("import applied"),
        "councils.person.changed": _("person's details changed"),
    }
)
MEMBERSHIP_ROLE_TO_ROLE = {
    Membership.Role.CHAIR: Role.COUNCIL_CHAIR,
    Membership.Role.SECRETARY: Role.COUNCIL_SECRETARY,
    Membership.Role.DEPUTY_CHAIR: Role.COUNCIL_MEMBER,
    Membership.Role.MEMBER: Role.COUNCIL_MEMBER,
}
PDF_MAX_BYTES = 10 * 1024 * 1024


def _require(user: User | None, permission: str, council: Council) -> None:
    if user is not None and not user.has_perm(permission, council):
        raise PermissionDenied(_("You do not have permission to change this council."))


def _snapshot(obj, fields) -> dict:
    data = model_to_dict(obj, fields=fields)
    return {key: (value.isoformat() if isinstance(value, date) else value) for key, value in data.items()}


COUNCIL_FIELDS = [
    "code",
    "name_kk",
    "name_ru",
    "name_en",
    "level",
    "state_body",
    "region",
    "district",
    "status",
    "established_on",
    "term_start",
    "term_end",
    "min_members",
    "max_members",
    "secretariat_email",
    "secretariat_phone",
]


@transaction.atomic
def council_update(*, council: Council, data: dict, topics=None, acting_user: User | None) -> Council:
    """Change a council's details (``data`` holds cleaned form values by field name)."""
    _require(acting_user, "councils.change_council", council)
    fields = [name for name in COUNCIL_FIELDS if name in data]
    before = _snapshot(council, fields)
    before_topics = sorted(council.topics.values_list("code", flat=True)) if topics is not None else None
    for name in fields:
        setattr(council, name, data[name])
    council.full_clean()
    council.save()
    after = _snapshot(council, fields)
    changes = field_changes(before, after)
    if topics is not None:
        council.topics.set(topics)
        after_topics = sorted(t.code for t in topics)
        if after_topics != before_topics:
            changes["before"]["topics"], changes["after"]["topics"] = before_topics, after_topics
    if changes["after"]:
        log_action(council, "councils.council.changed", actor=acting_user, data=changes)
    return council


def _sync_role(membership: Membership) -> None:
    """A member with a user account holds the matching council role while the membership lasts."""
    user = membership.person.user
    if user is None:
        return
    role = MEMBERSHIP_ROLE_TO_ROLE[membership.role]
    if membership.ceased_on is None:
        role_grant(user=user, role=role, target=membership.council, acting_user=None)
        return
    still_seated = (
        Membership.objects.filter(
            council=membership.council, person=membership.person, ceased_on__isnull=True
        )
        .exclude(pk=membership.pk)
        .exists()
    )
    if not still_seated:
        for assignment in RoleAssignment.objects.filter(
            user=user,
            role__in=[Role.COUNCIL_MEMBER, Role.COUNCIL_SECRETARY, Role.COUNCIL_CHAIR],
            content_type=ContentType.objects.get_for_model(Council),
            object_id=membership.council_id,
        ):
            role_revoke(assignment=assignment, acting_user=None)


PERSON_FIELDS = [
    "last_name",
    "first_name",
    "patronymic",
    "organisation",
    "position",
    "in_state_service",
    "public_profile",
    "email",
    "phone",
]
MEMBERSHIP_FIELDS = ["role", "sector", "ngo_name", "term_start", "term_end"]


@transaction.atomic
def membership_add(
    *,
    council: Council,
    person: Person | None = None,
    person_data: dict | None = None,
    data: dict,
    acting_user: User | None,
) -> Membership:
    """Seat a person on the council: an existing ``person`` or a new one from ``person_data``."""
    _require(acting_user, "councils.manage_membership", council)
    if person is None:
        person = Person(**{key: person_data[key] for key in PERSON_FIELDS if key in person_data})
        person.full_clean()
        person.save()
    elif Membership.objects.active().filter(council=council, person=person).exists():
        raise ValidationError(_("%(person)s already sits on this council.") % {"person": person})
    membership = Membership(
        council=council, person=person, **{key: data[key] for key in MEMBERSHIP_FIELDS if key in data}
    )
    membership.full_clean()
    membership.save()
    log_action(
        council,
        "councils.membership.added",
        actor=acting_user,
        data={"after": {"person": str(person), **_snapshot(membership, MEMBERSHIP_FIELDS)}},
    )
    _sync_role(membership)
    return membership


@transaction.atomic
def membership_update(*, membership: Membership, data: dict, acting_user: User | None) -> Membership:
    council = membership.council
    _require(acting_user, "councils.manage_membership", council)
    fields = [key for key in MEMBERSHIP_FIELDS if key in data]
    before = _snapshot(membership, fields)
    for key in fields:
        setattr(membership, key, data[key])
    membership.full_clean()
    membership.save()
    changes = field_changes(before, _snapshot(membership, fields))
    if changes["after"]:
        changes["person"] = str(membership.person)
        log_action(council, "councils.membership.changed", actor=acting_user, data=changes)
        _sync_role(membership)
    return membership


@transaction.atomic
def membership_end(
    *, membership: Membership, ceased_on: date, reason: str, acting_user: User | None
) -> Membership:
    """End a membership on ``ceased_on`` for ``reason``; the person's history stays."""
    council = membership.council
    _require(acting_user, "councils.manage_membership", council)
    if membership.ceased_on is not None:
        raise ValidationError(_("This membership has already ended."))
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason the membership ends.")})
    if ceased_on < membership.term_start:
        raise ValidationError({"ceased_on": _("A membership cannot end before it started.")})
    membership.ceased_on, membership.ceased_reason = ceased_on, reason.strip()
    membership.save(update_fields=["ceased_on", "ceased_reason"])
    log_action(
        council,
        "councils.membership.ended",
        actor=acting_user,
        data={
            "person": str(membership.person),
            "after": {"ceased_on": ceased_on.isoformat(), "ceased_reason": reason.strip()},
        },
    )
    _sync_role(membership)
    return membership


def _check_commission_members(council: Council, members) -> list[Membership]:
    members = list(members)
    if any(member.council_id != council.pk for member in members):
        raise ValidationError(_("Commission members must sit on the council."))
    return members


@transaction.atomic
def commission_create(*, council: Council, name: str, members=(), acting_user: User | None) -> Commission:
    _require(acting_user, "councils.manage_membership", council)
    if not name.strip():
        raise ValidationError({"name": _("Give the commission a name.")})
    commission = Commission.objects.create(council=council, name=name.strip())
    commission.members.set(_check_commission_members(council, members))
    log_action(
        council,
        "councils.commission.created",
        actor=acting_user,
        data={
            "after": {
                "name": commission.name,
                "members": sorted(str(m.person) for m in commission.members.all()),
            }
        },
    )
    return commission


@transaction.atomic
def commission_update(*, commission: Commission, name: str, members, acting_user: User | None) -> Commission:
    council = commission.council
    _require(acting_user, "councils.manage_membership", council)
    if not name.strip():
        raise ValidationError({"name": _("Give the commission a name.")})
    before = {
        "name": commission.name,
        "members": sorted(str(m.person) for m in commission.members.select_related("person")),
    }
    commission.name = name.strip()
    commission.save(update_fields=["name"])
    commission.members.set(_check_commission_members(council, members))
    after = {
        "name": commission.name,
        "members": sorted(str(m.person) for m in commission.members.select_related("person")),
    }
    changes = field_changes(before, after)
    if changes["after"]:
        log_action(council, "councils.commission.changed", actor=acting_user, data=changes)
    return commission


@transaction.atomic
def commission_delete(*, commission: Commission, acting_user: User | None) -> None:
    council = commission.council
    _require(acting_user, "councils.manage_membership", council)
    log_action(
        council, "councils.commission.deleted", actor=acting_user, data={"before": {"name": commission.name}}
    )
    commission.delete()


@transaction.atomic
def composition_order_upload(
    *, council: Council, file: UploadedFile, order_date: date | None, acting_user: User | None
) -> Council:
    """Attach the signed order on the council's composition; accepted only if it really is a PDF."""
    _require(acting_user, "councils.change_council", council)
    if file.size > PDF_MAX_BYTES:
        raise ValidationError(
            {"file": _("The file is larger than %(limit)s MB.") % {"limit": PDF_MAX_BYTES // (1024 * 1024)}}
        )
    head = file.read(1024)
    file.seek(0)
    if not head.lstrip().startswith(b"%PDF-"):
        raise ValidationError({"file": _("This file is not a PDF document.")})
    council.composition_order.save(f"{council.code}.pdf", file, save=False)
    council.composition_order_date = order_date
    council.save(update_fields=["composition_order", "composition_order_date"])
    log_action(
        council,
        "councils.order.uploaded",
        actor=acting_user,
        data={
            "after": {
                "composition_order": council.composition_order.name,
                "composition_order_date": order_date,
            }
        },
    )
    return council


def council_renewal_remind(*, council: Council) -> bool:
    """Tell the secretary and the coordinators that forming the new composition is due.

    Once per council and term: a second call for the same term, from any worker, does nothing.
    """
    try:
        with transaction.atomic():
            RenewalNotice.objects.create(council=council, term_end=council.term_end, sent_at=timezone.now())
            recipients = [*holders_of(council, Role.COUNCIL_SECRETARY), *coordinators()]
            notify(
                recipients=recipients,
                key=f"councils.renewal:{council.pk}:{council.term_end.isoformat()}",
                template="councils/mail/renewal",
                context={"council": council},
                url=reverse("councils:detail", args=[council.code]),
                kind=Notification.Kind.TASK,
                about=council,
            )
            log_action(council, "councils.renewal.due", data={"term_end": council.term_end})
    except IntegrityError:
        return False
    return True


def import_start(*, kind: str, council: Council | None, file: UploadedFile, acting_user: User) -> ImportJob:
    """Store an uploaded registry file and have a worker read it into a preview."""
    from .importing import max_bytes
    from .tasks import import_preview_task

    if kind == ImportJob.Kind.COUNCILS and not acting_user.has_perm("councils.import_registry"):
        raise PermissionDenied(_("Only the coordination centre imports councils."))
    if kind == ImportJob.Kind.MEMBERS and council is not None:
        _require(acting_user, "councils.import_members", council)
    if kind == ImportJob.Kind.ISSUES:
        if council is None:
            raise ValidationError({"council": _("Choose the council whose problems the file holds.")})
        _require(acting_user, "issues.file_issue", council)
    if file.size > max_bytes():
        raise ValidationError(
            {"file": _("The file is larger than %(limit)s MB.") % {"limit": max_bytes() // (1024 * 1024)}}
        )
    with transaction.atomic():
        job = ImportJob(kind=kind, council=council, uploaded_by=acting_user, original_name=file.name[:255])
        job.file.save(f"{kind}-{timezone.now():%Y%m%d%H%M%S}.upload", file, save=False)
        job.save()
        log_action(
            job, "councils.import.uploaded", actor=acting_user, data={"file": job.original_name, "kind": kind}
        )
        transaction.on_commit(lambda: import_preview_task.enqueue(job.pk))
    return job


def import_confirm(*, job: ImportJob, acting_user: User) -> ImportJob:
    """Apply a previewed import (by the person who uploaded it) on a worker."""
    from .tasks import import_apply_task

    if job.uploaded_by_id != acting_user.pk:
        raise PermissionDenied(_("Only the person who uploaded the file can apply it."))
    job.refresh_from_db()  # the preview was written by a worker
    if job.summary.get("reject"):
        raise ValidationError(_("Some rows are refused; correct the file and upload it again."))
    if not job.applicable:
        raise ValidationError(_("This import cannot be applied now."))
    updated = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.READY).update(
        status=ImportJob.Status.APPLYING
    )
    if not updated:
        raise ValidationError(_("This import cannot be applied now."))
    transaction.on_commit(lambda: import_apply_task.enqueue(job.pk))
    job.refresh_from_db()
    return job
