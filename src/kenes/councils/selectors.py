"""Reads of the council registry: the directory, a council's page, a person's page, summaries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from dateutil.relativedelta import relativedelta
from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Prefetch, QuerySet, Value, When
from django.utils import timezone

from kenes.core.models import Region, Role, RoleAssignment, User
from kenes.search.normalise import terms

from . import compliance
from .models import Commission, Council, Membership, Person, RenewalNotice

SORTS = {
    "name": ("name_kk",),
    "region": ("region__code", "district__name_kk", "name_kk"),
    "members": ("-active_members", "name_kk"),
    "term": ("term_end", "name_kk"),
    "level": ("level", "region__code", "name_kk"),
}
ROLE_RANK = Case(
    When(role=Membership.Role.CHAIR, then=Value(0)),
    When(role=Membership.Role.DEPUTY_CHAIR, then=Value(1)),
    When(role=Membership.Role.SECRETARY, then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)


@dataclass(frozen=True)
class NationalSummary:
    councils: int
    members: int
    regions: int


def national_summary() -> NationalSummary:
    """Headline counts for the home page."""
    return NationalSummary(
        councils=Council.objects.exclude(status=Council.Status.DISSOLVED).count(),
        members=Membership.objects.active().values("person").distinct().count(),
        regions=Region.objects.count(),
    )


@dataclass
class DirectoryQuery:
    """The directory's filters, as parsed from the request by ``DirectoryFilterForm``."""

    text: str = ""
    level: str = ""
    region: Region | None = None
    district: object = None
    state_body: object = None
    topic: object = None
    compliance: str = ""  # "", "ok", "issues" or a rule code
    status: str = ""
    sort: str = "level"
    extra: dict = field(default_factory=dict)


def council_directory(query: DirectoryQuery) -> QuerySet[Council]:
    """Councils matching ``query`` with their compliance figures, in a fixed number of queries."""
    councils = compliance.annotate_compliance(
        Council.objects.select_related("state_body", "region", "district")
    )
    for term in terms(query.text):
        councils = councils.filter(search_text__contains=term)
    if query.level:
        councils = councils.filter(level=query.level)
    if query.status:
        councils = councils.filter(status=query.status)
    if query.region:
        councils = councils.filter(region=query.region)
    if query.district:
        councils = councils.filter(district=query.district)
    if query.state_body:
        councils = councils.filter(state_body=query.state_body)
    if query.topic:
        councils = councils.filter(topics=query.topic)
    if query.compliance == "ok":
        councils = councils.exclude(compliance.non_compliant())
    elif query.compliance == "issues":
        councils = councils.filter(compliance.non_compliant())
    elif query.compliance:
        rule = next((r for r in compliance.rules() if r.code == query.compliance), None)
        if rule is not None:
            councils = councils.filter(rule.failing)
    return councils.order_by(*SORTS.get(query.sort, SORTS["level"]))


def level_counts(councils: QuerySet[Council]) -> dict[str, int]:
    """How many of the matching councils sit at each level (for the filter's counts)."""
    rows = councils.order_by().values("level").annotate(n=Count("pk", distinct=True))
    return {row["level"]: row["n"] for row in rows}


def attach_findings(councils) -> list[Council]:
    """Give each council of a page its compliance findings (no queries: annotations only)."""
    today = timezone.localdate()
    councils = list(councils)
    for council in councils:
        council.findings = compliance.findings(council, today)
        council.issue_count = sum(not f.ok for f in council.findings)
    return councils


def council_for_page(code: str) -> Council:
    queryset = compliance.annotate_compliance(
        Council.objects.select_related("state_body", "region", "district").prefetch_related("topics")
    )
    council = queryset.get(code=code)
    council.findings = compliance.findings(council)
    return council


def current_memberships(council: Council) -> QuerySet[Membership]:
    return (
        Membership.objects.active()
        .filter(council=council)
        .select_related("person")
        .annotate(rank=ROLE_RANK)
        .order_by("rank", "person__last_name", "person__first_name")
    )


def past_memberships(council: Council) -> QuerySet[Membership]:
    active = Membership.objects.active().filter(council=council).values("pk")
    return (
        Membership.objects.filter(council=council)
        .exclude(pk__in=active)
        .select_related("person")
        .order_by("-ceased_on", "-term_end", "person__last_name")
    )


def commissions_of(council: Council) -> QuerySet[Commission]:
    return council.commissions.prefetch_related(
        Prefetch(
            "members", queryset=Membership.objects.select_related("person").order_by("person__last_name")
        )
    )


def public_person(pk: int) -> Person:
    """A person who agreed to a public profile, with all their memberships."""
    return Person.objects.prefetch_related(
        Prefetch(
            "memberships",
            queryset=Membership.objects.select_related("council").order_by("-term_start"),
        )
    ).get(pk=pk, public_profile=True)


def public_people() -> QuerySet[Person]:
    return Person.objects.filter(public_profile=True).order_by("last_name", "first_name", "pk")


def councils_needing_renewal(today: date | None = None) -> QuerySet[Council]:
    """Councils whose composition term ends within the renewal lead and were not yet reminded."""
    today = today or timezone.localdate()
    until = today + relativedelta(months=compliance.renewal_lead_months())
    return (
        Council.objects.exclude(status=Council.Status.DISSOLVED)
        .filter(term_end__isnull=False, term_end__gte=today, term_end__lte=until)
        .exclude(Exists(RenewalNotice.objects.filter(council=OuterRef("pk"), term_end=OuterRef("term_end"))))
        .select_related("state_body")
    )


def holders_of(council: Council, role: str) -> QuerySet[User]:
    """Active users holding ``role`` on ``council``."""
    holders = RoleAssignment.objects.filter(
        role=role, content_type=ContentType.objects.get_for_model(Council), object_id=council.pk
    ).values("user")
    return User.objects.filter(pk__in=holders, is_active=True)


def coordinators() -> QuerySet[User]:
    return User.objects.filter(
        pk__in=RoleAssignment.objects.filter(role=Role.COORDINATOR).values("user"), is_active=True
    )


def importable_councils(user: User) -> QuerySet[Council]:
    """The councils whose members this user may import: all for the coordination centre, else their own."""
    if user.has_perm("councils.import_registry"):
        return Council.objects.order_by("name_kk")
    council_ids = user.role_assignments.filter(
        role__in=[Role.COUNCIL_SECRETARY, Role.COUNCIL_CHAIR],
        content_type=ContentType.objects.get_for_model(Council),
    ).values("object_id")
    return Council.objects.filter(pk__in=council_ids).order_by("name_kk")
