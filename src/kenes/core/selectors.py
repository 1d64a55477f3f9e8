"""Reads of the core app: reference lists, a user's roles, an object's timeline."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Prefetch

from .audit import action_label
from .models import District, FormerName, LogEntry, Notification, Region, Role, RoleAssignment, User


@dataclass(frozen=True)
class TimelineRow:
    """One audit entry as a person reads it: when, who, what, and the details."""

    timestamp: datetime
    actor: str
    label: str
    action: str
    details: list[tuple[str, str]]


def _field_name(model, field: str) -> str:
    """A field's translated name (``region_id`` → "region"), or the key itself."""
    for candidate in (field, field.removesuffix("_id")):
        try:
            model_field = model._meta.get_field(candidate)
        except FieldDoesNotExist:  # not a model field: show the key as written
            continue
        # A reverse relation (``commitments`` of a dispatch) has no verbose name of its own.
        name = getattr(model_field, "verbose_name", None)
        if name is None and model_field.related_model is not None:
            name = model_field.related_model._meta.verbose_name_plural
        return str(name) if name is not None else field
    return field


def _details(model, data: dict) -> list[tuple[str, str]]:
    if not isinstance(data, dict):
        return []
    rows: list[tuple[str, str]] = []
    before, after = data.get("before") or {}, data.get("after")
    if isinstance(after, dict):
        for field, value in after.items():
            old = before.get(field) if isinstance(before, dict) else None
            rows.append(
                (_field_name(model, field), f"{old} → {value}" if old not in (None, "") else str(value))
            )
    if "role" in data:
        role = Role(data["role"]).label if data["role"] in Role.values else data["role"]
        rows.append(
            (
                _field_name(RoleAssignment, "role"),
                f"{role}: {data['target']}" if data.get("target") else str(role),
            )
        )
    for key, value in data.items():
        if key not in {"before", "after", "role", "target"}:
            rows.append((_field_name(model, key), str(value)))
    return rows


def timeline_for(obj, *, limit: int = 50) -> list[TimelineRow]:
    """The newest audit entries about ``obj``, newest first, ready to show."""
    content_type = ContentType.objects.get_for_model(obj, for_concrete_model=False)
    entries = LogEntry.objects.filter(content_type=content_type, object_id=str(obj.pk)).order_by("-sequence")[
        :limit
    ]
    return [
        TimelineRow(
            timestamp=entry.timestamp,
            actor=entry.actor_repr,
            label=action_label(entry.action),
            action=entry.action,
            details=_details(type(obj), entry.data),
        )
        for entry in entries
    ]


def former_names_for(objects) -> dict[int, list[FormerName]]:
    """Former names of many objects of one model in one query, keyed by object id."""
    objects = list(objects)
    if not objects:
        return {}
    content_type = ContentType.objects.get_for_model(objects[0])
    names: dict[int, list[FormerName]] = defaultdict(list)
    for former in FormerName.objects.filter(content_type=content_type, object_id__in=[o.pk for o in objects]):
        names[former.object_id].append(former)
    return names


def region_list() -> list[Region]:
    """Living regions with their districts and ``former_names`` attached."""
    regions = list(
        Region.objects.order_by("code").prefetch_related(
            Prefetch("districts", queryset=District.objects.order_by("name_kk"))
        )
    )
    aliases = former_names_for(regions)
    for region in regions:
        region.former_names = aliases.get(region.pk, [])
    return regions


def roles_of(user: User) -> list[RoleAssignment]:
    """A user's role assignments with their targets, for the account page."""
    assignments = list(
        RoleAssignment.objects.filter(user=user).select_related("content_type").order_by("role")
    )
    by_type: dict[int, list[RoleAssignment]] = defaultdict(list)
    for assignment in assignments:
        if assignment.content_type_id:
            by_type[assignment.content_type_id].append(assignment)
    for items in by_type.values():
        model = items[0].content_type.model_class()
        targets = model._default_manager.in_bulk([a.object_id for a in items])
        for assignment in items:
            assignment.resolved_target = targets.get(assignment.object_id)
    for assignment in assignments:
        if not assignment.content_type_id:
            assignment.resolved_target = None
    return assignments


def recent_notifications(user: User, limit: int = 20):
    """The user's latest information notices (tasks are listed separately)."""
    return Notification.objects.filter(recipient=user, kind=Notification.Kind.INFO).order_by("-created_at")[
        :limit
    ]
