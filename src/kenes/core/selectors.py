"""Reads of the core app: reference lists, a user's roles, an object's timeline."""

from __future__ import annotations

from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, QuerySet

from .models import District, FormerName, LogEntry, Region, RoleAssignment, User


def timeline_for(obj, *, limit: int = 50) -> QuerySet[LogEntry]:
    """The newest audit entries about ``obj``, newest first."""
    content_type = ContentType.objects.get_for_model(obj, for_concrete_model=False)
    return (
        LogEntry.objects.filter(content_type=content_type, object_id=str(obj.pk))
        .select_related("actor")
        .order_by("-sequence")[:limit]
    )


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
