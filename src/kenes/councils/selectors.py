"""Reads of the council registry."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from kenes.core.models import Region

from .models import Council, Membership


@dataclass(frozen=True)
class NationalSummary:
    councils: int
    members: int
    regions: int


def national_summary() -> NationalSummary:
    """Headline counts for the home page."""
    return NationalSummary(
        councils=Council.objects.exclude(status=Council.Status.DISSOLVED).count(),
        members=Membership.objects.filter(ceased_on__isnull=True).values("person").distinct().count(),
        regions=Region.objects.count(),
    )


def council_list() -> QuerySet[Council]:
    """Councils with what a list row shows, in a fixed number of queries."""
    return (
        Council.objects.select_related("state_body", "region", "district")
        .annotate(member_count=Count("memberships", filter=Q(memberships__ceased_on__isnull=True)))
        .order_by("level", "region__code", "name_kk")
    )


def current_memberships(council: Council) -> QuerySet[Membership]:
    order = {"chair": 0, "deputy_chair": 1, "secretary": 2, "member": 3}
    from django.db.models import Case, IntegerField, Value, When

    rank = Case(*[When(role=role, then=Value(n)) for role, n in order.items()], output_field=IntegerField())
    return (
        council.memberships.filter(ceased_on__isnull=True)
        .select_related("person")
        .annotate(rank=rank)
        .order_by("rank", "person__last_name", "person__first_name")
    )
