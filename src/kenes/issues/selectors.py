"""Reads of the problems database: pages, queues and national problems with their spread."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Min, Q, QuerySet

from kenes.core.rules import is_coordination_centre

from .models import PRIVATE_STATUSES, Issue, IssueLink, Problem, Support

ISSUE_RELATED = ("council", "region", "district", "problem", "author")


def visible_issues(user) -> QuerySet[Issue]:
    """Issues the user may read: every published one, plus submissions awaiting the user's moderation."""
    public = Q(~Q(status__in=PRIVATE_STATUSES))
    if user is None or not user.is_authenticated:
        return Issue.objects.filter(public)
    if is_coordination_centre(user):
        return Issue.objects.all()
    from kenes.core.models import Role
    from kenes.core.rules import role_keys

    staff_councils = [
        object_id
        for role, _content_type, object_id in role_keys(user)
        if role in (Role.COUNCIL_SECRETARY, Role.COUNCIL_CHAIR) and object_id is not None
    ]
    return Issue.objects.filter(public | Q(council_id__in=staff_councils))


def issue_for_page(pk: int) -> Issue:
    return (
        Issue.objects.select_related(*ISSUE_RELATED, "duplicate_of", "council__region")
        .prefetch_related("topics", "groups", "attachments")
        .annotate(support_count=Count("supports", distinct=True))
        .get(pk=pk)
    )


@dataclass(frozen=True)
class LinkRow:
    link: IssueLink
    other: Issue


def links_of(issue: Issue, user) -> list[LinkRow]:
    """The issue's links, each with the issue at the other end (hidden ones left out)."""
    visible = visible_issues(user).values("pk")
    links = (
        IssueLink.objects.filter(Q(source=issue) | Q(target=issue))
        .filter(Q(source__in=visible) & Q(target__in=visible))
        .select_related("source__council", "source__region", "target__council", "target__region")
        .order_by("kind", "-created_at")
    )
    return [
        LinkRow(link=link, other=link.target if link.source_id == issue.pk else link.source) for link in links
    ]


def supported_by(issue: Issue, user) -> bool:
    return bool(user and user.is_authenticated) and Support.objects.filter(issue=issue, user=user).exists()


def council_issues(council, *, statuses=None) -> QuerySet[Issue]:
    issues = Issue.objects.filter(council=council).select_related("region", "problem")
    if statuses is not None:
        issues = issues.filter(status__in=statuses)
    return issues.annotate(support_count=Count("supports")).order_by("-created_at")


def moderation_queue(council) -> QuerySet[Issue]:
    return (
        Issue.objects.filter(council=council, status=Issue.Status.PENDING)
        .select_related("region", "district")
        .order_by("created_at")
    )


def with_spread(problems: QuerySet[Problem]) -> QuerySet[Problem]:
    """Annotate how many issues, councils and regions raised each problem, and since when."""
    return problems.annotate(
        issue_count=Count("issues", filter=~Q(issues__status__in=PRIVATE_STATUSES), distinct=True),
        council_count=Count("issues__council", filter=~Q(issues__status__in=PRIVATE_STATUSES), distinct=True),
        region_count=Count("issues__region", filter=~Q(issues__status__in=PRIVATE_STATUSES), distinct=True),
        first_raised=Min("issues__created_at"),
    )


def problem_list(user, *, status: str = Problem.Status.CONFIRMED) -> QuerySet[Problem]:
    """Confirmed national problems for everybody; proposals for the coordination centre only."""
    if status != Problem.Status.CONFIRMED and not user.has_perm("issues.manage_problem"):
        status = Problem.Status.CONFIRMED
    return with_spread(Problem.objects.filter(status=status)).order_by("-region_count", "-issue_count", "-pk")


def problem_for_page(pk: int, user) -> Problem:
    problems = Problem.objects.exclude(status=Problem.Status.DISMISSED)
    if not user.has_perm("issues.manage_problem"):
        problems = problems.filter(status__in=[Problem.Status.CONFIRMED, Problem.Status.MERGED])
    return with_spread(problems.select_related("merged_into")).get(pk=pk)


def problem_issues(problem: Problem) -> QuerySet[Issue]:
    return (
        problem.issues.exclude(status__in=PRIVATE_STATUSES)
        .select_related("council", "region")
        .annotate(support_count=Count("supports"))
        .order_by("region__name_kk", "created_at")
    )


def national_problem_count() -> int:
    return Problem.objects.filter(status=Problem.Status.CONFIRMED).count()


def merge_targets(problem: Problem) -> QuerySet[Problem]:
    return Problem.objects.filter(status__in=[Problem.Status.PROPOSED, Problem.Status.CONFIRMED]).exclude(
        pk=problem.pk
    )


def coordination_meetings():
    """Coordination meetings still taking agenda items, for putting a problem on the agenda."""
    from kenes.meetings.models import Meeting, MeetingKind
    from kenes.meetings.workflows import AGENDA_EDITABLE

    return Meeting.objects.filter(kind=MeetingKind.COORDINATION, status__in=AGENDA_EDITABLE).order_by(
        "starts_at"
    )
