"""Reads of meetings: a meeting's page, quorum and agenda deadline, calendars and feeds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from kenes.core.models import Role, RoleAssignment, User
from kenes.core.workcalendar import subtract_working_days, working_days_between
from kenes.councils.models import Council

from .models import AgendaItem, Attendance, Meeting, MeetingSeries


def meeting_queryset() -> QuerySet[Meeting]:
    return Meeting.objects.select_related("council", "convener_body", "series")


def meeting_for_page(pk: int) -> Meeting:
    """One meeting with its agenda, decisions, attendance and minutes, in a fixed number of queries."""
    return (
        meeting_queryset()
        .prefetch_related(
            "councils",
            Prefetch(
                "agenda_items",
                queryset=AgendaItem.objects.select_related("decision").order_by("position", "pk"),
            ),
            Prefetch(
                "attendance",
                queryset=Attendance.objects.select_related(
                    "membership__person", "membership__council"
                ).order_by("membership__council__name_kk", "membership__person__last_name"),
            ),
        )
        .get(pk=pk)
    )


def invited_councils(meeting: Meeting) -> list[Council]:
    return [meeting.council] if meeting.council_id else list(meeting.councils.all())


@dataclass(frozen=True)
class Quorum:
    invited: int
    present: int
    required: int

    @property
    def met(self) -> bool:
        return self.invited > 0 and self.present >= self.required


def quorum(meeting: Meeting) -> Quorum:
    """Present members against the quorum (two thirds of all members by default)."""
    rows = list(meeting.attendance.all())
    present = sum(row.present for row in rows)
    return Quorum(invited=len(rows), present=present, required=meeting.quorum_required(len(rows)))


@dataclass(frozen=True)
class AgendaDeadline:
    due: date
    published_on: date | None
    late: bool
    working_days_before: int | None


def agenda_deadline(meeting: Meeting, today: date | None = None) -> AgendaDeadline:
    """The last day to publish the agenda (3 working days ahead by default) and whether it was late."""
    notice = settings.KENES_AGENDA_NOTICE_WORKING_DAYS
    meeting_day = timezone.localtime(meeting.starts_at).date()
    due = subtract_working_days(meeting_day, notice)
    today = today or timezone.localdate()
    if meeting.agenda_published_at:
        published_on = timezone.localtime(meeting.agenda_published_at).date()
        ahead = working_days_between(published_on, meeting_day)
        return AgendaDeadline(due, published_on, ahead < notice, ahead)
    open_states = {Meeting.Status.PLANNED, Meeting.Status.POSTPONED}
    return AgendaDeadline(due, None, meeting.status in open_states and today > due, None)


def _day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=zone),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone),
    )


CALENDAR_FIELDS = (
    "title_kk",
    "title_ru",
    "title_en",
    "kind",
    "status",
    "starts_at",
    "duration_minutes",
    "is_public",
    "council__code",
    "council__name_kk",
    "council__name_ru",
    "council__name_en",
)


def calendar_queryset() -> QuerySet[Meeting]:
    """What calendars list: a meeting and its council's name, nothing more (hundreds of rows a month)."""
    return Meeting.objects.select_related("council").only(*CALENDAR_FIELDS)


def visible_meetings(user, meetings: QuerySet[Meeting] | None = None) -> QuerySet[Meeting]:
    """Meetings this user may see: the open ones, and those of the councils they sit on.

    ``meetings`` is the base queryset (the calendars' lean one by default).
    """
    meetings = calendar_queryset() if meetings is None else meetings
    if user.has_perm("core.view_audit_log"):
        return meetings
    councils = user_councils(user)
    if not councils:
        return meetings.filter(is_public=True)
    return meetings.filter(Q(is_public=True) | Q(council__in=councils) | Q(councils__in=councils)).distinct()


def user_councils(user) -> list[int]:
    if not user.is_authenticated:
        return []
    return list(
        RoleAssignment.objects.filter(
            user=user,
            role__in=[Role.COUNCIL_MEMBER, Role.COUNCIL_SECRETARY, Role.COUNCIL_CHAIR],
            content_type=ContentType.objects.get_for_model(Council),
        ).values_list("object_id", flat=True)
    )


def meetings_between(
    meetings: QuerySet[Meeting], start: date, end: date, *, council: Council | None = None
) -> QuerySet[Meeting]:
    low, high = _day_bounds(start, end)
    meetings = meetings.filter(starts_at__gte=low, starts_at__lt=high)
    if council is not None:
        meetings = meetings.filter(Q(council=council) | Q(councils=council)).distinct()
    return meetings.order_by("starts_at")


def for_user_feed(user: User, *, past_days: int = 60, ahead_days: int = 400) -> QuerySet[Meeting]:
    today = timezone.localdate()
    councils = user_councils(user)
    meetings = meeting_queryset().filter(Q(council__in=councils) | Q(councils__in=councils)).distinct()
    return meetings_between(meetings, today - timedelta(days=past_days), today + timedelta(days=ahead_days))


def month_grid(year: int, month: int, meetings) -> list[list[dict]]:
    """Weeks (Monday first) of day cells ``{"day": date, "in_month": bool, "meetings": [...]}``."""
    first = date(year, month, 1)
    start = first - timedelta(days=first.weekday())
    next_month = date(year + (month == 12), month % 12 + 1, 1)
    by_day: dict[date, list] = {}
    for meeting in meetings:
        by_day.setdefault(timezone.localtime(meeting.starts_at).date(), []).append(meeting)
    weeks, day = [], start
    while day < next_month or day.weekday() != 0:
        if day.weekday() == 0:
            weeks.append([])
        weeks[-1].append({"day": day, "in_month": day.month == month, "meetings": by_day.get(day, [])})
        day += timedelta(days=1)
    return weeks


def recipients(meeting: Meeting) -> QuerySet[User]:
    """Everyone to tell about the meeting: the members, secretaries and chairs of invited councils."""
    council_ids = [c.pk for c in invited_councils(meeting)]
    holders = RoleAssignment.objects.filter(
        role__in=[Role.COUNCIL_MEMBER, Role.COUNCIL_SECRETARY, Role.COUNCIL_CHAIR],
        content_type=ContentType.objects.get_for_model(Council),
        object_id__in=council_ids,
    ).values("user")
    return User.objects.filter(pk__in=holders, is_active=True)


def series_list() -> QuerySet[MeetingSeries]:
    return MeetingSeries.objects.select_related("council", "convener_body").order_by("title_kk")


def meetings_starting_on(day: date) -> QuerySet[Meeting]:
    low, high = _day_bounds(day, day)
    return (
        meeting_queryset()
        .filter(starts_at__gte=low, starts_at__lt=high)
        .exclude(status__in=[Meeting.Status.CANCELLED, Meeting.Status.POSTPONED])
    )
